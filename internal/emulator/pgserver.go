package emulator

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"fmt"
	"math/big"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Server settings that keep each server small and quick to start: tests
// and demos run several at once and never need durability.
var pgSettings = []string{
	"listen_addresses=127.0.0.1",
	"unix_socket_permissions=0700",
	"fsync=off",
	"synchronous_commit=off",
	"full_page_writes=off",
	"shared_buffers=16MB",
	"max_connections=20",
	"max_wal_senders=4",
	"huge_pages=off",
	"logging_collector=off",
	"password_encryption=scram-sha-256",
}

const (
	pgStartTimeout = 60 * time.Second
	pgStopTimeout  = 30 * time.Second
)

// pgServer is the PostgreSQL server of one instance. Its directory holds
// data/ (PGDATA), run/ (the Unix socket), tls/ (certificate and key) and
// postgres.log.
type pgServer struct {
	id   int64
	name string
	dir  string
	bin  string
	tls  bool

	port atomic.Int64
	up   atomic.Bool // accepting connections, as far as the emulator knows

	mu   sync.Mutex // held by whoever starts, stops or changes the server
	proc *pgProc    // guarded by mu
	gone bool       // guarded by mu: removed, nothing may start it again
}

type pgProc struct {
	cmd    *exec.Cmd
	exited chan struct{}
}

func (srv *pgServer) dataDir() string  { return filepath.Join(srv.dir, "data") }
func (srv *pgServer) runDir() string   { return filepath.Join(srv.dir, "run") }
func (srv *pgServer) tlsDir() string   { return filepath.Join(srv.dir, "tls") }
func (srv *pgServer) certFile() string { return filepath.Join(srv.tlsDir(), "server.crt") }
func (srv *pgServer) keyFile() string  { return filepath.Join(srv.tlsDir(), "server.key") }
func (srv *pgServer) logFile() string  { return filepath.Join(srv.dir, "postgres.log") }

func (srv *pgServer) info() PostgresServer {
	p := PostgresServer{InstanceID: srv.id, Name: srv.name, Dir: srv.dir, DataDir: srv.dataDir(),
		SocketDir: srv.runDir(), BinDir: srv.bin, Port: int(srv.port.Load()), TLS: srv.tls, Running: srv.up.Load()}
	if srv.tls {
		p.CertFile = srv.certFile()
	}
	srv.mu.Lock()
	if srv.proc != nil {
		p.PID = srv.proc.cmd.Process.Pid
	}
	srv.mu.Unlock()
	return p
}

// pgEnv is the environment of every PostgreSQL program: the emulator's,
// without the PG* variables of the user's shell (a PGHOST or PGSSLMODE
// there must not redirect the emulator's own connections).
func pgEnv() []string {
	var env []string
	for _, kv := range os.Environ() {
		if strings.HasPrefix(kv, "PG") || strings.HasPrefix(kv, "LC_") || strings.HasPrefix(kv, "LANG=") {
			continue
		}
		env = append(env, kv)
	}
	return append(env, "LC_ALL=C")
}

// command prepares a PostgreSQL program for a server, run as the servers'
// account from the server's directory (the account may not be able to
// enter the emulator's working directory).
func (b *pgBackend) command(ctx context.Context, srv *pgServer, name string, args ...string) (*exec.Cmd, error) {
	path, err := pgTool(srv.bin, name)
	if err != nil {
		return nil, err
	}
	cmd := exec.CommandContext(ctx, path, args...)
	cmd.Env = b.env
	cmd.Dir = srv.dir
	b.ident.prepare(cmd, false)
	return cmd, nil
}

// run runs a PostgreSQL program and returns its standard output; the
// error carries its standard error.
func (b *pgBackend) run(ctx context.Context, srv *pgServer, stdin []byte, name string, args ...string) ([]byte, error) {
	cmd, err := b.command(ctx, srv, name, args...)
	if err != nil {
		return nil, err
	}
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if stdin != nil {
		cmd.Stdin = bytes.NewReader(stdin)
	}
	if err := cmd.Run(); err != nil {
		if msg := strings.TrimSpace(stderr.String()); msg != "" {
			return nil, fmt.Errorf("%s: %s", name, lastLines(msg, 5))
		}
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	return stdout.Bytes(), nil
}

func lastLines(s string, n int) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "; ")
}

// mkdirOwned creates a directory the servers' account owns.
func (b *pgBackend) mkdirOwned(dir string) error {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	return b.ident.own(dir)
}

// writeOwned writes a private file the servers' account owns.
func (b *pgBackend) writeOwned(path string, data []byte) error {
	if err := os.WriteFile(path, data, 0o600); err != nil { //nolint:gosec // path is under the backend's own directory
		return err
	}
	return b.ident.own(path)
}

