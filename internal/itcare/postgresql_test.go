package itcare

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"reflect"
	"testing"
	"time"
)

// assertRoundTrip checks that v, decoded from fixture, encodes back to the
// same JSON: every field of the page's sample has a home in the types.
// Empty objects ("frequencies": {}) are omitted on encoding, so they are
// dropped from the fixture first.
func assertRoundTrip(t *testing.T, v any, fixture []byte) {
	t.Helper()
	var want any
	if err := json.Unmarshal(fixture, &want); err != nil {
		t.Fatal(err)
	}
	got, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	wantJSON, _ := json.Marshal(dropEmptyObjects(want))
	jsonEqual(t, got, wantJSON)
}

func dropEmptyObjects(v any) any {
	switch x := v.(type) {
	case map[string]any:
		out := map[string]any{}
		for k, e := range x {
			if m, ok := e.(map[string]any); ok && len(m) == 0 {
				continue
			}
			out[k] = dropEmptyObjects(e)
		}
		return out
	case []any:
		for i := range x {
			x[i] = dropEmptyObjects(x[i])
		}
	}
	return v
}

func TestCreatePostgreSQL(t *testing.T) {
	for _, sample := range []string{"create_request_schema.json", "create_request_example.json"} {
		t.Run(sample, func(t *testing.T) {
			f := newFakeAPI(t, func(w http.ResponseWriter, _ *http.Request, _ int) {
				writeJSON(w, http.StatusAccepted, fixture(t, "create_action.json"))
			})
			c := newTestClient(t, f)
			var req CreatePostgreSQLRequest
			if err := json.Unmarshal(fixture(t, sample), &req); err != nil {
				t.Fatal(err)
			}
			a, err := c.CreatePostgreSQL(context.Background(), req)
			if err != nil {
				t.Fatal(err)
			}
			r := f.requests()[0]
			if r.Method != http.MethodPost || r.Path != "/databases/postgresql" || r.Query != "" {
				t.Errorf("sent %s %s?%s", r.Method, r.Path, r.Query)
			}
			jsonEqual(t, r.Body, fixture(t, sample))
			assertRoundTrip(t, a, fixture(t, "create_action.json"))
			if a.ID != 1 || a.InternalID != 1 || a.LastUpdatedAt == nil {
				t.Errorf("action = %+v", a)
			}
		})
	}
}

func TestCreateLeavesUnsetOptionalFieldsOut(t *testing.T) {
	body, err := json.Marshal(CreatePostgreSQLRequest{Name: "pgdemo01", Topology: "STANDALONE"})
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	_ = json.Unmarshal(body, &m)
	for _, k := range []string{"tls", "backupEnabled", "monitoringEnabled", "cloudId", "nodePrefix", "az"} {
		if _, ok := m[k]; ok {
			t.Errorf("unset %q is sent: %s", k, body)
		}
	}
}

func TestReadEndpoints(t *testing.T) {
	for _, tc := range []struct {
		path    string
		fixture string
		call    func(*Client) (any, error)
	}{
		{"/databases/postgresql/500061854", "postgresql.json", func(c *Client) (any, error) { return c.GetPostgreSQL(context.Background(), 500061854) }},
		{"/databases/postgresql/500061854/databases", "databases.json", func(c *Client) (any, error) { return c.GetPostgreSQLDatabases(context.Background(), 500061854) }},
		{"/databases/postgresql/500061854/extensions", "extensions.json", func(c *Client) (any, error) { return c.GetPostgreSQLExtensions(context.Background(), 500061854) }},
		{"/databases/postgresql/500061854/networks", "networks.json", func(c *Client) (any, error) { return c.GetPostgreSQLNetworks(context.Background(), 500061854) }},
		{"/databases/postgresql/500061854/nodes", "nodes.json", func(c *Client) (any, error) { return c.GetPostgreSQLNodes(context.Background(), 500061854) }},
		{"/databases/postgresql/500061854/versions", "versions.json", func(c *Client) (any, error) { return c.GetPostgreSQLVersions(context.Background(), 500061854) }},
		{"/actions/1", "patch_action.json", func(c *Client) (any, error) { return c.GetAction(context.Background(), 1) }},
	} {
		t.Run(tc.path, func(t *testing.T) {
			f := newFakeAPI(t, func(w http.ResponseWriter, _ *http.Request, _ int) {
				writeJSON(w, http.StatusOK, fixture(t, tc.fixture))
			})
			c := newTestClient(t, f)
			got, err := tc.call(c)
			if err != nil {
				t.Fatal(err)
			}
			r := f.requests()[0]
			if r.Method != http.MethodGet || r.Path != tc.path || len(r.Body) != 0 || r.Header.Get("Content-Type") != "" {
				t.Errorf("sent %s %s with body %q, Content-Type %q", r.Method, r.Path, r.Body, r.Header.Get("Content-Type"))
			}
			assertRoundTrip(t, got, fixture(t, tc.fixture))
		})
	}
}

