package emulator

import (
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// Fault kinds.
const (
	FaultLatency     = "latency"
	FaultStatus      = "status"
	FaultDrop        = "drop"
	FaultActionError = "action_error"
	FaultActionHang  = "action_hang"
	FaultTokenExpiry = "token_expiry"
	// FaultBody answers with a body given verbatim (malformed JSON, an
	// HTML page from a gateway), so that clients can be tested against
	// answers the API documentation does not describe.
	FaultBody = "body"
)

// Fault is an injected failure. Every non-empty matcher (Method, Path,
// InstanceName, Operation) must match a request for the fault to apply.
type Fault struct {
	// ID is set by the server when the fault is added.
	ID   int    `json:"id,omitempty"`
	Kind string `json:"kind"`
	// Method matches the HTTP method, case-insensitively.
	Method string `json:"method,omitempty"`
	// Path matches a prefix of the URL path.
	Path string `json:"path,omitempty"`
	// InstanceName matches requests on that instance: by id in the path,
	// by name in a create body, or by an action's resource name.
	InstanceName string `json:"instanceName,omitempty"`
	// Operation matches a PATCH operation, or "create" / "delete".
	Operation string `json:"operation,omitempty"`
	// Status is the answer of a "status" fault (default 503).
	Status int `json:"status,omitempty"`
	// RetryAfter is sent as a Retry-After header in seconds.
	RetryAfter time.Duration `json:"-"`
	// Latency delays a "latency" fault's requests.
	Latency time.Duration `json:"-"`
	// Count is how many requests the fault applies to; 0 means until cleared.
	Count int `json:"count,omitempty"`
	// After makes a "drop" fault perform the request before dropping the
	// connection: the write happens, its answer is lost. A "body" fault
	// with After performs the request and replaces its answer.
	After bool `json:"after,omitempty"`
	// Message is the error text (status and action_error faults).
	Message string `json:"message,omitempty"`
	// Body and ContentType are the answer of a "body" fault (status
	// Status, default 200; content type default MediaType).
	Body        string `json:"body,omitempty"`
	ContentType string `json:"contentType,omitempty"`
	// Probability, when above 0, makes the fault apply to each matching
	// request with that probability, drawn from the source seeded by
	// SetFaultSeed, so that a run of random faults can be replayed. A
	// request the draw spares does not count towards Count.
	Probability float64 `json:"probability,omitempty"`
}

type faultWire struct {
	ID           int     `json:"id,omitempty"`
	Kind         string  `json:"kind"`
	Method       string  `json:"method,omitempty"`
	Path         string  `json:"path,omitempty"`
	InstanceName string  `json:"instanceName,omitempty"`
	Operation    string  `json:"operation,omitempty"`
	Status       int     `json:"status,omitempty"`
	RetryAfter   string  `json:"retryAfter,omitempty"`
	Latency      string  `json:"latency,omitempty"`
	Count        int     `json:"count,omitempty"`
	After        bool    `json:"after,omitempty"`
	Message      string  `json:"message,omitempty"`
	Body         string  `json:"body,omitempty"`
	ContentType  string  `json:"contentType,omitempty"`
	Probability  float64 `json:"probability,omitempty"`
}

// MarshalJSON writes durations as Go duration strings ("500ms").
func (f Fault) MarshalJSON() ([]byte, error) {
	w := faultWire{ID: f.ID, Kind: f.Kind, Method: f.Method, Path: f.Path, InstanceName: f.InstanceName,
		Operation: f.Operation, Status: f.Status, Count: f.Count, After: f.After, Message: f.Message,
		Body: f.Body, ContentType: f.ContentType, Probability: f.Probability}
	if f.RetryAfter > 0 {
		w.RetryAfter = f.RetryAfter.String()
	}
	if f.Latency > 0 {
		w.Latency = f.Latency.String()
	}
	return json.Marshal(w)
}

// UnmarshalJSON reads durations as Go duration strings ("2s", "500ms").
func (f *Fault) UnmarshalJSON(b []byte) error {
	var w faultWire
	if err := json.Unmarshal(b, &w); err != nil {
		return err
	}
	*f = Fault{ID: w.ID, Kind: w.Kind, Method: w.Method, Path: w.Path, InstanceName: w.InstanceName,
		Operation: w.Operation, Status: w.Status, Count: w.Count, After: w.After, Message: w.Message,
		Body: w.Body, ContentType: w.ContentType, Probability: w.Probability}
	var err error
	if w.RetryAfter != "" {
		if f.RetryAfter, err = time.ParseDuration(w.RetryAfter); err != nil {
			return fmt.Errorf("retryAfter: %w", err)
		}
	}
	if w.Latency != "" {
		if f.Latency, err = time.ParseDuration(w.Latency); err != nil {
			return fmt.Errorf("latency: %w", err)
		}
	}
	return nil
}

func (f Fault) validate() error {
	switch f.Kind {
	case FaultLatency:
		if f.Latency <= 0 {
			return fmt.Errorf("a latency fault needs a positive latency")
		}
	case FaultStatus:
		if f.Status != 0 && (f.Status < 400 || f.Status > 599) {
			return fmt.Errorf("status must be 400 to 599")
		}
	case FaultBody:
		if f.Status != 0 && (f.Status < 200 || f.Status > 599) {
			return fmt.Errorf("status must be 200 to 599")
		}
	case FaultDrop, FaultActionError, FaultActionHang, FaultTokenExpiry:
	default:
		return fmt.Errorf("unknown fault kind %q (latency, status, drop, action_error, action_hang, token_expiry, body)", f.Kind)
	}
	if f.Count < 0 {
		return fmt.Errorf("count must not be negative")
	}
	if f.Probability < 0 || f.Probability > 1 {
		return fmt.Errorf("probability must be between 0 and 1")
	}
	return nil
}

type faultState struct {
	Fault
	used int
}

func (f *Fault) matches(ri *reqInfo) bool {
	switch {
	case f.Method != "" && !strings.EqualFold(f.Method, ri.method):
		return false
	case f.Path != "" && !strings.HasPrefix(ri.path, f.Path):
		return false
	case f.InstanceName != "" && f.InstanceName != ri.instanceName:
		return false
	case f.Operation != "" && f.Operation != ri.operation:
		return false
	}
	return true
}

// drawLocked decides whether a matching fault applies to this request.
func (s *Server) drawLocked(fs *faultState) bool {
	if fs.Probability <= 0 || fs.Probability >= 1 {
		return true
	}
	return s.faultRand.Float64() < fs.Probability
}

// SetFaultSeed reseeds the source that decides which requests a fault with
// a Probability hits. The same seed and the same request order give the
// same faults.
func (s *Server) SetFaultSeed(seed uint64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faultRand = rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
}

// useLocked counts one application and drops a used-up fault.
func (s *Server) useLocked(fs *faultState) {
	fs.used++
	if fs.Count > 0 && fs.used >= fs.Count {
		for i, x := range s.faults {
			if x == fs {
				s.faults = append(s.faults[:i], s.faults[i+1:]...)
				break
			}
		}
	}
}

// takeRequestFaults returns the summed latency of matching latency faults
// and the first matching fault that replaces the answer.
func (s *Server) takeRequestFaults(ri *reqInfo, authenticated bool) (time.Duration, *Fault) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var latency time.Duration
	var hit *Fault
	for _, fs := range append([]*faultState(nil), s.faults...) {
		if !fs.matches(ri) {
			continue
		}
		switch fs.Kind {
		case FaultLatency:
			if !s.drawLocked(fs) {
				continue
			}
			latency += fs.Latency
			s.useLocked(fs)
		case FaultStatus, FaultDrop, FaultTokenExpiry, FaultBody:
			if hit != nil || (fs.Kind == FaultTokenExpiry && !authenticated) || !s.drawLocked(fs) {
				continue
			}
			f := fs.Fault
			hit = &f
			s.useLocked(fs)
		}
	}
	return latency, hit
}

