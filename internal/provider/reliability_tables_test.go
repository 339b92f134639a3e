package provider_test

// The tables of the reliability tests, in one place: the tests iterate over
// them, and TestReliabilityDoc renders RELIABILITY.md's generated section
// from them, so the document lists exactly the cases the tests try.

import (
	"fmt"
	"strings"
	"time"

	"github.com/cegedim-cloud/terraform-provider-itcare/internal/acctest"
	"github.com/cegedim-cloud/terraform-provider-itcare/internal/emulator"
)

// transientFault is one kind of fault the network or ITCare may produce,
// and how the resource must behave when it hits each phase.
type transientFault struct {
	name string
	// fault is the fault to inject; Method, Path and Count are set per phase.
	fault emulator.Fault
	// status is what the request log shows for a hit (0: dropped).
	status int
	// createError, when set, is the error a create hit by the fault must
	// give: a create is not resent when ITCare may have received it.
	createError string
	// perCall caps how many requests of one call the fault hits in a row:
	// a token is revoked once, and the token fetched after it is good.
	perCall int
}

var transientFaults = []transientFault{
	{name: "429 with Retry-After", fault: emulator.Fault{Kind: emulator.FaultStatus, Status: 429, RetryAfter: time.Second}, status: 429},
	{name: "500", fault: emulator.Fault{Kind: emulator.FaultStatus, Status: 500}, status: 500,
		createError: `(?s)Error Creating PostgreSQL Instance.*POST\s+/databases/postgresql:\s+500.*Nothing\s+was\s+recorded`},
	{name: "502", fault: emulator.Fault{Kind: emulator.FaultStatus, Status: 502}, status: 502,
		createError: `(?s)Error Creating PostgreSQL Instance.*did\s+not\s+say\s+whether.*502.*found\s+nothing.*apply\s+again`},
	{name: "503", fault: emulator.Fault{Kind: emulator.FaultStatus, Status: 503}, status: 503,
		createError: `(?s)Error Creating PostgreSQL Instance.*did\s+not\s+say\s+whether.*503.*found\s+nothing.*apply\s+again`},
	{name: "dropped connection", fault: emulator.Fault{Kind: emulator.FaultDrop}, status: 0,
		createError: `(?s)Error Creating PostgreSQL Instance.*did\s+not\s+say\s+whether.*found\s+nothing.*apply\s+again`},
	{name: "token expiry", fault: emulator.Fault{Kind: emulator.FaultTokenExpiry}, status: 401, perCall: 1},
	// The provider abandons the attempt (acctest.SlowAnswerTimeout) and the
	// emulator, seeing the request gone, does nothing: nothing is answered.
	{name: "slow answer past the client timeout", fault: emulator.Fault{Kind: emulator.FaultLatency, Latency: acctest.SlowAnswerTimeout + 2*time.Second}, status: 0,
		createError: `(?s)Error Creating PostgreSQL Instance.*did\s+not\s+say\s+whether.*found\s+nothing.*apply\s+again`},
}

func (tf transientFault) on(method, pathPrefix, name string, count int) emulator.Fault {
	f := tf.fault
	if tf.perCall > 0 {
		count = min(count, tf.perCall)
	}
	f.Method, f.Path, f.InstanceName, f.Count = method, pathPrefix, name, count
	return f
}

// badConfig is an invalid configuration and the error that must name
// what is wrong. TestAccPostgreSQL_validation covers every documented
// rule once; these are the inputs it lacks: wrong types, empty strings,
// Unicode look-alikes, huge values and unknown arguments.
type badConfig struct {
	name string
	// overrides are applied to a valid standalone (or HA) instance.
	overrides map[string]string
	ha        bool
	re        string
	// apply is set when only ITCare can refuse the value: the error comes
	// from the create request, which must not create anything.
	apply bool
}

func ov(kv ...string) map[string]string {
	m := map[string]string{}
	for i := 0; i+1 < len(kv); i += 2 {
		m[kv[i]] = kv[i+1]
	}
	return m
}

