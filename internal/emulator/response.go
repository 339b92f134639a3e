package emulator

import (
	"bytes"
	"encoding/json"
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

func writeJSON(w http.ResponseWriter, code int, v any) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		code = http.StatusInternalServerError
		buf.Reset()
		buf.WriteString(`{"status":"INTERNAL_SERVER_ERROR","errorCode":"INTERNAL_ERROR","errorDesc":"","errorMessage":"cannot encode the answer"}` + "\n")
	}
	w.Header().Set("Content-Type", MediaType)
	w.WriteHeader(code)
	_, _ = w.Write(buf.Bytes())
}

func writeError(w http.ResponseWriter, e *APIError) { writeJSON(w, e.HTTPStatus, e) }

func writeUnauthorized(w http.ResponseWriter, msg string) {
	w.Header().Set("WWW-Authenticate", `Bearer realm="cloud", error="invalid_token"`)
	writeError(w, apiErr(http.StatusUnauthorized, "UNAUTHORIZED", "Authorization", msg))
}
