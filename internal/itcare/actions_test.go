package itcare

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"
)

// actionSequence answers GET /actions/42 with the given statuses in turn,
// the last one repeated; "404" answers not found.
func actionSequence(t *testing.T, statuses ...string) *fakeAPI {
	return newFakeAPI(t, func(w http.ResponseWriter, r *http.Request, n int) {
		if r.URL.Path != "/itcare/actions/42" {
			t.Errorf("unexpected %s", r.URL.Path)
		}
		s := statuses[min(n, len(statuses))-1]
		if s == "404" {
			writeJSON(w, http.StatusNotFound, nil)
			return
		}
		writeJSON(w, http.StatusOK, fmt.Sprintf(`{"id":42,"status":%q,"process":"POSTGRESQL_RESIZE","message":"msg %d"}`, s, n))
	})
}

func TestWaitForActionSuccess(t *testing.T) {
	f := actionSequence(t, "IN_PROGRESS", "IN_PROGRESS", "SUCCESS")
	c := newTestClient(t, f)
	waits := fakeClock(c)
	var polled []string
	a, err := c.WaitForAction(context.Background(), 42, WaitOptions{OnPoll: func(a *Action) { polled = append(polled, a.Status) }})
	if err != nil {
		t.Fatal(err)
	}
	if a.Status != ActionStatusSuccess || a.Message != "msg 3" {
		t.Errorf("action = %+v", a)
	}
	if strings.Join(polled, ",") != "IN_PROGRESS,IN_PROGRESS,SUCCESS" {
		t.Errorf("OnPoll saw %v", polled)
	}
	// 1 s, then 1 s + 5% of the 1 s waited, then 1 s + 5% of 2.05 s.
	want := []time.Duration{time.Second, 1050 * time.Millisecond, 1102500 * time.Microsecond}
	if fmt.Sprint(*waits) != fmt.Sprint(want) {
		t.Errorf("waits = %v, want %v", *waits, want)
	}
}

func TestWaitForActionError(t *testing.T) {
	f := actionSequence(t, "IN_PROGRESS", "ERROR")
	c := newTestClient(t, f)
	recordSleeps(c)
	a, err := c.WaitForAction(context.Background(), 42, WaitOptions{})
	var actionErr *ActionError
	if a != nil || !errors.As(err, &actionErr) {
		t.Fatalf("got %+v, %v; want an *ActionError", a, err)
	}
	if actionErr.ActionID != 42 || actionErr.Process != "POSTGRESQL_RESIZE" || actionErr.Message != "msg 2" || actionErr.Action == nil {
		t.Errorf("ActionError = %+v", actionErr)
	}
	if err.Error() != "action 42 (POSTGRESQL_RESIZE) failed: msg 2" {
		t.Errorf("Error() = %q", err.Error())
	}
}

func TestWaitForActionKeepsWaitingOnUnknownStatus(t *testing.T) {
	f := actionSequence(t, "QUEUED", "QUEUED", "QUEUED", "SUCCESS")
	log := &recordingLogger{}
	c := newTestClient(t, f, func(cfg *Config) { cfg.Logger = log })
	recordSleeps(c)
	if _, err := c.WaitForAction(context.Background(), 42, WaitOptions{}); err != nil {
		t.Fatal(err)
	}
	warns := 0
	for _, e := range log.all() {
		if e.Level == "warn" && e.Fields["action_status"] == "QUEUED" {
			warns++
		}
	}
	if warns != 1 {
		t.Errorf("%d warnings about QUEUED, want 1", warns)
	}
}

// fakeClock makes the client's clock advance by its sleeps only, so that
// the poll schedule is exact; sleeps are recorded, not slept, and a done
// context still ends them.
func fakeClock(c *Client) *[]time.Duration {
	var mu sync.Mutex
	now := time.Now()
	waits := &[]time.Duration{}
	c.now = func() time.Time {
		mu.Lock()
		defer mu.Unlock()
		return now
	}
	c.sleep = func(ctx context.Context, d time.Duration) error {
		mu.Lock()
		*waits = append(*waits, d)
		now = now.Add(d)
		mu.Unlock()
		return ctx.Err()
	}
	return waits
}