func TestPostgreSQLSampleValues(t *testing.T) {
	var p PostgreSQL
	if err := json.Unmarshal(fixture(t, "postgresql.json"), &p); err != nil {
		t.Fatal(err)
	}
	if p.ID != 1 || !p.TLSEnabled || p.PatchParty == nil || p.PatchParty.PatchDate.UTC().Format("2006-01-02T15:04:05.000Z") != "2025-05-08T22:13:32.563Z" ||
		len(p.BackupPolicyDetails.Policies) != 1 || !p.MonitoringOnCallEnabled {
		t.Errorf("decoded %+v", p)
	}
}

// TestReadModelSampleValues decodes the page's samples of the fields the
// provider maps beyond the basics: lifecycle dates, internalResourceId, the
// patch party's exclusion, the backups and policies, and a node's file
// systems.
func TestReadModelSampleValues(t *testing.T) {
	const sampleDate = "2025-05-08T22:13:32.563Z"
	date := func(what string, v *Time) {
		t.Helper()
		if v == nil || v.UTC().Format("2006-01-02T15:04:05.000Z") != sampleDate {
			t.Errorf("%s = %v, want %s", what, v, sampleDate)
		}
	}
	var p PostgreSQL
	if err := json.Unmarshal(fixture(t, "postgresql.json"), &p); err != nil {
		t.Fatal(err)
	}
	date("releasedAt", p.ReleasedAt)
	date("endOfSalesAt", p.EndOfSalesAt)
	date("extendedSupportAt", p.ExtendedSupportAt)
	if p.InternalResourceID != 1 {
		t.Errorf("internalResourceId = %d, want 1", p.InternalResourceID)
	}
	if p.PatchParty == nil || p.PatchParty.ExcludedBy != "text" {
		t.Fatalf("patchParty = %+v", p.PatchParty)
	}
	date("patchParty.exclusionDate", p.PatchParty.ExclusionDate)
	bpd := p.BackupPolicyDetails
	if bpd == nil || len(bpd.Backups) != 1 || len(bpd.Policies) != 1 {
		t.Fatalf("backupPolicyDetails = %+v", bpd)
	}
	if b := bpd.Backups[0]; b.ID != 1 || b.Type != "text" || b.BackupSize != 1 {
		t.Errorf("backup = %+v", b)
	}
	date("backups[0].backupLastDate", bpd.Backups[0].BackupLastDate)
	pol := bpd.Policies[0]
	if pol.PolicyID != "text" || pol.Name != "text" || pol.Label != "text" || pol.Type != "text" || pol.Scope != "text" ||
		pol.StartTime != "text" || pol.Timezone != "text" || pol.DurationInHours != 1 || !pol.Replication || pol.BackupSize != 1 {
		t.Errorf("policy = %+v", pol)
	}
	date("policies[0].backupLastDate", pol.BackupLastDate)

	var nodes []Node
	if err := json.Unmarshal(fixture(t, "nodes.json"), &nodes); err != nil {
		t.Fatal(err)
	}
	if len(nodes) != 1 || nodes[0].StorageInformation == nil || len(nodes[0].StorageInformation.FileSystems) != 1 {
		t.Fatalf("nodes = %+v", nodes)
	}
	if fs := nodes[0].StorageInformation.FileSystems[0]; fs.MountingPoint != "text" || fs.Type != "text" || fs.SizeOf != 1 || fs.Free != 1 {
		t.Errorf("file system = %+v", fs)
	}
}