var badConfigs = []badConfig{
	// Wrong types.
	{name: "disk_size as a word", overrides: ov("disk_size", `"forty"`), re: `(?s)Inappropriate value for attribute "disk_size".*number is required`},
	{name: "service_id as a word", overrides: ov("service_id", `"abc"`), re: `(?s)Inappropriate value for attribute "service_id".*number is required`},
	{name: "tls as a word", overrides: ov("tls", `"maybe"`), re: `(?s)Inappropriate value for attribute "tls".*bool is required`},
	{name: "extensions as a string", overrides: ov("extensions", `"pg_trgm"`), re: `(?s)Inappropriate value for attribute "extensions".*set of object required`},
	{name: "patch_party as a string", overrides: ov("patch_party", `"monthly"`), re: `(?s)Inappropriate value for attribute "patch_party".*object required`},
	{name: "restore as a list", overrides: ov("restore", `[]`), re: `(?s)Inappropriate value for attribute "restore".*object required`},
	{name: "topology as a list", overrides: ov("topology", `["HA"]`), re: `(?s)Inappropriate value for attribute "topology".*string required`},
	{name: "password version as a word", overrides: ov("adm_password_wo_version", `"one"`), re: `(?s)Inappropriate value for attribute "adm_password_wo_version".*number is required`},
	{name: "disk_size with a fraction", overrides: ov("disk_size", `40.5`), re: `(?s)disk_size.*(integer|int64|whole number)`},
	{name: "name as a number", overrides: ov("name", `42`), re: `Attribute\s+name\s+string\s+length\s+must\s+be\s+between\s+5\s+and\s+60`},
	{name: "power_state as a bool", overrides: ov("power_state", `true`), re: `Attribute\s+power_state\s+value\s+must\s+be\s+one\s+of`},
	{name: "unknown argument", overrides: ov("colour", `"blue"`), re: `An argument named "colour" is not expected here`},
	{name: "required argument null", overrides: ov("network_id", `null`), re: `(?s)Missing Configuration for Required Attribute.*value for the network_id attribute`},
	{name: "timeout not a duration", overrides: ov("timeouts", `{ create = "forever" }`), re: `(?s)Invalid Attribute Value Time Duration.*"forever" must be a string containing a sequence of decimal numbers`},
	// Empty strings.
	{name: "empty name", overrides: ov("name", `""`), re: `Attribute\s+name\s+string\s+length\s+must\s+be\s+between\s+5\s+and\s+60`},
	{name: "empty area", overrides: ov("area", `""`), re: `Attribute\s+area\s+string\s+length\s+must\s+be\s+at\s+least\s+1`},
	{name: "empty trigram", overrides: ov("trigram", `""`), re: `Attribute\s+trigram\s+string\s+length\s+must\s+be\s+at\s+least\s+1`},
	{name: "empty node_sizing", overrides: ov("node_sizing", `""`), re: `Attribute\s+node_sizing\s+must\s+look\s+like\s+2cpu4gb`},
	{name: "empty version", overrides: ov("version", `""`), re: `version\s+must\s+be\s+a\s+major\s+version`},
	{name: "version with a leading zero", overrides: ov("version", `"015"`), re: `version\s+must\s+be\s+a\s+major\s+version\s+only.*without\s+a\s+leading\s+zero`},
	{name: "empty password", overrides: ov("adm_password_wo", `""`), re: `adm_password_wo\s+must\s+have\s+at\s+least\s+12\s+characters`},
	{name: "password of spaces", overrides: ov("adm_password_wo", `"              "`), re: `(?s)adm_password_wo\s+must\s+have.*lacks.*lowercase`},
	{name: "empty availability_zone", ha: true, overrides: ov("availability_zone", `""`), re: `Attribute\s+availability_zone\s+string\s+length\s+must\s+be\s+at\s+least\s+1`},
	{name: "empty extension database", overrides: ov("extensions", `[{ database = "", name = "pg_trgm" }]`), re: `Attribute\s+extensions.*database\s+string\s+length\s+must\s+be\s+at\s+least\s+1`},
	{name: "empty exclusion reason", overrides: ov("patch_party", `{ excluded = true, exclusion_reason = "" }`), re: `Attribute\s+patch_party\.exclusion_reason\s+string\s+length\s+must\s+be\s+at\s+least\s+1`},
	{name: "empty restore timestamp", overrides: ov("restore", `{ source_id = 12, timestamp = "", stop = "AFTER" }`), re: `restore\.timestamp\s+must\s+be\s+an\s+RFC\s+3339\s+date-time`},
	{name: "exclusion reason without exclusion", overrides: ov("patch_party", `{ exclusion_reason = "legacy" }`), re: `(?s)Exclusion Reason Without Exclusion.*excluded\s+=\s+true`},
	{name: "exclusion reason of an included instance", overrides: ov("patch_party", `{ excluded = false, exclusion_reason = "legacy" }`), re: `Exclusion Reason Without Exclusion`},
	{name: "unknown patch group", overrides: ov("patch_party", `{ patch_group = "bogus" }`), re: `Attribute\s+patch_party\.patch_group\s+value\s+must\s+be\s+one\s+of`},
	{name: "negative timeout", overrides: ov("timeouts", `{ create = "-5m" }`), re: `(?s)Invalid Timeout.*timeouts\.create\s+must\s+be\s+a\s+positive\s+duration`},
	{name: "zero timeout", overrides: ov("timeouts", `{ update = "0s" }`), re: `(?s)Invalid Timeout.*timeouts\.update`},
	{name: "password version without the write-only password", overrides: ov("adm_password_wo", "", "adm_password", `"Str0ng!Passw0rd"`), re: `(?s)adm_password_wo.*must\s+be\s+specified\s+when.*adm_password_wo_version`},
	{name: "empty backup policy", overrides: ov("db_backup_policy_id", `""`), re: `Attribute\s+db_backup_policy_id\s+string\s+length\s+must\s+be\s+at\s+least\s+1`},
	// Unicode.
	{name: "name with an accent", overrides: ov("name", `"pgaccé001"`), re: `Attribute\s+name\s+must\s+contain\s+only\s+lowercase`},
	{name: "name with Arabic-Indic digits", overrides: ov("name", `"pgacc٣٣٣"`), re: `Attribute\s+name\s+must\s+contain\s+only\s+lowercase`},
	{name: "name with an emoji", overrides: ov("name", `"pg🐘acc01"`), re: `Attribute\s+name\s+must\s+contain\s+only\s+lowercase`},
	{name: "name with a zero-width space", overrides: ov("name", "\"pgacc\u200b001\""), re: `Attribute\s+name\s+must\s+contain\s+only\s+lowercase`},
	{name: "fullwidth digit in node_sizing", overrides: ov("node_sizing", `"２cpu4gb"`), re: `Attribute\s+node_sizing\s+must\s+look\s+like\s+2cpu4gb`},
	{name: "umlaut in node_prefix", ha: true, overrides: ov("node_prefix", `"PGÄCCHA"`), re: `Attribute\s+node_prefix\s+must\s+be\s+5\s+to\s+12\s+uppercase`},
	{name: "fullwidth topology", overrides: ov("topology", `"ＨＡ"`), re: `Attribute\s+topology\s+value\s+must\s+be\s+one\s+of`},
	{name: "Arabic-Indic version", overrides: ov("version", `"١٥"`), re: `version\s+must\s+be\s+a\s+major\s+version`},
	{name: "umlaut in trigram", overrides: ov("trigram", `"ÄCC"`), apply: true, re: `(?s)Error Creating PostgreSQL Instance.*with itcare_postgresql\.db,.*trigram.*ITCare\s+refused\s+the\s+request.*400`},
	// Huge values.
	{name: "disk_size of a terabyte of gigabytes", overrides: ov("disk_size", `1000000000000`), re: `Attribute\s+disk_size\s+value\s+must\s+be\s+between\s+40\s+and\s+1024`},
	{name: "negative disk_size", overrides: ov("disk_size", `-40`), re: `Attribute\s+disk_size\s+value\s+must\s+be\s+between\s+40\s+and\s+1024`},
	{name: "service_id beyond int64", overrides: ov("service_id", `99999999999999999999`), re: `(?s)service_id.*(int64|64-bit|cannot be represented|overflow|too large)`},
	{name: "lag at int64 max", overrides: ov("allowed_replication_lag", `9223372036854775807`), re: `Attribute\s+allowed_replication_lag\s+value\s+must\s+be\s+between\s+1\s+and\s+10240`},
	{name: "name of 10000 characters", overrides: ov("name", fmt.Sprintf("%q", strings.Repeat("a", 10000))), re: `Attribute\s+name\s+string\s+length\s+must\s+be\s+between\s+5\s+and\s+60`},
	{name: "cloud_id zero", overrides: ov("cloud_id", `0`), re: `Attribute\s+cloud_id\s+value\s+must\s+be\s+at\s+least\s+1`},
}

