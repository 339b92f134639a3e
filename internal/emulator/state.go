package emulator

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
)

const stateVersion = 1

// stateFile is the JSON layout of Config.StatePath. Tokens and faults are
// not kept: a restarted emulator asks clients to authenticate again.
type stateFile struct {
	Version        int              `json:"version"`
	NextInstanceID int64            `json:"nextInstanceId"`
	NextActionID   int64            `json:"nextActionId"`
	NextIP         map[int64]int    `json:"nextIp"`
	Services       []Service        `json:"services"`
	Networks       []Network        `json:"networks"`
	Areas          []Area           `json:"areas"`
	Instances      []storedInstance `json:"instances"`
	Actions        []*actionState   `json:"actions"`
}

type storedInstance struct {
	Instance Instance      `json:"instance"`
	Extra    InstanceExtra `json:"extra"`
}

func (s *Server) saveLocked(path string) error {
	st := stateFile{Version: stateVersion, NextInstanceID: s.nextInstanceID, NextActionID: s.nextActionID, NextIP: s.nextIP}
	for _, sv := range s.services {
		st.Services = append(st.Services, sv)
	}
	sort.Slice(st.Services, func(i, j int) bool { return st.Services[i].ID < st.Services[j].ID })
	for _, nw := range s.networks {
		st.Networks = append(st.Networks, nw)
	}
	sort.Slice(st.Networks, func(i, j int) bool { return st.Networks[i].ID < st.Networks[j].ID })
	for _, a := range s.areas {
		st.Areas = append(st.Areas, a)
	}
	sort.Slice(st.Areas, func(i, j int) bool { return st.Areas[i].ID < st.Areas[j].ID })
	for _, in := range s.sortedInstancesLocked() {
		st.Instances = append(st.Instances, storedInstance{Instance: *in, Extra: in.Extra})
	}
	for _, a := range s.actions {
		st.Actions = append(st.Actions, a)
	}
	sort.Slice(st.Actions, func(i, j int) bool { return st.Actions[i].Action.ID < st.Actions[j].Action.ID })
	b, err := json.MarshalIndent(st, "", "  ")
	if err != nil {
		return err
	}
	// A crash mid-write must never leave a truncated state behind: write a
	// temporary file in the same directory and rename it over the old one.
	tmp, err := os.CreateTemp(filepath.Dir(path), filepath.Base(path)+".tmp-*")
	if err != nil {
		return err
	}
	if _, err := tmp.Write(b); err != nil {
		_ = tmp.Close()
		_ = os.Remove(tmp.Name())
		return err
	}
	if err := tmp.Close(); err != nil {
		_ = os.Remove(tmp.Name())
		return err
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		_ = os.Remove(tmp.Name())
		return err
	}
	return nil
}

func (s *Server) load(path string) error {
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("emulator state: %w", err)
	}
	var st stateFile
	if err := json.Unmarshal(b, &st); err != nil {
		return fmt.Errorf("emulator state %s: %w", path, err)
	}
	if st.Version != stateVersion {
		return fmt.Errorf("emulator state %s: version %d, want %d", path, st.Version, stateVersion)
	}
	if st.NextInstanceID > s.nextInstanceID {
		s.nextInstanceID = st.NextInstanceID
	}
	if st.NextActionID > s.nextActionID {
		s.nextActionID = st.NextActionID
	}
	if st.NextIP != nil {
		s.nextIP = st.NextIP
	}
	for _, sv := range st.Services {
		s.services[sv.ID] = sv
	}
	for _, nw := range st.Networks {
		s.networks[nw.ID] = nw
	}
	for _, a := range st.Areas {
		s.areas[a.ID] = a
	}
	for _, si := range st.Instances {
		in := si.Instance
		in.Extra = si.Extra
		s.instances[in.ID] = &in
	}
	for _, a := range st.Actions {
		s.actions[a.Action.ID] = a
	}
	return nil
}
