// Package pgcluster runs PostgreSQL clusters, each one server and its
// directory, as children of the calling process: it makes them with
// initdb, starts and stops their postmaster, reads their catalogs, keeps
// a base backup and the WAL archive of each, and rebuilds one from
// another's as it was at a point in time. It knows nothing of the ITCare
// API: the emulator's postgres backend maps instances onto it.
package pgcluster

import (
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
	"sync/atomic"
	"time"
)

// Server settings that keep each server small and quick to start: tests
// and demos run several at once and never need durability. Every server
// archives its WAL (archive_command, set per cluster by startOnce), so
// that it can be recovered to a point in time.
var settings = []string{
	"listen_addresses=127.0.0.1",
	"unix_socket_permissions=0700",
	"fsync=off",
	"synchronous_commit=off",
	"full_page_writes=off",
	"shared_buffers=16MB",
	"max_connections=20",
	"max_wal_senders=4",
	"wal_level=replica",
	"archive_mode=on",
	"huge_pages=off",
	"logging_collector=off",
	"password_encryption=scram-sha-256",
}

const (
	startTimeout = 60 * time.Second
	stopTimeout  = 30 * time.Second
)

// Options describe a cluster.
type Options struct {
	// Dir holds everything the cluster owns: data/ (PGDATA), run/ (the
	// Unix socket), tls/ (certificate and key), wal-archive/ (the WAL the
	// server archived), base/ and base.json (its base backup) and
	// postgres.log. Create makes it; its parent must exist and be
	// traversable by the servers' account.
	Dir string
	// BinDir holds the server binaries (see FindBinDir).
	BinDir string
	// Superuser is the role initdb makes, whose password Create takes.
	Superuser string
	// HostName is the name the TLS certificate is for, besides localhost
	// and the loopback addresses.
	HostName string
	// TLS turns ssl on with a self-signed certificate; TCP clients must
	// then use TLS.
	TLS bool
	// Port is the loopback port to listen on; 0, or a port something else
	// took, makes Start pick a free one.
	Port int64
}

// Cluster is one PostgreSQL server and its directory. Create, Start,
// Stop, Destroy, InstallExtensions, PrepareRestore, Recover, RestoreFrom
// and PID must not run concurrently: the caller serialises them, and
// PrepareRestore and RestoreFrom also need their source left alone
// meanwhile. The other methods may run at any time.
type Cluster struct {
	host *Host
	opts Options

	port atomic.Int64
	up   atomic.Bool // accepting connections, as far as this process knows

	proc *process // nil when stopped
}

type process struct {
	cmd    *exec.Cmd
	exited chan struct{}
}

// NewCluster describes a cluster; nothing is made before Create.
func (h *Host) NewCluster(o Options) *Cluster {
	c := &Cluster{host: h, opts: o}
	c.port.Store(o.Port)
	return c
}

// Dir is the directory the cluster owns.
func (c *Cluster) Dir() string { return c.opts.Dir }

// DataDir is the cluster's PGDATA.
func (c *Cluster) DataDir() string { return filepath.Join(c.opts.Dir, "data") }

// SocketDir holds the server's Unix socket.
func (c *Cluster) SocketDir() string { return filepath.Join(c.opts.Dir, "run") }

// BinDir holds the binaries the cluster runs.
func (c *Cluster) BinDir() string { return c.opts.BinDir }

// TLS tells whether the server speaks TLS.
func (c *Cluster) TLS() bool { return c.opts.TLS }

// CertFile is the self-signed certificate clients can trust
// (sslrootcert); empty without TLS.
func (c *Cluster) CertFile() string {
	if !c.opts.TLS {
		return ""
	}
	return c.certFile()
}

// Port is the loopback port the server listens on, or last listened on.
func (c *Cluster) Port() int64 { return c.port.Load() }

// Running tells whether the server accepts connections, as far as this
// process knows.
func (c *Cluster) Running() bool { return c.up.Load() }

// PID is the postmaster's process id; 0 when stopped.
func (c *Cluster) PID() int {
	if c.proc == nil {
		return 0
	}
	return c.proc.cmd.Process.Pid
}

func (c *Cluster) tlsDir() string   { return filepath.Join(c.opts.Dir, "tls") }
func (c *Cluster) certFile() string { return filepath.Join(c.tlsDir(), "server.crt") }
func (c *Cluster) keyFile() string  { return filepath.Join(c.tlsDir(), "server.key") }
func (c *Cluster) logFile() string  { return filepath.Join(c.opts.Dir, "postgres.log") }

