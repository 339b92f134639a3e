package emulator

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"mime"
	"net"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Config configures an emulator. The zero value is usable.
type Config struct {
	// ClientID and ClientSecret are the only credentials the token endpoint
	// accepts. Defaults: "itcare-emulator" / "itcare-emulator-secret".
	ClientID, ClientSecret string
	// ActionDuration is how long every asynchronous action runs. Default 2s.
	ActionDuration time.Duration
	// TokenTTL is the lifetime of an access token. Default 20m, as ITCare.
	TokenTTL time.Duration
	// StatePath, when set, is a JSON file loaded at start and rewritten
	// after every change, so that a demo survives a restart.
	StatePath string
	// Logger receives one line per request. Nil discards.
	Logger *slog.Logger
	// Backend is BackendMemory (the default) or BackendPostgres, which
	// makes each instance created through the API a real PostgreSQL
	// server on loopback (see backend_postgres.go).
	Backend string
	// PGBinDir is the directory of the PostgreSQL server binaries for the
	// postgres backend. Default: /usr/lib/postgresql/<major>/bin (Debian),
	// else the newest major there, else initdb's directory on PATH.
	PGBinDir string
	// PGDataDir, when set, holds the servers' data and is kept at exit;
	// otherwise a temporary directory is used and removed by Close.
	PGDataDir string
	// Compat switches alternative readings of the API's silences on (see
	// compat.go); a profile's name stands for its switches. New refuses
	// unknown names. Nil plays the package doc's readings.
	Compat Compat
}

// Default credentials and timings.
const (
	DefaultClientID       = "itcare-emulator"
	DefaultClientSecret   = "itcare-emulator-secret"
	DefaultActionDuration = 2 * time.Second
	DefaultTokenTTL       = 20 * time.Minute

	// MediaType is the content type of every /itcare answer.
	MediaType = "application/vnd.cegedim-it.v1+json"

	firstInstanceID = 500061854
	firstActionID   = 1200001
	maxBodyBytes    = 8 << 20
)

// Paths the emulator serves.
const (
	TokenPath = "/auth/realms/cloud/protocol/openid-connect/token"
	APIPrefix = "/itcare"
	pgPath    = "/itcare/databases/postgresql"
	adminPath = "/_emulator"
)

// Server is an in-memory ITCare API.
type Server struct {
	cfg    Config
	logger *slog.Logger
	mux    *http.ServeMux
	admin  *http.ServeMux

	mu             sync.Mutex
	actionDuration time.Duration
	tokenTTL       time.Duration
	tokens         map[string]tokenInfo
	instances      map[int64]*Instance
	actions        map[int64]*actionState
	services       map[int64]Service
	networks       map[int64]Network
	areas          map[string]Area
	nextInstanceID int64
	nextActionID   int64
	nextIP         map[int64]int
	faults         []*faultState
	nextFaultID    int
	faultRand      *rand.Rand
	issuedTokens   []string
	requests       []RequestRecord
	dirty          bool
	pg             *pgBackend // nil on the memory backend

	lnMu    sync.Mutex
	httpSrv *http.Server
	url     string
}

// New builds a server and loads the state file if there is one.
func New(cfg Config) (*Server, error) {
	if cfg.ClientID == "" {
		cfg.ClientID = DefaultClientID
	}
	if cfg.ClientSecret == "" {
		cfg.ClientSecret = DefaultClientSecret
	}
	if cfg.ActionDuration <= 0 {
		cfg.ActionDuration = DefaultActionDuration
	}
	if cfg.TokenTTL <= 0 {
		cfg.TokenTTL = DefaultTokenTTL
	}
	// A Config built in Go gets what the -compat flag gets: profile names
	// expanded, unknown names refused; and a map of its own, which the
	// caller cannot change under a running server.
	compat, err := ParseCompat(cfg.Compat.String())
	if err != nil {
		return nil, err
	}
	cfg.Compat = compat
	logger := cfg.Logger
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	services, networks, areas := seedCatalogue()
	s := &Server{
		cfg:            cfg,
		logger:         logger,
		actionDuration: cfg.ActionDuration,
		tokenTTL:       cfg.TokenTTL,
		tokens:         map[string]tokenInfo{},
		instances:      map[int64]*Instance{},
		actions:        map[int64]*actionState{},
		services:       services,
		networks:       networks,
		areas:          areas,
		nextInstanceID: firstInstanceID,
		nextActionID:   firstActionID,
		nextIP:         map[int64]int{},
		faultRand:      rand.New(rand.NewPCG(1, 2)),
	}
	if cfg.StatePath != "" {
		if err := s.load(cfg.StatePath); err != nil {
			return nil, err
		}
	}
	s.routes()
	if err := s.initPGBackend(); err != nil {
		return nil, err
	}
	return s, nil
}

