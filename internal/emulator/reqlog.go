package emulator

import (
	"bytes"
	"encoding/json"
	"fmt"
	"mime"
	"net/url"
	"strings"
	"time"
)

// RequestRecord is one request the emulator answered (admin calls
// excluded). Status 0 means nothing was answered: the connection was
// dropped by a fault, or the client gave up first.
type RequestRecord struct {
	Time   time.Time `json:"time"`
	Method string    `json:"method"`
	Path   string    `json:"path"`
	Query  string    `json:"query,omitempty"`
	Status int       `json:"status"`
	// Duration runs to the start of the answer (or to the drop).
	Duration  time.Duration `json:"duration"`
	Operation string        `json:"operation,omitempty"`
	// Body is the request body as JSON with every secret replaced by "***"
	// (form bodies are turned into a JSON object first).
	Body string `json:"body,omitempty"`
}

// secretKeys are redacted wherever they appear in a body, at any depth.
var secretKeys = map[string]bool{
	"admpassword": true, "password": true, "client_secret": true, "clientsecret": true,
	"access_token": true, "refresh_token": true, "token": true, "id_token": true, "secret": true,
}

func redactBody(body []byte, contentType string) string {
	if len(bytes.TrimSpace(body)) == 0 {
		return ""
	}
	mt, _, _ := mime.ParseMediaType(contentType)
	if mt == "application/x-www-form-urlencoded" {
		vals, err := url.ParseQuery(string(body))
		if err != nil {
			return fmt.Sprintf("%q", fmt.Sprintf("<unparsable form body, %d bytes>", len(body)))
		}
		m := map[string]any{}
		for k, v := range vals {
			if len(v) == 1 {
				m[k] = v[0]
			} else {
				m[k] = v
			}
		}
		b, _ := json.Marshal(redact(m))
		return string(b)
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		// A body that is not JSON may still hold a secret: keep only its size.
		return fmt.Sprintf("%q", fmt.Sprintf("<non-JSON body, %d bytes>", len(body)))
	}
	b, _ := json.Marshal(redact(v))
	return string(b)
}

func redact(v any) any {
	switch x := v.(type) {
	case map[string]any:
		for k, val := range x {
			if secretKeys[strings.ToLower(k)] {
				x[k] = "***"
			} else {
				x[k] = redact(val)
			}
		}
	case []any:
		for i := range x {
			x[i] = redact(x[i])
		}
	}
	return v
}

// Requests returns a copy of the request log, oldest first.
func (s *Server) Requests() []RequestRecord {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]RequestRecord{}, s.requests...)
}

// ResetRequests empties the request log.
func (s *Server) ResetRequests() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.requests = nil
}
