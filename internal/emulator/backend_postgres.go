package emulator

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"time"

	"github.com/cegedim-cloud/terraform-provider-itcare/internal/emulator/pgcluster"
)

// PostgresAdminRole is the superuser of every server of the postgres
// backend; its password is the instance's admPassword.
const PostgresAdminRole = "itcare_admin"

// pgOps are the operations the postgres backend performs for real; every
// other one keeps the in-memory behaviour.
var pgOps = map[string]bool{"create": true, "start": true, "stop": true, "delete": true, "install_extension": true, "restore": true}

// pgBackend runs one PostgreSQL server per instance created through the
// API. Its maps are guarded by Server.mu; each server's processes by its
// own mutex, which a job holds for as long as it works on the server, so
// that the API lock is never held while a process runs.
type pgBackend struct {
	root   string // holds one directory per instance, named by its id
	keep   bool   // root is the user's: keep it and the data at exit
	host   *pgcluster.Host
	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup

	servers map[int64]*pgServer
	jobs    map[int64]*pgJob // by action id
	closed  bool

	availMu   sync.Mutex
	available map[string]map[string]pgcluster.AvailableExtension // by binary directory, then name
}

// pgServer is the PostgreSQL cluster of one instance. The cluster's
// methods must not run concurrently: whoever starts, stops or changes it
// holds mu for as long as it works on it.
type pgServer struct {
	id   int64
	name string
	c    *pgcluster.Cluster

	mu   sync.Mutex
	gone bool // guarded by mu: removed, nothing may start it again
}

// destroy stops the server for good and removes everything it owned.
func (srv *pgServer) destroy() error {
	err := srv.c.Destroy()
	srv.gone = true
	return err
}

func (srv *pgServer) info() PostgresServer {
	c := srv.c
	p := PostgresServer{InstanceID: srv.id, Name: srv.name, Dir: c.Dir(), DataDir: c.DataDir(), SocketDir: c.SocketDir(),
		BinDir: c.BinDir(), Port: int(c.Port()), TLS: c.TLS(), CertFile: c.CertFile(), Running: c.Running()}
	srv.mu.Lock()
	p.PID = c.PID()
	srv.mu.Unlock()
	return p
}

// pgJob is the real work behind one action. The action cannot complete
// before its job is done, whatever its duration, and fails if the job
// failed.
type pgJob struct {
	done   bool
	err    error
	doneAt time.Time
}

// initPGBackend sets up the backend chosen in the configuration. With a
// kept data directory, the servers of ACTIVE instances are started again,
// so that a demo survives a restart of the emulator.
func (s *Server) initPGBackend() error {
	switch s.cfg.Backend {
	case "", BackendMemory:
		return nil
	case BackendPostgres:
	default:
		return fmt.Errorf("unknown backend %q (%s or %s)", s.cfg.Backend, BackendMemory, BackendPostgres)
	}
	host, err := pgcluster.NewHost(s.cfg.PGBinDir)
	if err != nil {
		return fmt.Errorf("postgres backend: %w", err)
	}
	b := &pgBackend{host: host,
		servers: map[int64]*pgServer{}, jobs: map[int64]*pgJob{}, available: map[string]map[string]pgcluster.AvailableExtension{}}
	if s.cfg.PGDataDir != "" {
		b.root, b.keep = s.cfg.PGDataDir, true
		err = os.MkdirAll(b.root, 0o700)
	} else {
		b.root, err = os.MkdirTemp("", "itcare-emulator-pg-")
	}
	if err != nil {
		return fmt.Errorf("postgres backend: %w", err)
	}
	// The servers' account must be able to reach its directories; the
	// directory's listing stays private.
	if err := os.Chmod(b.root, 0o711); err != nil { //nolint:gosec // traversable, not listable, by the servers' account
		return fmt.Errorf("postgres backend: %w", err)
	}
	b.ctx, b.cancel = context.WithCancel(context.Background())
	s.pg = b
	if b.keep {
		s.restartPGServers()
	}
	return nil
}

