package itcare

import (
	"context"
	"errors"
	"fmt"
	"net/http"
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
	tokenURL string
	secret   string

	sem chan struct{}

	mu        sync.Mutex
	tok       *oauth2.Token
	fetchedAt time.Time
}

func newTokenCache(cfg Config, hc *http.Client, now func() time.Time) *tokenCache {
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
		tokenURL: cfg.TokenURL,
		secret:   cfg.ClientSecret,
		sem:      make(chan struct{}, 1),
	}
}

// token returns the cached token, or fetches a new one when there is none or
// it is about to expire.
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
	tok, err := t.conf.Token(context.WithValue(ctx, oauth2.HTTPClient, t.hc))
	if err != nil {
		return nil, t.describe(err)
	}
	t.mu.Lock()
	t.tok, t.fetchedAt = tok, t.now()
	t.mu.Unlock()
	return tok, nil
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

// tokenError is a token request that failed for a reason that may pass
// (network, 429, 5xx). The API request was not sent, so any request may be
// retried after it.
type tokenError struct {
	msg string
	err error
}

func (e *tokenError) Error() string { return e.msg }
func (e *tokenError) Unwrap() error { return e.err }

// describe turns an oauth2 error into an *AuthError when the token endpoint
// refused the credentials, or a *tokenError otherwise. oauth2's own text
// includes the raw answer, which is not shown.
func (t *tokenCache) describe(err error) error {
	var re *oauth2.RetrieveError
	if !errors.As(err, &re) || re.Response == nil {
		return &tokenError{msg: t.redact(fmt.Sprintf("ITCare token request failed (token URL %s): %v", t.tokenURL, err)), err: err}
	}
	status := re.Response.StatusCode
	if status == http.StatusTooManyRequests || status >= 500 {
		msg := fmt.Sprintf("ITCare token request failed (token URL %s): %d %s", t.tokenURL, status, http.StatusText(status))
		if ex := excerpt(re.Body, 200); ex != "" {
			msg += ": " + ex
		}
		return &tokenError{msg: t.redact(msg), err: errors.New(http.StatusText(status))}
	}
	return &AuthError{
		TokenURL:    t.tokenURL,
		HTTPStatus:  status,
		Code:        t.redact(sanitize(re.ErrorCode, 100)),
		Description: t.redact(sanitize(re.ErrorDescription, 300)),
	}
}

func (t *tokenCache) redact(s string) string {
	if t.secret == "" {
		return s
	}
	return strings.ReplaceAll(s, t.secret, "***")
}
