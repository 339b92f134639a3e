package emulator

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"
)

func TestFaultBody(t *testing.T) {
	e := newEnv(t, testDuration)
	in := e.seed(validCreate("bodyfault1"))
	e.srv.AddFault(Fault{Kind: FaultBody, Method: "GET", InstanceName: "bodyfault1", Status: 502,
		ContentType: "text/html", Body: "<html><body><h1>502 Bad Gateway</h1></body></html>", Count: 1})
	r := e.mustStatus(e.call("GET", pgURL(in.ID), nil), 502)
	if ct := r.header.Get("Content-Type"); ct != "text/html" || !strings.Contains(string(r.raw), "<h1>502 Bad Gateway</h1>") {
		t.Errorf("content type %q body %s", ct, r.raw)
	}
	// Status defaults to 200, content type to the API's media type.
	e.srv.AddFault(Fault{Kind: FaultBody, Method: "GET", InstanceName: "bodyfault1", Body: `{"id": 12, "name": `, Count: 1})
	r = e.mustStatus(e.call("GET", pgURL(in.ID), nil), 200)
	if ct := r.header.Get("Content-Type"); ct != MediaType || string(r.raw) != `{"id": 12, "name": ` {
		t.Errorf("content type %q body %q", ct, r.raw)
	}
	e.mustStatus(e.call("GET", pgURL(in.ID), nil), 200)
	if n := len(e.srv.Faults()); n != 0 {
		t.Errorf("%d faults left", n)
	}

	// With After the write is done and only its answer replaced.
	e.srv.AddFault(Fault{Kind: FaultBody, Method: "POST", InstanceName: "bodyfault2", Status: 202, Body: "not json", After: true, Count: 1})
	r = e.mustStatus(e.call("POST", "/itcare/databases/postgresql", validCreate("bodyfault2")), 202)
	if string(r.raw) != "not json" {
		t.Errorf("body %q", r.raw)
	}
	if _, ok := e.srv.InstanceByName("bodyfault2"); !ok {
		t.Error("a body fault with After must perform the write")
	}
}

func TestFaultProbabilityIsSeeded(t *testing.T) {
	hits := func(seed uint64) []bool {
		e := newEnv(t, testDuration)
		e.srv.SetFaultSeed(seed)
		e.srv.AddFault(Fault{Kind: FaultStatus, Method: "GET", Path: "/itcare/actions", Status: 503, Probability: 0.3})
		var out []bool
		for range 60 {
			out = append(out, e.call("GET", "/itcare/actions", nil).status == 503)
		}
		return out
	}
	a, b := hits(42), hits(42)
	if !slices.Equal(a, b) {
		t.Error("the same seed gave different faults")
	}
	n := 0
	for _, h := range a {
		if h {
			n++
		}
	}
	// 60 draws at 0.3: far outside 5..35 means the probability is ignored.
	if n < 5 || n > 35 {
		t.Errorf("%d of 60 requests hit, want about 18", n)
	}
	if slices.Equal(a, hits(7)) {
		t.Error("another seed gave the same faults")
	}
}

func TestFaultCountOnlyCountsHits(t *testing.T) {
	e := newEnv(t, testDuration)
	e.srv.SetFaultSeed(3)
	e.srv.AddFault(Fault{Kind: FaultStatus, Method: "GET", Path: "/itcare/actions", Status: 500, Probability: 0.5, Count: 3})
	n := 0
	for range 200 {
		if e.call("GET", "/itcare/actions", nil).status == 500 {
			n++
		}
	}
	if n != 3 {
		t.Errorf("%d hits, want exactly Count=3", n)
	}
}

func TestFaultValidateNewFields(t *testing.T) {
	for _, f := range []Fault{
		{Kind: FaultBody, Status: 150},
		{Kind: FaultStatus, Probability: 1.5},
		{Kind: FaultStatus, Probability: -0.1},
	} {
		if f.validate() == nil {
			t.Errorf("%+v: accepted", f)
		}
	}
	if err := (Fault{Kind: FaultBody, Status: 200, Probability: 0.2}).validate(); err != nil {
		t.Errorf("valid body fault refused: %v", err)
	}
	// The admin API round-trips the new fields.
	b, err := json.Marshal(Fault{Kind: FaultBody, Body: "<p>x</p>", ContentType: "text/html", Probability: 0.25})
	if err != nil {
		t.Fatal(err)
	}
	var back Fault
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatal(err)
	}
	if back.Body != "<p>x</p>" || back.ContentType != "text/html" || back.Probability != 0.25 {
		t.Errorf("round trip gave %+v", back)
	}
}

func TestIssuedTokensIncludeExpiredOnes(t *testing.T) {
	e := newEnv(t, testDuration)
	first := e.token
	e.srv.ExpireTokens()
	second := e.getToken()
	got := e.srv.IssuedTokens()
	if !slices.Contains(got, first) || !slices.Contains(got, second) || first == second {
		t.Errorf("issued %q, want both %q and %q", got, first, second)
	}
}