// restartPGServers runs at start with a kept data directory. Actions that
// were running when the emulator stopped end in ERROR: their work was
// interrupted half-way.
func (s *Server) restartPGServers() {
	s.mu.Lock()
	// An instance whose action is interrupted goes back to the status it
	// had before: that is the one its server must be in.
	settled := map[int64]string{}
	for _, a := range s.actions {
		if a.Action.Status == ActionInProgress && pgOps[a.Op] {
			a.Hang, a.Fail = false, true
			a.FailMessage = fmt.Sprintf("PostgreSQL %s of '%s' was interrupted: the emulator restarted", opLabel(a.Op), a.Action.ResourceName)
			settled[a.Action.InternalID] = a.PrevStatus
			if a.Op == "create" {
				settled[a.Action.InternalID] = StatusError
			}
			s.dirty = true
		}
	}
	var start []*pgServer
	for _, in := range s.sortedInstancesLocked() {
		var port int64
		if u, err := url.Parse(in.URL); err == nil {
			if p, err := strconv.Atoi(u.Port()); err == nil {
				port = int64(p)
			}
		}
		srv := s.pg.newServer(in, port)
		if _, err := os.Stat(srv.c.DataDir()); err != nil {
			continue // made by another backend: it stays in memory
		}
		s.pg.servers[in.ID] = srv
		status, interrupted := settled[in.ID]
		if !interrupted {
			status = in.Status
		}
		if status == StatusActive {
			start = append(start, srv)
		}
	}
	s.mu.Unlock()
	for _, srv := range start {
		srv.mu.Lock()
		err := srv.c.Start(s.pg.ctx)
		srv.mu.Unlock()
		if err != nil {
			s.logger.Error("PostgreSQL server not restarted", "instance", srv.name, "err", err)
			continue
		}
		s.mu.Lock()
		if in, ok := s.instances[srv.id]; ok {
			s.setPGAddressLocked(in, srv)
		}
		s.mu.Unlock()
	}
	// Persist the new addresses and failed actions.
	s.mu.Lock()
	s.unlock()
}

// closePGBackend stops every server the emulator started and, unless the
// data directory was given, removes every data directory.
func (s *Server) closePGBackend() {
	if s.pg == nil {
		return
	}
	s.mu.Lock()
	if s.pg.closed {
		s.mu.Unlock()
		return
	}
	s.pg.closed = true
	servers := make([]*pgServer, 0, len(s.pg.servers))
	for _, srv := range s.pg.servers {
		servers = append(servers, srv)
	}
	s.mu.Unlock()
	// Cancelling kills the tools a job runs (initdb, psql); the servers
	// themselves are stopped below, after the jobs have let go of them.
	s.pg.cancel()
	s.pg.wg.Wait()
	for _, srv := range servers {
		srv.mu.Lock()
		if err := srv.c.Stop(); err != nil {
			s.logger.Error("PostgreSQL server not stopped", "instance", srv.name, "err", err)
		}
		srv.mu.Unlock()
	}
	if !s.pg.keep {
		if err := os.RemoveAll(s.pg.root); err != nil {
			s.logger.Error("PostgreSQL data not removed", "dir", s.pg.root, "err", err)
		}
	}
}

// newServer describes the server of an instance. The binaries are the
// machine's for the instance's major version when it has them, else its
// newest: the read model keeps the requested version either way.
func (b *pgBackend) newServer(in *Instance, port int64) *pgServer {
	bin, _ := b.host.BinDir(in.major())
	return &pgServer{id: in.ID, name: in.Name, c: b.host.NewCluster(pgcluster.Options{
		Dir:       filepath.Join(b.root, strconv.FormatInt(in.ID, 10)),
		BinDir:    bin,
		Superuser: PostgresAdminRole,
		HostName:  in.Name + "." + urlDomain,
		TLS:       in.TLSEnabled,
		Port:      port,
	})}
}

// create makes the instance's cluster and starts it. The extensions on
// offer depend on the installation only: they are read once, while a
// server of these binaries is up.
func (b *pgBackend) create(ctx context.Context, srv *pgServer, password string) error {
	if err := srv.c.Create(ctx, password); err != nil {
		return err
	}
	if b.availableFor(srv.c.BinDir()) == nil {
		if _, err := b.readAvailable(ctx, srv); err != nil {
			return err
		}
	}
	return nil
}

// readAvailable reads pg_available_extensions and keeps it for the
// server's binaries.
func (b *pgBackend) readAvailable(ctx context.Context, srv *pgServer) (map[string]pgcluster.AvailableExtension, error) {
	m, err := srv.c.AvailableExtensions(ctx)
	if err != nil {
		return nil, err
	}
	b.availMu.Lock()
	b.available[srv.c.BinDir()] = m
	b.availMu.Unlock()
	return m, nil
}

// availableFor returns what readAvailable last read for these binaries,
// nil if nothing yet.
func (b *pgBackend) availableFor(bin string) map[string]pgcluster.AvailableExtension {
	b.availMu.Lock()
	defer b.availMu.Unlock()
	return b.available[bin]
}

