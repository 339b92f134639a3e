package itcare

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
)

// The decodes that every refresh (an instance) and every poll (an action)
// goes through, on the API's documented samples.

func benchFixture(b *testing.B, name string) []byte {
	b.Helper()
	raw, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		b.Fatal(err)
	}
	return raw
}

// BenchmarkDecodePostgreSQL is the decode of GET /databases/postgresql/{id}.
func BenchmarkDecodePostgreSQL(b *testing.B) {
	raw := benchFixture(b, "postgresql.json")
	b.SetBytes(int64(len(raw)))
	b.ReportAllocs()
	for b.Loop() {
		var p PostgreSQL
		if err := json.Unmarshal(raw, &p); err != nil || p.ID == 0 {
			b.Fatalf("%v, id %d", err, p.ID)
		}
	}
}

// BenchmarkDecodeAction is the decode of a write's answer.
func BenchmarkDecodeAction(b *testing.B) {
	raw := benchFixture(b, "create_action.json")
	b.SetBytes(int64(len(raw)))
	b.ReportAllocs()
	for b.Loop() {
		if a, err := decodeAction(raw); err != nil || a == nil {
			b.Fatalf("%v, %v", a, err)
		}
	}
}
