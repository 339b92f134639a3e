package itcare

import (
	"context"
	"fmt"
	"strings"
)

// FindCreatedPostgreSQL returns the instances that a create of name may
// have made, given the action its answer named (nil when the answer was
// lost or named none): exactly one when the instance is found.
//
// The reference page shows the 202's internalId but never says which id it
// is; the read model has both id and internalResourceId. So internalId is
// only taken once GET …/{internalId} answers an instance of that name.
// Otherwise the instance is looked up by name (GET /databases/postgresql,
// itself not on the page) and, where ITCare lists no instances, through
// the internalId of the create's action in GET /actions. An error says
// that no way could look, and what each answered; an empty result with a
// nil error says that the ways that could look found nothing.
func (c *Client) FindCreatedPostgreSQL(ctx context.Context, name string, action *Action) ([]PostgreSQL, error) {
	tried := map[int64]bool{}
	var why []string
	byInternalID := func(id int64, from string) (*PostgreSQL, error) {
		if id == 0 || tried[id] {
			return nil, nil
		}
		tried[id] = true
		pg, err := c.GetPostgreSQL(ctx, id)
		switch {
		case IsNotFound(err):
			why = append(why, fmt.Sprintf("the internalId %d of %s is no instance", id, from))
			return nil, nil
		case err != nil:
			return nil, err
		case !sameName(pg.Name, name):
			why = append(why, fmt.Sprintf("the internalId %d of %s is the instance %q", id, from, pg.Name))
			return nil, nil
		}
		return pg, nil
	}
	if action != nil {
		pg, err := byInternalID(action.InternalID, "the create's answer")
		if err != nil {
			return nil, err
		}
		if pg != nil {
			return []PostgreSQL{*pg}, nil
		}
		if len(why) > 0 {
			c.log.Warn(ctx, "the create's internalId is not the instance; looking it up by name", map[string]any{"reason": why[0]})
		}
	}
	found, err := c.FindPostgreSQLByName(ctx, name)
	if err == nil || !IsNotOffered(err) {
		return found, err
	}
	why = append(why, err.Error())
	actions, err := c.ListActions(ctx, ActionFilter{ResourceName: name})
	if err != nil {
		why = append(why, err.Error())
		return nil, &LookupError{Name: name, Reasons: why}
	}
	for i := range actions {
		a := &actions[i]
		if a.ResourceName != "" && !sameName(a.ResourceName, name) {
			continue
		}
		pg, err := byInternalID(a.InternalID, fmt.Sprintf("action %d", a.ID))
		if err != nil {
			return nil, err
		}
		if pg != nil {
			return []PostgreSQL{*pg}, nil
		}
	}
	why = append(why, "no action of GET /actions?resourceName names it")
	return nil, &LookupError{Name: name, Reasons: why}
}

// LookupError says that no way of finding an instance by name could look.
type LookupError struct {
	Name    string
	Reasons []string
}

// Error lists what each way answered.
func (e *LookupError) Error() string {
	return fmt.Sprintf("the instance %q cannot be found by name: %s", e.Name, strings.Join(e.Reasons, "; "))
}

// WaitUntilSettled polls the instance until its status is no longer
// transitional, and reports whether it had to wait: where ITCare lists no
// actions (GET /actions not served), the instance's own status is the
// only sign that an action on it has ended. An unknown status counts as
// settled, so that the caller reports it instead of waiting for ever.
func (c *Client) WaitUntilSettled(ctx context.Context, id int64, opts WaitOptions) (bool, error) {
	base, maxInterval := opts.intervals()
	start := c.now()
	for waited := false; ; waited = true {
		pg, err := c.GetPostgreSQL(ctx, id)
		if err != nil {
			return waited, err
		}
		if ClassifyStatus(pg.Status) != StatusTransitional {
			return waited, nil
		}
		if err := c.sleep(ctx, pollInterval(base, maxInterval, c.now().Sub(start))); err != nil {
			return waited, fmt.Errorf("stopped waiting for instance %d to leave status %s: %w", id, sanitize(pg.Status, 40), err)
		}
	}
}