// pgURL is the connection URL the read model shows for a real server.
func pgConnURL(port int64) string {
	return fmt.Sprintf("postgresql://%s@127.0.0.1:%d/postgres", PostgresAdminRole, port)
}

// setPGAddressLocked points the read model at the server: clients connect
// to the loopback address, never to the emulated network's.
func (s *Server) setPGAddressLocked(in *Instance, srv *pgServer) {
	in.IPAddress = "127.0.0.1"
	in.URL = pgConnURL(srv.c.Port())
	if in.Topology != "HA" && len(in.Extra.Nodes) > 0 {
		in.Extra.Nodes[0].IP = "127.0.0.1"
	}
	s.dirty = true
}

// pgActionStartedLocked starts the real work of an action, unless a fault
// decided its outcome already (an action that fails or never ends does
// nothing, as a failed ITCare action changes nothing).
func (s *Server) pgActionStartedLocked(inst *Instance, a *actionState, ri *reqInfo) {
	if s.pg == nil || !pgOps[a.Op] || a.Fail || a.Hang || a.Options.NoOp {
		return
	}
	b := s.pg
	if a.Op == "create" {
		port, err := pgcluster.FreePort()
		srv := b.newServer(inst, port)
		b.servers[inst.ID] = srv
		s.setPGAddressLocked(inst, srv)
		password := ""
		if f, e := decodeObject(ri.body, "body"); e == nil {
			password, _, _ = f.str("admPassword")
		}
		s.pgRunLocked(a, srv, func(ctx context.Context) error {
			if err != nil {
				return err
			}
			return b.create(ctx, srv, password)
		})
		return
	}
	srv := b.servers[inst.ID]
	if srv == nil {
		return // seeded, or made by the memory backend: stays in memory
	}
	switch a.Op {
	case "start":
		s.pgRunLocked(a, srv, srv.c.Start)
	case "stop":
		s.pgRunLocked(a, srv, func(context.Context) error { return srv.c.Stop() })
	case "delete":
		s.pgRunLocked(a, srv, func(context.Context) error { return srv.destroy() })
	case "install_extension":
		db, names := a.Options.DBName, append([]string{}, a.Options.Extensions...)
		s.pgRunLocked(a, srv, func(ctx context.Context) error { return srv.c.InstallExtensions(ctx, db, names) })
	case "restore":
		src := b.servers[a.Options.SourceID]
		o := a.Options
		s.pgRunLocked(a, srv, func(ctx context.Context) error {
			if src == nil {
				return errors.New("the source instance has no PostgreSQL server (it was not created through the API on the postgres backend)")
			}
			return b.restore(ctx, srv, src, o)
		})
	}
}

// restore rebuilds dst as src was at the options' timestamp (see
// pgcluster.Cluster.RestoreFrom). The caller holds dst.mu; src.mu is held
// while the restore reads src, then released before dst's recovery runs.
// No restore can hold src.mu and wait for dst.mu: dst is UPDATING until
// this one ends, and a restore needs an ACTIVE source.
func (b *pgBackend) restore(ctx context.Context, dst, src *pgServer, o opOptions) error {
	ts, err := parseAPITime(o.Timestamp)
	if err != nil {
		return err
	}
	target := pgcluster.Target{Time: ts, Inclusive: o.Stop == "AFTER"}
	src.mu.Lock()
	var r *pgcluster.Recovery
	if src.gone {
		err = errors.New("the source instance's server was removed")
	} else {
		r, err = dst.c.PrepareRestore(ctx, src.c, target)
	}
	src.mu.Unlock()
	if err != nil {
		return err
	}
	return dst.c.Recover(ctx, r)
}

// pgRunLocked runs fn on srv in the background and records its outcome for
// the action.
func (s *Server) pgRunLocked(a *actionState, srv *pgServer, fn func(context.Context) error) {
	b := s.pg
	job := &pgJob{}
	b.jobs[a.Action.ID] = job
	if b.closed {
		job.done, job.err, job.doneAt = true, errors.New("the emulator is stopping"), s.now()
		return
	}
	b.wg.Add(1)
	go func() {
		defer b.wg.Done()
		srv.mu.Lock()
		var err error
		if srv.gone {
			err = errors.New("the instance's server was removed")
		} else {
			err = fn(b.ctx)
		}
		// The work may have changed the databases (a create, a restore, a
		// database made for an extension): their size follows.
		size, sizeErr := int64(0), errors.New("no running server")
		if err == nil && !srv.gone && srv.c.Running() {
			size, sizeErr = srv.c.DatabasesSize(b.ctx)
		}
		srv.mu.Unlock()
		s.mu.Lock()
		job.done, job.err, job.doneAt = true, err, s.now()
		if in, ok := s.instances[srv.id]; ok && sizeErr == nil {
			in.Extra.DataBytes = size
			s.dirty = true
		}
		// A restart may have moved the server to another port.
		if in, ok := s.instances[srv.id]; ok && b.servers[srv.id] == srv && srv.c.Port() != 0 && in.URL != pgConnURL(srv.c.Port()) {
			s.setPGAddressLocked(in, srv)
		}
		s.mu.Unlock()
	}()
}

