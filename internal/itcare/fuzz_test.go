package itcare

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"
)

// FuzzAPIError feeds arbitrary error bodies (JSON of any shape, HTML,
// binary) to the error decoder: it must never panic, its text must stay
// one printable line of bounded size, and a secret given for redaction
// must never come out, whatever the body does with it.
func FuzzAPIError(f *testing.F) {
	f.Fuzz(func(t *testing.T, status int, body []byte, secret string) {
		// Bounds are checked without redaction: "***" may be longer than
		// the secret it replaces.
		e := newAPIError("POST", "/databases/postgresql", status, body, nil)
		msg := e.Error()
		if !utf8.ValidString(msg) {
			t.Fatalf("invalid UTF-8: %q", msg)
		}
		for _, r := range msg {
			if unicode.IsControl(r) {
				t.Fatalf("control character %U in %q", r, msg)
			}
		}
		if n := utf8.RuneCountInString(e.Excerpt); n > 201 {
			t.Fatalf("excerpt of %d runes", n)
		}
		for _, s := range []string{e.ErrorMessage, e.ErrorDesc, e.ErrorCode, e.Status} {
			if n := utf8.RuneCountInString(s); n > 501 {
				t.Fatalf("field of %d runes", n)
			}
		}
		// "***" replaces the secret: a secret made of asterisks, or too
		// short to be one, cannot be checked this way.
		if len(secret) < 3 || strings.Contains(secret, "*") {
			return
		}
		e = newAPIError("POST", "/databases/postgresql", status, body, []string{secret})
		for name, s := range map[string]string{"status": e.Status, "errorCode": e.ErrorCode, "errorDesc": e.ErrorDesc,
			"errorMessage": e.ErrorMessage, "excerpt": e.Excerpt} {
			if strings.Contains(s, secret) {
				t.Fatalf("%s %q shows the secret %q", name, s, secret)
			}
		}
	})
}

// FuzzDecodePostgreSQL feeds arbitrary answers to the instance decoders
// (one instance, and a list as a bare array or a page). Whatever decodes
// must encode again, and the encoding is a fixed point after one round
// trip, so that values read twice do not drift. (The first round may
// change a value's form: a date "" and null both mean no date, and "" is
// written back as null.)
func FuzzDecodePostgreSQL(f *testing.F) {
	f.Fuzz(func(t *testing.T, body []byte) {
		var p0 PostgreSQL
		if err := json.Unmarshal(body, &p0); err == nil {
			first, err := json.Marshal(p0)
			if err != nil {
				t.Fatalf("decoded instance does not encode: %v", err)
			}
			var p PostgreSQL
			if err := json.Unmarshal(first, &p); err != nil {
				t.Fatalf("encoded instance %s does not decode: %v", first, err)
			}
			once, err := json.Marshal(p)
			if err != nil {
				t.Fatal(err)
			}
			var q PostgreSQL
			if err := json.Unmarshal(once, &q); err != nil {
				t.Fatalf("re-encoded instance %s does not decode: %v", once, err)
			}
			twice, err := json.Marshal(q)
			if err != nil {
				t.Fatal(err)
			}
			if string(once) != string(twice) {
				t.Fatalf("round trip not stable:\n%s\n%s", once, twice)
			}
		}
		items, env, err := decodeList[PostgreSQL](body)
		if err == nil && env != nil && (env.Content == nil || !reflect.DeepEqual(items, *env.Content)) {
			t.Fatal("a page decoded into other items than its content")
		}
		var dbs []Database
		_ = json.Unmarshal(body, &dbs)
		var vs []versionNumber
		_ = json.Unmarshal(body, &vs)
	})
}
