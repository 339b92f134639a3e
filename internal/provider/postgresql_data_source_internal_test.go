package provider

import (
	"context"
	"net/http"
	"reflect"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-go/tftypes"

	"github.com/cegedim-cloud/terraform-provider-itcare/internal/itcare"
)

func apiTime(t *testing.T, s string) *itcare.Time {
	t.Helper()
	v, err := itcare.ParseTime(s)
	if err != nil {
		t.Fatal(err)
	}
	return &itcare.Time{Time: v}
}

func TestFlattenPostgreSQLDataSource(t *testing.T) {
	cases := []struct {
		name string
		in   itcare.PostgreSQL
		want postgresqlDataSourceModel
	}{
		{
			name: "HA instance, running, every field set",
			in: itcare.PostgreSQL{
				ID: 500061854, Name: "pgacc01", Status: "ACTIVE", Area: "EB-QA", Environment: "QA",
				ServiceID: 1001, ServiceName: "ACC-QA", NetworkID: 2001, IPAddress: "10.10.0.21",
				URL: "pgacc01.pg.cegedim.cloud:5432", Version: "15", ProductVersion: "15.6",
				NodeSizing: "2cpu4gb", CPU: 2, RAM: 4, Storage: 40, NodeCount: 3, InstanceCount: 3,
				Topology: "HA", TLSEnabled: true, AllowedReplicationLag: 50, Trigram: "ACC",
				ReplicationStatus: true, BackupStatus: true,
				MonitoringEnabled: true, MonitoringAlerting: true, MonitoringOnCallEnabled: true,
				MetrologyURL: "https://metrology.example/pgacc01",
				PatchParty: &itcare.PatchParty{
					Excluded: true, ExclusionReason: "freeze", PatchTag: "TAG-1",
					PatchDate:  apiTime(t, "2026-12-01T22:00:00.000+0100"),
					ExcludedBy: "bob", ExclusionDate: apiTime(t, "2026-11-21T09:15:00.000+0100"),
				},
				CreationTime: "2026-11-20T10:00:00Z", CreationUser: "alice",
				SupportPhase: "STANDARD", EndOfSupportAt: apiTime(t, "2027-11-11T00:00:00Z"),
				ReleasedAt: apiTime(t, "2022-10-13T00:00:00.000Z"), EndOfSalesAt: apiTime(t, "2026-11-12T00:00:00.000Z"),
				ExtendedSupportAt: apiTime(t, "2028-11-09T00:00:00.000Z"), InternalResourceID: 600061854,
			},
			want: postgresqlDataSourceModel{
				ID:                    types.StringValue("500061854"),
				Name:                  types.StringValue("pgacc01"),
				ServiceID:             types.Int64Value(1001),
				NetworkID:             types.Int64Value(2001),
				Area:                  types.StringValue("EB-QA"),
				Trigram:               types.StringValue("ACC"),
				NodeSizing:            types.StringValue("2cpu4gb"),
				DiskSize:              types.Int64Value(40),
				Version:               types.StringValue("15"),
				Topology:              types.StringValue("HA"),
				AllowedReplicationLag: types.Int64Value(50),
				TLS:                   types.BoolValue(true),
				MonitoringEnabled:     types.BoolValue(true),
				OnCallSupervision:     types.BoolValue(true),
				MonitoringAlerting:    types.BoolValue(true),
				PatchParty: &patchPartyModel{
					Excluded: types.BoolValue(true), PatchGroup: types.StringNull(),
					ExclusionReason: types.StringValue("freeze"),
					PatchDate:       types.StringValue("2026-12-01T21:00:00Z"), PatchTag: types.StringValue("TAG-1"),
					ExcludedBy: types.StringValue("bob"), ExclusionDate: types.StringValue("2026-11-21T08:15:00Z"),
				},
				PowerState: types.StringValue("running"),
				postgresqlReadOnlyModel: postgresqlReadOnlyModel{
					Status:             types.StringValue("ACTIVE"),
					IPAddress:          types.StringValue("10.10.0.21"),
					URL:                types.StringValue("pgacc01.pg.cegedim.cloud:5432"),
					ProductVersion:     types.StringValue("15.6"),
					CPU:                types.Int64Value(2),
					RAM:                types.Int64Value(4),
					Storage:            types.Int64Value(40),
					NodeCount:          types.Int64Value(3),
					InstanceCount:      types.Int64Value(3),
					Environment:        types.StringValue("QA"),
					ServiceName:        types.StringValue("ACC-QA"),
					CreationTime:       types.StringValue("2026-11-20T10:00:00Z"),
					CreationUser:       types.StringValue("alice"),
					ReplicationStatus:  types.BoolValue(true),
					BackupStatus:       types.BoolValue(true),
					SupportPhase:       types.StringValue("STANDARD"),
					EndOfSupportAt:     types.StringValue("2027-11-11T00:00:00Z"),
					MetrologyURL:       types.StringValue("https://metrology.example/pgacc01"),
					ReleasedAt:         types.StringValue("2022-10-13T00:00:00Z"),
					EndOfSalesAt:       types.StringValue("2026-11-12T00:00:00Z"),
					ExtendedSupportAt:  types.StringValue("2028-11-09T00:00:00Z"),
					InternalResourceID: types.Int64Value(600061854),
				},
			},
		},
		{
			name: "stopped standalone instance with a sparse read model",
			in: itcare.PostgreSQL{
				ID: 7, Name: "pgsparse", Status: "STOPPED", ProductVersion: "14.11", Topology: "STANDALONE",
				ServiceID: 1002, NetworkID: 2002, Storage: 100, NodeCount: 1,
			},
			want: postgresqlDataSourceModel{
				ID:                    types.StringValue("7"),
				Name:                  types.StringValue("pgsparse"),
				ServiceID:             types.Int64Value(1002),
				NetworkID:             types.Int64Value(2002),
				Area:                  types.StringNull(),
				Trigram:               types.StringNull(),
				NodeSizing:            types.StringNull(),
				DiskSize:              types.Int64Value(100),
				Version:               types.StringValue("14"),
				Topology:              types.StringValue("STANDALONE"),
				AllowedReplicationLag: types.Int64Value(0),
				TLS:                   types.BoolValue(false),
				MonitoringEnabled:     types.BoolValue(false),
				OnCallSupervision:     types.BoolValue(false),
				MonitoringAlerting:    types.BoolValue(false),
				PowerState:            types.StringValue("stopped"),
				postgresqlReadOnlyModel: postgresqlReadOnlyModel{
					Status:             types.StringValue("STOPPED"),
					IPAddress:          types.StringNull(),
					URL:                types.StringNull(),
					ProductVersion:     types.StringValue("14.11"),
					CPU:                types.Int64Value(0),
					RAM:                types.Int64Value(0),
					Storage:            types.Int64Value(100),
					NodeCount:          types.Int64Value(1),
					InstanceCount:      types.Int64Value(0),
					Environment:        types.StringNull(),
					ServiceName:        types.StringNull(),
					CreationTime:       types.StringNull(),
					CreationUser:       types.StringNull(),
					ReplicationStatus:  types.BoolValue(false),
					BackupStatus:       types.BoolValue(false),
					SupportPhase:       types.StringNull(),
					EndOfSupportAt:     types.StringNull(),
					MetrologyURL:       types.StringNull(),
					ReleasedAt:         types.StringNull(),
					EndOfSalesAt:       types.StringNull(),
					ExtendedSupportAt:  types.StringNull(),
					InternalResourceID: types.Int64Null(),
				},
			},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got := flattenPostgreSQLDataSource(&tc.in)
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("flattenPostgreSQLDataSource:\n got %+v\nwant %+v", got, tc.want)
			}
			// The model must fit the schema, or Read would fail at runtime.
			assertFitsSchema(t, NewPostgreSQLDataSource(), &got)
		})
	}
}