// pgBusyLocked tells whether an action still waits for its real work.
func (s *Server) pgBusyLocked(a *actionState) bool {
	if s.pg == nil {
		return false
	}
	job, ok := s.pg.jobs[a.Action.ID]
	return ok && !job.done
}

// pgSettleLocked folds a finished job into its action before the action
// completes: a failed job fails the action, and the action cannot have
// completed before the work did.
func (s *Server) pgSettleLocked(a *actionState) {
	if s.pg == nil {
		return
	}
	if job, ok := s.pg.jobs[a.Action.ID]; ok {
		delete(s.pg.jobs, a.Action.ID)
		if job.err != nil && !a.Fail {
			a.Fail = true
			a.FailMessage = fmt.Sprintf("PostgreSQL %s of '%s' failed: %v", opLabel(a.Op), a.Action.ResourceName, job.err)
		}
		if job.doneAt.After(a.DueAt) {
			a.DueAt = job.doneAt
		}
	}
	if a.Op == "delete" && !a.Fail {
		delete(s.pg.servers, a.Action.InternalID)
	}
}

// pgDiscardLocked stops and removes the server of an instance deleted out
// of band (admin API).
func (s *Server) pgDiscardLocked(id int64) {
	if s.pg == nil {
		return
	}
	srv := s.pg.servers[id]
	if srv == nil {
		return
	}
	delete(s.pg.servers, id)
	b := s.pg
	b.wg.Add(1)
	go func() {
		defer b.wg.Done()
		srv.mu.Lock()
		defer srv.mu.Unlock()
		if err := srv.destroy(); err != nil {
			s.logger.Error("PostgreSQL server not removed", "instance", srv.name, "err", err)
		}
	}()
}

// pgCheckExtensionsLocked refuses, at validation time, an extension the
// machine's PostgreSQL does not have, as GET …/extensions does not offer
// it.
func (s *Server) pgCheckExtensionsLocked(inst *Instance, names []string) *APIError {
	if s.pg == nil {
		return nil
	}
	srv := s.pg.servers[inst.ID]
	if srv == nil {
		return nil
	}
	avail := s.pg.availableFor(srv.c.BinDir())
	if avail == nil {
		return nil // not read yet: CREATE EXTENSION will tell
	}
	for _, n := range names {
		if _, ok := avail[n]; !ok {
			return fieldErr("extensions_list", fmt.Sprintf("extension '%s' is not available on this instance (the PostgreSQL installed on the emulator's machine lacks it)", n))
		}
	}
	return nil
}

// pgReadSub answers GET …/databases and …/extensions from a running
// server's catalogs. handled is false when the instance has no running
// server or the server cannot answer: the in-memory copy (the last read)
// answers then.
func (s *Server) pgReadSub(id int64, sub string) (out any, handled bool) {
	if s.pg == nil || (sub != "databases" && sub != "extensions") {
		return nil, false
	}
	s.lock()
	inst, ok := s.instances[id]
	srv := s.pg.servers[id]
	s.unlock()
	if !ok || srv == nil || !srv.c.Running() {
		return nil, false
	}
	ctx, cancel := context.WithTimeout(s.pg.ctx, 15*time.Second)
	defer cancel()
	switch sub {
	case "databases":
		found, err := srv.c.Databases(ctx)
		if err != nil {
			s.logger.Warn("PostgreSQL catalog not read", "instance", inst.Name, "err", err)
			return nil, false
		}
		dbs := databasesFrom(found)
		s.lock()
		if in, ok := s.instances[id]; ok {
			in.Extra.Databases = cloneDatabases(dbs)
			s.dirty = true
		}
		s.unlock()
		return dbs, true
	default:
		avail, err := s.pg.readAvailable(ctx, srv)
		if err != nil {
			s.logger.Warn("PostgreSQL catalog not read", "instance", inst.Name, "err", err)
			return nil, false
		}
		return offeredExtensions(avail), true
	}
}