func (s *Server) routes() {
	m := http.NewServeMux()
	m.HandleFunc("POST "+TokenPath, s.handleToken)
	m.HandleFunc("GET /itcare/health", s.handleHealth)
	m.HandleFunc("GET "+pgPath, s.unlessCompat(CompatNoList, s.handleList, http.MethodPost))
	m.HandleFunc("POST "+pgPath, s.handleCreate)
	m.HandleFunc("GET "+pgPath+"/{id}", s.handleGet)
	m.HandleFunc("PATCH "+pgPath+"/{id}", s.handlePatch)
	m.HandleFunc("DELETE "+pgPath+"/{id}", s.handleDelete)
	m.HandleFunc("GET "+pgPath+"/{id}/{sub}", s.handleSub)
	m.HandleFunc("GET /itcare/actions", s.unlessCompat(CompatNoActionsList, s.handleActionList, ""))
	m.HandleFunc("GET /itcare/actions/{id}", s.handleActionGet)
	m.HandleFunc("/", s.handleUnknown)
	s.mux = m
	s.admin = s.adminRoutes()
}

// unlessCompat is h, or when the switch removes h's endpoint the 405 of a
// path that serves only the methods in allow.
func (s *Server) unlessCompat(sw string, h http.HandlerFunc, allow string) http.HandlerFunc {
	if s.cfg.Compat.Has(sw) {
		return s.methodNotAllowed(allow)
	}
	return h
}

// Handler returns the HTTP handler of the whole emulator (API, token
// endpoint and admin API).
func (s *Server) Handler() http.Handler { return http.HandlerFunc(s.serveHTTP) }

// Start listens on addr (e.g. "127.0.0.1:0") and serves in the background.
func (s *Server) Start(addr string) error {
	s.lnMu.Lock()
	defer s.lnMu.Unlock()
	if s.httpSrv != nil {
		return errors.New("emulator already started")
	}
	ln, err := (&net.ListenConfig{}).Listen(context.Background(), "tcp", addr)
	if err != nil {
		return err
	}
	s.httpSrv = &http.Server{Handler: s.Handler(), ReadHeaderTimeout: 10 * time.Second}
	s.url = "http://" + ln.Addr().String()
	// Close may clear s.httpSrv before this goroutine runs.
	srv := s.httpSrv
	go func() {
		if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			s.logger.Error("emulator stopped serving", "err", err)
		}
	}()
	return nil
}

// Close stops the listener started by Start and every PostgreSQL server
// of the postgres backend.
func (s *Server) Close() error {
	s.closePGBackend()
	s.lnMu.Lock()
	defer s.lnMu.Unlock()
	if s.httpSrv == nil {
		return nil
	}
	err := s.httpSrv.Close()
	s.httpSrv = nil
	return err
}

// URL is the server's root, e.g. "http://127.0.0.1:8787"; empty before Start.
func (s *Server) URL() string {
	s.lnMu.Lock()
	defer s.lnMu.Unlock()
	return s.url
}

// APIURL is the API base that clients are configured with.
func (s *Server) APIURL() string { return s.URL() + APIPrefix }

// TokenURL is the OAuth2 token endpoint.
func (s *Server) TokenURL() string { return s.URL() + TokenPath }

// ClientID is the accepted client id.
func (s *Server) ClientID() string { return s.cfg.ClientID }

// ClientSecret is the accepted client secret.
func (s *Server) ClientSecret() string { return s.cfg.ClientSecret }

// SetActionDuration changes the duration of actions submitted from now on.
func (s *Server) SetActionDuration(d time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if d < 0 {
		d = 0
	}
	s.actionDuration = d
}

// SetTokenTTL changes the lifetime of tokens issued from now on.
func (s *Server) SetTokenTTL(d time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if d > 0 {
		s.tokenTTL = d
	}
}

func (s *Server) now() time.Time { return time.Now() }

// lock takes the state lock, settles every action that is due and takes
// the backups that are due, so every reader sees the same state whatever
// the order of requests.
func (s *Server) lock() {
	s.mu.Lock()
	now := s.now()
	s.advanceLocked(now)
	s.runBackupsLocked(now)
}

// unlock persists a changed state before releasing the lock, so the file
// never lags behind an answer already sent.
func (s *Server) unlock() {
	if s.dirty {
		s.dirty = false
		if s.cfg.StatePath != "" {
			if err := s.saveLocked(s.cfg.StatePath); err != nil {
				s.logger.Error("emulator state not saved", "path", s.cfg.StatePath, "err", err)
			}
		}
	}
	s.mu.Unlock()
}