func TestPowerStateOf(t *testing.T) {
	for status, want := range map[string]string{
		"STOPPED": "stopped", "stopped": "stopped", "POWERED_OFF": "stopped", "Powered off": "stopped",
		"ACTIVE": "running", "RUNNING": "running", "UPDATING": "running", "ERROR": "running",
		// Not recognised: reported, never guessed.
		"": "", "HIBERNATING": "",
	} {
		got, ok := powerStateOf(status)
		if got != want || ok != (want != "") {
			t.Errorf("powerStateOf(%q) = %q, %v; want %q", status, got, ok, want)
		}
	}
}

// The emulator keeps names unique, so the ambiguous case can only be
// proven here.
func TestPickPostgreSQLByName(t *testing.T) {
	a := itcare.PostgreSQL{ID: 101, Name: "pgshared"}
	b := itcare.PostgreSQL{ID: 202, Name: "PGSHARED"}

	got, diags := pickPostgreSQLByName("pgshared", []itcare.PostgreSQL{a})
	if diags.HasError() || got == nil || got.ID != 101 {
		t.Fatalf("one match: got %v, %v", got, diags)
	}

	got, diags = pickPostgreSQLByName("pgmissing", nil)
	wantError(t, diags, path.Root("name"), "PostgreSQL Instance Not Found", `"pgmissing"`)
	if got != nil {
		t.Errorf("no match: got %v, want nil", got)
	}

	got, diags = pickPostgreSQLByName("pgshared", []itcare.PostgreSQL{a, b})
	wantError(t, diags, path.Root("name"), "Several PostgreSQL Instances Found", "101 (pgshared)", "202 (PGSHARED)", `"id"`)
	if got != nil {
		t.Errorf("two matches: got %v, want nil", got)
	}
}

