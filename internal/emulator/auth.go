package emulator

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"time"
)

type tokenInfo struct {
	clientID string
	expires  time.Time
}

// handleToken is Keycloak's client-credentials grant: client
// authentication by HTTP Basic (values form-encoded first, as RFC 6749
// says) or by client_id/client_secret in the form.
func (s *Server) handleToken(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		oauthError(w, http.StatusBadRequest, "invalid_request", "cannot parse the form body")
		return
	}
	id, secret, basic := r.BasicAuth()
	if basic {
		if u, err := url.QueryUnescape(id); err == nil {
			id = u
		}
		if u, err := url.QueryUnescape(secret); err == nil {
			secret = u
		}
	} else {
		id, secret = r.PostForm.Get("client_id"), r.PostForm.Get("client_secret")
	}
	if id == "" {
		oauthError(w, http.StatusUnauthorized, "unauthorized_client", "Client authentication is missing")
		return
	}
	if subtle.ConstantTimeCompare([]byte(id), []byte(s.cfg.ClientID)) != 1 ||
		subtle.ConstantTimeCompare([]byte(secret), []byte(s.cfg.ClientSecret)) != 1 {
		oauthError(w, http.StatusUnauthorized, "unauthorized_client", "Invalid client or Invalid client credentials")
		return
	}
	if gt := r.PostForm.Get("grant_type"); gt != "client_credentials" {
		oauthError(w, http.StatusBadRequest, "unsupported_grant_type", "Unsupported grant_type")
		return
	}
	var raw [32]byte
	_, _ = rand.Read(raw[:])
	tok := base64.RawURLEncoding.EncodeToString(raw[:])
	s.mu.Lock()
	ttl := s.tokenTTL
	now := s.now()
	for k, t := range s.tokens {
		if !now.Before(t.expires) {
			delete(s.tokens, k)
		}
	}
	s.tokens[tok] = tokenInfo{clientID: id, expires: now.Add(ttl)}
	s.issuedTokens = append(s.issuedTokens, tok)
	s.mu.Unlock()
	resp := map[string]any{
		"access_token":       tok,
		"expires_in":         int(ttl / time.Second),
		"refresh_expires_in": 0,
		"token_type":         "bearer",
		"not-before-policy":  0,
		"scope":              "profile email",
	}
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusOK)
	_ = json.NewEncoder(w).Encode(resp)
}

func oauthError(w http.ResponseWriter, code int, errCode, desc string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	_ = json.NewEncoder(w).Encode(map[string]string{"error": errCode, "error_description": desc})
}

func bearer(r *http.Request) string {
	h := r.Header.Get("Authorization")
	scheme, tok, ok := strings.Cut(h, " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return ""
	}
	return strings.TrimSpace(tok)
}

// authenticate returns the client id behind the request's token, or why
// it is refused.
func (s *Server) authenticate(r *http.Request) (string, string) {
	tok := bearer(r)
	if tok == "" {
		return "", "Full authentication is required: send Authorization: Bearer <token>"
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	t, ok := s.tokens[tok]
	if !ok {
		return "", "the access token is not valid"
	}
	if !s.now().Before(t.expires) {
		delete(s.tokens, tok)
		return "", "the access token has expired"
	}
	return t.clientID, ""
}

// ExpireTokens makes every token issued so far invalid.
func (s *Server) ExpireTokens() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.tokens = map[string]tokenInfo{}
}

// IssuedTokens returns every access token issued since the start, expired
// ones included, so that tests can check that none leaked into a log, a
// plan or a state.
func (s *Server) IssuedTokens() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.issuedTokens...)
}
