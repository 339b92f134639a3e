package emulator

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"
)

const testDuration = 150 * time.Millisecond

func (e *env) get(id int64) map[string]any {
	e.t.Helper()
	return e.mustStatus(e.call("GET", pgURL(id), nil), 200).obj()
}

func TestCreateLifecycle(t *testing.T) {
	e := newEnv(t, testDuration)
	r := e.mustStatus(e.call("POST", "/itcare/databases/postgresql", validCreate("lifecycle1")), 202)
	if ct := r.header.Get("Content-Type"); ct != MediaType {
		t.Errorf("Content-Type %q", ct)
	}
	a := r.obj()
	for k, want := range map[string]any{"status": "IN_PROGRESS", "process": "POSTGRESQL_CREATE", "family": "PostgreSQL",
		"resourceType": "postgresql", "resourceName": "lifecycle1", "submittedBy": DefaultClientID} {
		if a[k] != want {
			t.Errorf("action %s = %v, want %v", k, a[k], want)
		}
	}
	if v, present := a["completedAt"]; !present || v != nil {
		t.Errorf("completedAt %v present=%v, want null", v, present)
	}
	id := int64(a["internalId"].(float64))
	if id < firstInstanceID {
		t.Errorf("internalId %d", id)
	}
	if st := e.get(id)["status"]; st != StatusCreating {
		t.Fatalf("status right after POST %v, want CREATING", st)
	}
	done := e.waitAction(r.actionID())
	if done["status"] != ActionSuccess || done["completedAt"] == nil {
		t.Fatalf("action %v", done)
	}
	sub, _ := time.Parse(time.RFC3339, done["submittedAt"].(string))
	comp, _ := time.Parse(time.RFC3339, done["completedAt"].(string))
	if d := comp.Sub(sub); d < testDuration || d > testDuration+10*time.Millisecond {
		t.Errorf("action ran %v, want %v", d, testDuration)
	}
	in := e.get(id)
	want := map[string]any{
		"status": "ACTIVE", "version": "15", "productCode": "deb12pg15", "cpu": 2.0, "ram": 4.0, "storage": 40.0,
		"nodeCount": 1.0, "instanceCount": 1.0, "topology": "STANDALONE", "url": "lifecycle1.pg.cegedim.cloud:5432",
		"environment": "DEVELOPMENT", "serviceName": "demo", "creationUser": DefaultClientID, "supportPhase": "STANDARD",
		"monitoringEnabled": true, "monitoringOnCallEnabled": false, "backupStatus": true, "tlsEnabled": false,
		"allowedReplicationLag": 10.0, "trigram": "tri", "networkId": 2001.0, "area": "EB-QA",
	}
	for k, v := range want {
		if in[k] != v {
			t.Errorf("%s = %v, want %v", k, in[k], v)
		}
	}
	if !strings.HasPrefix(in["productVersion"].(string), "15.") || !strings.HasPrefix(in["ipAddress"].(string), "10.20.1.") {
		t.Errorf("productVersion %v ipAddress %v", in["productVersion"], in["ipAddress"])
	}
	pp := in["patchParty"].(map[string]any)
	if tag, _ := pp["patchTag"].(string); len(tag) != 7 || tag[4:6] != "-Q" || pp["patchDate"] == nil {
		t.Errorf("patchParty %v", pp)
	}
	if _, present := in["admPassword"]; present {
		t.Error("the read model shows the password")
	}
}

