package rpccpu

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
)

// busyReader is a server whose ReadResource burns some CPU.
type busyReader struct{ tfprotov6.ProviderServer }

func (busyReader) ReadResource(context.Context, *tfprotov6.ReadResourceRequest) (*tfprotov6.ReadResourceResponse, error) {
	n := 0
	for i := range 2_000_000 {
		n += i % 7
	}
	return &tfprotov6.ReadResourceResponse{Private: []byte(fmt.Sprint(n))}, nil
}

func TestServerMeasuresAndWrites(t *testing.T) {
	s := Wrap(busyReader{})
	for range 3 {
		if _, err := s.ReadResource(context.Background(), &tfprotov6.ReadResourceRequest{}); err != nil {
			t.Fatal(err)
		}
	}
	st := s.Stats()[Read]
	if st.Calls != 3 || st.CPU <= 0 {
		t.Fatalf("stats = %+v, want 3 calls and some CPU", st)
	}
	dir := t.TempDir()
	if err := s.WriteFile(dir); err != nil {
		t.Fatal(err)
	}
	raw, err := os.ReadFile(filepath.Join(dir, fmt.Sprintf("%d.json", os.Getpid())))
	if err != nil {
		t.Fatal(err)
	}
	var back map[string]Stat
	if err := json.Unmarshal(raw, &back); err != nil || back[Read] != st {
		t.Fatalf("file holds %s (%v), want %+v", raw, err, st)
	}
}
