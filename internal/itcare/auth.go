package itcare

import (
	"context"
	"encoding/base64"
	"errors"
	"mime"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"golang.org/x/oauth2"
	"golang.org/x/oauth2/clientcredentials"
)

// tokenExpiryMargin is how long before its expiry a token is replaced, so
// that a request never leaves with a token that expires on the way.
// oauth2.ReuseTokenSource only keeps 10 s, too little for a slow gateway.
const tokenExpiryMargin = 60 * time.Second

// tokenCache holds the one token of a Client. Goroutines that find it stale
// queue on sem, so one token request serves them all.
type tokenCache struct {
	conf     *clientcredentials.Config
	hc       *http.Client
	now      func() time.Time
	log      Logger
	tokenURL string // with any user:password removed, for errors and logs
	// secrets are the client secret and the Basic credentials that carry
	// it, which an answer may echo.
	secrets []string

	sem chan struct{}

	mu        sync.Mutex
	tok       *oauth2.Token
	fetchedAt time.Time
}

func newTokenCache(cfg Config, hc *http.Client, log Logger, now func() time.Time) *tokenCache {
	return &tokenCache{
		conf: &clientcredentials.Config{
			ClientID:     cfg.ClientID,
			ClientSecret: cfg.ClientSecret,
			TokenURL:     cfg.TokenURL,
			// The documented client authentication is HTTP Basic.
			AuthStyle: oauth2.AuthStyleInHeader,
		},
		hc:       hc,
		now:      now,
		log:      log,
		tokenURL: redactURL(cfg.TokenURL),
		secrets: []string{
			cfg.ClientSecret,
			// oauth2 escapes both parts before encoding them.
			base64.StdEncoding.EncodeToString([]byte(url.QueryEscape(cfg.ClientID) + ":" + url.QueryEscape(cfg.ClientSecret))),
			base64.StdEncoding.EncodeToString([]byte(cfg.ClientID + ":" + cfg.ClientSecret)),
		},
		sem: make(chan struct{}, 1),
	}
}

// token returns the cached token, or fetches a new one when there is none or
// it is about to expire. A failed fetch is an *AuthError.
func (t *tokenCache) token(ctx context.Context) (*oauth2.Token, error) {
	if tok := t.fresh(); tok != nil {
		return tok, nil
	}
	select {
	case t.sem <- struct{}{}:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	defer func() { <-t.sem }()
	// Another goroutine may have fetched one while this one queued.
	if tok := t.fresh(); tok != nil {
		return tok, nil
	}
	tok, err := t.fetch(ctx)
	if err != nil {
		return nil, err
	}
	t.mu.Lock()
	t.tok, t.fetchedAt = tok, t.now()
	t.mu.Unlock()
	return tok, nil
}

// fetch sends one token request and logs it: URL, outcome and duration,
// never the secret or the token.
func (t *tokenCache) fetch(ctx context.Context) (*oauth2.Token, error) {
	start := t.now()
	// oauth2 hides the status and the media type of an answer that is not
	// a token; the recorder keeps them for the error.
	rec := &answerRecorder{base: t.hc.Transport}
	hc := *t.hc
	hc.Transport = rec
	tok, err := t.conf.Token(context.WithValue(ctx, oauth2.HTTPClient, &hc))
	fields := map[string]any{"token_url": t.tokenURL, "duration_ms": t.now().Sub(start).Milliseconds()}
	if rec.status != 0 {
		fields["status"] = rec.status
	}
	if err != nil {
		authErr := t.describe(err, rec)
		fields["outcome"], fields["error"] = "failed", authErr.Error()
		t.log.Warn(ctx, "ITCare token request", fields)
		return nil, authErr
	}
	fields["outcome"] = "ok"
	if !tok.Expiry.IsZero() {
		fields["expires_in_s"] = int64(time.Until(tok.Expiry).Round(time.Second) / time.Second)
	}
	t.log.Debug(ctx, "ITCare token request", fields)
	return tok, nil
}

// answerRecorder remembers the status and media type of the last answer.
type answerRecorder struct {
	base        http.RoundTripper
	status      int
	contentType string
}

func (r *answerRecorder) RoundTrip(req *http.Request) (*http.Response, error) {
	base := r.base
	if base == nil {
		base = http.DefaultTransport
	}
	res, err := base.RoundTrip(req)
	if err == nil {
		r.status, r.contentType = res.StatusCode, res.Header.Get("Content-Type")
	}
	return res, err
}

func (t *tokenCache) fresh() *oauth2.Token {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.tok == nil {
		return nil
	}
	if t.tok.Expiry.IsZero() {
		return t.tok // no expires_in: used until the API answers 401
	}
	margin := tokenExpiryMargin
	// A token shorter-lived than twice the margin would otherwise be
	// fetched again for every request.
	if life := t.tok.Expiry.Sub(t.fetchedAt); margin > life/2 {
		margin = life / 2
	}
	if t.now().Before(t.tok.Expiry.Add(-margin)) {
		return t.tok
	}
	return nil
}

// invalidate drops tok after the API refused it, unless another goroutine
// already replaced it.
func (t *tokenCache) invalidate(tok *oauth2.Token) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.tok == tok {
		t.tok = nil
	}
}