// TestReadModelLenient: the optional parts of the read model may be null,
// empty or in another date form without failing the read.
func TestReadModelLenient(t *testing.T) {
	for _, tc := range []struct {
		name  string
		body  string
		check func(*PostgreSQL) bool
	}{
		{"no backup details", `{"id":1,"backupPolicyDetails":null}`,
			func(p *PostgreSQL) bool { return p.BackupPolicyDetails == nil }},
		{"empty lists", `{"id":1,"backupPolicyDetails":{"backups":[],"policies":null}}`,
			func(p *PostgreSQL) bool {
				return p.BackupPolicyDetails != nil && len(p.BackupPolicyDetails.Backups) == 0 && len(p.BackupPolicyDetails.Policies) == 0
			}},
		{"a backup not taken yet", `{"id":1,"backupPolicyDetails":{"backups":[{"id":7,"type":"DATABASE","backupLastDate":null}]}}`,
			func(p *PostgreSQL) bool { return p.BackupPolicyDetails.Backups[0].BackupLastDate == nil }},
		{"frequencies with values", `{"id":1,"backupPolicyDetails":{"policies":[{"policyId":"P","frequencies":{"weekly":"SUNDAY","days":[1,2]}}]}}`,
			func(p *PostgreSQL) bool { return p.BackupPolicyDetails.Policies[0].Frequencies["weekly"] == "SUNDAY" }},
		{"dates with offsets", `{"id":1,"releasedAt":"2024-09-26T02:00:00+0200","endOfSalesAt":"2028-11-09T00:00:00+00:00","extendedSupportAt":"2030-11-14",` +
			`"patchParty":{"excluded":true,"excludedBy":"alice","exclusionDate":"2025-01-02T10:00:00.5+01:00"}}`,
			func(p *PostgreSQL) bool {
				return p.ReleasedAt.UTC().Format(time.RFC3339) == "2024-09-26T00:00:00Z" &&
					p.EndOfSalesAt.UTC().Format(time.RFC3339) == "2028-11-09T00:00:00Z" &&
					p.ExtendedSupportAt.UTC().Format(time.RFC3339) == "2030-11-14T00:00:00Z" &&
					p.PatchParty.ExcludedBy == "alice" && p.PatchParty.ExclusionDate.UTC().Format(time.RFC3339) == "2025-01-02T09:00:00Z"
			}},
		{"no exclusion", `{"id":1,"patchParty":{"excluded":false,"excludedBy":null,"exclusionDate":""}}`,
			func(p *PostgreSQL) bool {
				return p.PatchParty.ExcludedBy == "" && (p.PatchParty.ExclusionDate == nil || p.PatchParty.ExclusionDate.IsZero())
			}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var p PostgreSQL
			if err := json.Unmarshal([]byte(tc.body), &p); err != nil {
				t.Fatal(err)
			}
			if !tc.check(&p) {
				t.Errorf("decoded %+v", p)
			}
		})
	}
	var nodes []Node
	if err := json.Unmarshal([]byte(`[{"id":1,"storageInformation":null},{"id":2,"storageInformation":{"fileSystems":null}}]`), &nodes); err != nil {
		t.Fatal(err)
	}
	if nodes[0].StorageInformation != nil || len(nodes[1].StorageInformation.FileSystems) != 0 {
		t.Errorf("nodes = %+v", nodes)
	}
}

func TestVersionsAcceptNumericStrings(t *testing.T) {
	f := newFakeAPI(t, func(w http.ResponseWriter, _ *http.Request, _ int) {
		writeJSON(w, http.StatusOK, `[13, "14", 15]`)
	})
	c := newTestClient(t, f)
	got, err := c.GetPostgreSQLVersions(context.Background(), 7)
	if err != nil || !reflect.DeepEqual(got, []int64{13, 14, 15}) {
		t.Errorf("got %v, %v", got, err)
	}
}

