package emulator

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"time"
)

func (s *Server) adminRoutes() *http.ServeMux {
	m := http.NewServeMux()
	m.HandleFunc("GET /_emulator/instances", func(w http.ResponseWriter, _ *http.Request) {
		adminJSON(w, http.StatusOK, s.Instances())
	})
	m.HandleFunc("POST /_emulator/instances", func(w http.ResponseWriter, r *http.Request) {
		var req map[string]any
		if !decodeAdmin(w, r, &req) {
			return
		}
		in, err := s.SeedInstance(req)
		if err != nil {
			adminError(w, err)
			return
		}
		adminJSON(w, http.StatusCreated, in)
	})
	m.HandleFunc("GET /_emulator/instances/{id}", func(w http.ResponseWriter, r *http.Request) {
		id, e := pathID(r)
		if e != nil {
			adminError(w, e)
			return
		}
		in, ok := s.Instance(id)
		if !ok {
			adminError(w, notFound("PostgreSQL instance", id))
			return
		}
		adminJSON(w, http.StatusOK, in)
	})
	m.HandleFunc("PATCH /_emulator/instances/{id}", func(w http.ResponseWriter, r *http.Request) {
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
	})
	m.HandleFunc("DELETE /_emulator/instances/{id}", func(w http.ResponseWriter, r *http.Request) {
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
	})
	m.HandleFunc("GET /_emulator/faults", func(w http.ResponseWriter, _ *http.Request) {
		adminJSON(w, http.StatusOK, s.Faults())
	})
	m.HandleFunc("POST /_emulator/faults", func(w http.ResponseWriter, r *http.Request) {
		var f Fault
		if !decodeAdmin(w, r, &f) {
			return
		}
		if err := f.validate(); err != nil {
			adminError(w, fieldErr("kind", err.Error()))
			return
		}
		adminJSON(w, http.StatusCreated, s.addFault(f))
	})
	m.HandleFunc("DELETE /_emulator/faults", func(w http.ResponseWriter, _ *http.Request) {
		s.ClearFaults()
		w.WriteHeader(http.StatusNoContent)
	})
	m.HandleFunc("GET /_emulator/requests", func(w http.ResponseWriter, _ *http.Request) {
		adminJSON(w, http.StatusOK, s.Requests())
	})
	m.HandleFunc("DELETE /_emulator/requests", func(w http.ResponseWriter, _ *http.Request) {
		s.ResetRequests()
		w.WriteHeader(http.StatusNoContent)
	})
	m.HandleFunc("POST /_emulator/tokens/expire", func(w http.ResponseWriter, _ *http.Request) {
		s.ExpireTokens()
		w.WriteHeader(http.StatusNoContent)
	})
	m.HandleFunc("GET /_emulator/settings", func(w http.ResponseWriter, _ *http.Request) {
		adminJSON(w, http.StatusOK, s.settings())
	})
	m.HandleFunc("PUT /_emulator/settings", func(w http.ResponseWriter, r *http.Request) {
		var req map[string]string
		if !decodeAdmin(w, r, &req) {
			return
		}
		for k, v := range req {
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
	})
	m.HandleFunc("GET /_emulator/services", func(w http.ResponseWriter, _ *http.Request) {
		adminJSON(w, http.StatusOK, s.Services())
	})
	m.HandleFunc("POST /_emulator/services", func(w http.ResponseWriter, r *http.Request) {
		var sv Service
		if !decodeAdmin(w, r, &sv) {
			return
		}
		out, err := s.AddService(sv)
		if err != nil {
			adminError(w, err)
			return
		}
		adminJSON(w, http.StatusCreated, out)
	})
	m.HandleFunc("GET /_emulator/networks", func(w http.ResponseWriter, _ *http.Request) {
		adminJSON(w, http.StatusOK, s.Networks())
	})
	m.HandleFunc("POST /_emulator/networks", func(w http.ResponseWriter, r *http.Request) {
		var nw Network
		if !decodeAdmin(w, r, &nw) {
			return
		}
		out, err := s.AddNetwork(nw)
		if err != nil {
			adminError(w, err)
			return
		}
		adminJSON(w, http.StatusCreated, out)
	})
	m.HandleFunc("GET /_emulator/actions", func(w http.ResponseWriter, _ *http.Request) {
		adminJSON(w, http.StatusOK, s.Actions())
	})
	m.HandleFunc("GET /_emulator/postgres", s.handlePGAdmin)
	m.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		adminError(w, apiErr(http.StatusNotFound, "NOT_FOUND", "path", "No admin endpoint "+r.Method+" "+r.URL.Path))
	})
	return m
}

func (s *Server) settings() map[string]string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return map[string]string{"actionDuration": s.actionDuration.String(), "tokenTTL": s.tokenTTL.String()}
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

// handlePGAdmin lists the real servers (GET /_emulator/postgres): where
// their data and socket are, their port and process, and the TLS
// certificate a client can trust.
func (s *Server) handlePGAdmin(w http.ResponseWriter, _ *http.Request) {
	out := s.PostgresServers()
	if out == nil {
		out = []PostgresServer{}
	}
	adminJSON(w, http.StatusOK, map[string]any{"backend": s.Backend(), "adminRole": PostgresAdminRole, "dataRoot": s.PostgresDataRoot(), "servers": out})
}
