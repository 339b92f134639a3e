package itcare

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// GetAction sends GET /actions/{id}.
func (c *Client) GetAction(ctx context.Context, id int64) (*Action, error) {
	var a Action
	if err := c.getJSON(ctx, "/actions/"+strconv.FormatInt(id, 10), nil, &a); err != nil {
		return nil, err
	}
	// An action's message may quote the request that started it.
	a.Message = c.secrets.redact(a.Message)
	return &a, nil
}

// ListActions sends GET /actions with the filter's query parameters.
// Several statuses are sent as a repeated "statuses" parameter.
func (c *Client) ListActions(ctx context.Context, f ActionFilter) ([]Action, error) {
	q := url.Values{}
	if f.ResourceName != "" {
		q.Set("resourceName", f.ResourceName)
	}
	if f.ResourceID != 0 {
		q.Set("resourceId", strconv.FormatInt(f.ResourceID, 10))
	}
	if f.ServiceID != 0 {
		q.Set("serviceId", strconv.FormatInt(f.ServiceID, 10))
	}
	if f.RequestID != 0 {
		q.Set("requestId", strconv.FormatInt(f.RequestID, 10))
	}
	for _, s := range f.Statuses {
		q.Add("statuses", s)
	}
	list, err := listAll(ctx, c, "/actions", q, func(a Action) int64 { return a.ID })
	for i := range list {
		list[i].Message = c.secrets.redact(list[i].Message)
	}
	return list, err
}

// decodeAction reads the action of a write's answer. An empty body, or a
// JSON object without an action id, gives nil: there is no action to follow.
func decodeAction(body []byte) (*Action, error) {
	b := bytes.TrimSpace(body)
	if len(b) == 0 || bytes.Equal(b, []byte("null")) {
		return nil, nil
	}
	var a Action
	if err := json.Unmarshal(b, &a); err != nil {
		return nil, err
	}
	if a.ID == 0 {
		return nil, nil
	}
	return &a, nil
}

// acceptedAction turns a write's 2xx answer into the action to wait for.
//
// A 202 names its action; if its body is empty or has no id, the action is
// the most recent IN_PROGRESS one of the resource (the documented
// fallback). Any other 2xx means the work is done; it is returned as an
// action only if its body is one (an id and an action status), so that an
// instance returned by a synchronous answer is not taken for an action.
// A body that is not JSON (cut short, a web page) says neither: the write
// was accepted but what it started is unknown, an *UnknownOutcomeError.
func (c *Client) acceptedAction(ctx context.Context, k call, res *response, fallback ActionFilter) (*Action, error) {
	a, err := decodeAction(res.body)
	if err != nil {
		return nil, &UnknownOutcomeError{Method: k.method, Path: k.target(),
			Err: fmt.Errorf("answered %d with a body that cannot be read: %w", res.status, err)}
	}
	if res.status != http.StatusAccepted {
		if a != nil && isActionStatus(a.Status) {
			return a, nil
		}
		return nil, nil
	}
	if a != nil {
		return a, nil
	}
	found, err := c.latestRunningAction(ctx, fallback)
	if err != nil {
		return nil, &UnknownOutcomeError{Method: k.method, Path: k.target(),
			Err: fmt.Errorf("accepted (202) without an action id, and looking the action up failed: %w", err)}
	}
	if found != nil && found.InternalID == 0 {
		// The 202 body may name the instance even without an action id.
		var partial struct {
			InternalID int64 `json:"internalId"`
		}
		if json.Unmarshal(res.body, &partial) == nil {
			found.InternalID = partial.InternalID
		}
	}
	return found, nil
}

// latestRunningAction returns the most recently submitted IN_PROGRESS
// action matching f, or nil.
func (c *Client) latestRunningAction(ctx context.Context, f ActionFilter) (*Action, error) {
	f.Statuses = []string{ActionStatusInProgress}
	list, err := c.ListActions(ctx, f)
	if err != nil {
		return nil, err
	}
	var best *Action
	for i := range list {
		a := &list[i]
		// The filter may match names by substring. An action that names no
		// resource is left to the server's filter.
		if f.ResourceName != "" && a.ResourceName != "" && !sameName(a.ResourceName, f.ResourceName) {
			continue
		}
		if best == nil || submitted(a).After(submitted(best)) || (submitted(a).Equal(submitted(best)) && a.ID > best.ID) {
			best = a
		}
	}
	return best, nil
}