// reqInfo is what faults and the request log need to know about a request.
type reqInfo struct {
	method       string
	path         string
	operation    string // PATCH operation, or "create"/"delete"
	patchOp      string // PATCH operation only, for the request log
	instanceName string
	body         []byte
	user         string
}

type reqInfoKey struct{}

func infoFrom(r *http.Request) *reqInfo {
	if ri, ok := r.Context().Value(reqInfoKey{}).(*reqInfo); ok {
		return ri
	}
	return &reqInfo{method: r.Method, path: r.URL.Path}
}

func (s *Server) serveHTTP(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	body, err := io.ReadAll(io.LimitReader(r.Body, maxBodyBytes))
	if err != nil {
		s.writeError(w, r, apiErr(http.StatusBadRequest, "INVALID_BODY", "body", "cannot read the request body"))
		return
	}
	r.Body = io.NopCloser(bytes.NewReader(body))
	if r.URL.Path == adminPath || strings.HasPrefix(r.URL.Path, adminPath+"/") {
		sw := &statusWriter{ResponseWriter: w}
		s.admin.ServeHTTP(sw, r)
		s.logger.Debug("emulator admin request", "method", r.Method, "path", r.URL.Path, "status", sw.code(), "duration", time.Since(start))
		return
	}
	ri := s.describe(r, body)
	r = r.WithContext(context.WithValue(r.Context(), reqInfoKey{}, ri))
	// The request is logged when its answer starts (or its connection is
	// dropped), before the client can see it: a client that reads the log
	// right after its answer then always finds its request there.
	sw := &statusWriter{ResponseWriter: w}
	sw.onAnswer = func(status int) {
		d := time.Since(start)
		s.mu.Lock()
		s.requests = append(s.requests, RequestRecord{
			Time: start, Method: r.Method, Path: r.URL.Path, Query: r.URL.RawQuery,
			Status: status, Duration: d, Operation: ri.patchOp, Body: redactBody(body, r.Header.Get("Content-Type")),
		})
		s.mu.Unlock()
		s.logger.Info("itcare request", "method", r.Method, "path", r.URL.Path, "status", status, "duration", d)
	}
	s.serveAPI(sw, r, ri)
	if sw.status == 0 && r.Context().Err() != nil {
		// Nothing reached the client: it gave up while a latency fault
		// held the answer back.
		sw.answered(0)
	}
	sw.answered(http.StatusOK)
}

