//go:build unix

package provider_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/url"
	"os"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/config"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/cegedim-cloud/terraform-provider-itcare/internal/acctest"
	"github.com/cegedim-cloud/terraform-provider-itcare/internal/emulator"
)

// realPG renders an instance for the postgres backend; extra is raw HCL
// added to the resource block.
func realPG(name, extra string) string {
	return realPGResource("real", name, "Str0ng!Passw0rd", extra)
}

// realPGResource is the resource block itcare_postgresql.<label> of a
// standalone PostgreSQL 15 instance, with extra lines inside it.
func realPGResource(label, name, password, extra string) string {
	return fmt.Sprintf(`
resource "itcare_postgresql" %q {
  name                = %q
  service_id          = 1001
  network_id          = 2001
  area                = "EB-QA"
  trigram             = "ACC"
  node_sizing         = "2cpu4gb"
  disk_size           = 40
  version             = "15"
  adm_password        = %q
  deletion_protection = false
%s
}
`, label, name, password, extra)
}

const realAddr = "itcare_postgresql.real"

var urlPattern = regexp.MustCompile(`^postgresql://` + emulator.PostgresAdminRole + `@127\.0\.0\.1:[0-9]+/postgres$`)

// realClient connects as a module author would: to the instance's url,
// with the admin password, both read from the Terraform state.
func realClient(s *terraform.State, db, sql string) (string, error) {
	return clientOf(s, realAddr, db, sql)
}

// clientOf is realClient for the instance at addr.
func clientOf(s *terraform.State, addr, db, sql string) (string, error) {
	rs, ok := s.RootModule().Resources[addr]
	if !ok {
		return "", fmt.Errorf("%s not in state", addr)
	}
	u, err := url.Parse(rs.Primary.Attributes["url"])
	if err != nil {
		return "", err
	}
	u.Path = "/" + db
	return acctest.PSQL(u.String(), rs.Primary.Attributes["adm_password"], sql)
}

// portOf is the port of the instance's url.
func portOf(s *terraform.State) (string, error) {
	rs, ok := s.RootModule().Resources[realAddr]
	if !ok {
		return "", fmt.Errorf("%s not in state", realAddr)
	}
	u, err := url.Parse(rs.Primary.Attributes["url"])
	if err != nil {
		return "", err
	}
	return u.Port(), nil
}

func connectionRefused(port string) bool {
	c, err := net.DialTimeout("tcp", net.JoinHostPort("127.0.0.1", port), 2*time.Second)
	if err == nil {
		_ = c.Close()
		return false
	}
	return errors.Is(err, syscall.ECONNREFUSED)
}

// The chain a module author builds on the postgres backend: apply an
// instance, connect to it with the password given to Terraform, install an
// extension through Terraform and find it in the database, stop and start
// it through power_state, and destroy it leaving nothing behind.
func TestAccPostgresBackend_realServer(t *testing.T) {
	e := acctest.NewPostgresEmulator(t)
	name := acctest.RandomName("accreal")
	var server emulator.PostgresServer

	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config: e.Config(realPG(name, "")),
				Check: resource.ComposeAggregateTestCheckFunc(
					resource.TestCheckResourceAttr(realAddr, "ip_address", "127.0.0.1"),
					resource.TestMatchResourceAttr(realAddr, "url", urlPattern),
					func(s *terraform.State) error {
						got, err := realClient(s, "postgres", "SELECT current_user")
						if err != nil {
							return err
						}
						if got != emulator.PostgresAdminRole {
							return fmt.Errorf("connected as %q", got)
						}
						in, ok := e.InstanceByName(name)
						if !ok {
							return fmt.Errorf("instance %s not in the emulator", name)
						}
						if server, ok = e.PostgresServer(in.ID); !ok || !server.Running || server.PID == 0 {
							return fmt.Errorf("no running server behind %s: %+v", name, server)
						}
						return nil
					},
				),
			},
			{
				Config: e.Config(realPG(name, `  extensions = [{ database = "appdb", name = "pg_trgm" }]`)),
				Check: func(s *terraform.State) error {
					got, err := realClient(s, "appdb", "SELECT extname FROM pg_extension WHERE extname = 'pg_trgm'")
					if err != nil {
						return err
					}
					if got != "pg_trgm" {
						return fmt.Errorf("pg_trgm not in pg_extension of appdb (got %q)", got)
					}
					return nil
				},
			},
			{
				Config: e.Config(realPG(name, `  extensions  = [{ database = "appdb", name = "pg_trgm" }]
  power_state = "stopped"`)),
				Check: resource.ComposeAggregateTestCheckFunc(
					resource.TestCheckResourceAttr(realAddr, "status", "STOPPED"),
					func(s *terraform.State) error {
						port, err := portOf(s)
						if err != nil {
							return err
						}
						if !connectionRefused(port) {
							return fmt.Errorf("port %s still accepts connections while the instance is stopped", port)
						}
						if _, err := realClient(s, "postgres", "SELECT 1"); err == nil {
							return errors.New("psql connected to a stopped instance")
						}
						return nil
					},
				),
			},
			{
				Config: e.Config(realPG(name, `  extensions  = [{ database = "appdb", name = "pg_trgm" }]
  power_state = "running"`)),
				Check: resource.ComposeAggregateTestCheckFunc(
					resource.TestCheckResourceAttr(realAddr, "status", "ACTIVE"),
					func(s *terraform.State) error {
						got, err := realClient(s, "appdb", "SELECT count(*) FROM pg_extension WHERE extname = 'pg_trgm'")
						if err != nil {
							return fmt.Errorf("started instance refuses connections: %w", err)
						}
						if got != "1" {
							return fmt.Errorf("pg_trgm lost across stop and start (count %q)", got)
						}
						return nil
					},
				),
			},
		},
		CheckDestroy: resource.ComposeTestCheckFunc(e.CheckDestroy, func(*terraform.State) error {
			if server.PID == 0 {
				return errors.New("the first step recorded no server")
			}
			if err := syscall.Kill(server.PID, 0); !errors.Is(err, syscall.ESRCH) {
				return fmt.Errorf("postgres (pid %d) still running after destroy", server.PID)
			}
			if _, err := os.Stat(server.Dir); !errors.Is(err, os.ErrNotExist) {
				return fmt.Errorf("data directory %s left after destroy", server.Dir)
			}
			if !connectionRefused(fmt.Sprint(server.Port)) {
				return fmt.Errorf("port %d still accepts connections after destroy", server.Port)
			}
			if left := e.PostgresServers(); len(left) != 0 {
				return fmt.Errorf("servers left after destroy: %+v", left)
			}
			return nil
		}),
	})
}