func TestInstanceReadError(t *testing.T) {
	notFound := &itcare.APIError{Method: http.MethodGet, Path: "/databases/postgresql/42/nodes", HTTPStatus: http.StatusNotFound}
	wantError(t, instanceReadError("nodes", 42, path.Root("instance_id"), notFound),
		path.Root("instance_id"), "PostgreSQL Instance Not Found", "id 42")

	failed := &itcare.APIError{Method: http.MethodGet, Path: "/databases/postgresql/42/nodes", HTTPStatus: http.StatusBadRequest, ErrorMessage: "boom"}
	wantError(t, instanceReadError("nodes", 42, path.Root("instance_id"), failed),
		path.Root("instance_id"), "Error Reading PostgreSQL Nodes", "nodes of the PostgreSQL instance with id 42", "boom")
	wantError(t, instanceReadError("", 42, path.Root("id"), failed),
		path.Root("id"), "Error Reading PostgreSQL Instance", "Reading the PostgreSQL instance with id 42", "boom")
}

func TestParseInstanceID(t *testing.T) {
	var diags diag.Diagnostics
	if id, ok := parseInstanceID("500061854", path.Root("id"), &diags); !ok || id != 500061854 || diags.HasError() {
		t.Errorf("valid id: got %d, %v, %v", id, ok, diags)
	}
	for _, bad := range []string{"", "abc", "-1", "0", "99999999999999999999"} {
		var diags diag.Diagnostics
		if _, ok := parseInstanceID(bad, path.Root("instance_id"), &diags); ok {
			t.Errorf("parseInstanceID(%q) accepted", bad)
		}
		wantError(t, diags, path.Root("instance_id"), "Invalid PostgreSQL Instance ID", bad)
	}
}

