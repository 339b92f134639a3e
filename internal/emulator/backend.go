package emulator

import "fmt"

// Backends: where an instance's databases live.
const (
	// BackendMemory keeps every instance in memory (the default).
	BackendMemory = "memory"
	// BackendPostgres makes every instance created through the API a real
	// PostgreSQL server on loopback.
	BackendPostgres = "postgres"
)

// Backend names the backend in use.
func (s *Server) Backend() string {
	if s.pg == nil {
		return BackendMemory
	}
	return BackendPostgres
}

// BackendSummary is one line for the start banner.
func (s *Server) BackendSummary() string {
	if s.pg == nil {
		return "memory (instances are emulated in memory)"
	}
	dir, _ := s.pg.host.BinDir(0)
	keep := "removed at exit"
	if s.pg.keep {
		keep = "kept at exit"
	}
	return fmt.Sprintf("postgres (a real server per instance: binaries %s, run as %s, admin role %s; data in %s, %s)",
		dir, s.pg.host.Account(), PostgresAdminRole, s.pg.root, keep)
}