// lateString is a Terraform variable whose value an earlier step sets.
type lateString struct{ v *string }

func (l lateString) MarshalJSON() ([]byte, error) { return json.Marshal(*l.v) }

// A restore at create on the postgres backend is point-in-time recovery:
// the new instance holds what the source held at the timestamp, read with
// psql, and nothing written in the source after it.
func TestAccPostgresBackend_restoreAtCreate(t *testing.T) {
	e := acctest.NewPostgresEmulator(t)
	source := realPG(acctest.RandomName("accpitrsrc"), "")
	const restoredAddr = "itcare_postgresql.restored"
	var restoreAt string // set once the source holds rows on both sides of it
	withRestored := source + `
variable "restore_at" {
  type = string
}
` + realPGResource("restored", acctest.RandomName("accpitrdst"), "An0ther!Passw0rd", `  restore = {
    source_id = itcare_postgresql.real.id
    timestamp = var.restore_at
    stop      = "BEFORE"
  }`)
	orders := func(s *terraform.State, addr string) (string, error) {
		return clientOf(s, addr, "postgres", "SELECT string_agg(id::text, ',' ORDER BY id) FROM orders")
	}

	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		CheckDestroy:             e.CheckDestroy,
		Steps: []resource.TestStep{
			{
				Config: e.Config(source),
				Check: func(s *terraform.State) error {
					if _, err := realClient(s, "postgres", "CREATE TABLE orders (id int); INSERT INTO orders VALUES (1)"); err != nil {
						return err
					}
					time.Sleep(1100 * time.Millisecond)
					restoreAt = time.Now().UTC().Format("2006-01-02T15:04:05.000Z07:00")
					time.Sleep(1100 * time.Millisecond)
					_, err := realClient(s, "postgres", "INSERT INTO orders VALUES (2)")
					return err
				},
			},
			{
				Config:          e.Config(withRestored),
				ConfigVariables: config.Variables{"restore_at": lateString{&restoreAt}},
				Check: resource.ComposeAggregateTestCheckFunc(
					resource.TestCheckResourceAttr(restoredAddr, "status", "ACTIVE"),
					resource.TestMatchResourceAttr(restoredAddr, "url", urlPattern),
					func(s *terraform.State) error {
						got, err := orders(s, restoredAddr)
						if err != nil {
							return fmt.Errorf("restored instance: %w", err)
						}
						if got != "1" {
							return fmt.Errorf("restored orders %q, want 1: the row written before %s only", got, restoreAt)
						}
						got, err = orders(s, realAddr)
						if err != nil {
							return fmt.Errorf("source: %w", err)
						}
						if got != "1,2" {
							return fmt.Errorf("source orders %q, want 1,2", got)
						}
						return nil
					},
				),
			},
		},
	})
}

