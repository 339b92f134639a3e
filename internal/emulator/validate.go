package emulator

import (
	"regexp"
	"strconv"
	"strings"
	"unicode"
)

var (
	nameRe       = regexp.MustCompile(`^[a-z0-9]+$`)
	sizingRe     = regexp.MustCompile(`^[1-9][0-9]*cpu[1-9][0-9]*gb$`)
	trigramRe    = regexp.MustCompile(`^[A-Za-z]{3}$`)
	nodePrefixRe = regexp.MustCompile(`^[A-Z0-9]+$`)
	dbNameRe     = regexp.MustCompile(`^[a-z_][a-z0-9_$]*$`)
)

// createRequest is a validated create body.
type createRequest struct {
	Name                  string
	Area                  string
	NodeSizing            string
	DiskSize              int
	PostgreVersion        int
	ServiceID             int64
	NetworkID             int64
	Topology              string
	Trigram               string
	AllowedReplicationLag int
	NodePrefix            string
	AZ                    string
	TLS                   bool
	BackupEnabled         bool
	MonitoringEnabled     bool
	MonitoringAlerting    bool
	OnCallSupervision     bool
	ReplicationEnabled    bool
	CloudID               int64
	Strings               map[string]string
}

// createRules are the documented create rules, in the order they are
// checked: only the first broken one is reported, so a body with several
// faults always names the same field. A field may have several rows: its
// type is checked at its first.
var createRules = []createRule{
	{field: "name", kind: kindString, missing: "is required", checks: []check{
		length(5, 60, "must be 5 to 60 characters long"),
		matches(nameRe, "may contain only lowercase letters and digits"),
		isNot("cluster", "must not be the keyword 'cluster'"),
		uniqueName,
	}, set: func(r *createRequest, v value) { r.Name = v.str }},
	{field: "area", kind: kindString, missing: "is required", checks: []check{knownArea},
		set: func(r *createRequest, v value) { r.Area = v.str }},
	{field: "nodeSizing", kind: kindString, missing: "is required", checks: []check{matches(sizingRe, "must look like 2cpu4gb")},
		set: func(r *createRequest, v value) { r.NodeSizing = v.str }},
	{field: "diskSize", kind: kindInt, missing: "is required", checks: []check{between(40, 1024, "must be between 40 and 1024 (GB)")},
		set: func(r *createRequest, v value) { r.DiskSize = int(v.num) }},
	// Checked, never stored; a seed may leave it out.
	{field: "admPassword", kind: kindString, applies: passwordExpected, missing: "is required", checks: []check{strongPassword}},
	{field: "postgreVersion", kind: kindString, missing: "is required", checks: []check{supportedMajor},
		set: func(r *createRequest, v value) { r.PostgreVersion, _ = strconv.Atoi(v.str) }},
	{field: "serviceId", kind: kindInt, missing: "is required", checks: []check{knownService},
		set: func(r *createRequest, v value) { r.ServiceID = v.num }},
	{field: "networkId", kind: kindInt, missing: "is required", checks: []check{knownNetworkOfArea},
		set: func(r *createRequest, v value) { r.NetworkID = v.num }},
	{field: "topology", kind: kindString, missing: "is required", checks: []check{knownTopology},
		set: func(r *createRequest, v value) { r.Topology = strings.ToUpper(v.str) }},
	{field: "trigram", kind: kindString, missing: "is required", checks: []check{matches(trigramRe, "must be 3 letters")},
		set: func(r *createRequest, v value) { r.Trigram = v.str }},
	{field: "allowedReplicationLag", kind: kindInt, def: &value{ok: true, num: 10}, zeroIsAbsent: true,
		checks: []check{between(1, 10240, "must be between 1 and 10240 (MB)")},
		set:    func(r *createRequest, v value) { r.AllowedReplicationLag = int(v.num) }},
	// The types of the HA fields come before their rules.
	{field: "nodePrefix", kind: kindString},
	{field: "az", kind: kindString},
	{field: "tls", kind: kindBool},
	{field: "nodePrefix", kind: kindString, applies: ha, missing: "is required for an HA instance", checks: []check{
		length(5, 12, "must be 5 to 12 characters long"),
		matches(nodePrefixRe, "may contain only uppercase letters and digits"),
	}, set: func(r *createRequest, v value) { r.NodePrefix = v.str }},
	{field: "az", kind: kindString, applies: ha, missing: "is required for an HA instance", checks: []check{zoneOfArea},
		set: func(r *createRequest, v value) { r.AZ = v.str }},
	{field: "tls", kind: kindBool, applies: ha, missing: "is required for an HA instance"},
	{field: "tls", kind: kindBool, set: func(r *createRequest, v value) { r.TLS = v.yes }},
	flag("backupEnabled", true, func(r *createRequest, b bool) { r.BackupEnabled = b }),
	flag("monitoringEnabled", true, func(r *createRequest, b bool) { r.MonitoringEnabled = b }),
	flag("monitoringAlerting", true, func(r *createRequest, b bool) { r.MonitoringAlerting = b }),
	flag("onCallSupervision", false, func(r *createRequest, b bool) { r.OnCallSupervision = b }),
	flag("replicationEnabled", false, func(r *createRequest, b bool) { r.ReplicationEnabled = b }),
	// Stored as sent and never checked.
	optionalString("dbBackupPolicyId"),
	optionalString("serverBackupPolicyId"),
	optionalString("noBackupProdReason"),
	optionalString("noMonitoringProdReason"),
	optionalString("noReplicationProdReason"),
	optionalString("platform"),
	optionalString("region"),
	optionalString("regulation"),
	optionalString("prefix"),
	{field: "cloudId", kind: kindInt, def: &value{ok: true, num: 1}, set: func(r *createRequest, v value) { r.CloudID = v.num }},
	{field: "noBackupProdReason", kind: kindString, applies: productionWithout(func(r *createRequest) bool { return r.BackupEnabled }),
		checks: []check{notBlank("is required when backup is disabled on a production service")}},
	{field: "noMonitoringProdReason", kind: kindString, applies: productionWithout(func(r *createRequest) bool { return r.MonitoringEnabled }),
		checks: []check{notBlank("is required when monitoring is disabled on a production service")}},
}

// validateCreate applies createRules to a create body. The caller holds
// the lock (uniqueness and the catalogue are read).
func (s *Server) validateCreate(f fields, passwordRequired bool) (*createRequest, *APIError) {
	c := &createCheck{s: s, req: &createRequest{Strings: map[string]string{}}, passwordRequired: passwordRequired}
	for _, rule := range createRules {
		if e := c.apply(rule, f); e != nil {
			return nil, e
		}
	}
	return c.req, nil
}

func passwordProblem(pw string) string {
	if len([]rune(pw)) < 12 {
		return "must be at least 12 characters long"
	}
	var lower, upper, digit, special bool
	for _, c := range pw {
		switch {
		case unicode.IsLower(c):
			lower = true
		case unicode.IsUpper(c):
			upper = true
		case unicode.IsDigit(c):
			digit = true
		default:
			special = true
		}
	}
	switch {
	case !lower:
		return "must contain at least one lowercase letter"
	case !upper:
		return "must contain at least one uppercase letter"
	case !digit:
		return "must contain at least one digit"
	case !special:
		return "must contain at least one special character"
	}
	return ""
}
