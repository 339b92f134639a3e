package itcare

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// APIError is an HTTP error answer of the API. The fields come from the
// documented error body; any of them may be empty because the API may answer
// with an empty or non-JSON body.
type APIError struct {
	Method string
	// Path is the request path relative to the API URL, with its query.
	Path         string
	HTTPStatus   int
	Status       string `json:"status"`
	ErrorCode    string `json:"errorCode"`
	ErrorDesc    string `json:"errorDesc"`
	ErrorMessage string `json:"errorMessage"`
	// Excerpt is a short, sanitized excerpt of a body that carried none of
	// the documented fields (an HTML page from a gateway, for instance).
	Excerpt string `json:"-"`
}

// Error reads like `PATCH /databases/postgresql/123: 400 Bad Request:
// INVALID_FIELD_VALUE on "sizing": Error on field 'sizing'`.
func (e *APIError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s: %d", e.Method, e.Path, e.HTTPStatus)
	if t := http.StatusText(e.HTTPStatus); t != "" {
		b.WriteString(" " + t)
	}
	if detail := e.detail(); detail != "" {
		b.WriteString(": " + detail)
	}
	return b.String()
}

// detail is what the answer said: its documented fields, else an excerpt.
func (e *APIError) detail() string {
	detail := e.ErrorCode
	if e.ErrorDesc != "" {
		if detail == "" {
			detail = "field"
		}
		detail += " on " + strconv.Quote(e.ErrorDesc)
	}
	if e.ErrorMessage != "" {
		if detail != "" {
			detail += ": "
		}
		detail += e.ErrorMessage
	}
	if detail == "" {
		detail = e.Excerpt
	}
	return detail
}

// newAPIError builds an APIError from an error answer. Decoding is lenient:
// Spring's default error body (numeric "status", "error", "message") is
// understood too, and anything else only leaves an excerpt. Every string in
// redact is removed, in case the API echoes a submitted secret.
func newAPIError(method, path string, status int, body []byte, redact []string) *APIError {
	e := &APIError{Method: method, Path: path, HTTPStatus: status}
	var m map[string]json.RawMessage
	if json.Unmarshal(body, &m) == nil && m != nil {
		e.Status = jsonString(m["status"])
		e.ErrorCode = jsonString(m["errorCode"])
		e.ErrorDesc = jsonString(m["errorDesc"])
		e.ErrorMessage = jsonString(m["errorMessage"])
		// Spring's default body says "message" (and "error", the reason
		// phrase); an RFC 9457 problem says "detail" (and "title").
		for _, key := range []string{"message", "detail"} {
			if e.ErrorMessage == "" {
				e.ErrorMessage = jsonString(m[key])
			}
		}
		for _, key := range []string{"error", "title"} {
			if e.ErrorMessage == "" && e.ErrorCode == "" {
				e.ErrorMessage = jsonString(m[key])
			}
		}
	}
	if e.ErrorCode == "" && e.ErrorDesc == "" && e.ErrorMessage == "" {
		e.Excerpt = excerpt(body, 200)
	}
	for _, s := range redact {
		if s == "" {
			continue
		}
		for _, f := range []*string{&e.Status, &e.ErrorCode, &e.ErrorDesc, &e.ErrorMessage, &e.Excerpt} {
			*f = strings.ReplaceAll(*f, s, "***")
		}
	}
	return e
}

// jsonString renders a JSON scalar as text; objects and arrays give "".
func jsonString(raw json.RawMessage) string {
	if len(raw) == 0 {
		return ""
	}
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return sanitize(s, 500)
	}
	var n json.Number
	if json.Unmarshal(raw, &n) == nil {
		return n.String()
	}
	return ""
}

// excerpt keeps the readable text of a body: markup removed, white space
// collapsed, control characters dropped, at most limit runes.
func excerpt(body []byte, limit int) string {
	var b strings.Builder
	inTag := false
	for _, r := range string(body) {
		switch {
		case r == '<':
			inTag = true
			b.WriteRune(' ')
		case r == '>' && inTag:
			inTag = false
		case !inTag:
			b.WriteRune(r)
		}
	}
	return sanitize(b.String(), limit)
}

// sanitize collapses white space, drops control and invalid characters and
// truncates to limit runes, so that a server's text cannot break a log line or
// a diagnostic.
func sanitize(s string, limit int) string {
	var b strings.Builder
	space := false
	n := 0
	for _, r := range s {
		if r == utf8.RuneError || (unicode.IsControl(r) && !unicode.IsSpace(r)) {
			continue
		}
		if unicode.IsSpace(r) {
			space = b.Len() > 0
			continue
		}
		need := 1
		if space {
			need = 2
		}
		if n+need > limit {
			b.WriteString("…")
			break
		}
		if space {
			b.WriteRune(' ')
			space = false
			n++
		}
		b.WriteRune(r)
		n++
	}
	return b.String()
}

