package emulator

import (
	"strings"
	"sync"
	"time"
	_ "time/tzdata" // policies name IANA zones: read them on any machine, Windows included
)

// Sizes of what a backup holds.
const (
	mib = int64(1) << 20
	gib = int64(1) << 30
	// emptyDatabaseBytes is about what a fresh database weighs (postgres,
	// template0 and template1 each take some 7.5 MB on disk).
	emptyDatabaseBytes = 8 * mib
	// systemBytes is what a server backup holds besides the databases.
	systemBytes = 2 * gib
)

var (
	zonesMu sync.Mutex
	zones   = map[string]*time.Location{}
)

// zone is the location a policy names; an unknown one is UTC.
func zone(name string) *time.Location {
	zonesMu.Lock()
	defer zonesMu.Unlock()
	if loc, ok := zones[name]; ok {
		return loc
	}
	loc, err := time.LoadLocation(name)
	if err != nil || name == "" {
		loc = time.UTC
	}
	zones[name] = loc
	return loc
}

// lastRun is the most recent time at or before now at which the policy
// starts a backup: every day at startTime ("HH:MM", in the policy's
// timezone), or only on the day that frequencies' "weekly" names. ok is
// false when no run fits (a weekday that is not one).
func (p BackupPolicy) lastRun(now time.Time) (time.Time, bool) {
	loc := zone(p.Timezone)
	start, err := time.Parse("15:04", strings.TrimSpace(p.StartTime))
	if err != nil {
		start = time.Time{}
	}
	weekday, weekly := -1, false
	if day, ok := p.Frequencies["weekly"].(string); ok {
		weekly = true
		for d := time.Sunday; d <= time.Saturday; d++ {
			if strings.EqualFold(d.String(), day) {
				weekday = int(d)
			}
		}
	}
	local := now.In(loc)
	for back := 0; back <= 7; back++ {
		// time.Date keeps the wall-clock start across daylight saving changes.
		run := time.Date(local.Year(), local.Month(), local.Day()-back, start.Hour(), start.Minute(), 0, 0, loc)
		if run.After(now) || (weekly && int(run.Weekday()) != weekday) {
			continue
		}
		return run, true
	}
	return time.Time{}, false
}

// dataBytes is the size of the instance's databases: on the postgres
// backend, the size its server last reported; otherwise an estimate from
// the number of databases, templates included.
func (in *Instance) dataBytes() int64 {
	if in.Extra.DataBytes > 0 {
		return in.Extra.DataBytes
	}
	return int64(len(in.Extra.Databases)+2) * emptyDatabaseBytes
}

// takesBackups tells whether ITCare backs an instance in this status up:
// not before it exists, nor once it failed or goes away.
func takesBackups(in *Instance) bool {
	switch in.Status {
	case StatusCreating, StatusDeleting, StatusError:
		return false
	}
	return in.BackupStatus
}

// runBackupsLocked takes, for every backed-up instance, the backups its
// policies have scheduled since the last one, so that their dates follow
// the clock whenever the state is read. A backup is never dated before
// the instance's creation.
func (s *Server) runBackupsLocked(now time.Time) {
	for _, in := range s.instances {
		if !takesBackups(in) {
			continue
		}
		created, err := parseAPITime(in.CreationTime)
		for i, p := range in.BackupPolicyDetails.Policies {
			run, ok := p.lastRun(now)
			if !ok || (err == nil && run.Before(created)) {
				continue
			}
			s.recordBackupLocked(in, i, run)
		}
	}
}

// firstBackupLocked takes every policy's first backup, at when: ITCare
// backs an instance up as soon as it is created.
func (s *Server) firstBackupLocked(in *Instance, when time.Time) {
	if !takesBackups(in) {
		return
	}
	for i := range in.BackupPolicyDetails.Policies {
		s.recordBackupLocked(in, i, when)
	}
}

// recordBackupLocked records a backup of policy i taken at when, on the
// policy and on backups[i], its last backup. A date that is already later
// (one set through the admin API) stays.
func (s *Server) recordBackupLocked(in *Instance, i int, when time.Time) {
	d := &in.BackupPolicyDetails
	p := &d.Policies[i]
	for len(d.Backups) <= i {
		k := len(d.Backups)
		d.Backups = append(d.Backups, Backup{ID: in.ID*10 + int64(k) + 1, Type: d.Policies[k].Type})
	}
	size := in.dataBytes()
	if strings.EqualFold(p.Scope, "SERVER") {
		size += systemBytes
	}
	for _, target := range []struct {
		date **string
		size *int64
	}{{&p.BackupLastDate, &p.BackupSize}, {&d.Backups[i].BackupLastDate, &d.Backups[i].BackupSize}} {
		if cur := *target.date; cur != nil {
			if t, err := parseAPITime(*cur); err == nil && !when.After(t) {
				continue
			}
		}
		*target.date, *target.size = strPtr(fmtTime(when)), size
		s.dirty = true
	}
}
