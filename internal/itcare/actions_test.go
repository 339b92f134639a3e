package itcare

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
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
	waits := recordSleeps(c)
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
	want := []time.Duration{time.Second, 1500 * time.Millisecond, 2250 * time.Millisecond}
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
	} {
		t.Run(tc.name, func(t *testing.T) {
			statuses := make([]string, 30)
			for i := range statuses {
				statuses[i] = "IN_PROGRESS"
			}
			f := actionSequence(t, append(statuses, "SUCCESS")...)
			c := newTestClient(t, f)
			waits := recordSleeps(c)
			if _, err := c.WaitForAction(context.Background(), 42, tc.opts); err != nil {
				t.Fatal(err)
			}
			w := *waits
			if w[0] != tc.first {
				t.Errorf("first wait = %v, want %v", w[0], tc.first)
			}
			for i := 1; i < len(w); i++ {
				if w[i] > tc.max || w[i] < w[i-1] {
					t.Errorf("wait %d = %v after %v (cap %v)", i, w[i], w[i-1], tc.max)
				}
			}
			if w[len(w)-1] != tc.max {
				t.Errorf("last wait = %v, want the cap %v", w[len(w)-1], tc.max)
			}
		})
	}
}

// The first poll is measured on the real clock: a create that ITCare
// finishes at once must not keep the user waiting.
func TestWaitForActionFirstPollWithinOneSecond(t *testing.T) {
	start := time.Now()
	var first time.Duration
	f := newFakeAPI(t, func(w http.ResponseWriter, _ *http.Request, n int) {
		if n == 1 {
			first = time.Since(start)
		}
		writeJSON(w, http.StatusOK, `{"id":42,"status":"SUCCESS"}`)
	})
	c := newTestClient(t, f)
	if _, err := c.WaitForAction(context.Background(), 42, WaitOptions{FirstPoll: time.Hour}); err != nil {
		t.Fatal(err)
	}
	if first > 1200*time.Millisecond {
		t.Errorf("first poll after %v", first)
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