func TestWaitForActionPollIntervals(t *testing.T) {
	for _, tc := range []struct {
		name  string
		opts  WaitOptions
		first time.Duration
		max   time.Duration
	}{
		{"defaults", WaitOptions{}, time.Second, 30 * time.Second},
		{"first poll above 1s is clamped", WaitOptions{FirstPoll: 5 * time.Second}, time.Second, 30 * time.Second},
		{"short first poll", WaitOptions{FirstPoll: 10 * time.Millisecond, MaxInterval: 3 * time.Second}, 10 * time.Millisecond, 3 * time.Second},
		{"cap below the first poll", WaitOptions{MaxInterval: 250 * time.Millisecond}, 250 * time.Millisecond, 250 * time.Millisecond},
	} {
		t.Run(tc.name, func(t *testing.T) {
			// Enough polls to reach the cap from a 10 ms first poll.
			statuses := make([]string, 200)
			for i := range statuses {
				statuses[i] = "IN_PROGRESS"
			}
			f := actionSequence(t, append(statuses, "SUCCESS")...)
			c := newTestClient(t, f)
			waits := fakeClock(c)
			if _, err := c.WaitForAction(context.Background(), 42, tc.opts); err != nil {
				t.Fatal(err)
			}
			w := *waits
			if w[0] != tc.first {
				t.Errorf("first wait = %v, want %v", w[0], tc.first)
			}
			var waited time.Duration
			for i, d := range w {
				// The interval policy: never more than the first poll's
				// delay plus 5% of the time already waited, nor the cap.
				if limit := min(tc.first+waited/20, tc.max); i > 0 && d != limit {
					t.Errorf("wait %d = %v after %v waited, want %v", i, d, waited, limit)
				}
				if i > 0 && d < w[i-1] {
					t.Errorf("wait %d = %v shorter than the one before (%v)", i, d, w[i-1])
				}
				waited += d
			}
			if w[len(w)-1] != tc.max {
				t.Errorf("last wait = %v, want the cap %v", w[len(w)-1], tc.max)
			}
		})
	}
}

// The point of the interval policy: whenever an action completes, the next
// poll sees it within 5% of the action's duration + the first poll's
// delay, and the number of polls stays small for long actions.
func TestPollIntervalBoundsCompletionLag(t *testing.T) {
	const base, maxInterval = time.Second, 30 * time.Second
	for _, d := range []time.Duration{
		100 * time.Millisecond, time.Second, 2 * time.Second, 7 * time.Second, 20 * time.Second,
		25 * time.Second, 90 * time.Second, 10 * time.Minute, time.Hour, 6 * time.Hour,
	} {
		polls, at := 1, base
		for at < d {
			at += pollInterval(base, maxInterval, at)
			polls++
		}
		if lag, limit := at-d, base+d/20; lag > limit {
			t.Errorf("action of %v: first poll that sees it done %v late, want at most %v", d, lag, limit)
		}
		// Below the cap the schedule is geometric (×1.05 plus 1 s); above it
		// one poll every 30 s.
		if limit := 80 + int((d-10*time.Minute)/maxInterval); polls > max(limit, 80) {
			t.Errorf("action of %v: %d polls, want at most %d", d, polls, max(limit, 80))
		}
	}
	if got := pollInterval(base, maxInterval, -time.Second); got != base {
		t.Errorf("negative elapsed: %v, want %v", got, base)
	}
}

