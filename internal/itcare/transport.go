package itcare

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptrace"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"golang.org/x/oauth2"
)

const (
	mediaTypeV1  = "application/vnd.cegedim-it.v1+json"
	acceptHeader = mediaTypeV1 + ", application/json;q=0.9"
	// The page shows the PATCH body as plain JSON, unlike the POST body.
	contentTypePatch = "application/json"

	// maxRetryAfter bounds a Retry-After longer than RetryWaitMax: the
	// server's word is honoured, but a bogus value must not park a run.
	maxRetryAfter   = 5 * time.Minute
	maxResponseBody = 16 << 20
)

// call is one logical API request; do may send it several times.
type call struct {
	method string
	path   string // relative to the API URL, without the query
	query  url.Values
	body   any // encoded as JSON; nil sends no body
	// redact lists values (a password) that must not appear in an error
	// even if the API echoes them.
	redact []string
	// probe marks the health check of the API URL: its 404 is returned
	// as is, not checked again.
	probe bool
}

func (k call) target() string {
	if len(k.query) == 0 {
		return k.path
	}
	return k.path + "?" + k.query.Encode()
}

// response is a complete answer; the body is read within the attempt's
// deadline.
type response struct {
	status int
	header http.Header
	body   []byte
}

// do sends k with the retry policy:
//
//   - GET and DELETE are idempotent: retried on 429, 500, 502, 503, 504,
//     connection errors and attempt timeouts.
//   - POST and PATCH are retried only on 429 and when the request provably
//     never left (no connection was obtained and dialling failed, or the
//     token could not be fetched for a reason that may pass). Once sent, a
//     dropped connection or a gateway error gives an *UnknownOutcomeError
//     instead of a second write.
//   - A 401 fetches a new token and sends the request once more, whatever
//     the method: the API refused it before doing anything.
//   - A 404 is an *APIError only if it is the API's own (see notFound),
//     else an *EndpointError.
//
// A non-2xx answer that is not retried is returned as an *APIError.
func (c *Client) do(ctx context.Context, k call) (*response, error) {
	var body []byte
	if k.body != nil {
		var err error
		if body, err = json.Marshal(k.body); err != nil {
			return nil, fmt.Errorf("%s %s: cannot encode the request: %w", k.method, k.path, err)
		}
	}
	idempotent := k.method == http.MethodGet || k.method == http.MethodDelete
	target := k.target()
	reauthed := false
	retries := 0
	// mayHaveApplied: an attempt failed after the request may have reached
	// ITCare, and no answer of the API said what happened.
	mayHaveApplied := false
	for attempt := 1; ; attempt++ {
		res, tok, sent, err := c.attempt(ctx, k, body, attempt)

		var lastErr error
		var authErr *AuthError
		switch {
		case err != nil && ctx.Err() != nil:
			if sent && !idempotent {
				return nil, &UnknownOutcomeError{Method: k.method, Path: target, Err: err}
			}
			if errors.As(err, &authErr) && authErr.temporary {
				// The token request was cut short, not refused.
				return nil, fmt.Errorf("%s %s: stopped while fetching a token: %w", k.method, target, ctx.Err())
			}
			return nil, err
		case err != nil:
			switch {
			case errors.As(err, &authErr) && !authErr.temporary:
				return nil, err
			case authErr != nil, !sent && isDialError(err):
				lastErr = err
			case idempotent:
				lastErr = err
				mayHaveApplied = mayHaveApplied || sent
			default:
				return nil, &UnknownOutcomeError{Method: k.method, Path: target, Err: err}
			}
		case res.status == http.StatusUnauthorized && !reauthed:
			reauthed = true
			c.tokens.invalidate(tok)
			continue
		case res.status >= 200 && res.status < 300:
			c.noteAnswer(res)
			return res, nil
		default:
			apiErr := newAPIError(k.method, target, res.status, res.body, append(slices.Clone(k.redact), c.secrets.all()...))
			switch {
			case res.status == http.StatusNotFound && !k.probe:
				return nil, c.notFound(ctx, k, res, apiErr)
			case retryableStatus(res.status, idempotent):
				lastErr = apiErr
				mayHaveApplied = mayHaveApplied || isGatewayStatus(res.status)
			case !idempotent && isGatewayStatus(res.status):
				return nil, &UnknownOutcomeError{Method: k.method, Path: target, Err: apiErr}
			default:
				return nil, apiErr
			}
		}

		if retries >= c.maxRetries {
			if retries > 0 {
				lastErr = fmt.Errorf("giving up after %d attempts: %w", retries+1, lastErr)
			}
			if mayHaveApplied && k.method != http.MethodGet {
				// A DELETE that may have been applied: the caller reads
				// the instance rather than taking the error for a refusal.
				return nil, &UnknownOutcomeError{Method: k.method, Path: target, Err: lastErr}
			}
			return nil, lastErr
		}
		retries++
		wait := c.backoff(retries, res)
		fields := map[string]any{
			"method": k.method, "path": target, "attempt": attempt, "retry_in_ms": wait.Milliseconds(),
		}
		if res != nil {
			fields["status"] = res.status
		} else {
			fields["error"] = lastErr.Error()
		}
		c.log.Warn(ctx, "ITCare API request failed; retrying", fields)
		if err := c.sleep(ctx, wait); err != nil {
			return nil, fmt.Errorf("%w (while waiting to retry after: %w)", err, lastErr)
		}
	}
}

