package itcare

import (
	"encoding/json"
	"testing"
	"time"
)

func TestParseTime(t *testing.T) {
	utc := func(h, m, s, ms int) time.Time { return time.Date(2025, 7, 6, h, m, s, ms*1e6, time.UTC) }
	for in, want := range map[string]time.Time{
		"2025-07-06T11:01:21.263Z":      utc(11, 1, 21, 263),
		"2025-07-06T11:01:21Z":          utc(11, 1, 21, 0),
		"2025-07-06T11:01:21.000+00:00": utc(11, 1, 21, 0),
		"2025-07-06T13:01:21.263+02:00": utc(11, 1, 21, 263),
		"2025-07-06T13:01:21.263+0200":  utc(11, 1, 21, 263),
		"2025-07-06T13:01:21+0200":      utc(11, 1, 21, 0),
		"2025-07-06T13:01:21+02":        utc(11, 1, 21, 0),
		"2025-07-06T08:01:21-0300":      utc(11, 1, 21, 0),
		"2025-07-06T11:01:21.263":       utc(11, 1, 21, 263),
		"2025-07-06T11:01:21":           utc(11, 1, 21, 0),
		" 2025-07-06T11:01:21Z ":        utc(11, 1, 21, 0),
		"2025-07-06 11:01:21Z":          utc(11, 1, 21, 0),
		"2025-07-06":                    utc(0, 0, 0, 0),
	} {
		got, err := ParseTime(in)
		if err != nil || !got.Equal(want) {
			t.Errorf("ParseTime(%q) = %v, %v; want %v", in, got, err, want)
		}
	}
	for _, in := range []string{"", "text", "2025-13-06T11:01:21Z", "06/07/2025", "2025-07-06T11:01:21+2"} {
		if _, err := ParseTime(in); err == nil {
			t.Errorf("ParseTime(%q) accepted", in)
		}
	}
}

func TestTimeJSON(t *testing.T) {
	var v struct {
		A *Time `json:"a"`
		B Time  `json:"b"`
		C Time  `json:"c"`
		D Time  `json:"d"`
	}
	in := `{"a":"2016-06-01T12:27:19.000+0200","b":null,"c":"","d":"2025-07-06T11:01:21Z"}`
	if err := json.Unmarshal([]byte(in), &v); err != nil {
		t.Fatal(err)
	}
	if !v.A.Equal(time.Date(2016, 6, 1, 10, 27, 19, 0, time.UTC)) || !v.B.IsZero() || !v.C.IsZero() {
		t.Errorf("decoded %+v", v)
	}
	out, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	if want := `{"a":"2016-06-01T12:27:19.000+02:00","b":null,"c":null,"d":"2025-07-06T11:01:21.000Z"}`; string(out) != want {
		t.Errorf("encoded %s, want %s", out, want)
	}
	for _, bad := range []string{`{"a":12}`, `{"a":"soon"}`, `{"a":{}}`} {
		if err := json.Unmarshal([]byte(bad), &v); err == nil {
			t.Errorf("%s accepted", bad)
		}
	}
}

func FuzzParseTime(f *testing.F) {
	f.Fuzz(func(t *testing.T, s string) {
		got, err := ParseTime(s)
		if err != nil {
			return
		}
		// Whatever parses must survive a JSON round trip.
		b, err := json.Marshal(Time{got})
		if err != nil {
			return // years outside 0–9999 cannot be written as RFC 3339
		}
		var back Time
		if err := json.Unmarshal(b, &back); err != nil {
			t.Fatalf("%q parsed, encoded as %s, which does not decode: %v", s, b, err)
		}
		if !back.Equal(got.Truncate(time.Millisecond)) {
			t.Fatalf("%q: round trip gave %v, want %v", s, back.Time, got)
		}
	})
}

func FuzzDecodeAction(f *testing.F) {
	f.Fuzz(func(t *testing.T, body []byte) {
		a, err := decodeAction(body)
		if err == nil && a != nil && a.ID == 0 {
			t.Fatal("an action without an id")
		}
		_ = newAPIError("GET", "/actions/1", 500, body, []string{"secret"})
		_, _, _ = decodeList[Action](body)
	})
}