func TestOperationsApplyOnlyAfterAction(t *testing.T) {
	e := newEnv(t, testDuration)
	src := e.seed(validCreate("source01"))
	e.backdate(src.ID)
	id := e.seed(validCreate("target01")).ID

	run := func(body map[string]any, during func(), after func(in map[string]any)) {
		t.Helper()
		r := e.mustStatus(e.call("PATCH", pgURL(id), body), 202)
		if r.obj()["status"] != ActionInProgress {
			t.Fatalf("%v: action %s", body["operation"], r.raw)
		}
		if during != nil {
			during()
		}
		if a := e.waitAction(r.actionID()); a["status"] != ActionSuccess {
			t.Fatalf("%v: action %v", body["operation"], a)
		}
		after(e.get(id))
	}

	run(map[string]any{"operation": "resize", "options": map[string]any{"sizing": "4cpu8gb"}}, func() {
		in := e.get(id)
		if in["status"] != StatusUpdating || in["nodeSizing"] != "2cpu4gb" {
			t.Errorf("during resize: status %v sizing %v", in["status"], in["nodeSizing"])
		}
		c := e.mustStatus(e.call("PATCH", pgURL(id), map[string]any{"operation": "stop"}), 409)
		o := c.obj()
		if o["status"] != "CONFLICT" || o["errorCode"] != "ACTION_IN_PROGRESS" || !strings.Contains(o["errorMessage"].(string), "action ") {
			t.Errorf("409 body %s", c.raw)
		}
		e.mustStatus(e.call("DELETE", pgURL(id), nil), 409)
	}, func(in map[string]any) {
		if in["nodeSizing"] != "4cpu8gb" || in["cpu"] != 4.0 || in["ram"] != 8.0 || in["status"] != "ACTIVE" {
			t.Errorf("after resize %v %v %v %v", in["nodeSizing"], in["cpu"], in["ram"], in["status"])
		}
	})
	run(map[string]any{"operation": "stop"}, nil, func(in map[string]any) {
		if in["status"] != StatusStopped {
			t.Errorf("after stop: %v", in["status"])
		}
	})
	run(map[string]any{"operation": "start"}, nil, func(in map[string]any) {
		if in["status"] != StatusActive {
			t.Errorf("after start: %v", in["status"])
		}
	})
	run(map[string]any{"operation": "update_monitoring", "options": map[string]any{"state": false, "on_call": true}}, func() {
		if e.get(id)["monitoringEnabled"] != true {
			t.Error("monitoring changed before the action ended")
		}
	}, func(in map[string]any) {
		if in["monitoringEnabled"] != false || in["monitoringOnCallEnabled"] != true {
			t.Errorf("after update_monitoring %v %v", in["monitoringEnabled"], in["monitoringOnCallEnabled"])
		}
	})
	run(map[string]any{"operation": "install_extension", "options": map[string]any{"dbname": "appdb",
		"extensions_list": []any{map[string]any{"name": "pgcrypto"}, map[string]any{"name": "pg_trgm"}}}}, func() {
		if strings.Contains(string(e.call("GET", pgURL(id, "databases"), nil).raw), "appdb") {
			t.Error("database created before the action ended")
		}
	}, func(map[string]any) {
		var dbs []Database
		_ = json.Unmarshal(e.mustStatus(e.call("GET", pgURL(id, "databases"), nil), 200).raw, &dbs)
		if len(dbs) != 2 || dbs[1].Name != "appdb" || len(dbs[1].Extensions) != 3 || dbs[1].Extensions[1].Name != "pgcrypto" {
			t.Errorf("databases after install_extension: %+v", dbs)
		}
	})
	run(map[string]any{"operation": "restore", "options": map[string]any{"sourceId": src.ID, "stop": "AFTER",
		"timestamp": time.Now().Add(-time.Hour).Format("2006-01-02T15:04:05.000-07:00")}}, nil, func(map[string]any) {
		var dbs []Database
		_ = json.Unmarshal(e.call("GET", pgURL(id, "databases"), nil).raw, &dbs)
		if len(dbs) != 1 || dbs[0].Name != "postgres" {
			t.Errorf("databases after restore from a fresh source: %+v", dbs)
		}
	})
	run(map[string]any{"operation": "upgrade", "options": map[string]any{"targetVersion": "16"}}, func() {
		if e.get(id)["version"] != "15" {
			t.Error("version changed before the action ended")
		}
	}, func(in map[string]any) {
		if in["version"] != "16" || in["productCode"] != "deb12pg16" || !strings.HasPrefix(in["productVersion"].(string), "16.") {
			t.Errorf("after upgrade %v %v %v", in["version"], in["productCode"], in["productVersion"])
		}
		if v := string(e.call("GET", pgURL(id, "versions"), nil).raw); strings.TrimSpace(v) != "[17]" {
			t.Errorf("versions of a 16: %s", v)
		}
	})
	run(map[string]any{"operation": "enable_ha", "options": map[string]any{"replicationLag": 77}}, func() {
		if e.get(id)["topology"] != "STANDALONE" {
			t.Error("topology changed before the action ended")
		}
	}, func(in map[string]any) {
		if in["topology"] != "HA" || in["nodeCount"] != 3.0 || in["instanceCount"] != 3.0 || in["allowedReplicationLag"] != 77.0 {
			t.Errorf("after enable_ha %v %v %v", in["topology"], in["nodeCount"], in["allowedReplicationLag"])
		}
		var nodes []Node
		_ = json.Unmarshal(e.call("GET", pgURL(id, "nodes"), nil).raw, &nodes)
		if len(nodes) != 3 || nodes[2].Name != "TARGET0103" {
			t.Errorf("nodes after enable_ha: %d", len(nodes))
		}
	})

	// update_patch_party answers an action that is already finished.
	r := e.mustStatus(e.call("PATCH", pgURL(id), map[string]any{"operation": "update_patch_party",
		"options": map[string]any{"patchParty": map[string]any{"excluded": true, "exclusionReason": "manual"}}}), 202)
	if r.obj()["status"] != ActionSuccess || r.obj()["completedAt"] == nil {
		t.Errorf("patch party action %s", r.raw)
	}
	pp := e.get(id)["patchParty"].(map[string]any)
	if pp["excluded"] != true || pp["exclusionReason"] != "manual" || pp["excludedBy"] != DefaultClientID || pp["exclusionDate"] == nil {
		t.Errorf("patch party %v", pp)
	}

	d := e.mustStatus(e.call("DELETE", pgURL(id), nil), 202)
	if d.obj()["process"] != "POSTGRESQL_DELETE" || e.get(id)["status"] != StatusDeleting {
		t.Errorf("delete %s", d.raw)
	}
	if a := e.waitAction(d.actionID()); a["status"] != ActionSuccess {
		t.Fatalf("delete action %v", a)
	}
	g := e.mustStatus(e.call("GET", pgURL(id), nil), 404)
	if g.obj()["errorCode"] != "NOT_FOUND" || g.obj()["status"] != "NOT_FOUND" {
		t.Errorf("404 body %s", g.raw)
	}
	e.mustStatus(e.call("GET", pgURL(id, "nodes"), nil), 404)
	e.mustStatus(e.call("DELETE", pgURL(id), nil), 404)
}