func TestPatchOperationsSendThePageBodies(t *testing.T) {
	var examples []json.RawMessage
	if err := json.Unmarshal(fixture(t, "patch_examples.json"), &examples); err != nil {
		t.Fatal(err)
	}
	ops := []Operation{
		{Operation: OpStart},
		{Operation: OpStop},
		{Operation: OpResize, Options: ResizeOptions{Sizing: "2cpu4gb"}},
		{Operation: OpRestore, Options: RestoreOptions{SourceID: 1234, Stop: "BEFORE", Timestamp: "2022-11-02T09:32:02.000+00:00"}},
		{Operation: OpEnableHA, Options: EnableHAOptions{ReplicationLag: 50, ChangeReference: "000"}},
		{Operation: OpUpdateMonitoring, Options: MonitoringOptions{State: true, OnCall: true}},
		{Operation: OpUpdatePatchParty, Options: PatchPartyOptions{PatchParty: PatchPartyUpdate{Excluded: false, PatchGroup: "3"}}},
		{Operation: OpUpdatePatchParty, Options: PatchPartyOptions{PatchParty: PatchPartyUpdate{Excluded: true, ExclusionReason: "I want to handle this by myself"}}},
		{Operation: OpInstallExtension, Options: InstallExtensionOptions{DBName: "mydb", ExtensionsList: []ExtensionName{{Name: "ext1"}, {Name: "ext2"}}}},
		{Operation: OpUpgrade, Options: UpgradeOptions{TargetVersion: "12", ChangeReference: "RFC 1234"}},
	}
	if len(ops) != len(examples) {
		t.Fatalf("%d operations for %d examples", len(ops), len(examples))
	}
	f := newFakeAPI(t, func(w http.ResponseWriter, _ *http.Request, _ int) {
		writeJSON(w, http.StatusAccepted, fixture(t, "patch_action.json"))
	})
	c := newTestClient(t, f)
	for i, op := range ops {
		a, err := c.PatchPostgreSQL(context.Background(), 1234, op)
		if err != nil {
			t.Fatalf("example %d: %v", i, err)
		}
		if a == nil || a.ID != 1 {
			t.Errorf("example %d: action %+v", i, a)
		}
		r := f.requests()[i]
		if r.Method != http.MethodPatch || r.Path != "/databases/postgresql/1234" || r.Header.Get("Content-Type") != "application/json" {
			t.Errorf("example %d: sent %s %s as %q", i, r.Method, r.Path, r.Header.Get("Content-Type"))
		}
		jsonEqual(t, r.Body, examples[i])
	}
	if got := string(f.requests()[2].Body); got != `{"operation":"resize","options":{"sizing":"2cpu4gb"}}` {
		t.Errorf("resize body = %s", got)
	}
}

func TestDeletePostgreSQL(t *testing.T) {
	f := newFakeAPI(t, func(w http.ResponseWriter, _ *http.Request, _ int) {
		writeJSON(w, http.StatusAccepted, fixture(t, "delete_action.json"))
	})
	c := newTestClient(t, f)
	a, err := c.DeletePostgreSQL(context.Background(), 123)
	if err != nil {
		t.Fatal(err)
	}
	r := f.requests()[0]
	if r.Method != http.MethodDelete || r.Path != "/databases/postgresql/123" || len(r.Body) != 0 {
		t.Errorf("sent %s %s %q", r.Method, r.Path, r.Body)
	}
	assertRoundTrip(t, a, fixture(t, "delete_action.json"))
}

