//go:build unix

package pgcluster

import "strings"

// shellQuote quotes a path for the shell PostgreSQL runs its archive and
// restore commands with; a % is doubled, or PostgreSQL would take it for
// a placeholder.
func shellQuote(s string) string {
	s = strings.ReplaceAll(s, "%", "%%")
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// archiveCommand copies a finished WAL file into dir. The copy is made
// under another name and renamed, so that dir never holds a partial file;
// a file archived already is accepted again if it is the same (the
// archiver retries a file whose success a crash kept it from recording),
// refused otherwise.
func archiveCommand(dir string) string {
	d := shellQuote(dir)
	return "if test -f " + d + "/%f; then cmp -s %p " + d + "/%f; else cp %p " + d + "/%f.tmp && mv " + d + "/%f.tmp " + d + "/%f; fi"
}

// restoreCommand fetches a WAL file from dir during recovery; a missing
// one makes cp fail, which tells PostgreSQL the archive has no such file.
func restoreCommand(dir string) string {
	return "cp " + shellQuote(dir) + "/%f %p"
}