// describe finds the instance a request is about, for fault matching.
func (s *Server) describe(r *http.Request, body []byte) *reqInfo {
	ri := &reqInfo{method: r.Method, path: r.URL.Path, body: body}
	var obj struct {
		Name      any `json:"name"`
		Operation any `json:"operation"`
	}
	if len(body) > 0 && (r.Method == http.MethodPost || r.Method == http.MethodPatch) {
		_ = json.Unmarshal(body, &obj)
	}
	switch r.Method {
	case http.MethodPatch:
		if op, ok := obj.Operation.(string); ok {
			ri.patchOp, ri.operation = op, op
		}
	case http.MethodPost:
		if r.URL.Path == pgPath {
			ri.operation = "create"
			if n, ok := obj.Name.(string); ok {
				ri.instanceName = n
			}
		}
	case http.MethodDelete:
		ri.operation = "delete"
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	switch {
	case strings.HasPrefix(r.URL.Path, pgPath+"/"):
		idStr, _, _ := strings.Cut(strings.TrimPrefix(r.URL.Path, pgPath+"/"), "/")
		if id, err := strconv.ParseInt(idStr, 10, 64); err == nil {
			if in, ok := s.instances[id]; ok {
				ri.instanceName = in.Name
			}
		}
	case strings.HasPrefix(r.URL.Path, "/itcare/actions/"):
		if id, err := strconv.ParseInt(strings.TrimPrefix(r.URL.Path, "/itcare/actions/"), 10, 64); err == nil {
			if a, ok := s.actions[id]; ok {
				ri.instanceName = a.Action.ResourceName
			}
		}
	}
	return ri
}

// isAPIPath reports whether path is under /itcare, where the compatibility
// switches apply.
func isAPIPath(path string) bool {
	return path == APIPrefix || strings.HasPrefix(path, APIPrefix+"/")
}

func needsAuth(path string) bool {
	return isAPIPath(path) && path != "/itcare/health"
}

func (s *Server) serveAPI(w *statusWriter, r *http.Request, ri *reqInfo) {
	latency, f := s.takeRequestFaults(ri, needsAuth(r.URL.Path))
	if latency > 0 {
		t := time.NewTimer(latency)
		select {
		case <-t.C:
		case <-r.Context().Done():
			t.Stop()
			return
		}
	}
	if f != nil && s.serveFault(w, r, f) {
		return
	}
	s.dispatch(w, r)
}

// dispatch authenticates /itcare calls and routes the request.
func (s *Server) dispatch(w http.ResponseWriter, r *http.Request) {
	if needsAuth(r.URL.Path) {
		user, msg := s.authenticate(r)
		if msg != "" {
			s.writeUnauthorized(w, r, msg)
			return
		}
		infoFrom(r).user = user
		if r.Method == http.MethodPost || r.Method == http.MethodPatch || r.Method == http.MethodPut {
			if ct := r.Header.Get("Content-Type"); ct != "" {
				mt, _, err := mime.ParseMediaType(ct)
				if err != nil || !(strings.HasSuffix(mt, "/json") || strings.HasSuffix(mt, "+json")) {
					s.writeError(w, r, apiErr(http.StatusUnsupportedMediaType, "UNSUPPORTED_MEDIA_TYPE", "Content-Type",
						fmt.Sprintf("Content-Type '%s' is not supported; send JSON", ct)))
					return
				}
			}
		}
	}
	s.mux.ServeHTTP(w, r)
}

func (s *Server) handleHealth(w http.ResponseWriter, _ *http.Request) {
	writeJSON(w, http.StatusOK, map[string]string{"status": "UP"})
}

func (s *Server) handleUnknown(w http.ResponseWriter, r *http.Request) {
	p := r.URL.Path
	if p == pgPath || strings.HasPrefix(p, pgPath+"/") || strings.HasPrefix(p, "/itcare/actions") || p == TokenPath {
		s.writeError(w, r, methodNotAllowedErr(r))
		return
	}
	s.writeError(w, r, apiErr(http.StatusNotFound, "NOT_FOUND", "path", "No endpoint "+r.Method+" "+p))
}

func pathID(r *http.Request) (int64, *APIError) {
	raw := r.PathValue("id")
	id, err := strconv.ParseInt(raw, 10, 64)
	if err != nil {
		return 0, fieldErr("id", fmt.Sprintf("'%s' is not an int64", raw))
	}
	return id, nil
}

// sortedInstances returns the instances by id, for stable listings.
func (s *Server) sortedInstancesLocked() []*Instance {
	out := make([]*Instance, 0, len(s.instances))
	for _, in := range s.instances {
		out = append(out, in)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out
}

func (s *Server) instanceByNameLocked(name string) (*Instance, bool) {
	for _, in := range s.instances {
		if in.Name == name {
			return in, true
		}
	}
	return nil, false
}

// WriteBanner prints what a user needs to point a client at the emulator:
// URLs, credentials and the catalogue.
func (s *Server) WriteBanner(w io.Writer) {
	fmt.Fprintf(w, "ITCare emulator\n")
	fmt.Fprintf(w, "  API URL:       %s\n", s.APIURL())
	fmt.Fprintf(w, "  Token URL:     %s\n", s.TokenURL())
	fmt.Fprintf(w, "  Client ID:     %s\n", s.ClientID())
	fmt.Fprintf(w, "  Client secret: %s\n", s.ClientSecret())
	fmt.Fprintf(w, "  Admin API:     %s%s/\n", s.URL(), adminPath)
	st := s.settings()
	fmt.Fprintf(w, "  Action duration %s, token TTL %s\n", st["actionDuration"], st["tokenTTL"])
	if c := st["compat"]; c != "" {
		fmt.Fprintf(w, "  Compat:        %s (alternative readings of the API)\n", c)
	}
	fmt.Fprintf(w, "Services:\n")
	for _, sv := range s.Services() {
		fmt.Fprintf(w, "  %d  %-12s %s\n", sv.ID, sv.Name, sv.Environment)
	}
	fmt.Fprintf(w, "Networks:\n")
	s.mu.Lock()
	areas := s.areas
	zones := map[string]string{}
	for id, a := range areas {
		zones[id] = strings.Join(a.Zones, ", ")
	}
	s.mu.Unlock()
	for _, nw := range s.Networks() {
		fmt.Fprintf(w, "  %d  area %-8s %-15s region %-3s %-12s az: %s\n", nw.ID, nw.Area, nw.CIDR, nw.Region, nw.Environment, zones[nw.Area])
	}
}