func TestSynchronousAnswersToWrites(t *testing.T) {
	for _, tc := range []struct {
		name   string
		status int
		body   string
		wantID int64
	}{
		{"200 without a body", 200, "", 0},
		{"204", 204, "", 0},
		{"200 with the instance", 200, `{"id":1234,"name":"pgdemo01","status":"ACTIVE"}`, 0},
		{"200 with a done action", 200, `{"id":77,"status":"SUCCESS"}`, 77},
		{"202 with an action", 202, `{"id":78,"status":"IN_PROGRESS"}`, 78},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newFakeAPI(t, func(w http.ResponseWriter, _ *http.Request, _ int) {
				w.WriteHeader(tc.status)
				_, _ = w.Write([]byte(tc.body))
			})
			c := newTestClient(t, f)
			a, err := patch(c, 1234, OpUpdatePatchParty, PatchPartyOptions{PatchParty: PatchPartyUpdate{Excluded: true, ExclusionReason: "x"}})
			if err != nil {
				t.Fatal(err)
			}
			if (a == nil && tc.wantID != 0) || (a != nil && a.ID != tc.wantID) {
				t.Errorf("action = %+v, want id %d", a, tc.wantID)
			}
			if n := len(f.requests()); n != 1 {
				t.Errorf("%d requests, want 1 (no action lookup)", n)
			}
		})
	}
}

// The most recent action wins by time, not by text: 51's "+0200" makes it
// 11:01Z. A create also skips actions of other names (53), which the name
// filter may have matched as a substring.
func TestEmpty202FallsBackToRunningActions(t *testing.T) {
	actions := `[
		{"id":50,"status":"IN_PROGRESS","resourceName":"pgdemo01","submittedAt":"2025-07-06T11:01:21.263Z"},
		{"id":52,"status":"IN_PROGRESS","resourceName":"pgdemo01","submittedAt":"2025-07-06T11:05:00.000+00:00"},
		{"id":53,"status":"IN_PROGRESS","resourceName":"pgdemo01-other","submittedAt":"2025-07-06T12:00:00.000Z"},
		{"id":51,"status":"IN_PROGRESS","resourceName":"pgdemo01","submittedAt":"2025-07-06T13:01:00.000+0200"}
	]`
	for _, tc := range []struct {
		name      string
		body202   string
		send      func(*Client) (*Action, error)
		wantQuery url.Values
		wantID    int64
		internal  int64
	}{
		{"create", "", func(c *Client) (*Action, error) {
			return c.CreatePostgreSQL(context.Background(), CreatePostgreSQLRequest{Name: "pgdemo01"})
		}, url.Values{"resourceName": {"pgdemo01"}, "statuses": {"IN_PROGRESS"}}, 52, 0},
		{"create with internalId only", `{"internalId":900}`, func(c *Client) (*Action, error) {
			return c.CreatePostgreSQL(context.Background(), CreatePostgreSQLRequest{Name: "pgdemo01"})
		}, url.Values{"resourceName": {"pgdemo01"}, "statuses": {"IN_PROGRESS"}}, 52, 900},
		{"patch", "  ", func(c *Client) (*Action, error) { return patch(c, 900, OpStop, nil) },
			url.Values{"resourceId": {"900"}, "statuses": {"IN_PROGRESS"}}, 53, 0},
		{"delete", "", func(c *Client) (*Action, error) { return c.DeletePostgreSQL(context.Background(), 900) },
			url.Values{"resourceId": {"900"}, "statuses": {"IN_PROGRESS"}}, 53, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newFakeAPI(t, func(w http.ResponseWriter, r *http.Request, _ int) {
				if r.URL.Path == "/itcare/actions" {
					writeJSON(w, http.StatusOK, actions)
					return
				}
				w.WriteHeader(http.StatusAccepted)
				_, _ = w.Write([]byte(tc.body202))
			})
			c := newTestClient(t, f)
			a, err := tc.send(c)
			if err != nil {
				t.Fatal(err)
			}
			if a == nil || a.ID != tc.wantID || a.InternalID != tc.internal {
				t.Fatalf("action = %+v, want id %d internalId %d", a, tc.wantID, tc.internal)
			}
			reqs := f.requests()
			if len(reqs) != 2 || reqs[1].Path != "/actions" {
				t.Fatalf("requests = %+v", reqs)
			}
			if q, _ := url.ParseQuery(reqs[1].Query); !reflect.DeepEqual(q, tc.wantQuery) {
				t.Errorf("query = %v, want %v", q, tc.wantQuery)
			}
		})
	}
}

