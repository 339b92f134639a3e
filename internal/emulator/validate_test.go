package emulator

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

func TestCreateValidation(t *testing.T) {
	e := newEnv(t, time.Hour)
	e.seed(validCreate("taken01"))

	type row struct {
		name string
		body map[string]any
		desc string // "" = accepted (202)
	}
	ok := func(name string, kv ...any) row { return row{name, with(validCreate(""), kv...), ""} }
	bad := func(name, desc string, kv ...any) row { return row{name, with(validCreate(""), kv...), desc} }
	okHA := func(name string, kv ...any) row { return row{name, with(validHA(""), kv...), ""} }
	badHA := func(name, desc string, kv ...any) row { return row{name, with(validHA(""), kv...), desc} }
	rows := []row{
		ok("minimal valid body"),
		bad("name missing", "name", "name", nil),
		bad("name too short", "name", "name", "abcd"),
		ok("name of 5", "name", "abcde"),
		ok("name of 60", "name", strings.Repeat("a", 60)),
		bad("name of 61", "name", "name", strings.Repeat("a", 61)),
		bad("name uppercase", "name", "name", "NEWPOSTGRE01"),
		bad("name with dash", "name", "name", "my-db-01"),
		bad("name cluster", "name", "name", "cluster"),
		bad("name taken", "name", "name", "taken01"),
		bad("area missing", "area", "area", nil),
		bad("area unknown", "area", "area", "XX-QA"),
		bad("nodeSizing missing", "nodeSizing", "nodeSizing", nil),
		bad("nodeSizing bad form", "nodeSizing", "nodeSizing", "2cpu"),
		bad("nodeSizing zero cpu", "nodeSizing", "nodeSizing", "0cpu4gb"),
		ok("nodeSizing 16cpu64gb", "nodeSizing", "16cpu64gb"),
		bad("diskSize missing", "diskSize", "diskSize", nil),
		bad("diskSize 39", "diskSize", "diskSize", 39),
		ok("diskSize 1024", "diskSize", 1024),
		bad("diskSize 1025", "diskSize", "diskSize", 1025),
		bad("diskSize not a number", "diskSize", "diskSize", "big"),
		bad("password missing", "admPassword", "admPassword", nil),
		bad("password 11 chars", "admPassword", "admPassword", "Abc123@xyzq"),
		bad("password no lower", "admPassword", "admPassword", "ABC123@XYZQW"),
		bad("password no upper", "admPassword", "admPassword", "abc123@xyzqw"),
		bad("password no digit", "admPassword", "admPassword", "Abcdef@xyzqw"),
		bad("password no special", "admPassword", "admPassword", "Abc123xyzqwe"),
		ok("password 12 chars", "admPassword", "Abc123@xyzqw"),
		bad("version missing", "postgreVersion", "postgreVersion", nil),
		bad("version 9", "postgreVersion", "postgreVersion", "9"),
		ok("version 17", "postgreVersion", "17"),
		bad("version 18", "postgreVersion", "postgreVersion", "18"),
		ok("version 10", "postgreVersion", "10"),
		ok("version 16 as number", "postgreVersion", 16),
		bad("serviceId missing", "serviceId", "serviceId", nil),
		bad("serviceId unknown", "serviceId", "serviceId", 999),
		bad("networkId missing", "networkId", "networkId", nil),
		bad("networkId unknown", "networkId", "networkId", 999),
		bad("network of another area", "networkId", "networkId", 2003),
		ok("network of ET-QA", "area", "ET-QA", "networkId", 2003),
		bad("topology missing", "topology", "topology", nil),
		bad("topology bogus", "topology", "topology", "CLUSTER"),
		ok("topology lower case", "topology", "standalone"),
		bad("trigram missing", "trigram", "trigram", nil),
		bad("trigram 4 letters", "trigram", "trigram", "abcd"),
		bad("trigram digits", "trigram", "trigram", "ab1"),
		ok("trigram upper", "trigram", "ABC"),
		bad("lag 10241", "allowedReplicationLag", "allowedReplicationLag", 10241),
		bad("lag negative", "allowedReplicationLag", "allowedReplicationLag", -1),
		ok("lag 10240", "allowedReplicationLag", 10240),
		ok("lag absent", "allowedReplicationLag", nil),
		// The reference page's own create example sends az with STANDALONE.
		ok("standalone with nodePrefix", "nodePrefix", "PGNODE"),
		ok("standalone with az", "az", "EB-QA-A"),
		ok("standalone with tls", "tls", true),
		okHA("HA valid"),
		badHA("HA nodePrefix missing", "nodePrefix", "nodePrefix", nil),
		badHA("HA nodePrefix 4", "nodePrefix", "nodePrefix", "ABCD"),
		badHA("HA nodePrefix 13", "nodePrefix", "nodePrefix", strings.Repeat("A", 13)),
		badHA("HA nodePrefix lowercase", "nodePrefix", "nodePrefix", "pgnode"),
		okHA("HA nodePrefix 12 with digits", "nodePrefix", "PGNODE000001"),
		badHA("HA az missing", "az", "az", nil),
		badHA("HA az of another area", "az", "az", "ET-QA-A"),
		badHA("HA tls missing", "tls", "tls", nil),
		okHA("HA tls false", "tls", false),
		bad("prod without backup, no reason", "noBackupProdReason", "area", "EB-PROD", "networkId", 2002, "serviceId", 1002, "backupEnabled", false),
		ok("prod without backup, with reason", "area", "EB-PROD", "networkId", 2002, "serviceId", 1002, "backupEnabled", false, "noBackupProdReason", "test data only"),
		bad("prod without monitoring, no reason", "noMonitoringProdReason", "area", "EB-PROD", "networkId", 2002, "serviceId", 1002, "monitoringEnabled", false),
		ok("dev without backup", "backupEnabled", false),
		bad("backupEnabled not a boolean", "backupEnabled", "backupEnabled", "maybe"),
	}
	for i, r := range rows {
		t.Run(r.name, func(t *testing.T) {
			e.t = t
			if _, set := r.body["name"]; set && r.body["name"] == "" {
				r.body["name"] = fmt.Sprintf("valid%03d", i)
			}
			resp := e.call("POST", "/itcare/databases/postgresql", r.body)
			if r.desc == "" {
				e.mustStatus(resp, 202)
				return
			}
			e.mustStatus(resp, 400)
			if got := resp.errorDesc(); got != r.desc {
				t.Fatalf("errorDesc %q, want %q (%s)", got, r.desc, resp.raw)
			}
			o := resp.obj()
			if o["status"] != "BAD_REQUEST" || o["errorCode"] != "INVALID_FIELD_VALUE" ||
				!strings.HasPrefix(o["errorMessage"].(string), "Error on field '"+r.desc+"': ") {
				t.Fatalf("error body %s", resp.raw)
			}
		})
	}
}

