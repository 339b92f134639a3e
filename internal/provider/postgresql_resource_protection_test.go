package provider_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-exec/tfexec"

	"github.com/cegedim-cloud/terraform-provider-itcare/internal/acctest"
)

// TestAccPostgreSQL_protectionOnEveryPath breaks a protected instance the
// ways a user can: terraform apply -replace, terraform taint then apply,
// terraform destroy, and a plan that lifts the protection in the same
// change as a replacement. None of them may send a DELETE; lifting the
// protection on its own, then destroying, does.
func TestAccPostgreSQL_protectionOnEveryPath(t *testing.T) {
	e := acctest.NewEmulator(t)
	name := acctest.RandomName("pgaccguard")
	write := func(run *acctest.TerraformRun, overrides map[string]string) {
		t.Helper()
		hcl := acctest.RequiredProviders() + e.Config(pgHCL(name, overrides))
		if err := os.WriteFile(filepath.Join(run.Dir, "main.tf"), []byte(hcl), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	protected := map[string]string{"deletion_protection": ""}
	run := acctest.NewTerraformRun(t, acctest.RequiredProviders()+e.Config(pgHCL(name, protected)), nil)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	if err := run.Apply(ctx); err != nil {
		t.Fatalf("create: %v\n%s", err, run.Stderr)
	}
	deletes := func() int {
		n := 0
		for _, w := range e.Writes() {
			if w.Method == "DELETE" {
				n++
			}
		}
		return n
	}
	refused := func(step string, err error) {
		t.Helper()
		if err == nil {
			t.Fatalf("%s: the apply succeeded on a protected instance", step)
		}
		if !strings.Contains(strings.Join(strings.Fields(err.Error()), " "), "Protected Against Deletion") {
			t.Fatalf("%s: want the deletion protection error, got %v", step, err)
		}
		if n := deletes(); n != 0 {
			t.Fatalf("%s: %d DELETE sent to a protected instance", step, n)
		}
		if _, ok := e.InstanceByName(name); !ok {
			t.Fatalf("%s: the instance is gone", step)
		}
	}

	refused("apply -replace", run.Apply(ctx, tfexec.Replace(pgAddr)))

	if err := run.Taint(ctx, pgAddr); err != nil {
		t.Fatal(err)
	}
	refused("taint, apply", run.Apply(ctx))
	if err := run.Untaint(ctx, pgAddr); err != nil {
		t.Fatal(err)
	}
	if changes, err := run.Plan(ctx); err != nil || changes {
		t.Fatalf("after untaint: changes %v, err %v\n%s", changes, err, run.Stderr)
	}

	refused("destroy", run.Destroy(ctx))

	// Lifting the protection in the same change as a replacement is not
	// enough: the state's protection counts.
	write(run, map[string]string{"disk_size": "80"})
	refused("replacement with deletion_protection = false in the same change", run.Apply(ctx))

	// On its own, it is a provider-side update; then the destroy runs.
	write(run, nil)
	if err := run.Apply(ctx); err != nil {
		t.Fatalf("lifting the protection: %v\n%s", err, run.Stderr)
	}
	if n := deletes(); n != 0 {
		t.Fatalf("lifting the protection sent %d DELETE", n)
	}
	if err := run.Destroy(ctx); err != nil {
		t.Fatalf("destroy: %v\n%s", err, run.Stderr)
	}
	if n := deletes(); n != 1 {
		t.Fatalf("destroy sent %d DELETE, want 1", n)
	}
}
