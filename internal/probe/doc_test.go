package probe

import (
	"os"
	"regexp"
	"sort"
	"strings"
	"testing"
)

var (
	rowID = regexp.MustCompile(`^[a-z0-9-]+$`)
	// probeRows finds "Probe row: id" and "Probe rows: id1, id2" in the
	// client's documentation; a list may wrap onto the next comment line.
	probeRows = regexp.MustCompile(`Probe rows?:\s*([a-z0-9-]+(?:,(?:\s|//)*[a-z0-9-]+)*)`)
	listSep   = regexp.MustCompile(`,(?:\s|//)*`)
)

// The client's documentation names, per assumption, the row that checks
// it: together they name every row, and no other.
func TestRowsMatchClientDoc(t *testing.T) {
	b, err := os.ReadFile("../../internal/itcare/doc.go")
	if err != nil {
		t.Fatal(err)
	}
	doc := string(b)
	if !strings.Contains(doc, "Probe row") {
		t.Skip("internal/itcare/doc.go has no \"Probe row: <id>\" markers yet")
	}
	named := map[string]bool{}
	for _, m := range probeRows.FindAllStringSubmatch(doc, -1) {
		for _, id := range listSep.Split(m[1], -1) {
			named[id] = true
		}
	}
	ours := map[string]bool{}
	for _, r := range Rows {
		ours[r.ID] = true
	}
	var missing, unknown []string
	for id := range ours {
		if !named[id] {
			missing = append(missing, id)
		}
	}
	for id := range named {
		if !ours[id] {
			unknown = append(unknown, id)
		}
	}
	sort.Strings(missing)
	sort.Strings(unknown)
	if len(missing) > 0 {
		t.Errorf("rows that internal/itcare/doc.go does not name: %s", strings.Join(missing, ", "))
	}
	if len(unknown) > 0 {
		t.Errorf("rows internal/itcare/doc.go names that the probe does not have: %s", strings.Join(unknown, ", "))
	}
}

// The marker syntax the test reads, on a sample.
func TestProbeRowsMarkers(t *testing.T) {
	sample := `//   - A 404 … (Probe row: not-found.)
//     Probe rows: health, error-body,
//     api-401. Probe row: dates`
	var got []string
	for _, m := range probeRows.FindAllStringSubmatch(sample, -1) {
		got = append(got, listSep.Split(m[1], -1)...)
	}
	if strings.Join(got, " ") != "not-found health error-body api-401 dates" {
		t.Errorf("markers read as %q", got)
	}
}

// README.md's section on the probe lists every row, so that a user knows
// what is read before running it.
func TestReadmeNamesRows(t *testing.T) {
	b, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	readme := string(b)
	start := strings.Index(readme, "## Checking the assumptions against a real ITCare account")
	if start < 0 {
		t.Fatal("README.md has no section on the probe")
	}
	section := readme[start:]
	if end := strings.Index(section[3:], "\n## "); end >= 0 {
		section = section[:end+3]
	}
	for _, r := range Rows {
		if !strings.Contains(section, "`"+r.ID+"`") {
			t.Errorf("README.md's probe section does not name row %s", r.ID)
		}
	}
}
