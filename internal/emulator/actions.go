package emulator

import (
	"fmt"
	"net/http"
	"sort"
	"strings"
	"time"
)

// opOptions is a validated operation, kept with its action until the
// action completes and the change is applied.
type opOptions struct {
	Sizing          string      `json:"sizing,omitempty"`
	SourceID        int64       `json:"sourceId,omitempty"`
	Stop            string      `json:"stop,omitempty"`
	Timestamp       string      `json:"timestamp,omitempty"`
	ReplicationLag  int         `json:"replicationLag,omitempty"`
	ChangeReference string      `json:"changeReference,omitempty"`
	State           *bool       `json:"state,omitempty"`
	OnCall          *bool       `json:"onCall,omitempty"`
	DBName          string      `json:"dbname,omitempty"`
	Extensions      []string    `json:"extensions,omitempty"`
	TargetVersion   int         `json:"targetVersion,omitempty"`
	Databases       []Database  `json:"databases,omitempty"`
	PatchParty      *PatchParty `json:"patchParty,omitempty"`
	NoOp            bool        `json:"noOp,omitempty"`
	FinalStatus     string      `json:"finalStatus,omitempty"`
}

// actionState is an action with what the emulator needs to finish it.
type actionState struct {
	Action      Action    `json:"action"`
	ServiceID   int64     `json:"serviceId"`
	Op          string    `json:"op"`
	Options     opOptions `json:"options"`
	PrevStatus  string    `json:"prevStatus"`
	DueAt       time.Time `json:"dueAt"`
	Hang        bool      `json:"hang,omitempty"`
	Fail        bool      `json:"fail,omitempty"`
	FailMessage string    `json:"failMessage,omitempty"`
}

var processNames = map[string]string{
	"create":             "POSTGRESQL_CREATE",
	"delete":             "POSTGRESQL_DELETE",
	"start":              "POSTGRESQL_START",
	"stop":               "POSTGRESQL_STOP",
	"resize":             "POSTGRESQL_RESIZE",
	"restore":            "POSTGRESQL_RESTORE",
	"enable_ha":          "POSTGRESQL_ENABLE_HA",
	"update_monitoring":  "POSTGRESQL_UPDATE_MONITORING",
	"update_patch_party": "POSTGRESQL_UPDATE_PATCH_PARTY",
	"install_extension":  "POSTGRESQL_INSTALL_EXTENSION",
	"upgrade":            "POSTGRESQL_UPGRADE",
}

func opLabel(op string) string { return strings.ReplaceAll(op, "_", " ") }

// startActionLocked records a new action on inst. The instance's status
// moves to its transitional value at once; every other change waits for
// the action to complete.
func (s *Server) startActionLocked(inst *Instance, op string, opts opOptions, ri *reqInfo, transitional string) *actionState {
	now := s.now()
	id := s.nextActionID
	s.nextActionID++
	a := &actionState{
		Action: Action{
			ID: id, InternalID: inst.ID, Status: ActionInProgress,
			Message: fmt.Sprintf("PostgreSQL %s of '%s' in progress", opLabel(op), inst.Name),
			Process: processNames[op], Family: family, ResourceName: inst.Name, ResourceType: resourceType,
			SubmittedAt: now, SubmittedBy: ri.user, LastUpdatedAt: now,
		},
		ServiceID:  inst.ServiceID,
		Op:         op,
		Options:    opts,
		PrevStatus: inst.Status,
		DueAt:      now.Add(s.actionDuration),
	}
	if op == "update_patch_party" {
		a.DueAt = now
	}
	if f := s.takeActionFaultLocked(ri); f != nil {
		switch f.Kind {
		case FaultActionError:
			a.Fail = true
			a.FailMessage = f.Message
			if a.FailMessage == "" {
				a.FailMessage = fmt.Sprintf("PostgreSQL %s of '%s' failed", opLabel(op), inst.Name)
			}
		case FaultActionHang:
			a.Hang = true
		}
	}
	if transitional != "" && !opts.NoOp {
		inst.Status = transitional
	}
	s.actions[id] = a
	s.dirty = true
	s.pgActionStartedLocked(inst, a, ri)
	if !a.Hang && !a.DueAt.After(now) && !s.pgBusyLocked(a) {
		s.completeLocked(a)
	}
	return a
}

