package pgcluster

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"sort"
	"strconv"
)

// debianPGRoot is where Debian's postgresql-NN packages put each major's
// binaries; they are not on PATH.
const debianPGRoot = "/usr/lib/postgresql"

// tools are the programs a cluster runs.
var tools = []string{"initdb", "postgres", "psql", "pg_basebackup"}

func exeName(name string) string {
	if runtime.GOOS == "windows" {
		return name + ".exe"
	}
	return name
}

func isExecutable(path string) bool {
	fi, err := os.Stat(path)
	return err == nil && !fi.IsDir() && (runtime.GOOS == "windows" || fi.Mode()&0o111 != 0)
}

// FindBinDir picks the directory of the server binaries for a major
// version (0: the newest): the configured one; else Debian's directory
// for that major;
// else the newest major Debian has; else the directory initdb resolves to
// from PATH (a symlink such as /usr/local/bin/initdb is followed, so that
// postgres is found next to it).
func FindBinDir(configured string, major int) (string, error) {
	if configured != "" {
		if !isExecutable(filepath.Join(configured, exeName("initdb"))) {
			return "", fmt.Errorf("no initdb in %s", configured)
		}
		return configured, nil
	}
	if major > 0 {
		dir := filepath.Join(debianPGRoot, strconv.Itoa(major), "bin")
		if isExecutable(filepath.Join(dir, exeName("initdb"))) {
			return dir, nil
		}
	}
	if entries, err := os.ReadDir(debianPGRoot); err == nil {
		var found []int
		for _, e := range entries {
			n, err := strconv.Atoi(e.Name())
			if err == nil && isExecutable(filepath.Join(debianPGRoot, e.Name(), "bin", exeName("initdb"))) {
				found = append(found, n)
			}
		}
		if len(found) > 0 {
			sort.Ints(found)
			return filepath.Join(debianPGRoot, strconv.Itoa(found[len(found)-1]), "bin"), nil
		}
	}
	p, err := exec.LookPath("initdb")
	if err != nil {
		return "", errors.New("initdb is not on PATH nor under " + debianPGRoot)
	}
	if resolved, err := filepath.EvalSymlinks(p); err == nil {
		p = resolved
	}
	return filepath.Dir(p), nil
}

// Tool returns the path of a PostgreSQL program: in binDir, next to
// initdb, or on PATH for the client programs a distribution may ship
// elsewhere.
func Tool(binDir, name string) (string, error) {
	p := filepath.Join(binDir, exeName(name))
	if isExecutable(p) {
		return p, nil
	}
	if lp, err := exec.LookPath(name); err == nil {
		return lp, nil
	}
	return "", fmt.Errorf("%s is neither in %s nor on PATH", name, binDir)
}

// Check reports whether this machine can run clusters: the server
// binaries (binDir, or found as FindBinDir does) and, when this process
// runs as root, an unprivileged account to run them. The error says what
// is missing and how to install it.
func Check(binDir string) error {
	dir, err := FindBinDir(binDir, 0)
	if err != nil {
		return fmt.Errorf("PostgreSQL server binaries not found (%w): install them (Debian: apt-get install postgresql, or scripts/install-postgres.sh) or name their directory", err)
	}
	for _, t := range tools {
		if _, err := Tool(dir, t); err != nil {
			return fmt.Errorf("PostgreSQL binaries incomplete: %w", err)
		}
	}
	if _, err := lookupAccount(); err != nil {
		return err
	}
	return nil
}