func TestStatusBeforeActionEnds(t *testing.T) {
	e := newEnv(t, time.Hour)
	id := e.seed(validCreate("slowdb01")).ID
	r := e.mustStatus(e.call("PATCH", pgURL(id), map[string]any{"operation": "stop"}), 202)
	time.Sleep(20 * time.Millisecond)
	a := e.mustStatus(e.call("GET", fmt.Sprintf("/itcare/actions/%d", r.actionID()), nil), 200).obj()
	if a["status"] != ActionInProgress || e.get(id)["status"] != StatusUpdating {
		t.Fatalf("action %v", a)
	}
}

func TestListAndSubResources(t *testing.T) {
	e := newEnv(t, testDuration)
	ha := e.seed(with(validHA("hadb0001"), "postgreVersion", "13"))
	for i := range 5 {
		e.seed(validCreate(fmt.Sprintf("listdb%02d", i)))
	}
	var pg page[Instance]
	_ = json.Unmarshal(e.mustStatus(e.call("GET", "/itcare/databases/postgresql?name=hadb0001", nil), 200).raw, &pg)
	if pg.TotalElements != 1 || len(pg.Content) != 1 || pg.Content[0].ID != ha.ID || !pg.First || !pg.Last {
		t.Errorf("name lookup: %+v", pg)
	}
	_ = json.Unmarshal(e.call("GET", "/itcare/databases/postgresql?name=hadb", nil).raw, &pg)
	if pg.TotalElements != 0 || !pg.Empty {
		t.Errorf("prefix must not match: %+v", pg.TotalElements)
	}
	_ = json.Unmarshal(e.call("GET", "/itcare/databases/postgresql?page=1&size=4", nil).raw, &pg)
	if pg.TotalElements != 6 || pg.TotalPages != 2 || pg.NumberOfElements != 2 || pg.Number != 1 || pg.First || !pg.Last {
		t.Errorf("paging: %+v", pg)
	}
	e.mustStatus(e.call("GET", "/itcare/databases/postgresql?page=-1", nil), 400)

	var nodes []Node
	_ = json.Unmarshal(e.mustStatus(e.call("GET", pgURL(ha.ID, "nodes"), nil), 200).raw, &nodes)
	if len(nodes) != 3 {
		t.Fatalf("HA nodes %d", len(nodes))
	}
	ips := map[string]bool{}
	for i, n := range nodes {
		if n.Name != fmt.Sprintf("PGNODE%02d", i+1) || n.CPU != 2 || n.RAM != 4 || n.Storage != 40 || n.OSName != "Debian 12" ||
			n.Region.DataCenter == "" || n.Area.ID != "EB-QA" || n.Network.CIDR != "10.20.1.0/24" || !strings.HasPrefix(n.IPAddress, "10.20.1.") {
			t.Errorf("node %d: %+v", i, n)
		}
		ips[n.IPAddress] = true
	}
	if len(ips) != 3 || nodes[0].AvailabilityZone.ID != "EB-QA-A" || nodes[1].AvailabilityZone.ID != "EB-QA-B" {
		t.Errorf("node placement: %v %s %s", ips, nodes[0].AvailabilityZone.ID, nodes[1].AvailabilityZone.ID)
	}
	var nets []NetworkView
	_ = json.Unmarshal(e.mustStatus(e.call("GET", pgURL(ha.ID, "networks"), nil), 200).raw, &nets)
	if len(nets) != 1 || nets[0].ID != 2001 || nets[0].Mask != "255.255.255.0" || nets[0].Gateway != "10.20.1.1" ||
		len(nets[0].DNS) != 1 || nets[0].DNS[0].Alias != "hadb0001" {
		t.Errorf("networks %+v", nets)
	}
	var exts []Extension
	_ = json.Unmarshal(e.mustStatus(e.call("GET", pgURL(ha.ID, "extensions"), nil), 200).raw, &exts)
	restart := map[string]bool{}
	for _, x := range exts {
		restart[x.Name] = x.RequiresRestarting
	}
	if len(exts) != 14 || !restart["pgaudit"] || !restart["pg_cron"] || restart["pgcrypto"] {
		t.Errorf("extensions %+v", exts)
	}
	if v := strings.TrimSpace(string(e.call("GET", pgURL(ha.ID, "versions"), nil).raw)); v != "[14,15,16,17]" {
		t.Errorf("versions %s", v)
	}
	var dbs []Database
	_ = json.Unmarshal(e.call("GET", pgURL(ha.ID, "databases"), nil).raw, &dbs)
	if len(dbs) != 1 || dbs[0].Name != "postgres" || dbs[0].Extensions[0] != (DatabaseExtension{"plpgsql", "pg_catalog", "1.0"}) {
		t.Errorf("databases %+v", dbs)
	}
	e.mustStatus(e.call("GET", pgURL(ha.ID, "backups"), nil), 404)
	e.mustStatus(e.call("GET", "/itcare/databases/postgresql/abc", nil), 400)
	e.mustStatus(e.call("PUT", pgURL(ha.ID), "{}"), 405)
}