func submitted(a *Action) time.Time {
	if a.SubmittedAt == nil {
		return time.Time{}
	}
	return a.SubmittedAt.Time
}

func isActionStatus(s string) bool {
	switch strings.ToUpper(s) {
	case ActionStatusInProgress, ActionStatusSuccess, ActionStatusError:
		return true
	}
	return false
}

const (
	defaultFirstPoll   = 1 * time.Second
	defaultMaxInterval = 30 * time.Second
	// pollLagDivisor sets how far apart polls may be: at most the first
	// poll's delay plus 1/pollLagDivisor (5%) of the time already waited.
	// An action that completes between two polls is then seen at most 5% of
	// its duration + 1 s late whatever that duration, while the number of
	// polls grows only with the logarithm of the duration (until the cap).
	// A fixed growth factor would not do: with ×1.5 an action finishing just
	// after a poll is seen up to half its duration late.
	pollLagDivisor = 20
	// maxActionNotFound is how many consecutive 404s an action may get
	// before the wait fails: right after a 202 the action may not be
	// readable yet.
	maxActionNotFound = 3
)

// WaitForAction polls the action until it is SUCCESS (returned) or ERROR
// (an *ActionError), or ctx ends (an error wrapping ctx.Err() that names the
// action and its last status). Statuses other than the documented ones are
// taken as still running. The first poll comes after opts.FirstPoll; each
// next one after pollInterval of the time waited so far, at most
// opts.MaxInterval.
func (c *Client) WaitForAction(ctx context.Context, id int64, opts WaitOptions) (*Action, error) {
	base, maxInterval := opts.intervals()
	start := c.now()
	wait := min(base, maxInterval)
	last := "not read yet"
	warned := map[string]bool{}
	notFound := 0
	for {
		if err := c.sleep(ctx, wait); err != nil {
			return nil, waitError(id, last, err)
		}

		a, err := c.GetAction(ctx, id)
		// Measured after the poll, so that slow answers and retries count
		// as time waited too.
		wait = pollInterval(base, maxInterval, c.now().Sub(start))
		switch {
		case err != nil && ctx.Err() != nil:
			return nil, waitError(id, last, ctx.Err())
		case IsNotFound(err):
			notFound++
			if notFound >= maxActionNotFound {
				return nil, fmt.Errorf("action %d not found after %d polls: %w", id, notFound, err)
			}
			continue
		case err != nil:
			return nil, fmt.Errorf("polling action %d (last status %s): %w", id, last, err)
		}
		notFound = 0
		if opts.OnPoll != nil {
			opts.OnPoll(a)
		}
		last = sanitize(a.Status, 40)
		switch strings.ToUpper(a.Status) {
		case ActionStatusSuccess:
			return a, nil
		case ActionStatusError:
			return nil, &ActionError{ActionID: id, Process: a.Process, Message: a.Message, Action: a}
		case ActionStatusInProgress:
		default:
			if !warned[a.Status] {
				warned[a.Status] = true
				c.log.Warn(ctx, "ITCare action has an undocumented status; still waiting", map[string]any{
					"action_id": logID(id), "action_status": sanitize(a.Status, 40),
				})
			}
		}
	}
}

// pollInterval is the delay before the next poll of an action waited on
// for elapsed: base plus 5% of elapsed, at most maxInterval. Whatever
// the action's duration d, the poll after its completion then comes at most
// base + 5% of d later.
func pollInterval(base, maxInterval, elapsed time.Duration) time.Duration {
	return min(base+max(elapsed, 0)/pollLagDivisor, maxInterval)
}

func waitError(id int64, last string, err error) error {
	verb := "stopped waiting"
	if errors.Is(err, context.DeadlineExceeded) {
		verb = "timed out waiting"
	}
	return fmt.Errorf("%s for action %d (last status %s): %w", verb, id, last, err)
}
