package emulator

import (
	"encoding/json"
	"fmt"
	"net/url"
	"testing"
	"time"
)

func TestAuth(t *testing.T) {
	e := newEnv(t, testDuration)
	path := "/itcare/databases/postgresql?name=x"
	e.mustStatus(e.call("GET", path, nil), 200)

	check401 := func(name string, r response) {
		t.Helper()
		if r.status != 401 {
			t.Fatalf("%s: status %d, want 401", name, r.status)
		}
		if o := r.obj(); o["status"] != "UNAUTHORIZED" || o["errorMessage"] == "" {
			t.Errorf("%s: body %s", name, r.raw)
		}
	}
	check401("no token", e.callWith("GET", path, nil, ""))
	check401("bad token", e.callWith("GET", path, nil, "not-a-token"))
	check401("create without token", e.callWith("POST", "/itcare/databases/postgresql", validCreate("noauth01"), ""))
	check401("actions without token", e.callWith("GET", "/itcare/actions", nil, ""))
	if _, ok := e.srv.InstanceByName("noauth01"); ok {
		t.Error("an unauthenticated create made an instance")
	}

	h := e.mustStatus(e.callWith("GET", "/itcare/health", nil, ""), 200)
	if h.obj()["status"] != "UP" {
		t.Errorf("health %s", h.raw)
	}

	e.srv.SetTokenTTL(50 * time.Millisecond)
	short := e.getToken()
	e.mustStatus(e.callWith("GET", path, nil, short), 200)
	time.Sleep(80 * time.Millisecond)
	check401("expired token", e.callWith("GET", path, nil, short))

	e.srv.SetTokenTTL(time.Hour)
	tok := e.getToken()
	e.srv.ExpireTokens()
	check401("tokens expired by admin", e.callWith("GET", path, nil, tok))
}

func TestTokenEndpoint(t *testing.T) {
	e := newEnv(t, testDuration)
	form := url.Values{"grant_type": {"client_credentials"}}

	resp, err := formPost(e.srv.TokenURL(), form, e.srv.ClientID(), "wrong")
	if err != nil {
		t.Fatal(err)
	}
	var body map[string]any
	_ = json.NewDecoder(resp.Body).Decode(&body)
	resp.Body.Close()
	if resp.StatusCode != 401 || body["error"] != "unauthorized_client" {
		t.Errorf("wrong secret: %d %v", resp.StatusCode, body)
	}
	resp, _ = formPost(e.srv.TokenURL(), form, "someone", e.srv.ClientSecret())
	resp.Body.Close()
	if resp.StatusCode != 401 {
		t.Errorf("wrong client id: %d", resp.StatusCode)
	}
	resp, _ = formPost(e.srv.TokenURL(), form, "", "")
	resp.Body.Close()
	if resp.StatusCode != 401 {
		t.Errorf("no credentials: %d", resp.StatusCode)
	}

	inForm := url.Values{"grant_type": {"client_credentials"}, "client_id": {e.srv.ClientID()}, "client_secret": {e.srv.ClientSecret()}}
	resp, _ = formPost(e.srv.TokenURL(), inForm, "", "")
	body = map[string]any{}
	_ = json.NewDecoder(resp.Body).Decode(&body)
	resp.Body.Close()
	if resp.StatusCode != 200 || body["token_type"] != "bearer" || body["expires_in"] != 1200.0 || body["access_token"] == "" {
		t.Errorf("credentials in the form: %d %v", resp.StatusCode, body)
	}
	if _, ok := body["refresh_expires_in"]; !ok {
		t.Error("refresh_expires_in missing")
	}
	tok, _ := body["access_token"].(string)
	e.mustStatus(e.callWith("GET", "/itcare/actions", nil, tok), 200)

	resp, _ = formPost(e.srv.TokenURL(), url.Values{"grant_type": {"password"}}, e.srv.ClientID(), e.srv.ClientSecret())
	resp.Body.Close()
	if resp.StatusCode != 400 {
		t.Errorf("password grant: %d", resp.StatusCode)
	}
}

func TestCustomCredentials(t *testing.T) {
	srv, err := New(Config{ClientID: "me", ClientSecret: "p@ss:word"})
	if err != nil {
		t.Fatal(err)
	}
	if err := srv.Start("127.0.0.1:0"); err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	// RFC 6749 clients form-encode the id and secret before Basic auth.
	resp, err := formPost(srv.TokenURL(), url.Values{"grant_type": {"client_credentials"}}, "me", url.QueryEscape("p@ss:word"))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Errorf("status %d", resp.StatusCode)
	}
}

func TestContentType(t *testing.T) {
	e := newEnv(t, testDuration)
	cases := []struct {
		ct   string
		want int
	}{
		{"application/json", 202},
		{"application/vnd.cegedim-it.v1+json", 202},
		{"application/json; charset=utf-8", 202},
		{"text/plain", 415},
		{"application/x-www-form-urlencoded", 415},
	}
	for i, c := range cases {
		body, _ := json.Marshal(validCreate(fmt.Sprintf("ctype%02d", i)))
		r := e.rawCall("POST", "/itcare/databases/postgresql", string(body), c.ct)
		if r.status != c.want {
			t.Errorf("%s: %d, want %d: %s", c.ct, r.status, c.want, r.raw)
		}
	}
}