func TestCreateMalformed(t *testing.T) {
	e := newEnv(t, time.Hour)
	for _, body := range []string{"", "{", "[1,2]", `{"name": "abcde"} trailing`} {
		r := e.call("POST", "/itcare/databases/postgresql", body)
		if r.status != 400 {
			t.Errorf("body %q: status %d, want 400", body, r.status)
		}
	}
	r := e.call("POST", "/itcare/databases/postgresql", `{"name": 12345, "area": ["x"]}`)
	e.mustStatus(r, 400)
	if r.errorDesc() != "area" {
		t.Errorf("errorDesc %q, want area", r.errorDesc())
	}
}

// patchEnv is an emulator with one instance of each shape a rule needs.
type patchEnv struct {
	*env
	ids map[string]int64
}

func newPatchEnv(t *testing.T) *patchEnv {
	e := newEnv(t, time.Hour)
	p := &patchEnv{env: e, ids: map[string]int64{}}
	monthAgo := time.Now().Add(-30 * 24 * time.Hour).UTC().Format(time.RFC3339)
	seed := func(key string, body map[string]any) {
		p.ids[key] = e.seed(body).ID
		// Old enough for every restore window below.
		if err := e.srv.UpdateInstance(p.ids[key], map[string]any{"creationTime": monthAgo}); err != nil {
			t.Fatal(err)
		}
	}
	seed("std15", validCreate("std15"))
	seed("std11", with(validCreate("std11"), "postgreVersion", "11"))
	seed("std14", with(validCreate("std14"), "postgreVersion", "14"))
	seed("ha15", validHA("ha15db"))
	seed("prod15", with(validCreate("prod15"), "area", "EB-PROD", "networkId", 2002, "serviceId", 1002))
	seed("nobackup15", with(validCreate("nobackup15"), "backupEnabled", false))
	seed("stopped15", validCreate("stopped15"))
	if err := e.srv.UpdateInstance(p.ids["stopped15"], map[string]any{"status": "STOPPED"}); err != nil {
		t.Fatal(err)
	}
	seed("src15", validCreate("src15"))
	seed("std16", with(validCreate("std16"), "postgreVersion", "16"))
	p.ids["young15"] = e.seed(validCreate("young15")).ID
	return p
}