// takeActionFaultLocked returns the first action fault matching the write
// that is creating an action.
func (s *Server) takeActionFaultLocked(ri *reqInfo) *Fault {
	for _, fs := range s.faults {
		if (fs.Kind == FaultActionError || fs.Kind == FaultActionHang) && fs.matches(ri) && s.drawLocked(fs) {
			f := fs.Fault
			s.useLocked(fs)
			return &f
		}
	}
	return nil
}

// AddFault injects a fault. A fault of an unknown kind never matches.
func (s *Server) AddFault(f Fault) {
	s.addFault(f)
}

func (s *Server) addFault(f Fault) Fault {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.nextFaultID++
	f.ID = s.nextFaultID
	s.faults = append(s.faults, &faultState{Fault: f})
	return f
}

// Faults returns the faults still active.
func (s *Server) Faults() []Fault {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Fault, 0, len(s.faults))
	for _, fs := range s.faults {
		out = append(out, fs.Fault)
	}
	return out
}

// ClearFaults removes every fault and lets hung actions finish.
func (s *Server) ClearFaults() {
	s.mu.Lock()
	defer s.unlock()
	s.faults = nil
	now := s.now()
	for _, a := range s.actions {
		if a.Hang {
			a.Hang = false
			if a.DueAt.Before(now) {
				a.DueAt = now
			}
			s.dirty = true
		}
	}
}