func TestFlattenPostgreSQLNodes(t *testing.T) {
	in := []itcare.Node{
		{
			ID: 3, Name: "PGNODE02", Label: "pgnode02", Status: "ACTIVE", IPAddress: "10.10.0.12",
			CPU: 2, RAM: 4, Storage: 40, OSName: "Rocky Linux 9", OSType: "LINUX",
			Area:                  &itcare.Area{ID: "EB-QA"},
			AvailabilityZone:      &itcare.AvailabilityZone{ID: "EB-QA-B", DatacenterID: "EB5"},
			Region:                &itcare.Region{ID: "EB", DataCenter: "EB4"},
			LabelAvailabilityZone: "Zone B", LabelDataCenter: "Data center EB5",
			Network: &itcare.Network{ID: 2001}, CreationTime: "2026-11-20T10:00:00Z",
			StorageInformation: &itcare.StorageInformation{FileSystems: []itcare.FileSystem{
				{MountingPoint: "/var/lib/postgresql", Type: "xfs", SizeOf: 40, Free: 31},
				{MountingPoint: "/", Type: "ext4", SizeOf: 20, Free: 14},
			}, TotalSizeDisks: 60},
		},
		{
			// Only the display labels: they fill in for the missing objects.
			ID: 2, Name: "PGNODE01", IPAddress: "10.10.0.11",
			LabelArea: "EB-QA", LabelAvailabilityZone: "EB-QA-A", LabelRegion: "EB", LabelDataCenter: "EB4",
		},
	}
	got := flattenPostgreSQLNodes(in)
	want := []postgresqlNodeModel{
		{
			ID: types.Int64Value(2), Name: types.StringValue("PGNODE01"), Label: types.StringNull(), Status: types.StringNull(),
			IPAddress: types.StringValue("10.10.0.11"), CPU: types.Int64Value(0), RAM: types.Int64Value(0), Storage: types.Int64Value(0),
			OSName: types.StringNull(), OSType: types.StringNull(), Area: types.StringValue("EB-QA"),
			AvailabilityZone: types.StringValue("EB-QA-A"), Region: types.StringValue("EB"), DataCenter: types.StringValue("EB4"),
			NetworkID: types.Int64Null(), CreationTime: types.StringNull(), FileSystems: []postgresqlNodeFileSystemModel{},
		},
		{
			ID: types.Int64Value(3), Name: types.StringValue("PGNODE02"), Label: types.StringValue("pgnode02"), Status: types.StringValue("ACTIVE"),
			IPAddress: types.StringValue("10.10.0.12"), CPU: types.Int64Value(2), RAM: types.Int64Value(4), Storage: types.Int64Value(40),
			OSName: types.StringValue("Rocky Linux 9"), OSType: types.StringValue("LINUX"), Area: types.StringValue("EB-QA"),
			AvailabilityZone: types.StringValue("EB-QA-B"), Region: types.StringValue("EB"), DataCenter: types.StringValue("EB5"),
			NetworkID: types.Int64Value(2001), CreationTime: types.StringValue("2026-11-20T10:00:00Z"),
			FileSystems: []postgresqlNodeFileSystemModel{
				{MountPoint: types.StringValue("/"), Type: types.StringValue("ext4"), Size: types.Int64Value(20), Free: types.Int64Value(14)},
				{MountPoint: types.StringValue("/var/lib/postgresql"), Type: types.StringValue("xfs"), Size: types.Int64Value(40), Free: types.Int64Value(31)},
			},
		},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("flattenPostgreSQLNodes:\n got %+v\nwant %+v", got, want)
	}
	assertFitsSchema(t, NewPostgreSQLNodesDataSource(), &postgresqlNodesDataSourceModel{InstanceID: types.StringValue("1"), Nodes: got})

	if empty := flattenPostgreSQLNodes(nil); empty == nil || len(empty) != 0 {
		t.Errorf("no nodes: got %#v, want an empty, non-nil list", empty)
	}
}

