package emulator

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"time"
)

// adminRoutes maps the admin API's endpoints to their handlers.
func (s *Server) adminRoutes() *http.ServeMux {
	m := http.NewServeMux()
	for _, rt := range []struct {
		pattern string
		handler http.HandlerFunc
	}{
		{"GET /_emulator/instances", s.adminListInstances},
		{"POST /_emulator/instances", s.adminSeedInstance},
		{"GET /_emulator/instances/{id}", s.adminGetInstance},
		{"PATCH /_emulator/instances/{id}", s.adminUpdateInstance},
		{"DELETE /_emulator/instances/{id}", s.adminDeleteInstance},
		{"GET /_emulator/faults", s.adminListFaults},
		{"POST /_emulator/faults", s.adminAddFault},
		{"DELETE /_emulator/faults", s.adminClearFaults},
		{"GET /_emulator/requests", s.adminListRequests},
		{"DELETE /_emulator/requests", s.adminResetRequests},
		{"POST /_emulator/tokens/expire", s.adminExpireTokens},
		{"GET /_emulator/settings", s.adminGetSettings},
		{"PUT /_emulator/settings", s.adminPutSettings},
		{"GET /_emulator/services", s.adminListServices},
		{"POST /_emulator/services", s.adminAddService},
		{"GET /_emulator/networks", s.adminListNetworks},
		{"POST /_emulator/networks", s.adminAddNetwork},
		{"GET /_emulator/actions", s.adminListActions},
		{"GET /_emulator/postgres", s.adminListPostgres},
		{"/", adminNotFound},
	} {
		m.HandleFunc(rt.pattern, rt.handler)
	}
	return m
}

func (s *Server) adminListInstances(w http.ResponseWriter, _ *http.Request) {
	adminJSON(w, http.StatusOK, s.Instances())
}

func (s *Server) adminSeedInstance(w http.ResponseWriter, r *http.Request) {
	adminCreate(w, r, s.SeedInstance)
}

func (s *Server) adminGetInstance(w http.ResponseWriter, r *http.Request) {
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

func (s *Server) adminListFaults(w http.ResponseWriter, _ *http.Request) {
	adminJSON(w, http.StatusOK, s.Faults())
}

func (s *Server) adminAddFault(w http.ResponseWriter, r *http.Request) {
	adminCreate(w, r, func(f Fault) (Fault, error) {
		if err := f.validate(); err != nil {
			return Fault{}, fieldErr("kind", err.Error())
		}
		return s.addFault(f), nil
	})
}

func (s *Server) adminClearFaults(w http.ResponseWriter, _ *http.Request) {
	s.ClearFaults()
	w.WriteHeader(http.StatusNoContent)
}

func (s *Server) adminListRequests(w http.ResponseWriter, _ *http.Request) {
	adminJSON(w, http.StatusOK, s.Requests())
}

func (s *Server) adminResetRequests(w http.ResponseWriter, _ *http.Request) {
	s.ResetRequests()
	w.WriteHeader(http.StatusNoContent)
}

func (s *Server) adminExpireTokens(w http.ResponseWriter, _ *http.Request) {
	s.ExpireTokens()
	w.WriteHeader(http.StatusNoContent)
}

func (s *Server) adminGetSettings(w http.ResponseWriter, _ *http.Request) {
	adminJSON(w, http.StatusOK, s.settings())
}

// adminPutSettings applies the settings of the body in turn; the first
// bad one is refused, those before it stay applied.
func (s *Server) adminPutSettings(w http.ResponseWriter, r *http.Request) {
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
}

func (s *Server) adminListServices(w http.ResponseWriter, _ *http.Request) {
	adminJSON(w, http.StatusOK, s.Services())
}

func (s *Server) adminAddService(w http.ResponseWriter, r *http.Request) {
	adminCreate(w, r, s.AddService)
}

func (s *Server) adminListNetworks(w http.ResponseWriter, _ *http.Request) {
	adminJSON(w, http.StatusOK, s.Networks())
}

func (s *Server) adminAddNetwork(w http.ResponseWriter, r *http.Request) {
	adminCreate(w, r, s.AddNetwork)
}

func (s *Server) adminListActions(w http.ResponseWriter, _ *http.Request) {
	adminJSON(w, http.StatusOK, s.Actions())
}

func adminNotFound(w http.ResponseWriter, r *http.Request) {
	adminError(w, apiErr(http.StatusNotFound, "NOT_FOUND", "path", "No admin endpoint "+r.Method+" "+r.URL.Path))
}

// adminCreate decodes the body as a T, hands it to add and answers 201
// with what add made of it.
func adminCreate[T, R any](w http.ResponseWriter, r *http.Request, add func(T) (R, error)) {
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
