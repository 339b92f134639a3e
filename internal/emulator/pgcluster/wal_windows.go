//go:build windows

package pgcluster

import "strings"

// inDir is the quoted path, for cmd.exe, of the file %f in dir; a % of
// dir is doubled, or PostgreSQL would take it for a placeholder.
func inDir(dir string) string { return `"` + strings.ReplaceAll(dir, "%", "%%") + `\%f"` }

// archiveCommand copies a finished WAL file into dir, unless a file of
// that name is there already.
func archiveCommand(dir string) string {
	return `if not exist ` + inDir(dir) + ` copy "%p" ` + inDir(dir)
}

// restoreCommand fetches a WAL file from dir during recovery.
func restoreCommand(dir string) string {
	return `copy ` + inDir(dir) + ` "%p"`
}
