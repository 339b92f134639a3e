package emulator

import (
	"fmt"
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

// optionalStrings are create fields stored as sent and never checked.
var optionalStrings = []string{"dbBackupPolicyId", "serverBackupPolicyId", "noBackupProdReason",
	"noMonitoringProdReason", "noReplicationProdReason", "platform", "region", "regulation", "prefix"}

// validateCreate applies the documented create rules in a fixed order, so
// a body with several faults always names the same field. The caller holds
// the lock (uniqueness and the catalogue are read).
func (s *Server) validateCreate(f fields, passwordRequired bool) (*createRequest, *APIError) {
	r := &createRequest{Strings: map[string]string{}}

	name, ok, err := f.str("name")
	switch {
	case err != nil:
		return nil, err
	case !ok || name == "":
		return nil, fieldErr("name", "is required")
	case len(name) < 5 || len(name) > 60:
		return nil, fieldErr("name", "must be 5 to 60 characters long")
	case !nameRe.MatchString(name):
		return nil, fieldErr("name", "may contain only lowercase letters and digits")
	case name == "cluster":
		return nil, fieldErr("name", "must not be the keyword 'cluster'")
	}
	if _, taken := s.instanceByNameLocked(name); taken {
		return nil, fieldErr("name", fmt.Sprintf("an instance named '%s' already exists", name))
	}
	r.Name = name

	area, ok, err := f.str("area")
	if err != nil {
		return nil, err
	}
	if !ok || area == "" {
		return nil, fieldErr("area", "is required")
	}
	ar, known := s.areas[area]
	if !known {
		return nil, fieldErr("area", fmt.Sprintf("unknown area '%s'", area))
	}
	r.Area = area

	sizing, ok, err := f.str("nodeSizing")
	if err != nil {
		return nil, err
	}
	if !ok || sizing == "" {
		return nil, fieldErr("nodeSizing", "is required")
	}
	if !sizingRe.MatchString(sizing) {
		return nil, fieldErr("nodeSizing", "must look like 2cpu4gb")
	}
	r.NodeSizing = sizing

	disk, ok, err := f.integer("diskSize")
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, fieldErr("diskSize", "is required")
	}
	if disk < 40 || disk > 1024 {
		return nil, fieldErr("diskSize", "must be between 40 and 1024 (GB)")
	}
	r.DiskSize = int(disk)

	pw, ok, err := f.str("admPassword")
	if err != nil {
		return nil, err
	}
	if ok || passwordRequired {
		if !ok || pw == "" {
			return nil, fieldErr("admPassword", "is required")
		}
		if msg := passwordProblem(pw); msg != "" {
			return nil, fieldErr("admPassword", msg)
		}
	}

	ver, ok, err := f.str("postgreVersion")
	if err != nil {
		return nil, err
	}
	if !ok || ver == "" {
		return nil, fieldErr("postgreVersion", "is required")
	}
	major, convErr := strconv.Atoi(ver)
	if _, supported := majors[major]; convErr != nil || !supported {
		return nil, fieldErr("postgreVersion", fmt.Sprintf("must be one of %d to %d", minMajor, maxMajor))
	}
	r.PostgreVersion = major

	svcID, ok, err := f.integer("serviceId")
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, fieldErr("serviceId", "is required")
	}
	svc, known := s.services[svcID]
	if !known {
		return nil, fieldErr("serviceId", fmt.Sprintf("unknown service %d", svcID))
	}
	r.ServiceID = svcID

	netID, ok, err := f.integer("networkId")
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, fieldErr("networkId", "is required")
	}
	nw, known := s.networks[netID]
	if !known {
		return nil, fieldErr("networkId", fmt.Sprintf("unknown network %d", netID))
	}
	if nw.Area != area {
		return nil, fieldErr("networkId", fmt.Sprintf("network %d is in area '%s', not '%s'", netID, nw.Area, area))
	}
	r.NetworkID = netID

	topo, ok, err := f.str("topology")
	if err != nil {
		return nil, err
	}
	if !ok || topo == "" {
		return nil, fieldErr("topology", "is required")
	}
	topo = strings.ToUpper(topo)
	if topo != "STANDALONE" && topo != "HA" {
		return nil, fieldErr("topology", "must be STANDALONE or HA")
	}
	r.Topology = topo

	tri, ok, err := f.str("trigram")
	if err != nil {
		return nil, err
	}
	if !ok || tri == "" {
		return nil, fieldErr("trigram", "is required")
	}
	if !trigramRe.MatchString(tri) {
		return nil, fieldErr("trigram", "must be 3 letters")
	}
	r.Trigram = tri

	lag, ok, err := f.integer("allowedReplicationLag")
	if err != nil {
		return nil, err
	}
	if !ok || lag == 0 {
		lag = 10
	}
	if lag < 1 || lag > 10240 {
		return nil, fieldErr("allowedReplicationLag", "must be between 1 and 10240 (MB)")
	}
	r.AllowedReplicationLag = int(lag)

	prefix, hasPrefix, err := f.str("nodePrefix")
	if err != nil {
		return nil, err
	}
	az, hasAZ, err := f.str("az")
	if err != nil {
		return nil, err
	}
	tls, hasTLS, err := f.boolean("tls")
	if err != nil {
		return nil, err
	}
	if topo == "HA" {
		switch {
		case !hasPrefix || prefix == "":
			return nil, fieldErr("nodePrefix", "is required for an HA instance")
		case len(prefix) < 5 || len(prefix) > 12:
			return nil, fieldErr("nodePrefix", "must be 5 to 12 characters long")
		case !nodePrefixRe.MatchString(prefix):
			return nil, fieldErr("nodePrefix", "may contain only uppercase letters and digits")
		}
		if !hasAZ || az == "" {
			return nil, fieldErr("az", "is required for an HA instance")
		}
		if !ar.hasZone(az) {
			return nil, fieldErr("az", fmt.Sprintf("must be one of the zones of area '%s': %s", area, strings.Join(ar.Zones, ", ")))
		}
		if !hasTLS {
			return nil, fieldErr("tls", "is required for an HA instance")
		}
		r.NodePrefix, r.AZ = prefix, az
	} else {
		if hasPrefix {
			return nil, fieldErr("nodePrefix", "is only allowed for an HA instance")
		}
		if hasAZ {
			return nil, fieldErr("az", "is only allowed for an HA instance")
		}
	}
	r.TLS = tls

	boolDefaults := []struct {
		name string
		def  bool
		out  *bool
	}{
		{"backupEnabled", true, &r.BackupEnabled},
		{"monitoringEnabled", true, &r.MonitoringEnabled},
		{"monitoringAlerting", true, &r.MonitoringAlerting},
		{"onCallSupervision", false, &r.OnCallSupervision},
		{"replicationEnabled", false, &r.ReplicationEnabled},
	}
	for _, b := range boolDefaults {
		v, ok, err := f.boolean(b.name)
		if err != nil {
			return nil, err
		}
		if !ok {
			v = b.def
		}
		*b.out = v
	}
	for _, name := range optionalStrings {
		v, _, err := f.str(name)
		if err != nil {
			return nil, err
		}
		r.Strings[name] = v
	}
	cloud, ok, err := f.integer("cloudId")
	if err != nil {
		return nil, err
	}
	if !ok {
		cloud = 1
	}
	r.CloudID = cloud

	if svc.Environment == "PRODUCTION" {
		if !r.BackupEnabled && strings.TrimSpace(r.Strings["noBackupProdReason"]) == "" {
			return nil, fieldErr("noBackupProdReason", "is required when backup is disabled on a production service")
		}
		if !r.MonitoringEnabled && strings.TrimSpace(r.Strings["noMonitoringProdReason"]) == "" {
			return nil, fieldErr("noMonitoringProdReason", "is required when monitoring is disabled on a production service")
		}
	}
	return r, nil
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