func TestEmpty202WithoutRunningAction(t *testing.T) {
	f := newFakeAPI(t, func(w http.ResponseWriter, r *http.Request, _ int) {
		if r.URL.Path == "/itcare/actions" {
			writeJSON(w, http.StatusOK, `[]`)
			return
		}
		w.WriteHeader(http.StatusAccepted)
	})
	c := newTestClient(t, f)
	a, err := c.CreatePostgreSQL(context.Background(), CreatePostgreSQLRequest{Name: "pgdemo01"})
	if a != nil || err != nil {
		t.Errorf("got %+v, %v; want nil, nil", a, err)
	}
}

func TestEmpty202WithFailedLookupIsUnknownOutcome(t *testing.T) {
	f := newFakeAPI(t, func(w http.ResponseWriter, r *http.Request, _ int) {
		if r.URL.Path == "/itcare/actions" {
			writeJSON(w, http.StatusForbidden, nil)
			return
		}
		w.WriteHeader(http.StatusAccepted)
	})
	c := newTestClient(t, f)
	_, err := c.CreatePostgreSQL(context.Background(), CreatePostgreSQLRequest{Name: "pgdemo01"})
	if !IsUnknownOutcome(err) {
		t.Errorf("err = %v, want an unknown outcome", err)
	}
}

func TestFindPostgreSQLByName(t *testing.T) {
	for _, tc := range []struct {
		name, search, list string
		want               []int64
	}{
		{"substring matches dropped, case ignored", "pgdemo01",
			`[{"id":1,"name":"pgdemo01"},{"id":2,"name":"pgdemo012"},{"id":3,"name":"PGDEMO01"}]`, []int64{1, 3}},
		// U+212A KELVIN SIGN folds to "k" in Unicode, not in host names.
		{"ASCII case only, as for host names", "pgdemok1",
			"[{\"id\":1,\"name\":\"pgdemok1\"},{\"id\":2,\"name\":\"pgdemo\u212a1\"},{\"id\":3,\"name\":\"PgDemoK1\"},{\"id\":4,\"name\":\"pgdemok1 \"}]", []int64{1, 3}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newFakeAPI(t, func(w http.ResponseWriter, _ *http.Request, _ int) {
				writeJSON(w, http.StatusOK, tc.list)
			})
			c := newTestClient(t, f)
			got, err := c.FindPostgreSQLByName(context.Background(), tc.search)
			if err != nil {
				t.Fatal(err)
			}
			var ids []int64
			for _, p := range got {
				ids = append(ids, p.ID)
			}
			if !reflect.DeepEqual(ids, tc.want) {
				t.Errorf("got ids %v, want %v", ids, tc.want)
			}
			if r := f.requests()[0]; r.Path != "/databases/postgresql" || r.Query != "name="+tc.search {
				t.Errorf("sent %s?%s", r.Path, r.Query)
			}
		})
	}
	t.Run("pages", func(t *testing.T) {
		f := newFakeAPI(t, func(w http.ResponseWriter, r *http.Request, _ int) {
			switch r.URL.Query().Get("page") {
			case "":
				writeJSON(w, http.StatusOK, `{"content":[{"id":1,"name":"pgdemo01"},{"id":2,"name":"other"}],"number":0,"size":2,"totalPages":2,"first":true,"last":false}`)
			case "1":
				writeJSON(w, http.StatusOK, `{"content":[{"id":3,"name":"pgdemo01"}],"number":1,"size":2,"totalPages":2,"first":false,"last":true}`)
			default:
				t.Errorf("unexpected page %q", r.URL.Query().Get("page"))
				writeJSON(w, http.StatusOK, `{"content":[],"last":true}`)
			}
		})
		c := newTestClient(t, f)
		got, err := c.FindPostgreSQLByName(context.Background(), "pgdemo01")
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != 2 || got[0].ID != 1 || got[1].ID != 3 {
			t.Errorf("got %+v", got)
		}
		reqs := f.requests()
		if len(reqs) != 2 || reqs[1].Query != "name=pgdemo01&page=1" {
			t.Errorf("requests = %+v", reqs)
		}
	})
	t.Run("server ignoring the page parameter", func(t *testing.T) {
		f := newFakeAPI(t, func(w http.ResponseWriter, _ *http.Request, _ int) {
			writeJSON(w, http.StatusOK, `{"content":[{"id":1,"name":"pgdemo01"}],"last":false}`)
		})
		c := newTestClient(t, f)
		got, err := c.FindPostgreSQLByName(context.Background(), "pgdemo01")
		if err != nil || len(got) != 1 || len(f.requests()) != 2 {
			t.Errorf("got %+v, %v after %d requests", got, err, len(f.requests()))
		}
	})
	t.Run("not a list", func(t *testing.T) {
		f := newFakeAPI(t, func(w http.ResponseWriter, _ *http.Request, _ int) {
			writeJSON(w, http.StatusOK, `{"id":1}`)
		})
		c := newTestClient(t, f)
		if _, err := c.FindPostgreSQLByName(context.Background(), "pgdemo01"); err == nil {
			t.Error("no error")
		}
	})
}