func TestFlattenFileSystems(t *testing.T) {
	fs := func(mount, typ string, size, free int64) postgresqlNodeFileSystemModel {
		m := postgresqlNodeFileSystemModel{MountPoint: types.StringNull(), Type: types.StringNull(), Size: types.Int64Value(size), Free: types.Int64Value(free)}
		if mount != "" {
			m.MountPoint = types.StringValue(mount)
		}
		if typ != "" {
			m.Type = types.StringValue(typ)
		}
		return m
	}
	for _, tc := range []struct {
		name string
		in   *itcare.StorageInformation
		want []postgresqlNodeFileSystemModel
	}{
		{name: "no storage information", in: nil, want: []postgresqlNodeFileSystemModel{}},
		{name: "no file system", in: &itcare.StorageInformation{TotalSizeDisks: 60}, want: []postgresqlNodeFileSystemModel{}},
		{
			name: "sorted by mount point; a full one reads 0 free",
			in: &itcare.StorageInformation{FileSystems: []itcare.FileSystem{
				{MountingPoint: "/var/log", Type: "xfs", SizeOf: 5, Free: 0},
				{MountingPoint: "/var/lib/postgresql", Type: "xfs", SizeOf: 100, Free: 12},
				{MountingPoint: "/", Type: "ext4", SizeOf: 20, Free: 14},
			}},
			want: []postgresqlNodeFileSystemModel{fs("/", "ext4", 20, 14), fs("/var/lib/postgresql", "xfs", 100, 12), fs("/var/log", "xfs", 5, 0)},
		},
		{
			name: "sparse",
			in:   &itcare.StorageInformation{FileSystems: []itcare.FileSystem{{SizeOf: 8}}},
			want: []postgresqlNodeFileSystemModel{fs("", "", 8, 0)},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := flattenFileSystems(tc.in); !reflect.DeepEqual(got, tc.want) {
				t.Errorf("flattenFileSystems:\n got %+v\nwant %+v", got, tc.want)
			}
		})
	}
}

func TestFlattenPostgreSQLNetworks(t *testing.T) {
	in := []itcare.Network{
		{ID: 2002, CIDR: "10.20.0.0/24", ShortDescription: "prod"},
		{
			ID: 2001, Area: "EB-QA", CIDR: "10.10.0.0/24", DefaultNetwork: true, Description: "QA network",
			DNS:         []itcare.DNS{{Alias: "qa", Domain: "qa.example"}, {Alias: "db", Domain: "db.example"}},
			Environment: "QA", Gateway: "10.10.0.1", IPAddress: "10.10.0.0", Mask: "255.255.255.0", Region: "EB", Scope: "PRIVATE",
		},
	}
	got := flattenPostgreSQLNetworks(in)
	want := []postgresqlNetworkModel{
		{
			ID: types.Int64Value(2001), CIDR: types.StringValue("10.10.0.0/24"), Gateway: types.StringValue("10.10.0.1"),
			Mask: types.StringValue("255.255.255.0"), IPAddress: types.StringValue("10.10.0.0"), Area: types.StringValue("EB-QA"),
			Region: types.StringValue("EB"), Environment: types.StringValue("QA"), Scope: types.StringValue("PRIVATE"),
			Description: types.StringValue("QA network"), DefaultNetwork: types.BoolValue(true),
			DNS: []postgresqlNetworkDNSModel{
				{Alias: types.StringValue("qa"), Domain: types.StringValue("qa.example")},
				{Alias: types.StringValue("db"), Domain: types.StringValue("db.example")},
			},
		},
		{
			ID: types.Int64Value(2002), CIDR: types.StringValue("10.20.0.0/24"), Gateway: types.StringNull(),
			Mask: types.StringNull(), IPAddress: types.StringNull(), Area: types.StringNull(), Region: types.StringNull(),
			Environment: types.StringNull(), Scope: types.StringNull(), Description: types.StringValue("prod"),
			DefaultNetwork: types.BoolValue(false), DNS: []postgresqlNetworkDNSModel{},
		},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("flattenPostgreSQLNetworks:\n got %+v\nwant %+v", got, want)
	}
	assertFitsSchema(t, NewPostgreSQLNetworksDataSource(), &postgresqlNetworksDataSourceModel{InstanceID: types.StringValue("1"), Networks: got})
}