// ArchiveDir holds the WAL the server archived since it was made or
// last restored.
func (c *Cluster) ArchiveDir() string { return filepath.Join(c.opts.Dir, "wal-archive") }

// Create makes the cluster, whose superuser has the password given,
// starts it and takes its first base backup: the cluster can be
// recovered to any point of its life from then on.
func (c *Cluster) Create(ctx context.Context, password string) error {
	if password == "" {
		return errors.New("no admin password")
	}
	for _, d := range []string{c.opts.Dir, c.SocketDir(), c.ArchiveDir()} {
		if err := c.host.mkdirOwned(d); err != nil {
			return err
		}
	}
	// initdb reads the password from a file, never from its command line,
	// where any local user could see it.
	pwFile := filepath.Join(c.opts.Dir, "initdb.pw")
	if err := c.host.writeOwned(pwFile, []byte(password+"\n")); err != nil {
		return err
	}
	// 1 MB WAL segments (16 MB by default): each restore switches to a
	// new segment, which the archive keeps.
	_, err := c.run(ctx, nil, "initdb", "-D", c.DataDir(), "-U", c.opts.Superuser, "--pwfile="+pwFile,
		"--auth-local=trust", "--auth-host=scram-sha-256", "--encoding=UTF8", "--locale=C", "--no-sync", "--wal-segsize=1")
	if rmErr := os.Remove(pwFile); rmErr != nil && err == nil {
		err = rmErr
	}
	if err != nil {
		return err
	}
	if err := c.writeHBA(); err != nil {
		return err
	}
	if c.opts.TLS {
		if err := c.writeCertificate(); err != nil {
			return fmt.Errorf("TLS certificate: %w", err)
		}
	}
	if err := c.Start(ctx); err != nil {
		return err
	}
	return c.takeBaseBackup(ctx, time.Time{})
}

// writeHBA lets this process in over the Unix socket, whose directory
// only the servers' account can enter, and clients in over loopback TCP
// with a password only (over TLS only, when TLS is on).
func (c *Cluster) writeHBA() error {
	host := "host"
	if c.opts.TLS {
		host = "hostssl"
	}
	var sb strings.Builder
	sb.WriteString("# Written by the ITCare emulator; rewritten on every create and restore.\n")
	sb.WriteString("local all all trust\nlocal replication all trust\n")
	for _, addr := range []string{"127.0.0.1/32", "::1/128"} {
		fmt.Fprintf(&sb, "%s all all %s scram-sha-256\n", host, addr)
		fmt.Fprintf(&sb, "%s replication all %s scram-sha-256\n", host, addr)
	}
	return c.host.writeOwned(filepath.Join(c.DataDir(), "pg_hba.conf"), []byte(sb.String()))
}

// writeCertificate makes a self-signed certificate for the server, valid
// for the loopback addresses and the cluster's host name. It signs itself,
// so a client can trust it as its own root (sslrootcert).
func (c *Cluster) writeCertificate() error {
	if _, err := os.Stat(c.certFile()); err == nil {
		return nil
	}
	if err := c.host.mkdirOwned(c.tlsDir()); err != nil {
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
		Subject:               pkix.Name{CommonName: c.opts.HostName, Organization: []string{"ITCare emulator"}},
		NotBefore:             now.Add(-time.Hour),
		NotAfter:              now.AddDate(1, 0, 0),
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
		IsCA:                  true,
		DNSNames:              []string{"localhost", c.opts.HostName},
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
	if err := c.host.writeOwned(c.keyFile(), pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: keyDER})); err != nil {
		return err
	}
	return c.host.writeOwned(c.certFile(), pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}))
}

// Start starts the server unless it runs, on its port if that is still
// free, else on another free port.
func (c *Cluster) Start(ctx context.Context) error {
	if c.proc != nil {
		select {
		case <-c.proc.exited:
			c.proc = nil // it died on its own: start it again
		default:
			return nil
		}
	}
	// A cluster made before servers archived their WAL has no archive yet.
	if err := c.host.mkdirOwned(c.ArchiveDir()); err != nil {
		return err
	}
	if c.port.Load() == 0 || !portFree(c.port.Load()) {
		p, err := FreePort()
		if err != nil {
			return err
		}
		c.port.Store(p)
	}
	var err error
	for range 3 {
		if err = c.startOnce(ctx); !errors.Is(err, errPortTaken) {
			return err
		}
		p, perr := FreePort()
		if perr != nil {
			return perr
		}
		c.port.Store(p)
	}
	return err
}

var errPortTaken = errors.New("port already in use")

