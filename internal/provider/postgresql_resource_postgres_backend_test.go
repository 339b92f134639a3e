//go:build unix

package provider_test

import (
	"errors"
	"fmt"
	"net"
	"net/url"
	"os"
	"regexp"
	"strconv"
	"syscall"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/cegedim-cloud/terraform-provider-itcare/internal/acctest"
	"github.com/cegedim-cloud/terraform-provider-itcare/internal/emulator"
)

// realPG renders an instance for the postgres backend; extra is raw HCL
// added to the resource block.
func realPG(name, extra string) string {
	return fmt.Sprintf(`
resource "itcare_postgresql" "real" {
  name                = %q
  service_id          = 1001
  network_id          = 2001
  area                = "EB-QA"
  trigram             = "ACC"
  node_sizing         = "2cpu4gb"
  disk_size           = 40
  version             = "15"
  adm_password        = "Str0ng!Passw0rd"
  deletion_protection = false
%s
}
`, name, extra)
}

const realAddr = "itcare_postgresql.real"

var urlPattern = regexp.MustCompile(`^postgresql://` + emulator.PostgresAdminRole + `@127\.0\.0\.1:[0-9]+/postgres$`)

// realClient connects as a module author would: to the instance's url,
// with the admin password, both read from the Terraform state.
func realClient(s *terraform.State, db, sql string) (string, error) {
	rs, ok := s.RootModule().Resources[realAddr]
	if !ok {
		return "", fmt.Errorf("%s not in state", realAddr)
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

// On the postgres backend the data file system's free space and the
// backups' size come from the server: after a client loads data, the
// nodes and backups data sources read what the emulator computes from the
// databases' real size, and the resource's plan stays empty.
func TestAccPostgresBackend_fileSystemsAndBackups(t *testing.T) {
	e := acctest.NewPostgresEmulator(t)
	name := acctest.RandomName("accrealfs")
	config := e.Config(realPG(name, "") + `
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
				Config: config,
				Check: func(s *terraform.State) error {
					_, err := realClient(s, "postgres", "CREATE TABLE filler AS SELECT g, repeat('x', 500) AS pad FROM generate_series(1, 40000) g")
					return err
				},
			},
			{
				Config: config,
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