func TestFlattenPostgreSQLVersions(t *testing.T) {
	cases := []struct {
		in     []int64
		want   []string
		latest string
	}{
		{in: []int64{16, 9, 13, 16}, want: []string{"9", "13", "16"}, latest: "16"},
		{in: []int64{}, want: []string{}},
		{in: nil, want: []string{}},
	}
	for _, c := range cases {
		got := flattenPostgreSQLVersions(c.in)
		var gotStrings []string
		for _, v := range got.Versions {
			gotStrings = append(gotStrings, v.ValueString())
		}
		if got.Versions == nil || strings.Join(gotStrings, ",") != strings.Join(c.want, ",") {
			t.Errorf("flattenPostgreSQLVersions(%v).Versions = %v, want %v", c.in, gotStrings, c.want)
		}
		wantLatest := types.StringNull()
		if c.latest != "" {
			wantLatest = types.StringValue(c.latest)
		}
		if !got.Latest.Equal(wantLatest) {
			t.Errorf("flattenPostgreSQLVersions(%v).Latest = %v, want %v", c.in, got.Latest, wantLatest)
		}
		got.InstanceID = types.StringValue("1")
		assertFitsSchema(t, NewPostgreSQLVersionsDataSource(), &got)
	}
	// The caller's slice must not be reordered.
	in := []int64{16, 14}
	flattenPostgreSQLVersions(in)
	if in[0] != 16 {
		t.Errorf("flattenPostgreSQLVersions reordered its input: %v", in)
	}
}

func TestFlattenPostgreSQLDatabases(t *testing.T) {
	in := []itcare.Database{
		{Name: "postgres", Extensions: []itcare.DatabaseExtension{{Name: "plpgsql", Schema: "pg_catalog", Version: "1.0"}}},
		{Name: "app", Extensions: []itcare.DatabaseExtension{
			{Name: "postgis", Schema: "public", Version: "3.4.2"},
			{Name: "hstore"},
		}},
		{Name: "empty"},
	}
	got := flattenPostgreSQLDatabases(in)
	want := []postgresqlDatabaseModel{
		{Name: types.StringValue("app"), Extensions: []postgresqlInstalledExtensionModel{
			{Name: types.StringValue("hstore"), Schema: types.StringNull(), Version: types.StringNull()},
			{Name: types.StringValue("postgis"), Schema: types.StringValue("public"), Version: types.StringValue("3.4.2")},
		}},
		{Name: types.StringValue("empty"), Extensions: []postgresqlInstalledExtensionModel{}},
		{Name: types.StringValue("postgres"), Extensions: []postgresqlInstalledExtensionModel{
			{Name: types.StringValue("plpgsql"), Schema: types.StringValue("pg_catalog"), Version: types.StringValue("1.0")},
		}},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("flattenPostgreSQLDatabases:\n got %+v\nwant %+v", got, want)
	}
	assertFitsSchema(t, NewPostgreSQLDatabasesDataSource(), &postgresqlDatabasesDataSourceModel{InstanceID: types.StringValue("1"), Databases: got})
}

func TestFlattenPostgreSQLExtensions(t *testing.T) {
	in := []itcare.Extension{
		{Name: "postgis", Version: "3.4.2", Comment: "geometry", Link: "https://postgis.net", RequiresRestarting: false},
		{Name: "pg_stat_statements", Version: "1.10", RequiresRestarting: true},
	}
	got := flattenPostgreSQLExtensions(in)
	want := []postgresqlAvailableExtensionModel{
		{Name: types.StringValue("pg_stat_statements"), Version: types.StringValue("1.10"), Comment: types.StringNull(),
			Link: types.StringNull(), RequiresRestarting: types.BoolValue(true)},
		{Name: types.StringValue("postgis"), Version: types.StringValue("3.4.2"), Comment: types.StringValue("geometry"),
			Link: types.StringValue("https://postgis.net"), RequiresRestarting: types.BoolValue(false)},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("flattenPostgreSQLExtensions:\n got %+v\nwant %+v", got, want)
	}
	assertFitsSchema(t, NewPostgreSQLExtensionsDataSource(), &postgresqlExtensionsDataSourceModel{InstanceID: types.StringValue("1"), Extensions: got})
}