// serveFault answers a request as the fault f says, in place of the API
// or after it; false when f does not replace the answer.
func (s *Server) serveFault(w *statusWriter, r *http.Request, f *Fault) bool {
	switch f.Kind {
	case FaultStatus:
		code := f.Status
		if code == 0 {
			code = http.StatusServiceUnavailable
		}
		if f.RetryAfter > 0 {
			w.Header().Set("Retry-After", strconv.Itoa(int((f.RetryAfter+time.Second-1)/time.Second)))
		}
		msg := f.Message
		if msg == "" {
			msg = "injected fault: " + http.StatusText(code)
		}
		writeDocumentedError(w, apiErr(code, statusName(code), "", msg))
		return true
	case FaultDrop:
		if f.After {
			// The lost answer of a write that was performed. A write the
			// API refused (a 4xx such as an expired token) changed
			// nothing, so its refusal is answered as usual: dropping it
			// would fake a lost write.
			rec := &recordingWriter{h: http.Header{}}
			s.dispatch(&statusWriter{ResponseWriter: rec}, r)
			if rec.status >= 300 {
				for k, v := range rec.h {
					w.Header()[k] = v
				}
				w.WriteHeader(rec.status)
				_, _ = w.Write(rec.body.Bytes())
				return true
			}
		}
		w.answered(0)
		if hj, ok := w.ResponseWriter.(http.Hijacker); ok {
			if conn, _, err := hj.Hijack(); err == nil {
				_ = conn.Close()
				return true
			}
		}
		panic(http.ErrAbortHandler)
	case FaultBody:
		if f.After {
			s.dispatch(&statusWriter{ResponseWriter: discardWriter{h: http.Header{}}}, r)
		}
		code := f.Status
		if code == 0 {
			code = http.StatusOK
		}
		ct := f.ContentType
		if ct == "" {
			ct = MediaType
		}
		w.Header().Set("Content-Type", ct)
		w.WriteHeader(code)
		_, _ = io.WriteString(w, f.Body)
		return true
	case FaultTokenExpiry:
		if tok := bearer(r); tok != "" {
			s.mu.Lock()
			delete(s.tokens, tok)
			s.mu.Unlock()
		}
		s.writeUnauthorized(w, r, "the access token has expired")
		return true
	}
	return false
}