// pgReadDataSize reads the size of an instance's databases from its
// running server, for the file systems GET …/nodes shows. Without a
// running server, or when it cannot answer, the last size read stays.
func (s *Server) pgReadDataSize(id int64) {
	if s.pg == nil {
		return
	}
	s.lock()
	srv := s.pg.servers[id]
	s.unlock()
	if srv == nil || !srv.c.Running() {
		return
	}
	ctx, cancel := context.WithTimeout(s.pg.ctx, 15*time.Second)
	defer cancel()
	size, err := srv.c.DatabasesSize(ctx)
	if err != nil {
		s.logger.Warn("PostgreSQL database size not read", "instance", srv.name, "err", err)
		return
	}
	s.lock()
	if in, ok := s.instances[id]; ok && in.Extra.DataBytes != size {
		in.Extra.DataBytes = size
		s.dirty = true
	}
	s.unlock()
}

// databasesFrom is the read model of the databases a cluster's catalogs
// list.
func databasesFrom(found []pgcluster.Database) []Database {
	out := make([]Database, 0, len(found))
	for _, d := range found {
		db := Database{Name: d.Name, Extensions: make([]DatabaseExtension, 0, len(d.Extensions))}
		for _, e := range d.Extensions {
			db.Extensions = append(db.Extensions, DatabaseExtension(e))
		}
		out = append(out, db)
	}
	return out
}

// offeredExtensions is the emulator's catalogue restricted to what the
// machine's PostgreSQL has, at the machine's versions.
func offeredExtensions(avail map[string]pgcluster.AvailableExtension) []Extension {
	out := []Extension{}
	for _, e := range extensionCatalogue {
		if a, ok := avail[e.Name]; ok {
			e.Version = a.Version
			out = append(out, e)
		}
	}
	return out
}

// PostgresServer describes the real server behind an instance.
type PostgresServer struct {
	InstanceID int64  `json:"instanceId"`
	Name       string `json:"name"`
	Dir        string `json:"dir"`     // everything the server owns
	DataDir    string `json:"dataDir"` // its PGDATA
	SocketDir  string `json:"socketDir"`
	BinDir     string `json:"binDir"`
	Port       int    `json:"port"`
	PID        int    `json:"pid"` // 0 when stopped
	Running    bool   `json:"running"`
	TLS        bool   `json:"tls"`
	CertFile   string `json:"certFile,omitempty"` // the self-signed certificate, when TLS is on
}

// PostgresServers lists the servers of the postgres backend, by instance
// id; nil on the memory backend.
func (s *Server) PostgresServers() []PostgresServer {
	if s.pg == nil {
		return nil
	}
	s.lock()
	ids := make([]int64, 0, len(s.pg.servers))
	for _, in := range s.sortedInstancesLocked() {
		if _, ok := s.pg.servers[in.ID]; ok {
			ids = append(ids, in.ID)
		}
	}
	servers := make([]*pgServer, len(ids))
	for i, id := range ids {
		servers[i] = s.pg.servers[id]
	}
	s.unlock()
	out := make([]PostgresServer, 0, len(servers))
	for _, srv := range servers {
		out = append(out, srv.info())
	}
	return out
}

// PostgresServer describes the server of one instance.
func (s *Server) PostgresServer(id int64) (PostgresServer, bool) {
	for _, p := range s.PostgresServers() {
		if p.InstanceID == id {
			return p, true
		}
	}
	return PostgresServer{}, false
}

// PostgresDataRoot is the directory holding every server's directory;
// empty on the memory backend.
func (s *Server) PostgresDataRoot() string {
	if s.pg == nil {
		return ""
	}
	return s.pg.root
}

// PostgresAvailable reports whether this machine can run the postgres
// backend: the server binaries (binDir, or found in the usual places)
// and, when the emulator runs as root, an unprivileged account to run
// them. The error says what is missing and how to install it.
func PostgresAvailable(binDir string) error { return pgcluster.Check(binDir) }

// PostgresTool returns the path of a PostgreSQL program (psql,
// pg_isready…) as the postgres backend finds it, for tests and scripts
// that act as the servers' clients.
func PostgresTool(binDir, name string) (string, error) {
	dir, err := pgcluster.FindBinDir(binDir, 0)
	if err != nil {
		return "", err
	}
	return pgcluster.Tool(dir, name)
}

// RequirePostgresEnv names the environment variable that turns the skip of
// a postgres-backend test into a failure: CI sets it once it has installed
// the binaries, so that a broken installation cannot pass unnoticed.
const RequirePostgresEnv = "ITCARE_REQUIRE_POSTGRES"