func TestPatchValidation(t *testing.T) {
	ago := func(d time.Duration) string { return time.Now().Add(-d).UTC().Format("2006-01-02T15:04:05.000+00:00") }
	type row struct {
		name   string
		target string
		body   map[string]any
		desc   string // "" = accepted (202)
		status int    // when not 400/202
	}
	op := func(name string, opts map[string]any) map[string]any {
		m := map[string]any{"operation": name}
		if opts != nil {
			m["options"] = opts
		}
		return m
	}
	restore := func(src string, kv ...any) func(p *patchEnv) map[string]any {
		return func(p *patchEnv) map[string]any {
			o := map[string]any{"sourceId": p.ids[src], "stop": "BEFORE", "timestamp": ago(time.Hour)}
			return op("restore", with(o, kv...))
		}
	}
	type dyn struct {
		row
		mk func(p *patchEnv) map[string]any
	}
	rows := []dyn{
		{row{name: "operation missing", target: "std15", body: map[string]any{}, desc: "operation"}, nil},
		{row{name: "operation unknown", target: "std15", body: op("reboot", nil), desc: "operation"}, nil},
		{row{name: "options not an object", target: "std15", body: map[string]any{"operation": "resize", "options": "x"}, desc: "options"}, nil},
		{row{name: "start a stopped instance", target: "stopped15", body: op("start", nil)}, nil},
		{row{name: "start an active instance (no-op)", target: "std15", body: op("start", nil)}, nil},
		{row{name: "stop", target: "std15", body: op("stop", nil)}, nil},
		{row{name: "resize", target: "std15", body: op("resize", map[string]any{"sizing": "4cpu8gb"})}, nil},
		{row{name: "resize a stopped instance", target: "stopped15", body: op("resize", map[string]any{"sizing": "4cpu8gb"})}, nil},
		{row{name: "resize without sizing", target: "std15", body: op("resize", map[string]any{}), desc: "sizing"}, nil},
		{row{name: "resize bad sizing", target: "std15", body: op("resize", map[string]any{"sizing": "4 cpu"}), desc: "sizing"}, nil},
		{row{name: "restore valid", target: "std15"}, restore("src15")},
		{row{name: "restore from prod 10 days ago", target: "std15"}, restore("prod15", "timestamp", ago(10*24*time.Hour))},
		{row{name: "restore from prod 15 days ago", target: "std15", desc: "timestamp"}, restore("prod15", "timestamp", ago(15*24*time.Hour))},
		{row{name: "restore from dev 8 days ago", target: "prod15", desc: "timestamp"}, restore("std15", "timestamp", ago(8*24*time.Hour))},
		{row{name: "restore from dev 6 days ago", target: "prod15"}, restore("std15", "timestamp", ago(6*24*time.Hour))},
		{row{name: "restore from before the source existed", target: "std15", desc: "timestamp"}, restore("young15", "timestamp", ago(time.Hour))},
		{row{name: "restore in the future", target: "std15", desc: "timestamp"}, restore("prod15", "timestamp", time.Now().Add(time.Hour).UTC().Format(time.RFC3339))},
		{row{name: "restore timestamp +hhmm", target: "std15"}, restore("prod15", "timestamp", time.Now().Add(-time.Hour).Format("2006-01-02T15:04:05.000-0700"))},
		{row{name: "restore timestamp Z", target: "std15"}, restore("prod15", "timestamp", time.Now().Add(-time.Hour).UTC().Format("2006-01-02T15:04:05Z"))},
		{row{name: "restore timestamp without zone", target: "std15", desc: "timestamp"}, restore("prod15", "timestamp", "2022-11-02T09:32:02")},
		{row{name: "restore timestamp missing", target: "std15", desc: "timestamp"}, restore("prod15", "timestamp", nil)},
		{row{name: "restore stop missing", target: "std15", desc: "stop"}, restore("prod15", "stop", nil)},
		{row{name: "restore stop bogus", target: "std15", desc: "stop"}, restore("prod15", "stop", "DURING")},
		{row{name: "restore stop AFTER", target: "std15"}, restore("prod15", "stop", "AFTER")},
		{row{name: "restore sourceId missing", target: "std15", desc: "sourceId"}, restore("prod15", "sourceId", nil)},
		{row{name: "restore unknown source", target: "std15", desc: "sourceId"}, restore("prod15", "sourceId", 42)},
		{row{name: "restore from itself", target: "std15", desc: "sourceId"}, restore("std15")},
		{row{name: "restore other version", target: "std15", desc: "sourceId"}, restore("std14")},
		{row{name: "restore source not backed up", target: "prod15", desc: "sourceId"}, restore("nobackup15")},
		{row{name: "restore source stopped", target: "std15", desc: "sourceId"}, restore("stopped15")},
		{row{name: "restore into a stopped instance", target: "stopped15", desc: "status"}, restore("std15")},
		{row{name: "enable_ha valid", target: "std15", body: op("enable_ha", map[string]any{"replicationLag": 50, "changeReference": "000"})}, nil},
		{row{name: "enable_ha lag 500", target: "std15", body: op("enable_ha", map[string]any{"replicationLag": 500})}, nil},
		{row{name: "enable_ha lag 501", target: "std15", body: op("enable_ha", map[string]any{"replicationLag": 501}), desc: "replicationLag"}, nil},
		{row{name: "enable_ha lag 0", target: "std15", body: op("enable_ha", map[string]any{"replicationLag": 0}), desc: "replicationLag"}, nil},
		{row{name: "enable_ha lag missing", target: "std15", body: op("enable_ha", map[string]any{}), desc: "replicationLag"}, nil},
		{row{name: "enable_ha on version 11", target: "std11", body: op("enable_ha", map[string]any{"replicationLag": 50}), desc: "version"}, nil},
		{row{name: "enable_ha on HA", target: "ha15", body: op("enable_ha", map[string]any{"replicationLag": 50}), desc: "topology"}, nil},
		{row{name: "update_monitoring", target: "std15", body: op("update_monitoring", map[string]any{"state": false, "on_call": false})}, nil},
		{row{name: "update_monitoring on_call only", target: "std15", body: op("update_monitoring", map[string]any{"on_call": true})}, nil},
		{row{name: "update_monitoring empty", target: "std15", body: op("update_monitoring", map[string]any{}), desc: "state"}, nil},
		{row{name: "update_monitoring state not bool", target: "std15", body: op("update_monitoring", map[string]any{"state": "on"}), desc: "state"}, nil},
		{row{name: "patch party include with group", target: "std15", body: op("update_patch_party", map[string]any{"patchParty": map[string]any{"excluded": false, "patchGroup": "3"}})}, nil},
		{row{name: "patch party exclude with reason", target: "std15", body: op("update_patch_party", map[string]any{"patchParty": map[string]any{"excluded": true, "exclusionReason": "I patch it myself"}})}, nil},
		{row{name: "patch party exclude without reason", target: "std15", body: op("update_patch_party", map[string]any{"patchParty": map[string]any{"excluded": true}}), desc: "exclusionReason"}, nil},
		{row{name: "patch party group on HA", target: "ha15", body: op("update_patch_party", map[string]any{"patchParty": map[string]any{"excluded": false, "patchGroup": "2"}}), desc: "patchGroup"}, nil},
		{row{name: "patch party HA without group", target: "ha15", body: op("update_patch_party", map[string]any{"patchParty": map[string]any{"excluded": false}})}, nil},
		{row{name: "patch party group 4", target: "std15", body: op("update_patch_party", map[string]any{"patchParty": map[string]any{"excluded": false, "patchGroup": "4"}}), desc: "patchGroup"}, nil},
		{row{name: "patch party missing", target: "std15", body: op("update_patch_party", map[string]any{}), desc: "patchParty"}, nil},
		{row{name: "patch party excluded missing", target: "std15", body: op("update_patch_party", map[string]any{"patchParty": map[string]any{}}), desc: "excluded"}, nil},
		{row{name: "install_extension", target: "std15", body: op("install_extension", map[string]any{"dbname": "mydb", "extensions_list": []any{map[string]any{"name": "pgcrypto"}, map[string]any{"name": "pg_trgm"}}})}, nil},
		{row{name: "install_extension unknown", target: "std15", body: op("install_extension", map[string]any{"dbname": "mydb", "extensions_list": []any{map[string]any{"name": "timescaledb"}}}), desc: "extensions_list"}, nil},
		{row{name: "install_extension empty list", target: "std15", body: op("install_extension", map[string]any{"dbname": "mydb", "extensions_list": []any{}}), desc: "extensions_list"}, nil},
		{row{name: "install_extension no dbname", target: "std15", body: op("install_extension", map[string]any{"extensions_list": []any{map[string]any{"name": "pgcrypto"}}}), desc: "dbname"}, nil},
		{row{name: "install_extension bad dbname", target: "std15", body: op("install_extension", map[string]any{"dbname": "My-DB", "extensions_list": []any{map[string]any{"name": "pgcrypto"}}}), desc: "dbname"}, nil},
		{row{name: "install_extension on version 14", target: "std14", body: op("install_extension", map[string]any{"dbname": "mydb", "extensions_list": []any{map[string]any{"name": "pgcrypto"}}}), desc: "version"}, nil},
		{row{name: "upgrade 15 to 16", target: "std15", body: op("upgrade", map[string]any{"targetVersion": "16", "changeReference": "RFC 1234"})}, nil},
		{row{name: "upgrade target as number", target: "std11", body: op("upgrade", map[string]any{"targetVersion": 13})}, nil},
		{row{name: "upgrade to same version", target: "std15", body: op("upgrade", map[string]any{"targetVersion": "15"}), desc: "targetVersion"}, nil},
		{row{name: "upgrade downwards", target: "std15", body: op("upgrade", map[string]any{"targetVersion": "14"}), desc: "targetVersion"}, nil},
		{row{name: "upgrade from 16", target: "std16", body: op("upgrade", map[string]any{"targetVersion": "18"}), desc: "targetVersion"}, nil},
		{row{name: "upgrade missing target", target: "std15", body: op("upgrade", map[string]any{}), desc: "targetVersion"}, nil},
		{row{name: "upgrade a stopped instance", target: "stopped15", body: op("upgrade", map[string]any{"targetVersion": "16"}), desc: "status"}, nil},
		{row{name: "unknown instance", target: "none", body: op("stop", nil), status: 404}, nil},
	}
	for _, r := range rows {
		t.Run(r.name, func(t *testing.T) {
			p := newPatchEnv(t)
			body := r.body
			if r.mk != nil {
				body = r.mk(p)
			}
			id, ok := p.ids[r.target]
			if !ok {
				id = 1
			}
			resp := p.call("PATCH", pgURL(id), body)
			switch {
			case r.status != 0:
				p.mustStatus(resp, r.status)
			case r.desc == "":
				p.mustStatus(resp, 202)
			default:
				p.mustStatus(resp, 400)
				if got := resp.errorDesc(); got != r.desc {
					t.Fatalf("errorDesc %q, want %q (%s)", got, r.desc, resp.raw)
				}
			}
		})
	}
}