// describe turns an oauth2 error into an *AuthError that names the setting
// to check. oauth2's own text includes the raw answer, which is not shown.
func (t *tokenCache) describe(err error, rec *answerRecorder) *AuthError {
	e := &AuthError{TokenURL: t.tokenURL, HTTPStatus: rec.status, ContentType: sanitize(rec.contentType, 80)}
	var re *oauth2.RetrieveError
	var ue *url.Error
	switch {
	case errors.As(err, &re) && re.Response != nil:
		e.HTTPStatus = re.Response.StatusCode
		e.ContentType = sanitize(re.Response.Header.Get("Content-Type"), 80)
		html := isHTML(e.ContentType, re.Body)
		if !html {
			e.Code = t.redact(sanitize(re.ErrorCode, 100))
			e.Description = t.redact(sanitize(re.ErrorDescription, 300))
		}
		switch {
		case e.HTTPStatus == http.StatusTooManyRequests || e.HTTPStatus >= 500:
			e.Kind, e.temporary = AuthUnavailable, true
		case !html && (e.Code != "" || e.HTTPStatus == http.StatusUnauthorized):
			// An OAuth2 error, or a refused Basic authentication: the
			// endpoint is right and the client is not.
			e.Kind = AuthCredentials
		default:
			e.Kind = AuthTokenURL
		}
		if e.Code == "" && e.Description == "" {
			e.Excerpt = t.redact(excerpt(re.Body, 200))
		}
	case errors.As(err, &ue):
		// No answer. An unknown host will not appear by retrying; a refused
		// or cut connection may pass.
		var dns *net.DNSError
		e.Kind, e.Err = AuthTokenURL, err
		e.temporary = !errors.As(err, &dns) || !dns.IsNotFound
	default:
		// A 2xx that is not a token: a web page or another service.
		e.Kind, e.Err = AuthTokenURL, err
	}
	if e.Err != nil {
		e.Err = redactedError{err: e.Err, text: t.redact(e.Err.Error())}
	}
	return e
}

func (t *tokenCache) redact(s string) string {
	for _, secret := range t.secrets {
		if secret != "" {
			s = strings.ReplaceAll(s, secret, "***")
		}
	}
	return s
}

// redactedError keeps the chain of err (for errors.Is) with a text from
// which the secret was removed.
type redactedError struct {
	err  error
	text string
}

func (e redactedError) Error() string { return e.text }
func (e redactedError) Unwrap() error { return e.err }

// redactURL removes any user:password from a URL.
func redactURL(s string) string {
	u, err := url.Parse(s)
	if err != nil || u.User == nil {
		return s
	}
	u.User = nil
	return u.String()
}

// isHTML reports a web page: never the API's nor the token endpoint's
// own answer.
func isHTML(contentType string, body []byte) bool {
	if mt, _, err := mime.ParseMediaType(contentType); err == nil && (mt == "text/html" || mt == "application/xhtml+xml") {
		return true
	}
	b := strings.TrimLeft(string(body[:min(len(body), 512)]), " \t\r\n\ufeff")
	return strings.HasPrefix(b, "<")
}