// A restore into an existing instance on the postgres backend is
// point-in-time recovery too, and an update in place: one restore is sent,
// nothing is created or deleted, the destination then holds what the
// source held at the timestamp, and what only the destination held is gone.
func TestAccPostgresBackend_restoreInPlace(t *testing.T) {
	e := acctest.NewPostgresEmulator(t)
	const destAddr = "itcare_postgresql.dest"
	destName := acctest.RandomName("accpitrdest")
	dest := func(restore string) string {
		return `
variable "restore_at" {
  type    = string
  default = ""
}
` + realPGResource("dest", destName, "An0ther!Passw0rd", restore)
	}
	source := realPG(acctest.RandomName("accpitrsrc"), "")
	var restoreAt string
	w := &writeCounter{e: e}
	orders := func(s *terraform.State) (string, error) {
		return clientOf(s, destAddr, "postgres", "SELECT string_agg(id::text, ',' ORDER BY id) FROM orders")
	}
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		CheckDestroy:             e.CheckDestroy,
		Steps: []resource.TestStep{
			{
				Config: e.Config(source + dest("")),
				Check: func(s *terraform.State) error {
					if _, err := clientOf(s, destAddr, "postgres", "CREATE TABLE only_here (id int); INSERT INTO only_here VALUES (7)"); err != nil {
						return err
					}
					if _, err := realClient(s, "postgres", "CREATE TABLE orders (id int); INSERT INTO orders VALUES (1)"); err != nil {
						return err
					}
					time.Sleep(1100 * time.Millisecond)
					restoreAt = time.Now().UTC().Format("2006-01-02T15:04:05.000Z07:00")
					time.Sleep(1100 * time.Millisecond)
					_, err := realClient(s, "postgres", "INSERT INTO orders VALUES (2)")
					w.mark()
					return err
				},
			},
			{
				Config: e.Config(source + dest(`
  restore = {
    source_id = itcare_postgresql.real.id
    timestamp = var.restore_at
    stop      = "BEFORE"
  }`)),
				ConfigVariables: config.Variables{"restore_at": lateString{&restoreAt}},
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply:             []plancheck.PlanCheck{plancheck.ExpectResourceAction(destAddr, plancheck.ResourceActionUpdate)},
					PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				Check: resource.ComposeAggregateTestCheckFunc(
					w.expect("PATCH /itcare/databases/postgresql/"),
					func(s *terraform.State) error {
						got, err := orders(s)
						if err != nil {
							return fmt.Errorf("destination: %w", err)
						}
						if got != "1" {
							return fmt.Errorf("destination orders %q, want 1: the row written in the source before %s only", got, restoreAt)
						}
						_, err = clientOf(s, destAddr, "postgres", "SELECT count(*) FROM only_here")
						switch {
						case err == nil:
							return errors.New("the destination's own table survived the restore")
						case !strings.Contains(err.Error(), "does not exist"):
							return fmt.Errorf("reading the destination's own table: %w", err)
						}
						return nil
					},
				),
			},
		},
	})
}

// On the postgres backend the data file system's free space and the
// backups' size come from the server: after a client loads data, the
// nodes and backups data sources read what the emulator computes from the
// databases' real size, and the resource's plan stays empty.
func TestAccPostgresBackend_fileSystemsAndBackups(t *testing.T) {
	e := acctest.NewPostgresEmulator(t)
	name := acctest.RandomName("accrealfs")
	cfg := e.Config(realPG(name, "") + `
data "itcare_postgresql_nodes" "real" {
  instance_id = itcare_postgresql.real.id
}

data "itcare_postgresql_backups" "real" {
  instance_id = itcare_postgresql.real.id
}
`)
	id := func() int64 {
		n, err := instanceID(e, name)
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		CheckDestroy:             e.CheckDestroy,
		Steps: []resource.TestStep{
			{
				Config: cfg,
				Check: func(s *terraform.State) error {
					_, err := realClient(s, "postgres", "CREATE TABLE filler AS SELECT g, repeat('x', 500) AS pad FROM generate_series(1, 40000) g")
					return err
				},
			},
			{
				Config: cfg,
				ConfigStateChecks: append(expectEmulatorBackups(e, "data.itcare_postgresql_backups.real", name),
					statecheck.ExpectKnownValue("data.itcare_postgresql_nodes.real", tfjsonpath.New("nodes").AtSliceIndex(0).AtMapKey("file_systems"),
						emulatorSays{what: "file systems", want: func() (any, error) { return nodeFileSystemsAsState(e, id(), 0) }})),
				Check: func(s *terraform.State) error {
					sum, err := realClient(s, "postgres", "SELECT sum(pg_database_size(oid)) FROM pg_database")
					if err != nil {
						return err
					}
					bytes, err := strconv.ParseInt(sum, 10, 64)
					if err != nil {
						return err
					}
					rs := s.RootModule().Resources["data.itcare_postgresql_nodes.real"]
					free := rs.Primary.Attributes["nodes.0.file_systems.1.free"]
					if want := fmt.Sprint(40 - (bytes+(1<<30)-1)/(1<<30)); rs.Primary.Attributes["nodes.0.file_systems.1.mount_point"] != "/var/lib/postgresql" || free != want {
						return fmt.Errorf("data file system free %s GB with %d bytes of databases on 40 GB, want %s", free, bytes, want)
					}
					return nil
				},
			},
		},
	})
}
