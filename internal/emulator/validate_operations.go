package emulator

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

var activeOnly = map[string]bool{"restore": true, "enable_ha": true, "install_extension": true, "upgrade": true}

// opValidator checks the options of one PATCH operation on inst and
// returns what to apply when its action completes.
type opValidator func(s *Server, inst *Instance, opts fields, ri *reqInfo) (opOptions, *APIError)

// opValidators are the operations' documented rules, by operation.
var opValidators = map[string]opValidator{
	"start":              validateStart,
	"stop":               validateStop,
	"resize":             validateResize,
	"restore":            validateRestore,
	"enable_ha":          validateEnableHA,
	"update_monitoring":  validateUpdateMonitoring,
	"update_patch_party": validateUpdatePatchParty,
	"install_extension":  validateInstallExtension,
	"upgrade":            validateUpgrade,
}

// validateOperationLocked checks an operation's documented rules and
// returns what to apply when its action completes.
func (s *Server) validateOperationLocked(inst *Instance, op string, opts fields, ri *reqInfo) (opOptions, *APIError) {
	if activeOnly[op] && inst.Status != StatusActive {
		return opOptions{}, fieldErr("status", fmt.Sprintf("%s needs the instance ACTIVE, it is %s", op, inst.Status))
	}
	validate, ok := opValidators[op]
	if !ok {
		return opOptions{}, nil
	}
	return validate(s, inst, opts, ri)
}

// validateStart: starting an ACTIVE instance is a no-op.
func validateStart(_ *Server, inst *Instance, _ fields, _ *reqInfo) (opOptions, *APIError) {
	return opOptions{FinalStatus: StatusActive, NoOp: inst.Status == StatusActive}, nil
}

// validateStop: stopping a STOPPED instance is a no-op.
func validateStop(_ *Server, inst *Instance, _ fields, _ *reqInfo) (opOptions, *APIError) {
	return opOptions{FinalStatus: StatusStopped, NoOp: inst.Status == StatusStopped}, nil
}

func validateResize(_ *Server, _ *Instance, opts fields, _ *reqInfo) (opOptions, *APIError) {
	var o opOptions
	v, e := opts.requiredStr("sizing")
	if e != nil {
		return o, e
	}
	if !sizingRe.MatchString(v) {
		return o, fieldErr("sizing", "must look like 2cpu4gb")
	}
	o.Sizing = v
	return o, nil
}

func validateRestore(s *Server, inst *Instance, opts fields, _ *reqInfo) (opOptions, *APIError) {
	return s.validateRestoreLocked(inst, opts)
}

func validateEnableHA(_ *Server, inst *Instance, opts fields, _ *reqInfo) (opOptions, *APIError) {
	var o opOptions
	lag, e := opts.requiredInt("replicationLag")
	if e != nil {
		return o, e
	}
	if lag < 1 || lag > 500 {
		return o, fieldErr("replicationLag", "must be between 1 and 500")
	}
	cr, _, e := opts.str("changeReference")
	if e != nil {
		return o, e
	}
	if inst.Topology != "STANDALONE" {
		return o, fieldErr("topology", "the instance is already HA")
	}
	if inst.major() < 12 {
		return o, fieldErr("version", fmt.Sprintf("enable_ha needs version 12 or later, the instance runs %s", inst.Version))
	}
	o.ReplicationLag, o.ChangeReference = int(lag), cr
	return o, nil
}

// validateUpdateMonitoring: an option left out keeps its value.
func validateUpdateMonitoring(_ *Server, _ *Instance, opts fields, _ *reqInfo) (opOptions, *APIError) {
	var o opOptions
	state, hasState, e := opts.boolean("state")
	if e != nil {
		return o, e
	}
	onCall, hasOnCall, e := opts.boolean("on_call")
	if e != nil {
		return o, e
	}
	if !hasState && !hasOnCall {
		return o, fieldErr("state", "state or on_call is required")
	}
	if hasState {
		o.State = &state
	}
	if hasOnCall {
		o.OnCall = &onCall
	}
	return o, nil
}

func validateUpdatePatchParty(s *Server, inst *Instance, opts fields, ri *reqInfo) (opOptions, *APIError) {
	pp, e := validatePatchParty(inst, opts, ri.user, s.now())
	return opOptions{PatchParty: pp}, e
}

// validateInstallExtension also refuses, on the postgres backend, an
// extension the machine lacks.
func validateInstallExtension(s *Server, inst *Instance, opts fields, _ *reqInfo) (opOptions, *APIError) {
	var o opOptions
	db, e := opts.requiredStr("dbname")
	if e != nil {
		return o, e
	}
	if len(db) > 63 || !dbNameRe.MatchString(db) {
		return o, fieldErr("dbname", "must be a lowercase PostgreSQL identifier of at most 63 characters")
	}
	list, ok := opts["extensions_list"].([]any)
	if _, present := opts["extensions_list"]; present && !ok && opts["extensions_list"] != nil {
		return o, fieldErr("extensions_list", "must be an array of {\"name\": …}")
	}
	if len(list) == 0 {
		return o, fieldErr("extensions_list", "at least one extension is required")
	}
	for _, item := range list {
		m, ok := item.(map[string]any)
		if !ok {
			return o, fieldErr("extensions_list", "must be an array of {\"name\": …}")
		}
		name, _ := m["name"].(string)
		if name == "" {
			return o, fieldErr("extensions_list", "every extension needs a name")
		}
		if _, known := findExtension(name); !known {
			return o, fieldErr("extensions_list", fmt.Sprintf("extension '%s' is not available on this instance", name))
		}
		o.Extensions = append(o.Extensions, name)
	}
	if inst.major() < 15 {
		return o, fieldErr("version", fmt.Sprintf("extensions are self-service from version 15, the instance runs %s", inst.Version))
	}
	if e := s.pgCheckExtensionsLocked(inst, o.Extensions); e != nil {
		return o, e
	}
	o.DBName = db
	return o, nil
}

