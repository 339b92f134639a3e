package probe

import (
	"strings"
	"testing"
)

func TestDateForm(t *testing.T) {
	for s, want := range map[string]string{
		"2025-05-08T22:13:32.563Z":      "Z with a fraction",
		"2025-05-08T22:13:32Z":          "Z",
		"2022-11-02T09:32:02.000+00:00": "+hh:mm with a fraction",
		"2022-11-02T09:32:02-05:00":     "+hh:mm",
		"2016-06-01T12:27:19.000+0200":  "+hhmm with a fraction",
		"2016-06-01T12:27:19+0200":      "+hhmm",
		"2016-06-01T12:27:19":           "no offset",
		"2016-06-01T12:27:19.123456":    "no offset with a fraction",
		"2016-06-01":                    "",
		"2016-06-01 12:27:19Z":          "",
		"2016-06-01T12:27:19+02":        "",
		"08/05/2025":                    "",
		"text":                          "",
	} {
		got, ok := dateForm(s)
		if ok != (want != "") || got != want {
			t.Errorf("dateForm(%q) = %q, %v; want %q", s, got, ok, want)
		}
	}
}

func TestExitCode(t *testing.T) {
	rows := []Row{{ID: "a", Result: Holds}, {ID: "b", Result: CouldNotTell}, {ID: "c", Result: NotChecked}}
	if got := ExitCode(rows); got != 0 {
		t.Errorf("ExitCode without a difference = %d", got)
	}
	rows = append(rows, Row{ID: "d", Result: Differs})
	if got := ExitCode(rows); got != ExitDiffers {
		t.Errorf("ExitCode with a difference = %d", got)
	}
}

// The IDs are a contract with the client's documentation: unique, and of
// the form it names them in.
func TestRowIDs(t *testing.T) {
	seen := map[string]bool{}
	for _, r := range Rows {
		if !rowID.MatchString(r.ID) {
			t.Errorf("row ID %q is not [a-z0-9-]+", r.ID)
		}
		if seen[r.ID] {
			t.Errorf("row ID %q twice", r.ID)
		}
		seen[r.ID] = true
		if (r.check == nil) == (r.NotChecked == "") {
			t.Errorf("%s: needs either a check or a reason it is not checked", r.ID)
		}
		if r.Assumption == "" || strings.Contains(r.Assumption, "\n") {
			t.Errorf("%s: the assumption must be one line", r.ID)
		}
	}
	if len(Rows) != 22 {
		t.Errorf("%d rows, want 22", len(Rows))
	}
}