// FreePort asks the kernel for a free loopback port. Another process may
// take it before a server binds it: Start then tries another one.
func FreePort() (int64, error) {
	ln, err := (&net.ListenConfig{}).Listen(context.Background(), "tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer ln.Close()
	addr, ok := ln.Addr().(*net.TCPAddr)
	if !ok {
		return 0, fmt.Errorf("unexpected listener address %v", ln.Addr())
	}
	return int64(addr.Port), nil
}

func portFree(port int64) bool {
	ln, err := (&net.ListenConfig{}).Listen(context.Background(), "tcp", net.JoinHostPort("127.0.0.1", strconv.FormatInt(port, 10)))
	if err != nil {
		return false
	}
	_ = ln.Close()
	return true
}

// startOnce runs postgres as a child of this process (not through
// pg_ctl, which would detach it), so that this process knows it and can
// always stop it, and waits until it accepts connections.
func (c *Cluster) startOnce(ctx context.Context) error {
	path, err := Tool(c.opts.BinDir, "postgres")
	if err != nil {
		return err
	}
	args := []string{"-D", c.DataDir(), "-p", strconv.FormatInt(c.port.Load(), 10), "-c", "unix_socket_directories=" + c.SocketDir()}
	for _, kv := range settings {
		args = append(args, "-c", kv)
	}
	args = append(args, "-c", "archive_command="+archiveCommand(c.ArchiveDir()))
	if c.opts.TLS {
		args = append(args, "-c", "ssl=on", "-c", "ssl_cert_file="+c.certFile(), "-c", "ssl_key_file="+c.keyFile())
	} else {
		args = append(args, "-c", "ssl=off")
	}
	logf, err := os.OpenFile(c.logFile(), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		return err
	}
	logStart, _ := logf.Seek(0, 2)
	// Not CommandContext: the server outlives the request that started it;
	// Stop ends it, gracefully first.
	cmd := exec.Command(path, args...) //nolint:noctx,gosec // see above; path is the machine's postgres
	cmd.Env, cmd.Dir, cmd.Stdout, cmd.Stderr = c.host.env, c.opts.Dir, logf, logf
	c.host.account.prepare(cmd, true)
	err = cmd.Start()
	_ = logf.Close()
	if err != nil {
		return err
	}
	p := &process{cmd: cmd, exited: make(chan struct{})}
	go func() {
		_ = cmd.Wait()
		c.up.Store(false)
		close(p.exited)
	}()
	return c.awaitReady(ctx, p, logStart)
}

// awaitReady waits until the postmaster p accepts connections, and stops
// it if it is not ready in time or ctx ends first.
func (c *Cluster) awaitReady(ctx context.Context, p *process, logStart int64) error {
	pidFile := filepath.Join(c.DataDir(), "postmaster.pid")
	deadline := time.NewTimer(startTimeout)
	defer deadline.Stop()
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	for {
		select {
		case <-p.exited:
			log := logSince(c.logFile(), logStart)
			if strings.Contains(log, "already in use") {
				return errPortTaken
			}
			return fmt.Errorf("postgres exited at start: %s", lastLines(log, 5))
		case <-ctx.Done():
			c.proc = p
			_ = c.Stop()
			return ctx.Err()
		case <-deadline.C:
			c.proc = p
			_ = c.Stop()
			return fmt.Errorf("postgres not ready after %s: %s", startTimeout, lastLines(logSince(c.logFile(), logStart), 5))
		case <-tick.C:
			// Line 8 of postmaster.pid is the postmaster's state; "ready"
			// means it accepts connections.
			if pid, err := os.ReadFile(pidFile); err == nil {
				lines := strings.Split(string(pid), "\n")
				if len(lines) >= 8 && strings.TrimSpace(lines[7]) == "ready" && strings.TrimSpace(lines[0]) == strconv.Itoa(p.cmd.Process.Pid) {
					c.proc = p
					c.up.Store(true)
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

// Stop asks the server for a fast shutdown and waits for it to exit,
// escalating to an immediate shutdown and then a kill if it hangs. A
// stopped server is left alone.
func (c *Cluster) Stop() error {
	p := c.proc
	if p == nil {
		return nil
	}
	c.up.Store(false)
	c.proc = nil
	_ = interrupt(p.cmd.Process)
	select {
	case <-p.exited:
		return nil
	case <-time.After(stopTimeout):
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

// Destroy stops the server and removes everything the cluster owned.
func (c *Cluster) Destroy() error {
	err := c.Stop()
	if rmErr := os.RemoveAll(c.opts.Dir); rmErr != nil {
		return rmErr
	}
	return err
}
