package pgcluster

import (
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

func TestFindBinDirConfigured(t *testing.T) {
	dir := t.TempDir()
	if _, err := FindBinDir(dir, 15); err == nil || !strings.Contains(err.Error(), "no initdb in") {
		t.Errorf("a directory without initdb: %v", err)
	}
	if err := Check(dir); err == nil || !strings.Contains(err.Error(), "install") {
		t.Errorf("Check does not say how to install: %v", err)
	}
	if runtime.GOOS == "windows" {
		return
	}
	if err := os.WriteFile(filepath.Join(dir, "initdb"), []byte("#!/bin/sh\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	// The configured directory wins over any major version.
	if got, err := FindBinDir(dir, 15); err != nil || got != dir {
		t.Errorf("FindBinDir = %q, %v; want %q", got, err, dir)
	}
}

func TestQuoting(t *testing.T) {
	for _, c := range []struct{ got, want string }{
		{quoteIdent(`a"b`), `"a""b"`},
		{quoteLiteral(`it's`), `'it''s'`},
		{conninfoValue(`a\b'c`), `'a\\b\'c'`},
		{lastLines("1\n2\n3\n", 2), "2; 3"},
	} {
		if c.got != c.want {
			t.Errorf("got %s, want %s", c.got, c.want)
		}
	}
}

func TestEnvDropsTheShellsPostgresSettings(t *testing.T) {
	t.Setenv("PGHOST", "elsewhere")
	t.Setenv("LC_ALL", "fr_FR.UTF-8")
	env := Env()
	for _, kv := range env {
		if strings.HasPrefix(kv, "PGHOST=") || kv == "LC_ALL=fr_FR.UTF-8" {
			t.Errorf("%s kept", kv)
		}
	}
	if env[len(env)-1] != "LC_ALL=C" {
		t.Errorf("LC_ALL=C not last: %v", env[len(env)-1])
	}
}
