package itcare

import (
	"context"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Defaults applied by NewClient to zero Config fields.
const (
	DefaultAPIURL         = "https://api.cegedim.cloud/itcare"
	DefaultTokenURL       = "https://accounts.cegedim.cloud/auth/realms/cloud/protocol/openid-connect/token"
	DefaultMaxRetries     = 5
	DefaultRetryWaitMin   = 1 * time.Second
	DefaultRetryWaitMax   = 30 * time.Second
	DefaultRequestTimeout = 60 * time.Second
	DefaultUserAgent      = "terraform-provider-itcare"
)

// maxIdleConnsPerHost keeps one connection alive per concurrent Terraform
// operation, with room for a -parallelism above the default of 10.
const maxIdleConnsPerHost = 32

// Config configures a Client. Zero values take the documented defaults.
type Config struct {
	// APIURL is the base of every API path, e.g. https://api.cegedim.cloud/itcare.
	APIURL string
	// TokenURL is the OAuth2 client-credentials token endpoint.
	TokenURL     string
	ClientID     string
	ClientSecret string
	// MaxRetries bounds the retries of one HTTP call (default 5; 0 means the default, negative means none).
	MaxRetries int
	// RetryWaitMin and RetryWaitMax bound the backoff between retries (defaults 1s and 30s).
	RetryWaitMin time.Duration
	RetryWaitMax time.Duration
	// RequestTimeout bounds one HTTP attempt (default 60s).
	RequestTimeout time.Duration
	// UserAgent is sent with every request, e.g. "terraform-provider-itcare/1.2.3".
	UserAgent string
	// HTTPClient supplies the base transport (default: a pooled transport).
	HTTPClient *http.Client
	// Logger receives one event per HTTP attempt and per token request; it
	// never sees a secret or a token.
	Logger Logger
}

// Logger receives the client's log events. Fields never contain the client
// secret, a token or a password.
type Logger interface {
	Debug(ctx context.Context, msg string, fields map[string]any)
	Warn(ctx context.Context, msg string, fields map[string]any)
}

// WaitOptions tunes WaitForAction.
type WaitOptions struct {
	// FirstPoll is the delay before the first poll (default 1s, at most 1s).
	FirstPoll time.Duration
	// MaxInterval caps the interval between polls (default 30s).
	MaxInterval time.Duration
	// OnPoll, if set, is called with every action read.
	OnPoll func(*Action)
}

// intervals returns the first poll's delay and the cap between polls,
// with their defaults and the first poll held to at most 1s.
func (o WaitOptions) intervals() (first, maxInterval time.Duration) {
	first, maxInterval = o.FirstPoll, o.MaxInterval
	if first <= 0 || first > defaultFirstPoll {
		first = defaultFirstPoll
	}
	if maxInterval <= 0 {
		maxInterval = defaultMaxInterval
	}
	return first, maxInterval
}

// Client calls the ITCare API. It is safe for concurrent use; all
// goroutines share one OAuth2 token.
type Client struct {
	cfg        Config
	base       string
	maxRetries int
	http       *http.Client
	log        Logger
	tokens     *tokenCache
	// secrets are the passwords this client has sent: ITCare may echo a
	// request in an error or an action's message, so every error the
	// client returns has them removed, whatever call it comes from.
	secrets secretSet
	// baseProven is set once an answer proved that base is the API's base
	// URL; until then a 404 is checked (see notFound). baseCheck lets one
	// goroutine at a time check.
	baseProven atomic.Bool
	baseCheck  chan struct{}

	// Tests replace these to control time and jitter.
	now    func() time.Time
	sleep  func(ctx context.Context, d time.Duration) error
	jitter func(n int64) int64
}

// NewClient checks cfg, applies the defaults and returns a Client. It makes
// no network call: the first token is fetched by the first API call.
func NewClient(cfg Config) (*Client, error) {
	if cfg.APIURL == "" {
		cfg.APIURL = DefaultAPIURL
	}
	if cfg.TokenURL == "" {
		cfg.TokenURL = DefaultTokenURL
	}
	for name, v := range map[string]string{"API URL": cfg.APIURL, "token URL": cfg.TokenURL} {
		u, err := url.Parse(v)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return nil, fmt.Errorf("itcare: the %s must be an absolute http:// or https:// URL, got %q", name, v)
		}
	}
	if cfg.ClientID == "" || cfg.ClientSecret == "" {
		return nil, fmt.Errorf("itcare: a client ID and a client secret are required")
	}
	maxRetries := cfg.MaxRetries
	switch {
	case maxRetries == 0:
		maxRetries = DefaultMaxRetries
	case maxRetries < 0:
		maxRetries = 0
	}
	if cfg.RetryWaitMin <= 0 {
		cfg.RetryWaitMin = DefaultRetryWaitMin
	}
	if cfg.RetryWaitMax <= 0 {
		cfg.RetryWaitMax = DefaultRetryWaitMax
	}
	if cfg.RetryWaitMax < cfg.RetryWaitMin {
		cfg.RetryWaitMax = cfg.RetryWaitMin
	}
	if cfg.RequestTimeout <= 0 {
		cfg.RequestTimeout = DefaultRequestTimeout
	}
	if cfg.UserAgent == "" {
		cfg.UserAgent = DefaultUserAgent
	}
	hc := cfg.HTTPClient
	if hc == nil {
		// No Client.Timeout: each attempt gets its own deadline instead.
		tr := newTransport()
		// Go's default of 2 idle connections per host would open a new
		// connection, and a TLS handshake, for most calls of a refresh.
		tr.MaxIdleConnsPerHost = maxIdleConnsPerHost
		hc = &http.Client{Transport: tr}
	}
	log := cfg.Logger
	if log == nil {
		log = nopLogger{}
	}
	c := &Client{
		cfg:        cfg,
		base:       strings.TrimRight(cfg.APIURL, "/"),
		maxRetries: maxRetries,
		http:       hc,
		log:        log,
		now:        time.Now,
		sleep:      sleepCtx,
		jitter:     rand.Int64N,
		baseCheck:  make(chan struct{}, 1),
	}
	c.tokens = newTokenCache(cfg, hc, log, func() time.Time { return c.now() })
	return c, nil
}

func sleepCtx(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// secretSet is a concurrency-safe list of strings to redact.
type secretSet struct {
	mu   sync.Mutex
	list []string
}

func (s *secretSet) add(v string) {
	if v == "" {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if !slices.Contains(s.list, v) {
		s.list = append(s.list, v)
	}
}

func (s *secretSet) all() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.list)
}

// redact replaces every known secret in v by "***".
func (s *secretSet) redact(v string) string {
	for _, sec := range s.all() {
		v = strings.ReplaceAll(v, sec, "***")
	}
	return v
}

type nopLogger struct{}

func (nopLogger) Debug(context.Context, string, map[string]any) {}
func (nopLogger) Warn(context.Context, string, map[string]any)  {}

// newTransport clones Go's default transport (proxy from the environment,
// dial and TLS timeouts), or builds the same when a program replaced it.
func newTransport() *http.Transport {
	if t, ok := http.DefaultTransport.(*http.Transport); ok {
		return t.Clone()
	}
	return &http.Transport{Proxy: http.ProxyFromEnvironment, ForceAttemptHTTP2: true}
}