func validateUpgrade(_ *Server, inst *Instance, opts fields, _ *reqInfo) (opOptions, *APIError) {
	var o opOptions
	tv, e := opts.requiredStr("targetVersion")
	if e != nil {
		return o, e
	}
	cr, _, e := opts.str("changeReference")
	if e != nil {
		return o, e
	}
	n, err := strconv.Atoi(tv)
	offered := availableVersions(inst.major())
	found := false
	for _, v := range offered {
		found = found || (err == nil && int64(n) == v)
	}
	if !found {
		return o, fieldErr("targetVersion", fmt.Sprintf("'%s' is not offered for this instance (offered: %v)", tv, offered))
	}
	o.TargetVersion, o.ChangeReference = n, cr
	return o, nil
}

func validatePatchParty(inst *Instance, opts fields, user string, now time.Time) (*PatchParty, *APIError) {
	ppf, ok, e := opts.object("patchParty")
	if e != nil {
		return nil, e
	}
	if !ok {
		return nil, fieldErr("patchParty", "is required")
	}
	excluded, ok, e := ppf.boolean("excluded")
	if e != nil {
		return nil, e
	}
	if !ok {
		return nil, fieldErr("excluded", "is required")
	}
	group, hasGroup, e := ppf.str("patchGroup")
	if e != nil {
		return nil, e
	}
	reason, _, e := ppf.str("exclusionReason")
	if e != nil {
		return nil, e
	}
	if hasGroup {
		if inst.NodeCount != 1 {
			return nil, fieldErr("patchGroup", "is only allowed when the instance has one member")
		}
		if group != "1" && group != "2" && group != "3" {
			return nil, fieldErr("patchGroup", "must be 1, 2 or 3")
		}
	}
	if excluded && strings.TrimSpace(reason) == "" {
		return nil, fieldErr("exclusionReason", "is required when excluded is true")
	}
	pp := inst.clone().PatchParty
	pp.Excluded = excluded
	if excluded {
		pp.ExcludedBy, pp.ExclusionDate, pp.ExclusionReason = strPtr(user), strPtr(fmtTime(now)), strPtr(reason)
	} else {
		pp.ExcludedBy, pp.ExclusionDate, pp.ExclusionReason = nil, nil, nil
	}
	if hasGroup {
		pp.PatchGroup = strPtr(group)
	}
	return &pp, nil
}

// validateRestoreLocked checks a restore into dst. The window follows the
// source's service: backups belong to the source.
func (s *Server) validateRestoreLocked(dst *Instance, opts fields) (opOptions, *APIError) {
	var o opOptions
	srcID, e := opts.requiredInt("sourceId")
	if e != nil {
		return o, e
	}
	stop, e := opts.requiredStr("stop")
	if e != nil {
		return o, e
	}
	if stop != "BEFORE" && stop != "AFTER" {
		return o, fieldErr("stop", "must be BEFORE or AFTER")
	}
	ts, e := opts.requiredStr("timestamp")
	if e != nil {
		return o, e
	}
	t, err := parseAPITime(ts)
	if err != nil {
		return o, fieldErr("timestamp", "must be a date-time such as 2022-11-02T09:32:02.000+00:00")
	}
	src, ok := s.instances[srcID]
	switch {
	case !ok:
		return o, fieldErr("sourceId", fmt.Sprintf("unknown PostgreSQL instance %d", srcID))
	case srcID == dst.ID:
		return o, fieldErr("sourceId", "must be another instance than the destination")
	case src.Status != StatusActive:
		return o, fieldErr("sourceId", fmt.Sprintf("the source must be ACTIVE, it is %s", src.Status))
	case src.Version != dst.Version:
		return o, fieldErr("sourceId", fmt.Sprintf("the source runs version %s, the destination %s: they must match", src.Version, dst.Version))
	case !src.BackupStatus:
		return o, fieldErr("sourceId", "the source instance is not backed up")
	}
	days := 7
	if s.services[src.ServiceID].Environment == "PRODUCTION" {
		days = 14
	}
	now := s.now()
	if t.After(now) || t.Before(now.AddDate(0, 0, -days)) {
		return o, fieldErr("timestamp", fmt.Sprintf("must be between now - %d days and now", days))
	}
	if created, err := parseAPITime(src.CreationTime); err == nil && t.Before(created) {
		return o, fieldErr("timestamp", "is before the source instance was created: it has no backup of that time")
	}
	o.SourceID, o.Stop, o.Timestamp = srcID, stop, ts
	o.Databases = cloneDatabases(src.Extra.Databases)
	return o, nil
}
