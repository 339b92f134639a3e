package emulator

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
)

// statusWriter remembers the status code for the request log.
type statusWriter struct {
	http.ResponseWriter
	status int
	// onAnswer, when set, is called once with the status the client gets
	// (0 for none) before any of the answer is sent.
	onAnswer func(status int)
	done     bool
}

// answered reports the request's outcome once; later calls do nothing.
func (w *statusWriter) answered(status int) {
	if w.done {
		return
	}
	w.done = true
	if w.onAnswer != nil {
		w.onAnswer(status)
	}
}

func (w *statusWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
		w.answered(code)
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
		w.answered(http.StatusOK)
	}
	return w.ResponseWriter.Write(b)
}

func (w *statusWriter) code() int {
	if w.status == 0 {
		return http.StatusOK
	}
	return w.status
}

// discardWriter runs a handler whose answer will never be sent (the "lost
// answer" fault).
type discardWriter struct{ h http.Header }

// recordingWriter keeps a handler's answer, to be sent or thrown away.
type recordingWriter struct {
	h      http.Header
	status int
	body   bytes.Buffer
}

func (rw *recordingWriter) Header() http.Header { return rw.h }

func (rw *recordingWriter) Write(b []byte) (int, error) {
	if rw.status == 0 {
		rw.status = http.StatusOK
	}
	return rw.body.Write(b)
}

func (rw *recordingWriter) WriteHeader(code int) {
	if rw.status == 0 {
		rw.status = code
	}
}

func (d discardWriter) Header() http.Header { return d.h }

func (d discardWriter) Write(b []byte) (int, error) { return len(b), nil }

func (d discardWriter) WriteHeader(int) {}

func writeJSON(w http.ResponseWriter, code int, v any) { writeJSONAs(w, code, MediaType, v) }

// writeJSONAs answers v as JSON with the content type ct.
func writeJSONAs(w http.ResponseWriter, code int, ct string, v any) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		code, ct = http.StatusInternalServerError, MediaType
		buf.Reset()
		buf.WriteString(`{"status":"INTERNAL_SERVER_ERROR","errorCode":"INTERNAL_ERROR","errorDesc":"","errorMessage":"cannot encode the answer"}` + "\n")
	}
	w.Header().Set("Content-Type", ct)
	w.WriteHeader(code)
	_, _ = w.Write(buf.Bytes())
}

// writeError answers e as the API does: under /itcare the compatibility
// switches choose the body's shape; elsewhere (the token endpoint) it is
// the documented one.
func (s *Server) writeError(w http.ResponseWriter, r *http.Request, e *APIError) {
	if !isAPIPath(r.URL.Path) {
		writeDocumentedError(w, e)
		return
	}
	ct, body := s.cfg.Compat.errorBody(e, r.URL.Path, s.now())
	writeJSONAs(w, e.HTTPStatus, ct, body)
}

// writeDocumentedError answers e with the documented body whatever the
// switches say: a status fault answers what the fault says.
func writeDocumentedError(w http.ResponseWriter, e *APIError) { writeJSON(w, e.HTTPStatus, e) }

func (s *Server) writeUnauthorized(w http.ResponseWriter, r *http.Request, msg string) {
	w.Header().Set("WWW-Authenticate", `Bearer realm="cloud", error="invalid_token"`)
	s.writeError(w, r, apiErr(http.StatusUnauthorized, "UNAUTHORIZED", "Authorization", msg))
}

// methodNotAllowed answers 405 as Spring does on a path mapped for other
// methods only; allow lists them and may be empty (no method at all).
func (s *Server) methodNotAllowed(allow string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Allow", allow)
		s.writeError(w, r, methodNotAllowedErr(r))
	}
}

func methodNotAllowedErr(r *http.Request) *APIError {
	return apiErr(http.StatusMethodNotAllowed, "METHOD_NOT_ALLOWED", "method",
		fmt.Sprintf("Request method '%s' is not supported on %s", r.Method, r.URL.Path))
}