func TestFlattenPostgreSQLBackups(t *testing.T) {
	null, zeroSize := types.StringNull(), types.Int64Null()
	for _, tc := range []struct {
		name string
		in   *itcare.BackupPolicyDetails
		want postgresqlBackupsDataSourceModel
	}{
		{
			name: "two policies, sorted, dates in UTC",
			in: &itcare.BackupPolicyDetails{
				Backups: []itcare.Backup{
					{ID: 5000618542, Type: "SERVER", BackupLastDate: apiTime(t, "2026-11-29T01:00:00.000+0100"), BackupSize: 2 << 30},
					{ID: 5000618541, Type: "DATABASE", BackupLastDate: apiTime(t, "2026-12-01T22:00:00.123+01:00"), BackupSize: 25165824},
				},
				Policies: []itcare.BackupPolicy{
					{PolicyID: "SRV-WEEKLY", Name: "srv-weekly", Label: "Server backup", Type: "SERVER", Scope: "SERVER",
						StartTime: "01:00", Timezone: "Europe/Paris", DurationInHours: 4, Frequencies: map[string]any{"weekly": "SUNDAY"},
						BackupLastDate: apiTime(t, "2026-11-29T01:00:00.000+0100"), BackupSize: 2 << 30},
					{PolicyID: "PG-PITR-DAILY", Name: "pg-pitr-daily", Label: "PostgreSQL daily backup with PITR", Type: "DATABASE",
						Scope: "DATABASE", StartTime: "22:00", Timezone: "Europe/Paris", DurationInHours: 2, Replication: true,
						BackupLastDate: apiTime(t, "2026-12-01T22:00:00.123+01:00"), BackupSize: 25165824},
				},
			},
			want: postgresqlBackupsDataSourceModel{
				Backups: []postgresqlBackupModel{
					{ID: types.Int64Value(5000618541), Type: types.StringValue("DATABASE"), LastBackupAt: types.StringValue("2026-12-01T21:00:00Z"), Size: types.Int64Value(25165824)},
					{ID: types.Int64Value(5000618542), Type: types.StringValue("SERVER"), LastBackupAt: types.StringValue("2026-11-29T00:00:00Z"), Size: types.Int64Value(2 << 30)},
				},
				Policies: []postgresqlBackupPolicyModel{
					{PolicyID: types.StringValue("PG-PITR-DAILY"), Name: types.StringValue("pg-pitr-daily"), Label: types.StringValue("PostgreSQL daily backup with PITR"),
						Type: types.StringValue("DATABASE"), Scope: types.StringValue("DATABASE"), StartTime: types.StringValue("22:00"), Timezone: types.StringValue("Europe/Paris"),
						DurationHours: types.Int64Value(2), Replication: types.BoolValue(true), LastBackupAt: types.StringValue("2026-12-01T21:00:00Z"), Size: types.Int64Value(25165824)},
					{PolicyID: types.StringValue("SRV-WEEKLY"), Name: types.StringValue("srv-weekly"), Label: types.StringValue("Server backup"),
						Type: types.StringValue("SERVER"), Scope: types.StringValue("SERVER"), StartTime: types.StringValue("01:00"), Timezone: types.StringValue("Europe/Paris"),
						DurationHours: types.Int64Value(4), Replication: types.BoolValue(false), LastBackupAt: types.StringValue("2026-11-29T00:00:00Z"), Size: types.Int64Value(2 << 30)},
				},
			},
		},
		{
			name: "a policy that has not run yet, a sparse backup",
			in: &itcare.BackupPolicyDetails{
				Backups:  []itcare.Backup{{ID: 7}},
				Policies: []itcare.BackupPolicy{{PolicyID: "P"}},
			},
			want: postgresqlBackupsDataSourceModel{
				Backups: []postgresqlBackupModel{{ID: types.Int64Value(7), Type: null, LastBackupAt: null, Size: zeroSize}},
				Policies: []postgresqlBackupPolicyModel{{PolicyID: types.StringValue("P"), Name: null, Label: null, Type: null, Scope: null,
					StartTime: null, Timezone: null, DurationHours: types.Int64Null(), Replication: types.BoolValue(false), LastBackupAt: null, Size: zeroSize}},
			},
		},
		{
			name: "no backup details",
			in:   nil,
			want: postgresqlBackupsDataSourceModel{Backups: []postgresqlBackupModel{}, Policies: []postgresqlBackupPolicyModel{}},
		},
		{
			name: "empty lists",
			in:   &itcare.BackupPolicyDetails{},
			want: postgresqlBackupsDataSourceModel{Backups: []postgresqlBackupModel{}, Policies: []postgresqlBackupPolicyModel{}},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := flattenPostgreSQLBackups(tc.in)
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("flattenPostgreSQLBackups:\n got %+v\nwant %+v", got, tc.want)
			}
			got.InstanceID = types.StringValue("1")
			assertFitsSchema(t, NewPostgreSQLBackupsDataSource(), &got)
		})
	}
}

