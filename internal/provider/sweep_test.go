package provider_test

import (
	"context"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"

	"github.com/cegedim-cloud/terraform-provider-itcare/internal/acctest"
	"github.com/cegedim-cloud/terraform-provider-itcare/internal/emulator"
	"github.com/cegedim-cloud/terraform-provider-itcare/internal/itcare"
)

// The sweeper deletes what live acceptance tests left in the tenant: the
// itcare_postgresql instances named acctest.LiveNamePrefix then digits,
// and nothing else.
//
//	ITCARE_ACC_LIVE=1 go test ./internal/provider -v -timeout 180m -sweep=all -sweep-run=itcare_postgresql
//
// terraform-plugin-testing requires a -sweep value, a list of regions
// passed to every sweeper; ITCare instances are not listed per region, so
// the value only has to be non-empty: we pass "all". Do not give several
// values: the sweep would run once per value.
func init() {
	resource.AddTestSweepers(acctest.PostgreSQLType, &resource.Sweeper{
		Name: acctest.PostgreSQLType,
		F: func(_ string) error {
			s, err := acctest.NewSweeper()
			if err != nil {
				return err
			}
			_, err = s.Sweep(context.Background())
			return err
		},
	})
}

// sweepEmulator is the test's emulator with the compatibility switches of
// the run, except the two that remove the lists the sweeper reads:
// TestSweepPostgreSQL_cannotList covers an API without them.
func sweepEmulator(t *testing.T) *acctest.Emulator {
	t.Helper()
	compat, err := emulator.ParseCompat(os.Getenv(acctest.EnvCompat))
	if err != nil {
		t.Fatalf("%s: %v", acctest.EnvCompat, err)
	}
	delete(compat, emulator.CompatNoList)
	delete(compat, emulator.CompatNoActionsList)
	return acctest.NewEmulatorWith(t, emulator.Config{Compat: compat})
}

