// Command itcare-probe checks, read-only, the ITCare client's assumptions
// against a real ITCare account: one row per assumption, saying whether it
// holds. It sends only GET requests to the API (and the token request to
// the token endpoint); see internal/probe.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"

	"github.com/cegedim-cloud/terraform-provider-itcare/internal/itcare"
	"github.com/cegedim-cloud/terraform-provider-itcare/internal/probe"
)

// Exit statuses: no row differs, a usage, connection or authentication
// error, a row differs.
const (
	exitOK    = 0
	exitSetup = 1
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr, os.Getenv)
	stop()
	os.Exit(code)
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer, getenv func(string) string) int {
	fs := flag.NewFlagSet("itcare-probe", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "Usage: itcare-probe -instance-id <id> [flags]\n\n"+
			"Checks the ITCare client's assumptions against an account, sending only GET requests\n"+
			"to the API. Exit status: 0 no row differs, 3 a row differs, 1 usage, connection or\n"+
			"authentication error.\n\nFlags:\n")
		fs.PrintDefaults()
	}
	// The defaults are applied after parsing, from the environment, so
	// that -h never prints a secret taken from it.
	apiURL := fs.String("api-url", "", "ITCare API base URL (default $"+probe.EnvAPIURL+", else "+itcare.DefaultAPIURL+")")
	tokenURL := fs.String("token-url", "", "OAuth2 token endpoint (default $"+probe.EnvTokenURL+", else "+itcare.DefaultTokenURL+")")
	clientID := fs.String("client-id", "", "API account client id (default $"+probe.EnvClientID+")")
	clientSecret := fs.String("client-secret", "", "API account client secret (default $"+probe.EnvClientSecret+
		"; prefer the variable: a flag shows in the process list)")
	instanceID := fs.Int64("instance-id", 0, "id of one existing PostgreSQL instance, which the probe only reads (required)")
	name := fs.String("name", "", "the instance's name (default: the name its read model shows)")
	jsonOut := fs.Bool("json", false, "write the rows as a JSON array of {id, result, assumption, seen}")
	timeout := fs.Duration("timeout", probe.DefaultTimeout, "time allowed for each request")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return exitOK
		}
		return exitSetup
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "itcare-probe: unexpected argument %q (flags only; see -h)\n", fs.Arg(0))
		return exitSetup
	}
	cfg := probe.Config{
		APIURL:       orEnv(*apiURL, getenv(probe.EnvAPIURL), itcare.DefaultAPIURL),
		TokenURL:     orEnv(*tokenURL, getenv(probe.EnvTokenURL), itcare.DefaultTokenURL),
		ClientID:     orEnv(*clientID, getenv(probe.EnvClientID), ""),
		ClientSecret: orEnv(*clientSecret, getenv(probe.EnvClientSecret), ""),
		InstanceID:   *instanceID,
		Name:         *name,
		Timeout:      *timeout,
	}
	rows, err := probe.Run(ctx, cfg)
	if err != nil {
		fmt.Fprintln(stderr, "itcare-probe:", err)
		return exitSetup
	}
	write := probe.WriteText
	if *jsonOut {
		write = probe.WriteJSON
	}
	if err := write(stdout, rows); err != nil {
		fmt.Fprintln(stderr, "itcare-probe:", err)
		return exitSetup
	}
	return probe.ExitCode(rows)
}

// orEnv is the flag's value, else the environment's, else the default.
func orEnv(flagValue, envValue, def string) string {
	switch {
	case flagValue != "":
		return flagValue
	case envValue != "":
		return envValue
	}
	return def
}