// healthPath is the API's documented health check, served under its base
// URL: the cheapest call that proves the base.
const healthPath = "/health"

// noteAnswer records that a JSON 2xx came from under the API URL: only the
// API answers its paths with JSON, so the base URL is proven.
func (c *Client) noteAnswer(res *response) {
	if c.baseProven.Load() || isHTML(res.header.Get("Content-Type"), res.body) {
		return
	}
	if b := bytes.TrimSpace(res.body); len(b) > 0 && json.Valid(b) {
		c.baseProven.Store(true)
	}
}

// notFound settles a 404. A web page is never the API's answer. Any other
// 404 (its documented JSON, Spring's default body, an empty body, plain
// text) is the API's own once the base URL is proven, by an earlier JSON
// answer or by GET <api_url>/health; a body alone cannot prove it, since
// a gateway or another Spring service answers an unknown path with the
// same shapes.
func (c *Client) notFound(ctx context.Context, k call, res *response, apiErr *APIError) error {
	ct := sanitize(res.header.Get("Content-Type"), 80)
	e := &EndpointError{Method: k.method, URL: c.base + k.target(), HTTPStatus: res.status, ContentType: ct, Excerpt: apiErr.detail()}
	if isHTML(ct, res.body) {
		e.Reason = "a web page, from a gateway or a web server"
		return e
	}
	err := c.checkBaseURL(ctx)
	switch {
	case err == nil:
		return apiErr
	case ctx.Err() != nil:
		// apiErr is not wrapped: nothing proved it to be the API's own 404.
		return fmt.Errorf("%s, and checking the API URL stopped: %w", apiErr.Error(), ctx.Err())
	}
	e.Reason = fmt.Sprintf("GET %s, the API's health check, did not confirm the base URL: %v", c.base+healthPath, err)
	return e
}

// checkBaseURL proves the API URL with GET <api_url>/health, once per
// client: a success is kept, a failure is checked again next time.
func (c *Client) checkBaseURL(ctx context.Context) error {
	if c.baseProven.Load() {
		return nil
	}
	select {
	case c.baseCheck <- struct{}{}:
	case <-ctx.Done():
		return ctx.Err()
	}
	defer func() { <-c.baseCheck }()
	if c.baseProven.Load() {
		return nil
	}
	if _, err := c.do(ctx, call{method: http.MethodGet, path: healthPath, probe: true}); err != nil {
		return err
	}
	c.baseProven.Store(true)
	return nil
}