// advanceLocked completes, in due order, every action whose time has come.
func (s *Server) advanceLocked(now time.Time) {
	var due []*actionState
	for _, a := range s.actions {
		if a.Action.Status == ActionInProgress && !a.Hang && !a.DueAt.After(now) && !s.pgBusyLocked(a) {
			due = append(due, a)
		}
	}
	sort.Slice(due, func(i, j int) bool {
		if !due[i].DueAt.Equal(due[j].DueAt) {
			return due[i].DueAt.Before(due[j].DueAt)
		}
		return due[i].Action.ID < due[j].Action.ID
	})
	for _, a := range due {
		s.completeLocked(a)
	}
}

func (s *Server) completeLocked(a *actionState) {
	s.pgSettleLocked(a)
	t := a.DueAt
	a.Action.CompletedAt = &t
	a.Action.LastUpdatedAt = t
	s.dirty = true
	inst := s.instances[a.Action.InternalID]
	if a.Fail {
		a.Action.Status = ActionError
		a.Action.Message = a.FailMessage
		if inst != nil {
			if a.Op == "create" {
				inst.Status = StatusError
			} else {
				inst.Status = a.PrevStatus
			}
		}
		return
	}
	a.Action.Status = ActionSuccess
	a.Action.Message = fmt.Sprintf("PostgreSQL %s of '%s' done", opLabel(a.Op), a.Action.ResourceName)
	if inst != nil {
		s.applyLocked(inst, a)
	}
}

// applyLocked makes the change an operation stands for.
func (s *Server) applyLocked(inst *Instance, a *actionState) {
	o := a.Options
	final := a.PrevStatus
	if o.FinalStatus != "" {
		final = o.FinalStatus
	}
	switch a.Op {
	case "create":
		final = StatusActive
		inst.Status = final
		s.firstBackupLocked(inst, a.DueAt)
	case "delete":
		delete(s.instances, inst.ID)
		return
	case "resize":
		inst.setSizing(o.Sizing)
	case "restore":
		inst.Extra.Databases = cloneDatabases(o.Databases)
	case "enable_ha":
		s.enableHALocked(inst, o.ReplicationLag)
	case "update_monitoring":
		if o.State != nil {
			inst.MonitoringEnabled = *o.State
			inst.MonitoringRequested = *o.State
		}
		if o.OnCall != nil {
			inst.MonitoringOnCallEnabled = *o.OnCall
		}
	case "update_patch_party":
		if o.PatchParty != nil {
			inst.PatchParty = *o.PatchParty
		}
	case "install_extension":
		installExtensions(inst, o.DBName, o.Extensions)
	case "upgrade":
		inst.setVersion(o.TargetVersion)
	}
	inst.Status = final
}

func installExtensions(inst *Instance, dbname string, names []string) {
	idx := -1
	for i, d := range inst.Extra.Databases {
		if d.Name == dbname {
			idx = i
		}
	}
	if idx < 0 {
		inst.Extra.Databases = append(inst.Extra.Databases, Database{Name: dbname,
			Extensions: []DatabaseExtension{{Name: "plpgsql", Schema: "pg_catalog", Version: "1.0"}}})
		idx = len(inst.Extra.Databases) - 1
	}
	db := &inst.Extra.Databases[idx]
next:
	for _, n := range names {
		for _, e := range db.Extensions {
			if e.Name == n {
				continue next
			}
		}
		ext, _ := findExtension(n)
		db.Extensions = append(db.Extensions, DatabaseExtension{Name: n, Schema: "public", Version: ext.Version})
	}
}

func (s *Server) inProgressLocked(instID int64) *actionState {
	var found *actionState
	for _, a := range s.actions {
		if a.Action.InternalID == instID && a.Action.Status == ActionInProgress {
			if found == nil || a.Action.ID < found.Action.ID {
				found = a
			}
		}
	}
	return found
}

func conflict(a *actionState) *APIError {
	return apiErr(http.StatusConflict, "ACTION_IN_PROGRESS", "id",
		fmt.Sprintf("action %d (%s) is in progress on '%s'; wait for it to finish", a.Action.ID, a.Action.Process, a.Action.ResourceName))
}

// Actions returns every action, oldest first, with FirstSeenCompletedAt.
func (s *Server) Actions() []Action {
	s.lock()
	defer s.unlock()
	out := make([]Action, 0, len(s.actions))
	for _, a := range s.actions {
		out = append(out, a.Action)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out
}