// badAnswer is an answer ITCare, a gateway or the network may give that
// the documentation does not describe, injected in one phase.
type badAnswer struct {
	name  string
	phase string // "create", "refresh" or "destroy"
	fault emulator.Fault
	// re is the error, which must name the call; empty when the provider
	// must get past the answer and converge.
	re string
}

const htmlGateway = "<html><head><title>502 Bad Gateway</title></head><body><center><h1>502 Bad Gateway</h1></center><hr><center>nginx</center></body></html>"

var badAnswers = []badAnswer{
	{name: "create answer not JSON after the create", phase: "create",
		fault: emulator.Fault{Kind: emulator.FaultBody, Method: "POST", Path: pgCollection, Status: 202, Body: `{"id": 12, "status": "IN_PR`, After: true}},
	{name: "create answered by a gateway HTML page", phase: "create",
		fault: emulator.Fault{Kind: emulator.FaultBody, Method: "POST", Path: pgCollection, Status: 502, ContentType: "text/html", Body: htmlGateway},
		re:    `(?s)Error Creating PostgreSQL Instance.*POST\s+/databases/postgresql.*502\s+Bad\s+Gateway.*found\s+nothing`},
	{name: "create refused with an HTML body", phase: "create",
		fault: emulator.Fault{Kind: emulator.FaultBody, Method: "POST", Path: pgCollection, Status: 400, ContentType: "text/html", Body: "<html><body><p>Request\trejected by WAF</p></body></html>"},
		re:    `(?s)Error Creating PostgreSQL Instance.*POST\s+/databases/postgresql:\s+400\s+Bad\s+Request:\s+Request\s+rejected\s+by\s+WAF`},
	{name: "create action poll answers malformed JSON", phase: "create",
		fault: emulator.Fault{Kind: emulator.FaultBody, Method: "GET", Path: actionPrefix, Body: `{"id": 1200001, "status": `, Count: 6},
		re:    `(?s)Error Creating PostgreSQL Instance.*GET\s+/actions/\d+:\s+cannot\s+decode\s+the\s+answer.*tainted`},
	{name: "token endpoint answers HTML", phase: "create",
		fault: emulator.Fault{Kind: emulator.FaultBody, Method: "POST", Path: emulator.TokenPath, Status: 200, ContentType: "text/html", Body: "<html>Maintenance</html>", Count: 8},
		re:    `(?s)Error Creating PostgreSQL Instance.*token`},
	{name: "token endpoint refuses the client", phase: "create",
		fault: emulator.Fault{Kind: emulator.FaultBody, Method: "POST", Path: emulator.TokenPath, Status: 401, ContentType: "application/json", Body: `{"error":"unauthorized_client","error_description":"Invalid client credentials"}`, Count: 1},
		re:    `(?s)ITCare authentication failed: check client_id and client_secret.*unauthorized_client`},
	{name: "lookup after a lost create answers HTML", phase: "create",
		fault: emulator.Fault{Kind: emulator.FaultDrop, Method: "POST", Path: pgCollection},
		re:    `(?s)Error Creating PostgreSQL Instance.*did\s+not\s+say\s+whether.*looking\s+it\s+up\s+by\s+name\s+failed.*GET\s+/databases/postgresql\?name=`},
	{name: "instance read truncated", phase: "refresh",
		fault: emulator.Fault{Kind: emulator.FaultBody, Method: "GET", Path: pgItemPrefix, Body: `{"id": 500061854, "name": "pg`},
		re:    `(?s)Error Reading PostgreSQL Instance.*GET\s+/databases/postgresql/\d+:\s+cannot\s+decode\s+the\s+answer`},
	{name: "instance read answers HTML", phase: "refresh",
		fault: emulator.Fault{Kind: emulator.FaultBody, Method: "GET", Path: pgItemPrefix, ContentType: "text/html", Body: "<!DOCTYPE html><html><body>Login</body></html>"},
		re:    `(?s)Error Reading PostgreSQL Instance.*GET\s+/databases/postgresql/\d+:\s+cannot\s+decode\s+the\s+answer`},
	{name: "instance read with wrong types", phase: "refresh",
		fault: emulator.Fault{Kind: emulator.FaultBody, Method: "GET", Path: pgItemPrefix, Body: `{"id": 500061854, "name": 5, "diskSize": "forty"}`},
		re:    `(?s)Error Reading PostgreSQL Instance.*GET\s+/databases/postgresql/\d+:\s+cannot\s+decode\s+the\s+answer`},
	{name: "instance read answers null", phase: "refresh",
		fault: emulator.Fault{Kind: emulator.FaultBody, Method: "GET", Path: pgItemPrefix, Body: `null`},
		re:    `(?s)Error Reading PostgreSQL Instance.*GET\s+/databases/postgresql/\d+:.*not\s+an\s+instance`},
	{name: "instance read answers an empty object", phase: "refresh",
		fault: emulator.Fault{Kind: emulator.FaultBody, Method: "GET", Path: pgItemPrefix, Body: `{}`},
		re:    `(?s)Error Reading PostgreSQL Instance.*GET\s+/databases/postgresql/\d+:.*not\s+an\s+instance`},
	{name: "delete keeps answering 500 with HTML", phase: "destroy",
		fault: emulator.Fault{Kind: emulator.FaultBody, Method: "DELETE", Status: 500, ContentType: "text/html", Body: "<html><body><h1>Internal Server Error</h1></body></html>", Count: 6},
		re:    `(?s)Error Deleting PostgreSQL Instance.*DELETE\s+/databases/postgresql/\d+:\s+500\s+Internal\s+Server\s+Error:\s+Internal\s+Server\s+Error.*still\s+in\s+the\s+Terraform\s+state`},
}

