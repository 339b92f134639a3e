package probe

import (
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

// Result is what a row found.
type Result string

// The results of a row.
const (
	// Holds: the account answers as the client assumes.
	Holds Result = "holds"
	// Differs: the account answers otherwise; the client's assumption, and
	// whatever depends on it, must be revisited.
	Differs Result = "differs"
	// CouldNotTell: what the account holds does not show it (no action
	// yet, an instance already on the latest version…).
	CouldNotTell Result = "could not tell"
	// NotChecked: only a write or a fault would show it.
	NotChecked Result = "not checked"
)

// Row is one assumption and what the probe saw of it.
type Row struct {
	ID         string `json:"id"`
	Result     Result `json:"result"`
	Assumption string `json:"assumption"`
	Seen       string `json:"seen"`
}

// The environment variables the provider reads, which the probe reads too
// so that a configured shell needs nothing more.
const (
	EnvAPIURL       = "ITCARE_API_URL"
	EnvTokenURL     = "ITCARE_TOKEN_URL"
	EnvClientID     = "ITCARE_CLIENT_ID"
	EnvClientSecret = "ITCARE_CLIENT_SECRET"
)

// DefaultTimeout bounds one request of the probe.
const DefaultTimeout = 30 * time.Second

// Config is what one probe run needs.
type Config struct {
	APIURL, TokenURL       string
	ClientID, ClientSecret string
	// InstanceID is one existing PostgreSQL instance; the probe only reads it.
	InstanceID int64
	// Name is the instance's name; empty takes the one its read model shows.
	Name string
	// Timeout bounds each request; zero is DefaultTimeout.
	Timeout time.Duration
	// Transport carries the requests; nil is http.DefaultTransport. It is
	// always wrapped in the transport that refuses writes.
	Transport http.RoundTripper
}

// SetupError means the probe could not run: a missing or wrong setting, no
// connection, a refused client, an instance that does not exist. Its
// message names the flag (and environment variable) to check.
type SetupError struct{ msg string }

func (e *SetupError) Error() string { return e.msg }

func setupErr(format string, args ...any) *SetupError {
	return &SetupError{msg: fmt.Sprintf(format, args...)}
}

// run is the state of one probe: the answers read so far, shared by the
// rows so that each request is sent once.
type run struct {
	ctx     context.Context
	cfg     Config
	hc      *http.Client
	api     string // API base, without a trailing slash
	id      int64
	idText  string
	token   string
	tok     tokenAnswer
	secrets redactor

	cache   map[string]*answer
	answers []*answer // every API answer, in order, for the media-type row

	health   *answer
	inst     map[string]any // the read model; nil when it is not a JSON object
	instAns  *answer
	name     string
	actionsV *actionsView
}

// Run probes the account and returns one row per assumption, in the order
// of Rows. A *SetupError means no row could be trusted.
func Run(ctx context.Context, cfg Config) ([]Row, error) {
	api, tokenURL, err := checkConfig(&cfg)
	if err != nil {
		return nil, err
	}
	r := &run{
		ctx:     ctx,
		cfg:     cfg,
		hc:      newHTTPClient(api, tokenURL, cfg.Transport),
		api:     strings.TrimRight(cfg.APIURL, "/"),
		id:      cfg.InstanceID,
		idText:  strconv.FormatInt(cfg.InstanceID, 10),
		secrets: newRedactor(cfg.ClientID, cfg.ClientSecret),
		cache:   map[string]*answer{},
	}
	if err := r.start(); err != nil {
		var se *SetupError
		if errors.As(err, &se) {
			return nil, &SetupError{msg: r.secrets.apply(se.msg)}
		}
		return nil, errors.New(r.secrets.apply(err.Error()))
	}
	rows := make([]Row, 0, len(Rows))
	for _, def := range Rows {
		res, seen := NotChecked, def.NotChecked
		if def.check != nil {
			res, seen = def.check(r)
		}
		rows = append(rows, Row{ID: def.ID, Result: res, Assumption: def.Assumption, Seen: r.secrets.apply(seen)})
	}
	return rows, nil
}

// checkConfig validates the settings and parses the two URLs.
func checkConfig(cfg *Config) (api, tokenURL *url.URL, err error) {
	if cfg.InstanceID <= 0 {
		return nil, nil, setupErr("-instance-id is required: the id of one existing PostgreSQL instance, which the probe only reads")
	}
	if api, err = parseURL(cfg.APIURL); err != nil {
		return nil, nil, setupErr("-api-url (%s) %q: %v", EnvAPIURL, cfg.APIURL, err)
	}
	if tokenURL, err = parseURL(cfg.TokenURL); err != nil {
		return nil, nil, setupErr("-token-url (%s) %q: %v", EnvTokenURL, cfg.TokenURL, err)
	}
	if cfg.ClientID == "" {
		return nil, nil, setupErr("no client id: set %s or -client-id", EnvClientID)
	}
	if cfg.ClientSecret == "" {
		return nil, nil, setupErr("no client secret: set %s (or -client-secret)", EnvClientSecret)
	}
	if under(tokenURL, api) {
		return nil, nil, setupErr("-token-url %s is under -api-url %s: the probe sends no POST to the API, so it cannot ask for a token there",
			tokenURL.Redacted(), api.Redacted())
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = DefaultTimeout
	}
	return api, tokenURL, nil
}

func parseURL(s string) (*url.URL, error) {
	if s == "" {
		return nil, errors.New("is empty")
	}
	u, err := url.Parse(s)
	if err != nil {
		return nil, errors.New("is not a URL")
	}
	if u.Scheme != "http" && u.Scheme != "https" || u.Host == "" {
		return nil, errors.New("is not an http(s) URL with a host")
	}
	return u, nil
}

// start gets a token, proves the API URL answers and reads the instance:
// without them no row means anything.
func (r *run) start() error {
	tok, err := r.fetchToken()
	if err != nil {
		return err
	}
	r.tok, r.token = tok, tok.accessToken
	r.secrets.add(r.token)

	r.health = r.get("/health", nil)
	if r.health.err != nil {
		return setupErr("cannot reach the API at %s (-api-url, %s): %v", r.api, EnvAPIURL, r.health.err)
	}
	r.instAns = r.get(pgPath+"/"+r.idText, nil)
	a := r.instAns
	switch {
	case a.err != nil:
		return setupErr("GET %s: %v", a.url, a.err)
	case a.status == http.StatusNotFound:
		msg := fmt.Sprintf("instance %d not found: GET %s answered 404 (check -instance-id)", r.id, a.url)
		if !r.health.ok() {
			msg += fmt.Sprintf("; GET %s/health answered %s, so -api-url (%s) may be wrong", r.api, r.health.brief(), EnvAPIURL)
		}
		return setupErr("%s", msg)
	case a.status == http.StatusUnauthorized:
		return setupErr("the API refused the token the token endpoint gave (401 on GET %s): check that -client-id (%s) is an ITCare API account of this -api-url", a.url, EnvClientID)
	case a.status == http.StatusForbidden:
		return setupErr("the client may not read instance %d (403 on GET %s): check -instance-id and the account's organisation", r.id, a.url)
	case !a.ok():
		return setupErr("GET %s answered %s: the probe needs to read the instance", a.url, a.brief())
	}
	r.inst = a.object()
	r.name = r.cfg.Name
	if r.name == "" && r.inst != nil {
		r.name, _ = r.inst["name"].(string)
	}
	return nil
}

// get sends GET <api><p>?<q> with the token, once per URL.
func (r *run) get(p string, q url.Values) *answer {
	u := r.api + p
	if len(q) > 0 {
		u += "?" + q.Encode()
	}
	if a, ok := r.cache[u]; ok {
		return a
	}
	a := r.getWith(u, r.token)
	r.cache[u] = a
	r.answers = append(r.answers, a)
	return a
}

// getWith sends one GET with the given bearer token.
func (r *run) getWith(u, token string) *answer {
	ctx, cancel := context.WithTimeout(r.ctx, r.cfg.Timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return &answer{method: http.MethodGet, url: u, err: err}
	}
	req.Header.Set("Accept", acceptHeader)
	req.Header.Set("User-Agent", userAgent)
	req.Header.Set("Authorization", "Bearer "+token)
	return r.scrub(send(ctx, r.hc, req))
}

// scrub removes the secret and the token from an answer before anything
// reads it: a SEEN cell is an excerpt, which could cut an echoed secret
// in two and so slip past a later redaction.
func (r *run) scrub(a *answer) *answer {
	a.body = []byte(r.secrets.apply(string(a.body)))
	a.location = r.secrets.apply(a.location)
	if a.err != nil {
		a.err = errors.New(r.secrets.apply(a.err.Error()))
	}
	return a
}

// tokenAnswer is what the token row needs of the token endpoint's answer.
type tokenAnswer struct {
	accessToken string
	tokenType   any
	expiresIn   any
}

// fetchToken asks for a token with the client-credentials grant, the
// client authenticated by HTTP Basic as the documentation and the client
// do. Its failures name the setting to check.
func (r *run) fetchToken() (tokenAnswer, error) {
	ctx, cancel := context.WithTimeout(r.ctx, r.cfg.Timeout)
	defer cancel()
	tokenURL := r.cfg.TokenURL
	shown := tokenURLText(tokenURL)
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, tokenURL, strings.NewReader("grant_type=client_credentials"))
	if err != nil {
		return tokenAnswer{}, setupErr("-token-url (%s) %s: %v", EnvTokenURL, shown, err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Accept", "application/json")
	req.Header.Set("User-Agent", userAgent)
	// RFC 6749 §2.3.1: both parts are form-encoded before Basic encoding.
	req.SetBasicAuth(url.QueryEscape(r.cfg.ClientID), url.QueryEscape(r.cfg.ClientSecret))
	a := send(ctx, r.hc, req)
	// The token is taken from the raw body; all else reads the scrubbed one.
	body := a.object()
	if tok, _ := body["access_token"].(string); a.ok() && tok != "" {
		return tokenAnswer{accessToken: tok, tokenType: body["token_type"], expiresIn: body["expires_in"]}, nil
	}
	body = r.scrub(a).object()
	if a.err != nil {
		return tokenAnswer{}, setupErr("cannot reach the token URL %s (-token-url, %s): %v", shown, EnvTokenURL, a.err)
	}
	oauthErr, _ := body["error"].(string)
	switch {
	case a.ok() && body != nil:
		return tokenAnswer{}, setupErr("the token URL %s (-token-url, %s) answered %s without an access_token: check the URL", shown, EnvTokenURL, a.brief())
	case a.ok():
		return tokenAnswer{}, setupErr("the token URL %s (-token-url, %s) answered %s, not a token: check the URL", shown, EnvTokenURL, a.brief())
	case a.status == http.StatusTooManyRequests || a.status >= 500:
		return tokenAnswer{}, setupErr("the token endpoint %s is unavailable (%s): try again later", shown, a.brief())
	case oauthErr != "" || a.status == http.StatusUnauthorized && !a.html():
		// An OAuth2 error or a refused Basic authentication: the endpoint
		// is right and the client is not.
		desc, _ := body["error_description"].(string)
		detail := strings.TrimSpace(excerpt([]byte(oauthErr+" "+desc), 200))
		if detail == "" {
			detail = a.brief()
		}
		return tokenAnswer{}, setupErr("the token endpoint %s refused the client (%d %s): check the client id and secret (-client-id, -client-secret; %s, %s)",
			shown, a.status, detail, EnvClientID, EnvClientSecret)
	}
	return tokenAnswer{}, setupErr("the token URL %s (-token-url, %s) answered %s, not an OAuth2 answer: check the URL", shown, EnvTokenURL, a.brief())
}

// tokenURLText shows a token URL without any user:password in it.
func tokenURLText(s string) string {
	u, err := url.Parse(s)
	if err != nil {
		return "(unparsable URL)"
	}
	return u.Redacted()
}

// int64Of reads a JSON integer exactly; a string or a fraction is not one.
func int64Of(v any) (int64, bool) {
	n, ok := v.(json.Number)
	if !ok {
		return 0, false
	}
	i, err := n.Int64()
	return i, err == nil
}