func TestActionSearch(t *testing.T) {
	e := newEnv(t, testDuration)
	a := e.mustStatus(e.call("POST", "/itcare/databases/postgresql", validCreate("searcha1")), 202)
	e.srv.SetActionDuration(time.Hour)
	b := e.mustStatus(e.call("POST", "/itcare/databases/postgresql", with(validCreate("searchb1"), "area", "EB-PROD", "networkId", 2002, "serviceId", 1002)), 202)
	e.waitAction(a.actionID())
	idB := int64(b.obj()["internalId"].(float64))
	count := func(q string) int {
		var list []map[string]any
		r := e.mustStatus(e.call("GET", "/itcare/actions"+q, nil), 200)
		if err := json.Unmarshal(r.raw, &list); err != nil {
			t.Fatalf("actions %s: not a bare array: %s", q, r.raw)
		}
		return len(list)
	}
	cases := map[string]int{
		"":                                         2,
		"?resourceName=searcha1":                   1,
		"?resourceName=searcha":                    0,
		fmt.Sprintf("?resourceId=%d", idB):         1,
		"?serviceId=1002":                          1,
		"?statuses=SUCCESS":                        1,
		"?statuses=SUCCESS&statuses=ERROR":         1,
		"?statuses=SUCCESS,IN_PROGRESS":            2,
		"?statuses=ERROR":                          0,
		fmt.Sprintf("?requestId=%d", a.actionID()): 1,
	}
	for q, want := range cases {
		if got := count(q); got != want {
			t.Errorf("actions%s: %d, want %d", q, got, want)
		}
	}
	e.mustStatus(e.call("GET", "/itcare/actions?resourceId=x", nil), 400)
	e.mustStatus(e.call("GET", "/itcare/actions/999", nil), 404)
}