// TestDataSourceSchemas checks the schema of every data source the
// provider serves is valid (docs_test.go checks their descriptions).
func TestDataSourceSchemas(t *testing.T) {
	ctx := context.Background()
	dataSources := New("test")().DataSources(ctx)
	if len(dataSources) < 7 {
		t.Fatalf("the provider serves %d data sources", len(dataSources))
	}
	for _, newDS := range dataSources {
		ds := newDS()
		var meta datasource.MetadataResponse
		ds.Metadata(ctx, datasource.MetadataRequest{ProviderTypeName: "itcare"}, &meta)
		var resp datasource.SchemaResponse
		ds.Schema(ctx, datasource.SchemaRequest{}, &resp)
		if resp.Diagnostics.HasError() {
			t.Fatalf("%s: schema: %v", meta.TypeName, resp.Diagnostics)
		}
		if diags := resp.Schema.ValidateImplementation(ctx); diags.HasError() {
			t.Errorf("%s: invalid schema: %v", meta.TypeName, diags)
		}
	}
}

// assertFitsSchema stores model in a state of ds's schema: a missing or
// extra tfsdk tag, or a type that does not match, fails.
func assertFitsSchema(t *testing.T, ds datasource.DataSource, model any) {
	t.Helper()
	ctx := context.Background()
	var resp datasource.SchemaResponse
	ds.Schema(ctx, datasource.SchemaRequest{}, &resp)
	state := tfsdk.State{Schema: resp.Schema, Raw: tftypes.NewValue(resp.Schema.Type().TerraformType(ctx), nil)}
	if diags := state.Set(ctx, model); diags.HasError() {
		t.Fatalf("model does not fit the schema: %v", diags)
	}
}

// wantError checks diags hold exactly one error, against p, with the given
// summary and a detail containing every fragment.
func wantError(t *testing.T, diags diag.Diagnostics, p path.Path, summary string, fragments ...string) {
	t.Helper()
	errs := diags.Errors()
	if len(errs) != 1 {
		t.Fatalf("want one error, got %v", diags)
	}
	d := errs[0]
	if d.Summary() != summary {
		t.Errorf("summary = %q, want %q", d.Summary(), summary)
	}
	if wp, ok := d.(diag.DiagnosticWithPath); !ok || !wp.Path().Equal(p) {
		t.Errorf("diagnostic %q is not against %s", d.Summary(), p)
	}
	for _, f := range fragments {
		if !strings.Contains(d.Detail(), f) {
			t.Errorf("detail %q does not contain %q", d.Detail(), f)
		}
	}
}