func sweepClient(t *testing.T, e *acctest.Emulator) *itcare.Client {
	t.Helper()
	c, err := itcare.NewClient(itcare.Config{APIURL: e.APIURL(), TokenURL: e.TokenURL(), ClientID: e.ClientID(), ClientSecret: e.ClientSecret()})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func seedNamed(t *testing.T, e *acctest.Emulator, name string, serviceID, networkID int64) emulator.Instance {
	t.Helper()
	area := "EB-QA"
	if networkID == 2002 {
		area = "EB-PROD"
	}
	in, err := e.SeedInstance(map[string]any{
		"name": name, "serviceId": serviceID, "networkId": networkID, "area": area, "trigram": "ACC",
		"nodeSizing": "2cpu4gb", "diskSize": 40, "postgreVersion": "15", "topology": "STANDALONE",
		"noBackupProdReason": "test", "noReplicationProdReason": "test", "noMonitoringProdReason": "test",
	})
	if err != nil {
		t.Fatalf("seeding %s: %v", name, err)
	}
	return in
}

func TestSweepPostgreSQL_onlyTestNames(t *testing.T) {
	e := sweepEmulator(t)
	for _, n := range []string{"tfacc123", "tfaccx", "prod12345", "mytfacc1", "tfacc12a", "tfacc"} {
		seedNamed(t, e, n, acctest.EmulatorServiceID, acctest.EmulatorNetworkID)
	}
	var logged []string
	s := &acctest.PostgreSQLSweeper{
		Client: sweepClient(t, e),
		Wait:   itcare.WaitOptions{FirstPoll: 50 * time.Millisecond, MaxInterval: 100 * time.Millisecond},
		Logf:   func(format string, args ...any) { logged = append(logged, format) },
	}
	gone, err := s.Sweep(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(gone, []string{"tfacc123"}) {
		t.Errorf("swept %q, want only tfacc123", gone)
	}
	var left []string
	for _, in := range e.Instances() {
		left = append(left, in.Name)
	}
	slices.Sort(left)
	if want := []string{"mytfacc1", "prod12345", "tfacc", "tfacc12a", "tfaccx"}; !slices.Equal(left, want) {
		t.Errorf("instances left %q, want %q", left, want)
	}
	var deletes []string
	for _, w := range e.Writes() {
		deletes = append(deletes, w.Method+" "+w.Path)
	}
	if len(deletes) != 1 || !strings.HasPrefix(deletes[0], "DELETE ") {
		t.Errorf("writes %q, want one DELETE", deletes)
	}
	if len(logged) == 0 {
		t.Error("the sweep logged nothing")
	}
}

func TestSweepPostgreSQL_serviceScope(t *testing.T) {
	e := sweepEmulator(t)
	mine := seedNamed(t, e, "tfacc1", acctest.EmulatorServiceID, acctest.EmulatorNetworkID)
	other := seedNamed(t, e, "tfacc2", 1002, 2002)
	s := &acctest.PostgreSQLSweeper{
		Client:    sweepClient(t, e),
		ServiceID: acctest.EmulatorServiceID,
		Wait:      itcare.WaitOptions{FirstPoll: 50 * time.Millisecond, MaxInterval: 100 * time.Millisecond},
	}
	gone, err := s.Sweep(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(gone, []string{mine.Name}) {
		t.Errorf("swept %q, want only %s", gone, mine.Name)
	}
	if _, ok := e.Instance(other.ID); !ok {
		t.Errorf("%s of service 1002 was deleted by a sweep of service %d", other.Name, acctest.EmulatorServiceID)
	}
}

func TestSweepPostgreSQL_cannotList(t *testing.T) {
	e := acctest.NewEmulator(t)
	in := seedNamed(t, e, "tfacc7", acctest.EmulatorServiceID, acctest.EmulatorNetworkID)
	// An API without the collection GET answers as Spring does for a path
	// served for POST only.
	e.AddFault(emulator.Fault{Kind: emulator.FaultStatus, Method: "GET", Path: "/itcare/databases/postgresql", Status: 405, Message: "Method Not Allowed"})
	s := &acctest.PostgreSQLSweeper{Client: sweepClient(t, e)}
	_, err := s.Sweep(context.Background())
	if err == nil || !regexp.MustCompile(`(?s)cannot list.*by id from the ITCare console`).MatchString(err.Error()) {
		t.Errorf("error %v, want one saying to delete leftovers from the console", err)
	}
	if _, ok := e.Instance(in.ID); !ok || len(e.Writes()) != 0 {
		t.Errorf("a sweep that cannot list wrote %v", e.Writes())
	}
}

func TestSweepPostgreSQL_waitsForARunningAction(t *testing.T) {
	e := sweepEmulator(t)
	in := seedNamed(t, e, "tfacc8", acctest.EmulatorServiceID, acctest.EmulatorNetworkID)
	c := sweepClient(t, e)
	// A stop under way: the first DELETE answers 409.
	if _, err := c.PatchPostgreSQL(context.Background(), in.ID, itcare.Operation{Operation: "stop"}); err != nil {
		t.Fatal(err)
	}
	s := &acctest.PostgreSQLSweeper{Client: c, Wait: itcare.WaitOptions{FirstPoll: 50 * time.Millisecond, MaxInterval: 100 * time.Millisecond}}
	gone, err := s.Sweep(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(gone, []string{"tfacc8"}) {
		t.Errorf("swept %q", gone)
	}
	if _, ok := e.Instance(in.ID); ok {
		t.Error("tfacc8 is still there")
	}
	var deletes []int
	for _, w := range e.Writes() {
		if w.Method == "DELETE" {
			deletes = append(deletes, w.Status)
		}
	}
	if !slices.Equal(deletes, []int{409, 202}) {
		t.Errorf("DELETE answers %v, want a 409 while the stop runs, then a 202", deletes)
	}
}
