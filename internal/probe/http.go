package probe

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"path"
	"strings"
	"unicode"
)

const (
	// acceptHeader is what the client sends, so that the API answers the
	// probe as it answers the provider.
	acceptHeader = "application/vnd.cegedim-it.v1+json, application/json;q=0.9"
	userAgent    = "itcare-probe"
	// maxBody bounds what is read of one answer; a larger one is cut, and
	// then reads as JSON that does not parse.
	maxBody = 8 << 20
)

// errWriteRefused is returned by the transport for any request that would
// write: whatever a check asks, it never leaves the machine.
var errWriteRefused = errors.New("refused: the probe only reads")

// readOnly is the transport of every probe request. It lets GET through,
// and POST to the token URL only: a request under the API base with any
// other method, or a token POST that would land under the API base, is
// refused before it is sent.
type readOnly struct {
	api      *url.URL
	tokenURL *url.URL
	next     http.RoundTripper
}

func (t *readOnly) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.Method == http.MethodGet {
		return t.next.RoundTrip(req)
	}
	if under(req.URL, t.api) {
		closeBody(req)
		return nil, fmt.Errorf("%s %s: %w", req.Method, req.URL.Redacted(), errWriteRefused)
	}
	if req.Method == http.MethodPost && sameEndpoint(req.URL, t.tokenURL) {
		return t.next.RoundTrip(req)
	}
	closeBody(req)
	return nil, fmt.Errorf("%s %s: %w", req.Method, req.URL.Redacted(), errWriteRefused)
}

// closeBody honours the RoundTripper contract for a request not sent.
func closeBody(req *http.Request) {
	if req.Body != nil {
		_ = req.Body.Close()
	}
}

// under reports whether u is base or below it. Paths are cleaned first, so
// that "/x/../itcare/…" cannot slip past the comparison.
func under(u, base *url.URL) bool {
	if !sameHost(u, base) {
		return false
	}
	p := path.Clean("/" + u.Path)
	b := path.Clean("/" + base.Path)
	return b == "/" || p == b || strings.HasPrefix(p, b+"/")
}

func sameEndpoint(u, v *url.URL) bool {
	return sameHost(u, v) && path.Clean("/"+u.Path) == path.Clean("/"+v.Path)
}

func sameHost(u, v *url.URL) bool {
	return strings.EqualFold(u.Scheme, v.Scheme) && strings.EqualFold(hostPort(u), hostPort(v))
}

// hostPort spells the default port out, so that host and host:443 match.
func hostPort(u *url.URL) string {
	if u.Port() != "" {
		return u.Host
	}
	switch strings.ToLower(u.Scheme) {
	case "https":
		return u.Hostname() + ":443"
	case "http":
		return u.Hostname() + ":80"
	}
	return u.Host
}

// answer is one HTTP exchange as the probe saw it: the raw status, media
// type and body, before any of the client's lenient reading.
type answer struct {
	method   string
	url      string
	status   int
	media    string // the Content-Type's media type, lower case
	location string
	body     []byte
	err      error
}

func (a *answer) ok() bool { return a.err == nil && a.status >= 200 && a.status < 300 }

// html tells a web page (a gateway's or a login page) from an API answer.
func (a *answer) html() bool {
	if a.media == "text/html" || a.media == "application/xhtml+xml" {
		return true
	}
	return bytes.HasPrefix(bytes.TrimSpace(a.body), []byte("<"))
}

// decode reads the body as JSON, keeping numbers exact (ids are int64).
func (a *answer) decode() (any, error) {
	dec := json.NewDecoder(bytes.NewReader(a.body))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, err
	}
	if dec.More() {
		return nil, errors.New("more than one JSON value")
	}
	return v, nil
}

// object is the body as a JSON object; nil when it is not one.
func (a *answer) object() map[string]any {
	if a.err != nil || a.html() {
		return nil
	}
	v, err := a.decode()
	if err != nil {
		return nil
	}
	m, _ := v.(map[string]any)
	return m
}

// brief describes an answer in a few words: "404 application/json",
// "302 to https://…", "a web page (200 text/html)".
func (a *answer) brief() string {
	if a.err != nil {
		return "no answer: " + a.err.Error()
	}
	media := a.media
	if media == "" {
		media = "no Content-Type"
	}
	switch {
	case a.status >= 300 && a.status < 400 && a.location != "":
		return fmt.Sprintf("%d to %s", a.status, a.location)
	case len(a.body) > 0 && a.html():
		return fmt.Sprintf("a web page (%d %s)", a.status, media)
	case len(bytes.TrimSpace(a.body)) == 0:
		return fmt.Sprintf("%d %s, empty body", a.status, media)
	}
	return fmt.Sprintf("%d %s", a.status, media)
}

// send makes one request and reads its whole answer. Redirects are not
// followed (the client's transport is built without redirects): a
// redirect is an answer the probe reports.
func send(ctx context.Context, hc *http.Client, req *http.Request) *answer {
	a := &answer{method: req.Method, url: req.URL.Redacted()}
	resp, err := hc.Do(req.WithContext(ctx))
	if err != nil {
		a.err = err
		return a
	}
	defer resp.Body.Close()
	a.status = resp.StatusCode
	if ct := resp.Header.Get("Content-Type"); ct != "" {
		if mt, _, err := mime.ParseMediaType(ct); err == nil {
			a.media = strings.ToLower(mt)
		} else {
			a.media = strings.ToLower(strings.TrimSpace(ct))
		}
	}
	a.location = resp.Header.Get("Location")
	a.body, a.err = io.ReadAll(io.LimitReader(resp.Body, maxBody))
	return a
}

func newHTTPClient(api, tokenURL *url.URL, base http.RoundTripper) *http.Client {
	if base == nil {
		base = http.DefaultTransport
	}
	return &http.Client{
		Transport: &readOnly{api: api, tokenURL: tokenURL, next: base},
		CheckRedirect: func(*http.Request, []*http.Request) error {
			return http.ErrUseLastResponse
		},
	}
}

// redactor removes the secret, the token and the Basic credentials that
// carry the secret from any text the probe prints: an answer may echo them.
type redactor []string

func newRedactor(clientID, secret string) redactor {
	var r redactor
	for _, s := range []string{
		secret,
		base64.StdEncoding.EncodeToString([]byte(url.QueryEscape(clientID) + ":" + url.QueryEscape(secret))),
		base64.StdEncoding.EncodeToString([]byte(clientID + ":" + secret)),
		url.QueryEscape(secret),
	} {
		r.add(s)
	}
	return r
}

func (r *redactor) add(s string) {
	if s != "" {
		*r = append(*r, s)
	}
}

func (r redactor) apply(s string) string {
	for _, secret := range r {
		s = strings.ReplaceAll(s, secret, "***")
	}
	return s
}

// excerpt is the start of a body on one line, for a SEEN cell.
func excerpt(b []byte, n int) string {
	s := strings.Join(strings.Fields(string(b)), " ")
	s = strings.Map(func(r rune) rune {
		if unicode.IsPrint(r) {
			return r
		}
		return -1
	}, s)
	if r := []rune(s); len(r) > n {
		s = string(r[:n]) + "…"
	}
	return s
}