// ActionError is returned by WaitForAction for an action that ended in ERROR.
type ActionError struct {
	ActionID int64
	Process  string
	Message  string
	Action   *Action
}

// Error reads like `action 42 (POSTGRESQL_RESIZE) failed: <message>`.
func (e *ActionError) Error() string {
	s := fmt.Sprintf("action %d", e.ActionID)
	if e.Process != "" {
		s += " (" + e.Process + ")"
	}
	if e.Message == "" {
		return s + " failed without a message"
	}
	return s + " failed: " + e.Message
}

// UnknownOutcomeError is returned for a write when the request may have
// reached ITCare but no answer says what happened: the connection dropped
// or the attempt timed out after the request was sent, a gateway answered
// 502/503/504, a 2xx body was cut short or is not JSON, or a 202 named no
// action that could be found. A create or an operation is never sent again
// automatically, because a second create would make a second instance; the
// caller should look the resource up instead (for a create:
// FindPostgreSQLByName). A DELETE is resent, and gives this error only when
// every attempt ended so. No other error of a write means "maybe applied".
type UnknownOutcomeError struct {
	Method string
	Path   string
	Err    error
}

// Error explains that the request may have been applied.
func (e *UnknownOutcomeError) Error() string {
	return fmt.Sprintf("%s %s: outcome unknown, the request may have been applied: %v", e.Method, e.Path, e.Err)
}

// Unwrap returns the underlying error.
func (e *UnknownOutcomeError) Unwrap() error { return e.Err }

// AuthErrorKind says which setting an AuthError points at.
type AuthErrorKind int

const (
	// AuthCredentials means the token endpoint answered and refused the client
	// (401, or an OAuth2 error such as invalid_client): check the client id
	// and secret.
	AuthCredentials AuthErrorKind = iota
	// AuthTokenURL means the token URL does not lead to an OAuth2 token
	// endpoint: it answered 404 or another status without an OAuth2 error,
	// a web page, something that is not a token, or could not be reached.
	AuthTokenURL
	// AuthUnavailable means the token endpoint kept answering 429 or 5xx.
	AuthUnavailable
)

// String names the kind the way the provider's settings do.
func (k AuthErrorKind) String() string {
	switch k {
	case AuthCredentials:
		return "client credentials"
	case AuthTokenURL:
		return "token URL"
	case AuthUnavailable:
		return "token endpoint unavailable"
	}
	return fmt.Sprintf("AuthErrorKind(%d)", int(k))
}

// AuthError is returned when no token could be had: the API request was
// not sent. Kind tells what to check. It never contains the client secret
// or a token.
type AuthError struct {
	Kind AuthErrorKind
	// TokenURL is the token endpoint, without any user:password.
	TokenURL string
	// HTTPStatus and ContentType describe the answer; 0 and "" when none
	// came.
	HTTPStatus  int
	ContentType string
	// Code and Description are the OAuth2 "error" and "error_description".
	Code        string
	Description string
	// Excerpt is a short, sanitized excerpt of an answer without an OAuth2
	// error (a web page, for instance).
	Excerpt string
	// Err is the failure when no answer, or no readable one, came.
	Err error

	// temporary marks a failure that may pass (429, 5xx, a refused or cut
	// connection): the request is retried like any other.
	temporary bool
}

// Error names the token URL, the answer and what to check.
func (e *AuthError) Error() string {
	var b strings.Builder
	switch e.Kind {
	case AuthCredentials:
		fmt.Fprintf(&b, "ITCare authentication failed: check client_id and client_secret (token URL %s)", e.TokenURL)
	case AuthUnavailable:
		fmt.Fprintf(&b, "ITCare token endpoint unavailable, try again later (token URL %s)", e.TokenURL)
	default:
		fmt.Fprintf(&b, "ITCare token request failed: check token_url, %s does not answer as an OAuth2 token endpoint", e.TokenURL)
	}
	if e.HTTPStatus != 0 {
		ct := e.ContentType
		if e.Kind == AuthCredentials {
			ct = "" // the endpoint is right: its media type is no clue
		}
		writeAnswer(&b, e.HTTPStatus, ct)
	}
	if e.Code != "" {
		b.WriteString(": " + e.Code)
	}
	if e.Description != "" {
		b.WriteString(" (" + e.Description + ")")
	}
	if e.Excerpt != "" {
		b.WriteString(": " + e.Excerpt)
	}
	if e.Err != nil {
		b.WriteString(": " + e.Err.Error())
	}
	return b.String()
}