// create makes a new cluster whose superuser is the admin role with the
// instance's password, then starts it.
func (b *pgBackend) create(ctx context.Context, srv *pgServer, password string) error {
	if password == "" {
		return errors.New("no admin password")
	}
	for _, d := range []string{srv.dir, srv.runDir()} {
		if err := b.mkdirOwned(d); err != nil {
			return err
		}
	}
	// initdb reads the password from a file, never from its command line,
	// where any local user could see it.
	pwFile := filepath.Join(srv.dir, "initdb.pw")
	if err := b.writeOwned(pwFile, []byte(password+"\n")); err != nil {
		return err
	}
	_, err := b.run(ctx, srv, nil, "initdb", "-D", srv.dataDir(), "-U", PostgresAdminRole, "--pwfile="+pwFile,
		"--auth-local=trust", "--auth-host=scram-sha-256", "--encoding=UTF8", "--locale=C", "--no-sync")
	if rmErr := os.Remove(pwFile); rmErr != nil && err == nil {
		err = rmErr
	}
	if err != nil {
		return err
	}
	if err := b.writeHBA(srv); err != nil {
		return err
	}
	if srv.tls {
		if err := b.writeCertificate(srv); err != nil {
			return fmt.Errorf("TLS certificate: %w", err)
		}
	}
	if err := b.start(ctx, srv); err != nil {
		return err
	}
	// The extensions on offer depend on the installation only: read them
	// once, while a server of these binaries is up.
	if b.availableFor(srv.bin) == nil {
		if _, err := b.readAvailable(ctx, srv); err != nil {
			return err
		}
	}
	return nil
}

// writeHBA lets the emulator in over the Unix socket, whose directory only
// the servers' account can enter, and clients in over loopback TCP with
// the admin password only (over TLS only, when TLS is on).
func (b *pgBackend) writeHBA(srv *pgServer) error {
	host := "host"
	if srv.tls {
		host = "hostssl"
	}
	var sb strings.Builder
	sb.WriteString("# Written by the ITCare emulator; rewritten on every create and restore.\n")
	sb.WriteString("local all all trust\nlocal replication all trust\n")
	for _, addr := range []string{"127.0.0.1/32", "::1/128"} {
		fmt.Fprintf(&sb, "%s all all %s scram-sha-256\n", host, addr)
		fmt.Fprintf(&sb, "%s replication all %s scram-sha-256\n", host, addr)
	}
	return b.writeOwned(filepath.Join(srv.dataDir(), "pg_hba.conf"), []byte(sb.String()))
}

// writeCertificate makes a self-signed certificate for the server, valid
// for the loopback addresses and the instance's ITCare host name. It signs
// itself, so a client can trust it as its own root (sslrootcert).
func (b *pgBackend) writeCertificate(srv *pgServer) error {
	if _, err := os.Stat(srv.certFile()); err == nil {
		return nil
	}
	if err := b.mkdirOwned(srv.tlsDir()); err != nil {
		return err
	}
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return err
	}
	serial, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 128))
	if err != nil {
		return err
	}
	now := time.Now()
	tmpl := &x509.Certificate{
		SerialNumber:          serial,
		Subject:               pkix.Name{CommonName: srv.name + "." + urlDomain, Organization: []string{"ITCare emulator"}},
		NotBefore:             now.Add(-time.Hour),
		NotAfter:              now.AddDate(1, 0, 0),
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
		IsCA:                  true,
		DNSNames:              []string{"localhost", srv.name + "." + urlDomain},
		IPAddresses:           []net.IP{net.IPv4(127, 0, 0, 1), net.IPv6loopback},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return err
	}
	keyDER, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return err
	}
	// PostgreSQL refuses a key that others can read.
	if err := b.writeOwned(srv.keyFile(), pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: keyDER})); err != nil {
		return err
	}
	return b.writeOwned(srv.certFile(), pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}))
}

// start starts the server unless it runs, on its port if that is still
// free, else on another free port.
func (b *pgBackend) start(ctx context.Context, srv *pgServer) error {
	if srv.proc != nil {
		select {
		case <-srv.proc.exited:
			srv.proc = nil // it died on its own: start it again
		default:
			return nil
		}
	}
	if srv.port.Load() == 0 || !portFree(srv.port.Load()) {
		p, err := freePort()
		if err != nil {
			return err
		}
		srv.port.Store(p)
	}
	var err error
	for range 3 {
		if err = b.startOnce(ctx, srv); !errors.Is(err, errPortTaken) {
			return err
		}
		p, perr := freePort()
		if perr != nil {
			return perr
		}
		srv.port.Store(p)
	}
	return err
}