// attempt sends k once. sent reports whether a connection to the API was
// obtained, i.e. whether any byte of the request may have reached it.
func (c *Client) attempt(ctx context.Context, k call, body []byte, attempt int) (res *response, tok *oauth2.Token, sent bool, err error) {
	start := c.now()
	defer func() {
		fields := map[string]any{
			"method": k.method, "path": k.target(), "attempt": attempt,
			"duration_ms": c.now().Sub(start).Milliseconds(),
		}
		if err != nil {
			fields["error"] = err.Error()
		} else {
			fields["status"] = res.status
			if id, status := actionOf(k, res); id != 0 {
				fields["action_id"], fields["action_status"] = logID(id), status
			}
		}
		c.log.Debug(ctx, "ITCare API request", fields)
	}()

	actx, cancel := context.WithTimeout(ctx, c.cfg.RequestTimeout)
	defer cancel()
	if tok, err = c.tokens.token(actx); err != nil {
		return nil, nil, false, err
	}
	// The trace is attached after the token request so that only a
	// connection for this request counts.
	var gotConn atomic.Bool
	actx = httptrace.WithClientTrace(actx, &httptrace.ClientTrace{
		GotConn: func(httptrace.GotConnInfo) { gotConn.Store(true) },
	})
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(actx, k.method, c.base+k.target(), rd)
	if err != nil {
		return nil, tok, false, err
	}
	req.Header.Set("Accept", acceptHeader)
	req.Header.Set("User-Agent", c.cfg.UserAgent)
	req.Header.Set("Authorization", "Bearer "+tok.AccessToken)
	if body != nil {
		ct := mediaTypeV1
		if k.method == http.MethodPatch {
			ct = contentTypePatch
		}
		req.Header.Set("Content-Type", ct)
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return nil, tok, gotConn.Load(), err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, maxResponseBody))
	if err != nil {
		return nil, tok, true, fmt.Errorf("%s %s: reading the answer (%d): %w", k.method, k.target(), resp.StatusCode, err)
	}
	return &response{status: resp.StatusCode, header: resp.Header, body: b}, tok, true, nil
}

// logID renders an id for a log field. Terraform relays a provider's log
// fields through JSON into float64s, so a number would print as
// 1.200042e+06 while errors say 1200042.
func logID(id int64) string { return strconv.FormatInt(id, 10) }

// actionOf picks the action id out of a write's answer or an action read,
// for the log only.
func actionOf(k call, res *response) (int64, string) {
	if res.status < 200 || res.status > 299 || (k.method == http.MethodGet && !strings.HasPrefix(k.path, "/actions/")) {
		return 0, ""
	}
	var a struct {
		ID     int64  `json:"id"`
		Status string `json:"status"`
	}
	if json.Unmarshal(res.body, &a) != nil {
		return 0, ""
	}
	return a.ID, sanitize(a.Status, 40)
}

func retryableStatus(status int, idempotent bool) bool {
	switch status {
	case http.StatusTooManyRequests:
		return true // the API refused the request before doing anything
	case http.StatusInternalServerError:
		return idempotent
	}
	return idempotent && isGatewayStatus(status)
}

func isGatewayStatus(status int) bool {
	return status == http.StatusBadGateway || status == http.StatusServiceUnavailable || status == http.StatusGatewayTimeout
}

// isDialError reports a failure to open the connection: nothing was sent.
func isDialError(err error) bool {
	var op *net.OpError
	if errors.As(err, &op) && op.Op == "dial" {
		return true
	}
	var dns *net.DNSError
	return errors.As(err, &dns)
}

// backoff returns the wait before retry number n (1-based): the answer's
// Retry-After if any, else exponential with equal jitter so that clients
// that failed together do not come back together.
func (c *Client) backoff(n int, res *response) time.Duration {
	if res != nil {
		if d, ok := parseRetryAfter(res.header.Get("Retry-After"), c.now()); ok {
			return min(d, max(c.cfg.RetryWaitMax, maxRetryAfter))
		}
	}
	lo, hi := c.cfg.RetryWaitMin, c.cfg.RetryWaitMax
	d := hi
	if n-1 < 32 {
		if e := lo << (n - 1); e > 0 && e < hi {
			d = e
		}
	}
	d = d/2 + time.Duration(c.jitter(int64(d/2)+1))
	return max(d, lo)
}

// parseRetryAfter reads delay-seconds or an HTTP date.
func parseRetryAfter(v string, now time.Time) (time.Duration, bool) {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0, false
	}
	if n, err := strconv.ParseInt(v, 10, 64); err == nil {
		if n < 0 {
			return 0, false
		}
		return time.Duration(min(n, 24*3600)) * time.Second, true
	}
	t, err := http.ParseTime(v)
	if err != nil {
		return 0, false
	}
	return max(t.Sub(now), 0), true
}

// getJSON sends a GET and decodes its answer into out.
func (c *Client) getJSON(ctx context.Context, path string, query url.Values, out any) error {
	k := call{method: http.MethodGet, path: path, query: query}
	res, err := c.do(ctx, k)
	if err != nil {
		return err
	}
	return decodeInto(k, res.body, out)
}

func decodeInto(k call, body []byte, out any) error {
	if err := json.Unmarshal(body, out); err != nil {
		return fmt.Errorf("%s %s: cannot decode the answer: %w", k.method, k.target(), err)
	}
	return nil
}