// patchCase is an in-place change that runs exactly one PATCH operation.
type patchCase struct {
	op     string
	before map[string]string
	after  map[string]string
	// applied reports whether ITCare's instance shows the change.
	applied func(emulator.Instance) bool
}

var patchCases = []patchCase{
	{op: "resize", after: ov("node_sizing", `"4cpu8gb"`),
		applied: func(in emulator.Instance) bool { return in.NodeSizing == "4cpu8gb" }},
	{op: "stop", after: ov("power_state", `"stopped"`),
		applied: func(in emulator.Instance) bool { return in.Status == "STOPPED" }},
	{op: "start", before: ov("power_state", `"stopped"`), after: ov("power_state", `"running"`),
		applied: func(in emulator.Instance) bool { return in.Status == "ACTIVE" }},
	{op: "upgrade", after: ov("version", `"16"`, "allow_major_version_upgrade", "true"),
		applied: func(in emulator.Instance) bool { return in.Version == "16" }},
	{op: "enable_ha", after: ov("topology", `"HA"`, "allowed_replication_lag", "50"),
		applied: func(in emulator.Instance) bool { return in.Topology == "HA" }},
	{op: "update_monitoring", after: ov("monitoring_enabled", "false"),
		applied: func(in emulator.Instance) bool { return !in.MonitoringEnabled }},
	{op: "update_patch_party", after: ov("patch_party", `{ excluded = true, exclusion_reason = "freeze" }`),
		applied: func(in emulator.Instance) bool { return in.PatchParty.Excluded }},
	{op: "install_extension", after: ov("extensions", `[{ database = "postgres", name = "pg_trgm" }]`),
		applied: func(in emulator.Instance) bool { return strings.Contains(fmt.Sprint(in.Extra.Databases), "pg_trgm") }},
}
