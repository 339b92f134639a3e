// Command itcare-emulator serves an emulated ITCare API on a loopback port,
// for acceptance tests, demos and CI runs without an ITCare account.
package main

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"sort"
	"strings"
	"syscall"

	"github.com/cegedim-cloud/terraform-provider-itcare/internal/emulator"
)

func main() {
	if err := run(os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "itcare-emulator:", err)
		os.Exit(1)
	}
}

func run(args []string) error {
	fs := flag.NewFlagSet("itcare-emulator", flag.ContinueOnError)
	addr := fs.String("addr", "127.0.0.1:8787", "listen address")
	clientID := fs.String("client-id", emulator.DefaultClientID, "accepted OAuth2 client id")
	clientSecret := fs.String("client-secret", emulator.DefaultClientSecret, "accepted OAuth2 client secret")
	actionDuration := fs.Duration("action-duration", emulator.DefaultActionDuration, "how long every asynchronous action runs")
	tokenTTL := fs.Duration("token-ttl", emulator.DefaultTokenTTL, "access token lifetime")
	state := fs.String("state", "", "JSON file holding the state across restarts (default: memory only)")
	logLevel := fs.String("log-level", "info", "log level: debug, info, warn, error")
	backend := fs.String("backend", emulator.BackendMemory, "where instances live: "+emulator.BackendMemory+
		" (emulated in memory) or "+emulator.BackendPostgres+" (each instance created through the API is a real "+
		"PostgreSQL server on a free loopback port; its url and ipAddress point at it, the admin role "+
		emulator.PostgresAdminRole+" has the instance's admPassword; needs the PostgreSQL server binaries)")
	pgBinDir := fs.String("pg-bin-dir", "", "directory of initdb and postgres for -backend postgres (default: "+
		"/usr/lib/postgresql/<version>/bin, else the newest version there, else initdb's directory on PATH)")
	pgDataDir := fs.String("pg-data-dir", "", "directory kept across restarts for the servers' data with -backend postgres "+
		"(default: <state>.pgdata with -state, else a temporary directory removed at exit)")
	compatFlag := fs.String("compat", "", compatUsage())
	if err := fs.Parse(args); err != nil {
		return err
	}
	compat, err := emulator.ParseCompat(*compatFlag)
	if err != nil {
		return fmt.Errorf("-compat: %w", err)
	}
	var level slog.Level
	if err := level.UnmarshalText([]byte(*logLevel)); err != nil {
		return fmt.Errorf("-log-level: %w", err)
	}
	// With a state file the instances outlive the emulator, so their data
	// must too.
	if *backend == emulator.BackendPostgres && *pgDataDir == "" && *state != "" {
		*pgDataDir = *state + ".pgdata"
	}
	srv, err := emulator.New(emulator.Config{
		ClientID: *clientID, ClientSecret: *clientSecret,
		ActionDuration: *actionDuration, TokenTTL: *tokenTTL, StatePath: *state,
		Logger:  slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: level})),
		Backend: *backend, PGBinDir: *pgBinDir, PGDataDir: *pgDataDir, Compat: compat,
	})
	if err != nil {
		return err
	}
	if err := srv.Start(*addr); err != nil {
		// Stop whatever servers a kept data directory restarted.
		_ = srv.Close()
		return err
	}
	srv.WriteBanner(os.Stdout)
	fmt.Fprintf(os.Stdout, "Backend: %s\n", srv.BackendSummary())
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	<-ctx.Done()
	fmt.Fprintln(os.Stdout, "itcare-emulator: stopping")
	return srv.Close()
}

// compatUsage is the help of -compat: every switch and profile by name,
// so that -help is enough to choose one.
func compatUsage() string {
	profiles := make([]string, 0, len(emulator.CompatProfiles))
	for name, sws := range emulator.CompatProfiles {
		if len(sws) == 0 {
			profiles = append(profiles, name+" (none)")
			continue
		}
		profiles = append(profiles, name+" ("+strings.Join(sws, ", ")+")")
	}
	sort.Strings(profiles)
	return "comma-separated compatibility switches or profiles, each playing another reading of what the " +
		"API documentation leaves open (default: none). Switches: " + strings.Join(emulator.CompatSwitches, ", ") +
		". Profiles: " + strings.Join(profiles, "; ")
}
