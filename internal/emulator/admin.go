package emulator

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"time"
)

// adminRoutes maps the admin API's endpoints to their handlers. Most
// endpoints are a method of the Go API behind an adapter (adminGet,
// adminCreate, adminDo); the others are the adminXxx methods below.
func (s *Server) adminRoutes() *http.ServeMux {
	m := http.NewServeMux()
	for _, rt := range []struct {
		pattern string
		handler http.HandlerFunc
	}{
		{"GET /_emulator/instances", adminGet(s.Instances)},
		{"POST /_emulator/instances", adminCreate(s.SeedInstance)},
		{"GET /_emulator/instances/{id}", s.adminGetInstance},
		{"PATCH /_emulator/instances/{id}", s.adminUpdateInstance},
		{"DELETE /_emulator/instances/{id}", s.adminDeleteInstance},
		{"GET /_emulator/faults", adminGet(s.Faults)},
		{"POST /_emulator/faults", adminCreate(s.addCheckedFault)},
		{"DELETE /_emulator/faults", adminDo(s.ClearFaults)},
		{"GET /_emulator/requests", adminGet(s.Requests)},
		{"DELETE /_emulator/requests", adminDo(s.ResetRequests)},
		{"POST /_emulator/tokens/expire", adminDo(s.ExpireTokens)},
		{"GET /_emulator/settings", adminGet(s.settings)},
		{"PUT /_emulator/settings", s.adminPutSettings},
		{"GET /_emulator/services", adminGet(s.Services)},
		{"POST /_emulator/services", adminCreate(s.AddService)},
		{"GET /_emulator/networks", adminGet(s.Networks)},
		{"POST /_emulator/networks", adminCreate(s.AddNetwork)},
		{"GET /_emulator/actions", adminGet(s.Actions)},
		{"GET /_emulator/postgres", s.adminListPostgres},
		{"/", adminNotFound},
	} {
		m.HandleFunc(rt.pattern, rt.handler)
	}
	return m
}

// adminGet answers what get returns.
func adminGet[T any](get func() T) http.HandlerFunc {
	return func(w http.ResponseWriter, _ *http.Request) {
		adminJSON(w, http.StatusOK, get())
	}
}

// adminCreate decodes the body as a T, hands it to add and answers 201
// with what add made of it.
func adminCreate[T, R any](add func(T) (R, error)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		var in T
		if !decodeAdmin(w, r, &in) {
			return
		}
		out, err := add(in)
		if err != nil {
			adminError(w, err)
			return
		}
		adminJSON(w, http.StatusCreated, out)
	}
}

// adminDo runs do and answers 204.
func adminDo(do func()) http.HandlerFunc {
	return func(w http.ResponseWriter, _ *http.Request) {
		do()
		w.WriteHeader(http.StatusNoContent)
	}
}

func (s *Server) adminGetInstance(w http.ResponseWriter, r *http.Request) {
	in, e := s.instanceAt(r)
	if e != nil {
		adminError(w, e)
		return
	}
	adminJSON(w, http.StatusOK, in)
}

func (s *Server) adminUpdateInstance(w http.ResponseWriter, r *http.Request) {
	id, e := pathID(r)
	if e != nil {
		adminError(w, e)
		return
	}
	var changes map[string]any
	if !decodeAdmin(w, r, &changes) {
		return
	}
	if err := s.UpdateInstance(id, changes); err != nil {
		adminError(w, err)
		return
	}
	in, _ := s.Instance(id)
	adminJSON(w, http.StatusOK, in)
}

func (s *Server) adminDeleteInstance(w http.ResponseWriter, r *http.Request) {
	id, e := pathID(r)
	if e != nil {
		adminError(w, e)
		return
	}
	if err := s.DeleteInstance(id); err != nil {
		adminError(w, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// addCheckedFault adds a fault that makes sense; the error names kind.
func (s *Server) addCheckedFault(f Fault) (Fault, error) {
	if err := f.validate(); err != nil {
		return Fault{}, fieldErr("kind", err.Error())
	}
	return s.addFault(f), nil
}

// adminPutSettings applies the settings of the body in turn; the first
// bad one is refused, those before it stay applied.
func (s *Server) adminPutSettings(w http.ResponseWriter, r *http.Request) {
	var req map[string]string
	if !decodeAdmin(w, r, &req) {
		return
	}
	for k, v := range req {
		if k == "compat" {
			adminError(w, fieldErr(k, "is chosen when the emulator starts (-compat)"))
			return
		}
		d, err := time.ParseDuration(v)
		if err != nil || d < 0 {
			adminError(w, fieldErr(k, "must be a duration such as 2s or 20m"))
			return
		}
		switch k {
		case "actionDuration":
			s.SetActionDuration(d)
		case "tokenTTL":
			if d == 0 {
				adminError(w, fieldErr(k, "must be positive"))
				return
			}
			s.SetTokenTTL(d)
		default:
			adminError(w, fieldErr(k, "unknown setting (actionDuration, tokenTTL)"))
			return
		}
	}
	adminJSON(w, http.StatusOK, s.settings())
}

func adminNotFound(w http.ResponseWriter, r *http.Request) {
	adminError(w, apiErr(http.StatusNotFound, "NOT_FOUND", "path", "No admin endpoint "+r.Method+" "+r.URL.Path))
}

func (s *Server) settings() map[string]string {
	s.mu.Lock()
	defer s.mu.Unlock()
	st := map[string]string{"actionDuration": s.actionDuration.String(), "tokenTTL": s.tokenTTL.String()}
	// Only when some are on, so that the default answer stays as it was.
	if c := s.cfg.Compat.String(); c != "" {
		st["compat"] = c
	}
	return st
}

func decodeAdmin(w http.ResponseWriter, r *http.Request, v any) bool {
	b, _ := io.ReadAll(r.Body)
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	if err := dec.Decode(v); err != nil {
		adminError(w, apiErr(http.StatusBadRequest, "MALFORMED_JSON", "body", "JSON parse error: "+err.Error()))
		return false
	}
	return true
}

func adminJSON(w http.ResponseWriter, code int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	_ = json.NewEncoder(w).Encode(v)
}

func adminError(w http.ResponseWriter, err error) {
	var ae *APIError
	if !errors.As(err, &ae) {
		ae = apiErr(http.StatusBadRequest, "INVALID_FIELD_VALUE", "", err.Error())
	}
	adminJSON(w, ae.HTTPStatus, ae)
}

// adminListPostgres lists the real servers: where their data and socket
// are, their port and process, and the TLS certificate a client can
// trust.
func (s *Server) adminListPostgres(w http.ResponseWriter, _ *http.Request) {
	out := s.PostgresServers()
	if out == nil {
		out = []PostgresServer{}
	}
	adminJSON(w, http.StatusOK, map[string]any{"backend": s.Backend(), "adminRole": PostgresAdminRole, "dataRoot": s.PostgresDataRoot(), "servers": out})
}