// Unwrap returns the connection failure, if any.
func (e *AuthError) Unwrap() error { return e.Err }

// EndpointError is a 404 that is not the ITCare API's own answer: a web
// page from a gateway, or any answer under an API URL that is not proven
// to be the API's base (an api_url without its /itcare suffix, a typo, a
// proxy that routes elsewhere). IsNotFound is false for it: nothing says
// that the instance or the action is gone.
type EndpointError struct {
	// URL is the full URL requested, API URL included.
	Method, URL string
	HTTPStatus  int
	// Excerpt is a short, sanitized excerpt of the answer; Reason says why
	// the answer is not taken for the API's.
	ContentType, Excerpt, Reason string
}

// Error names the URL, the answer and the setting to check.
func (e *EndpointError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s", e.Method, e.URL)
	writeAnswer(&b, e.HTTPStatus, e.ContentType)
	if e.Excerpt != "" {
		b.WriteString(": " + e.Excerpt)
	}
	fmt.Fprintf(&b, "; this is not an answer of the ITCare API (%s): check api_url, the base of the API paths, such as %s", e.Reason, DefaultAPIURL)
	return b.String()
}

// writeAnswer writes ": 404 Not Found (text/html)".
func writeAnswer(b *strings.Builder, status int, contentType string) {
	fmt.Fprintf(b, ": %d %s", status, http.StatusText(status))
	if contentType != "" {
		b.WriteString(" (" + contentType + ")")
	}
}

// IsNotFound reports whether the API itself said that the instance or the
// action does not exist: an API 404. An *EndpointError is not one.
func IsNotFound(err error) bool { return hasStatus(err, http.StatusNotFound) }

// IsConflict reports whether err is an API 409 (an action already runs on the resource).
func IsConflict(err error) bool { return hasStatus(err, http.StatusConflict) }

// IsUnknownOutcome reports whether err leaves open whether a create or an
// operation was applied (see UnknownOutcomeError).
func IsUnknownOutcome(err error) bool {
	var u *UnknownOutcomeError
	return errors.As(err, &u)
}

func hasStatus(err error, status int) bool {
	var e *APIError
	return errors.As(err, &e) && e.HTTPStatus == status
}

// NotOfferedError says that ITCare does not serve a list the client relies
// on where the reference page is silent (GET /databases/postgresql,
// GET /actions): the API answered 405 or 501, or its own 404, to the
// list's first page. Callers fall back to another way, or tell the user
// which one to take (an id instead of a name).
type NotOfferedError struct {
	Method, Path string
	HTTPStatus   int
	// Answer is the API's error, as read.
	Answer *APIError
}

// Error names the list and the answer.
func (e *NotOfferedError) Error() string {
	return fmt.Sprintf("ITCare does not list here (%s %s answered %d %s): %s", e.Method, e.Path, e.HTTPStatus, http.StatusText(e.HTTPStatus), e.Answer.detail())
}

// IsNotOffered reports whether err says a list endpoint is not served.
func IsNotOffered(err error) bool {
	var e *NotOfferedError
	return errors.As(err, &e)
}

// notOffered turns the error of a list's first page into a
// *NotOfferedError when the API says the path is not served for GET.
func notOffered(err error) error {
	var e *APIError
	if !errors.As(err, &e) {
		return err
	}
	switch e.HTTPStatus {
	case http.StatusNotFound, http.StatusMethodNotAllowed, http.StatusNotImplemented:
		return &NotOfferedError{Method: e.Method, Path: e.Path, HTTPStatus: e.HTTPStatus, Answer: e}
	}
	return err
}

// conflictAction finds the action a 409's message names: the emulator's
// says "action 1200002 (POSTGRESQL_START) is in progress", and ITCare's
// is assumed to name it the same way, if at all.
var conflictAction = regexp.MustCompile(`(?i)\baction (?:id )?#?(\d{1,18})\b`)

// ConflictingActionID returns the id of the action a 409 says is in
// progress, or 0 when err is not a 409 or names none. It serves where
// ITCare lists no actions (GET /actions not served).
func ConflictingActionID(err error) int64 {
	var e *APIError
	if !errors.As(err, &e) || e.HTTPStatus != http.StatusConflict {
		return 0
	}
	m := conflictAction.FindStringSubmatch(e.ErrorMessage + " " + e.Excerpt)
	if m == nil {
		return 0
	}
	id, _ := strconv.ParseInt(m[1], 10, 64)
	return id
}
