package acctest

import (
	"context"
	"errors"
	"fmt"
	"log"
	"sort"
	"strconv"
	"sync"
	"time"

	"github.com/cegedim-cloud/terraform-provider-itcare/internal/itcare"
	"github.com/cegedim-cloud/terraform-provider-itcare/internal/provider"
)

// DefaultSweepDeleteTimeout bounds the delete of one instance, as the
// resource's default delete timeout does.
const DefaultSweepDeleteTimeout = 60 * time.Minute

// sweepParallelism is how many deletes a sweep runs at once.
const sweepParallelism = 4

// PostgreSQLSweeper deletes the PostgreSQL instances acceptance tests left
// behind: those whose name LiveNameRegexp matches (the test prefix, then
// digits only), and nothing else.
type PostgreSQLSweeper struct {
	Client *itcare.Client
	// ServiceID, when not 0, restricts the sweep to that service's
	// instances.
	ServiceID int64
	// Wait tunes the wait for each delete's action.
	Wait itcare.WaitOptions
	// DeleteTimeout bounds each instance's delete (default
	// DefaultSweepDeleteTimeout).
	DeleteTimeout time.Duration
	// Logf reports what the sweep does (default: nothing).
	Logf func(format string, args ...any)
}

// NewSweeper returns the sweeper of `go test -sweep`, with the credentials
// SetupTestMain captured. It refuses to run unless live mode is on or
// ITCARE_API_URL names the API to sweep, so that a sweep never reaches
// ITCare by default. With ITCARE_ACC_SERVICE_ID set, only that service is
// swept.
func NewSweeper() (*PostgreSQLSweeper, error) {
	if !live.enabled && live.apiURL == "" {
		return nil, fmt.Errorf("the itcare_postgresql sweeper deletes the instances named %s<digits> of an ITCare tenant: "+
			"set %s=1 (or %s, to sweep another API) with %s and %s", LiveNamePrefix, EnvLive, provider.EnvAPIURL,
			provider.EnvClientID, provider.EnvClientSecret)
	}
	client, err := newLiveClient()
	if err != nil {
		return nil, fmt.Errorf("the itcare_postgresql sweeper: %w", err)
	}
	s := &PostgreSQLSweeper{Client: client, Logf: log.Printf}
	if live.serviceID != "" {
		id, err := strconv.ParseInt(live.serviceID, 10, 64)
		if err != nil || id < 1 {
			return nil, fmt.Errorf("the itcare_postgresql sweeper: %s=%q is not an ITCare id", EnvServiceID, live.serviceID)
		}
		s.ServiceID = id
	}
	return s, nil
}

// Sweeps reports whether the sweeper deletes p: its name is a test name
// and, when the sweep is restricted to a service, p belongs to it.
func (s *PostgreSQLSweeper) Sweeps(p itcare.PostgreSQL) bool {
	return LiveNameRegexp.MatchString(p.Name) && (s.ServiceID == 0 || p.ServiceID == s.ServiceID)
}

// Sweep lists the instances, deletes those Sweeps selects and waits for
// each delete's action. It returns the names of the instances now gone,
// sorted. It fails without deleting anything when the API cannot list the
// instances: the reference page does not document the collection GET.
func (s *PostgreSQLSweeper) Sweep(ctx context.Context) ([]string, error) {
	all, err := s.Client.ListPostgreSQL(ctx)
	if err != nil {
		return nil, fmt.Errorf("cannot list the PostgreSQL instances, so nothing was deleted "+
			"(the sweeper needs GET /databases/postgresql, which the API reference page does not document): %w; "+
			"delete the instances named %s<digits> by id from the ITCare console", err, LiveNamePrefix)
	}
	var selected []itcare.PostgreSQL
	for _, p := range all {
		if s.Sweeps(p) {
			selected = append(selected, p)
		}
	}
	s.logf("%d PostgreSQL instances listed, %d named %s<digits>%s", len(all), len(selected), LiveNamePrefix, s.scope())

	var (
		mu   sync.Mutex
		gone []string
		errs []error
		wg   sync.WaitGroup
		sem  = make(chan struct{}, sweepParallelism)
	)
	for _, p := range selected {
		wg.Add(1)
		go func() {
			defer wg.Done()
			sem <- struct{}{}
			defer func() { <-sem }()
			err := s.delete(ctx, p)
			mu.Lock()
			defer mu.Unlock()
			if err != nil {
				errs = append(errs, fmt.Errorf("%s (id %d): %w", p.Name, p.ID, err))
				return
			}
			gone = append(gone, p.Name)
		}()
	}
	wg.Wait()
	sort.Strings(gone)
	return gone, errors.Join(errs...)
}

func (s *PostgreSQLSweeper) scope() string {
	if s.ServiceID == 0 {
		return ""
	}
	return fmt.Sprintf(" in service %d", s.ServiceID)
}

// delete removes one instance and waits for the end of its delete. The
// instance is read again by id first: only an instance whose own answer
// carries a test name is deleted.
func (s *PostgreSQLSweeper) delete(ctx context.Context, listed itcare.PostgreSQL) error {
	timeout := s.DeleteTimeout
	if timeout <= 0 {
		timeout = DefaultSweepDeleteTimeout
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()

	p, err := s.Client.GetPostgreSQL(ctx, listed.ID)
	switch {
	case itcare.IsNotFound(err):
		s.logf("%s (id %d) is already gone", listed.Name, listed.ID)
		return nil
	case err != nil:
		return fmt.Errorf("reading it before the delete: %w", err)
	case p.Name != listed.Name || !s.Sweeps(*p):
		return fmt.Errorf("GET by id answers an instance named %q of service %d: not deleted", p.Name, p.ServiceID)
	}

	s.logf("deleting %s (id %d, %s)", p.Name, p.ID, p.Status)
	action, err := s.Client.DeletePostgreSQL(ctx, p.ID)
	if itcare.IsConflict(err) {
		// An action runs on the instance (a create a test stopped waiting
		// for, a delete under way): let it end, whatever its outcome, then
		// try once more.
		if werr := s.waitRunning(ctx, p.ID); werr != nil {
			return fmt.Errorf("an action runs on it and waiting for it failed: %w", werr)
		}
		action, err = s.Client.DeletePostgreSQL(ctx, p.ID)
	}
	switch {
	case itcare.IsNotFound(err):
		return nil
	case err != nil:
		return err
	case action == nil || action.ID == 0:
		s.logf("deleted %s (id %d)", p.Name, p.ID)
		return nil
	}
	if _, err := s.Client.WaitForAction(ctx, action.ID, s.Wait); err != nil && !itcare.IsNotFound(err) {
		return fmt.Errorf("delete action %d: %w", action.ID, err)
	}
	s.logf("deleted %s (id %d, action %d)", p.Name, p.ID, action.ID)
	return nil
}

// waitRunning waits for the actions in progress on instance id.
func (s *PostgreSQLSweeper) waitRunning(ctx context.Context, id int64) error {
	running, err := s.Client.ListActions(ctx, itcare.ActionFilter{ResourceID: id, Statuses: []string{itcare.ActionStatusInProgress}})
	if err != nil {
		return err
	}
	for _, a := range running {
		s.logf("waiting for action %d (%s) on instance %d", a.ID, a.Process, id)
		_, err := s.Client.WaitForAction(ctx, a.ID, s.Wait)
		var failed *itcare.ActionError
		if err != nil && !errors.As(err, &failed) && !itcare.IsNotFound(err) {
			return err
		}
	}
	return nil
}

func (s *PostgreSQLSweeper) logf(format string, args ...any) {
	if s.Logf != nil {
		s.Logf(format, args...)
	}
}