var errPortTaken = errors.New("port already in use")

func portFree(port int64) bool {
	ln, err := (&net.ListenConfig{}).Listen(context.Background(), "tcp", net.JoinHostPort("127.0.0.1", strconv.FormatInt(port, 10)))
	if err != nil {
		return false
	}
	_ = ln.Close()
	return true
}

// startOnce runs postgres as a child of the emulator (not through pg_ctl,
// which would detach it), so that the emulator knows its process and can
// always stop it, and waits until it accepts connections.
func (b *pgBackend) startOnce(ctx context.Context, srv *pgServer) error {
	path, err := pgTool(srv.bin, "postgres")
	if err != nil {
		return err
	}
	args := []string{"-D", srv.dataDir(), "-p", strconv.FormatInt(srv.port.Load(), 10), "-c", "unix_socket_directories=" + srv.runDir()}
	for _, kv := range pgSettings {
		args = append(args, "-c", kv)
	}
	if srv.tls {
		args = append(args, "-c", "ssl=on", "-c", "ssl_cert_file="+srv.certFile(), "-c", "ssl_key_file="+srv.keyFile())
	} else {
		args = append(args, "-c", "ssl=off")
	}
	logf, err := os.OpenFile(srv.logFile(), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		return err
	}
	logStart, _ := logf.Seek(0, 2)
	// Not CommandContext: the server outlives the request that started it;
	// stop() ends it, gracefully first.
	cmd := exec.Command(path, args...) //nolint:noctx,gosec // see above; path is the machine's postgres
	cmd.Env, cmd.Dir, cmd.Stdout, cmd.Stderr = b.env, srv.dir, logf, logf
	b.ident.prepare(cmd, true)
	err = cmd.Start()
	_ = logf.Close()
	if err != nil {
		return err
	}
	p := &pgProc{cmd: cmd, exited: make(chan struct{})}
	go func() {
		_ = cmd.Wait()
		srv.up.Store(false)
		close(p.exited)
	}()
	pidFile := filepath.Join(srv.dataDir(), "postmaster.pid")
	deadline := time.NewTimer(pgStartTimeout)
	defer deadline.Stop()
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	for {
		select {
		case <-p.exited:
			log := logSince(srv.logFile(), logStart)
			if strings.Contains(log, "already in use") {
				return errPortTaken
			}
			return fmt.Errorf("postgres exited at start: %s", lastLines(log, 5))
		case <-ctx.Done():
			srv.proc = p
			_ = b.stop(srv)
			return ctx.Err()
		case <-deadline.C:
			srv.proc = p
			_ = b.stop(srv)
			return fmt.Errorf("postgres not ready after %s: %s", pgStartTimeout, lastLines(logSince(srv.logFile(), logStart), 5))
		case <-tick.C:
			// Line 8 of postmaster.pid is the postmaster's state; "ready"
			// means it accepts connections.
			if pid, err := os.ReadFile(pidFile); err == nil {
				lines := strings.Split(string(pid), "\n")
				if len(lines) >= 8 && strings.TrimSpace(lines[7]) == "ready" && strings.TrimSpace(lines[0]) == strconv.Itoa(cmd.Process.Pid) {
					srv.proc = p
					srv.up.Store(true)
					return nil
				}
			}
		}
	}
}

func logSince(path string, offset int64) string {
	b, err := os.ReadFile(path)
	if err != nil || offset > int64(len(b)) {
		return ""
	}
	return string(b[offset:])
}

// stop asks the server for a fast shutdown and waits for it to exit,
// escalating to an immediate shutdown and then a kill if it hangs.
func (b *pgBackend) stop(srv *pgServer) error {
	p := srv.proc
	if p == nil {
		return nil
	}
	srv.up.Store(false)
	srv.proc = nil
	_ = interrupt(p.cmd.Process)
	select {
	case <-p.exited:
		return nil
	case <-time.After(pgStopTimeout):
	}
	_ = quit(p.cmd.Process)
	select {
	case <-p.exited:
		return fmt.Errorf("postgres needed an immediate shutdown")
	case <-time.After(5 * time.Second):
	}
	_ = p.cmd.Process.Kill()
	<-p.exited
	return fmt.Errorf("postgres had to be killed")
}

// destroy stops the server for good and removes everything it owned.
func (b *pgBackend) destroy(srv *pgServer) error {
	err := b.stop(srv)
	srv.gone = true
	if rmErr := os.RemoveAll(srv.dir); rmErr != nil {
		return rmErr
	}
	return err
}