// The first poll is measured on the real clock: a create that ITCare
// finishes at once must not keep the user waiting.
func TestWaitForActionFirstPollWithinOneSecond(t *testing.T) {
	f := actionSequence(t, "SUCCESS")
	c := newTestClient(t, f)
	sleeps := recordSleeps(c)
	// A larger FirstPoll is capped: an action that ends at once must be
	// seen within a second.
	if _, err := c.WaitForAction(context.Background(), 42, WaitOptions{FirstPoll: time.Hour}); err != nil {
		t.Fatal(err)
	}
	if len(*sleeps) == 0 || (*sleeps)[0] > time.Second {
		t.Errorf("waits before the first poll: %v; want one of at most 1s", *sleeps)
	}
	if got := len(f.requests()); got != 1 {
		t.Errorf("%d polls, want 1", got)
	}
}

func TestWaitForActionTimeoutNamesTheAction(t *testing.T) {
	f := actionSequence(t, "IN_PROGRESS")
	c := newTestClient(t, f)
	ctx, cancel := context.WithTimeout(context.Background(), 150*time.Millisecond)
	defer cancel()
	_, err := c.WaitForAction(ctx, 42, WaitOptions{FirstPoll: 10 * time.Millisecond, MaxInterval: 20 * time.Millisecond})
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("err = %v, want DeadlineExceeded", err)
	}
	if !strings.HasPrefix(err.Error(), "timed out waiting for action 42 (last status IN_PROGRESS)") {
		t.Errorf("err = %q", err)
	}
}

func TestWaitForActionNotFound(t *testing.T) {
	t.Run("a few 404s are tolerated", func(t *testing.T) {
		f := actionSequence(t, "404", "404", "SUCCESS")
		c := newTestClient(t, f)
		recordSleeps(c)
		if _, err := c.WaitForAction(context.Background(), 42, WaitOptions{}); err != nil {
			t.Fatal(err)
		}
	})
	t.Run("then it fails", func(t *testing.T) {
		f := actionSequence(t, "404")
		c := newTestClient(t, f)
		recordSleeps(c)
		_, err := c.WaitForAction(context.Background(), 42, WaitOptions{})
		if !IsNotFound(err) || !strings.Contains(err.Error(), "action 42 not found") {
			t.Errorf("err = %v", err)
		}
		if n := len(f.requests()); n != maxActionNotFound {
			t.Errorf("%d polls, want %d", n, maxActionNotFound)
		}
	})
}

func TestWaitForActionFailsOnOtherErrors(t *testing.T) {
	f := newFakeAPI(t, func(w http.ResponseWriter, _ *http.Request, _ int) {
		writeJSON(w, http.StatusForbidden, `{"errorMessage":"not yours"}`)
	})
	c := newTestClient(t, f)
	recordSleeps(c)
	_, err := c.WaitForAction(context.Background(), 42, WaitOptions{})
	if err == nil || !strings.Contains(err.Error(), "polling action 42 (last status not read yet)") || !strings.Contains(err.Error(), "not yours") {
		t.Errorf("err = %v", err)
	}
}

// TestWaitOptionsIntervals: both waits (an action, an instance settling)
// take their first poll and cap from here, defaults included.
func TestWaitOptionsIntervals(t *testing.T) {
	for _, c := range []struct {
		opts             WaitOptions
		first, maxInterv time.Duration
	}{
		{WaitOptions{}, defaultFirstPoll, defaultMaxInterval},
		{WaitOptions{FirstPoll: 200 * time.Millisecond, MaxInterval: 5 * time.Second}, 200 * time.Millisecond, 5 * time.Second},
		{WaitOptions{FirstPoll: 10 * time.Second}, defaultFirstPoll, defaultMaxInterval},
		{WaitOptions{FirstPoll: -time.Second, MaxInterval: -time.Second}, defaultFirstPoll, defaultMaxInterval},
	} {
		first, maxInterval := c.opts.intervals()
		if first != c.first || maxInterval != c.maxInterv {
			t.Errorf("%+v: first %v, cap %v; want %v, %v", c.opts, first, maxInterval, c.first, c.maxInterv)
		}
	}
}
