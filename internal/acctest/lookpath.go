package acctest

import "os/exec"

// lookPath is a variable so the PreCheck can be tested without a terraform binary.
var lookPath = exec.LookPath