func TestListPostgreSQL(t *testing.T) {
	t.Run("every page, no filter, names as they are", func(t *testing.T) {
		f := newFakeAPI(t, func(w http.ResponseWriter, r *http.Request, _ int) {
			if r.URL.Query().Get("page") == "" {
				writeJSON(w, http.StatusOK, `{"content":[{"id":1,"name":"tfacc1"},{"id":2,"name":"prod1"}],"totalPages":2,"last":false}`)
				return
			}
			writeJSON(w, http.StatusOK, `{"content":[{"id":3,"name":"TFACC2"}],"totalPages":2,"last":true}`)
		})
		c := newTestClient(t, f)
		got, err := c.ListPostgreSQL(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		var names []string
		for _, p := range got {
			names = append(names, p.Name)
		}
		if !reflect.DeepEqual(names, []string{"tfacc1", "prod1", "TFACC2"}) {
			t.Errorf("got %v", names)
		}
		reqs := f.requests()
		if len(reqs) != 2 || reqs[0].Path != "/databases/postgresql" || reqs[0].Query != "" || reqs[1].Query != "page=1" {
			t.Errorf("requests = %+v", reqs)
		}
	})
	t.Run("no collection GET", func(t *testing.T) {
		f := newFakeAPI(t, func(w http.ResponseWriter, _ *http.Request, _ int) {
			writeJSON(w, http.StatusMethodNotAllowed, `{"error":"Method Not Allowed"}`)
		})
		c := newTestClient(t, f)
		if got, err := c.ListPostgreSQL(context.Background()); err == nil {
			t.Errorf("no error, got %+v", got)
		}
	})
}

func TestListActionsQuery(t *testing.T) {
	f := newFakeAPI(t, func(w http.ResponseWriter, _ *http.Request, _ int) {
		writeJSON(w, http.StatusOK, `[{"id":5,"status":"IN_PROGRESS","submittedAt":"2025-07-06T11:01:21.263Z","submittedBy":"api"}]`)
	})
	c := newTestClient(t, f)
	got, err := c.ListActions(context.Background(), ActionFilter{
		ResourceName: "pg 01+", ResourceID: 7, ServiceID: 8, RequestID: 9, Statuses: []string{"IN_PROGRESS", "ERROR"},
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || got[0].ID != 5 || got[0].SubmittedBy != "api" || got[0].SubmittedAt.IsZero() {
		t.Errorf("got %+v", got)
	}
	r := f.requests()[0]
	want := url.Values{"resourceName": {"pg 01+"}, "resourceId": {"7"}, "serviceId": {"8"}, "requestId": {"9"}, "statuses": {"IN_PROGRESS", "ERROR"}}
	if q, _ := url.ParseQuery(r.Query); r.Path != "/actions" || !reflect.DeepEqual(q, want) {
		t.Errorf("sent %s?%s", r.Path, r.Query)
	}
}
