package itcare_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/cegedim-cloud/terraform-provider-itcare/internal/emulator"
	"github.com/cegedim-cloud/terraform-provider-itcare/internal/itcare"
)

func startEmulator(t *testing.T) *emulator.Server {
	t.Helper()
	s, err := emulator.New(emulator.Config{ActionDuration: 50 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Start("127.0.0.1:0"); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close() })
	return s
}

func emulatorClient(t *testing.T, s *emulator.Server, timeout time.Duration) *itcare.Client {
	t.Helper()
	c, err := itcare.NewClient(itcare.Config{
		APIURL: s.APIURL(), TokenURL: s.TokenURL(), ClientID: s.ClientID(), ClientSecret: s.ClientSecret(),
		RetryWaitMin: 10 * time.Millisecond, RetryWaitMax: 50 * time.Millisecond, RequestTimeout: timeout,
	})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func createRequest(name, password string) itcare.CreatePostgreSQLRequest {
	return itcare.CreatePostgreSQLRequest{
		Name: name, Area: "EB-QA", NodeSizing: "2cpu4gb", DiskSize: 40, AdmPassword: password,
		PostgreVersion: "15", ServiceID: 1001, NetworkID: 2001, Topology: "STANDALONE", Trigram: "ACC",
		AllowedReplicationLag: 10,
	}
}

func countRequests(s *emulator.Server, method, pathPrefix string, status int) int {
	n := 0
	for _, r := range s.Requests() {
		if r.Method == method && strings.HasPrefix(r.Path, pathPrefix) && (status < 0 || r.Status == status) {
			n++
		}
	}
	return n
}

// TestSlowAnswerPastRequestTimeout drives the emulator's latency fault past
// the client's per-attempt timeout: reads and deletes are sent again, a
// create is not (its outcome is unknown) and the lookup by name that
// settles it finds nothing, because the server dropped the abandoned
// request.
func TestSlowAnswerPastRequestTimeout(t *testing.T) {
	s := startEmulator(t)
	c := emulatorClient(t, s, 150*time.Millisecond)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	wait := itcare.WaitOptions{FirstPoll: 20 * time.Millisecond, MaxInterval: 50 * time.Millisecond}
	const pw = "Sl0w!Answer-pw1"

	s.AddFault(emulator.Fault{Kind: emulator.FaultLatency, Method: "POST", InstanceName: "pgslow01", Latency: time.Second, Count: 1})
	_, err := c.CreatePostgreSQL(ctx, createRequest("pgslow01", pw))
	if !itcare.IsUnknownOutcome(err) {
		t.Fatalf("create past the timeout: %v, want an UnknownOutcomeError", err)
	}
	if strings.Contains(err.Error(), pw) {
		t.Errorf("error shows the password: %v", err)
	}
	if found, err := c.FindPostgreSQLByName(ctx, "pgslow01"); err != nil || len(found) != 0 {
		t.Fatalf("lookup after the abandoned create: %v %v, want nothing", found, err)
	}
	if n := countRequests(s, "POST", "/itcare/databases/postgresql", -1); n != 1 {
		t.Errorf("%d POSTs, want 1: a create whose outcome is unknown is never resent", n)
	}

	// The next create goes through.
	a, err := c.CreatePostgreSQL(ctx, createRequest("pgslow01", pw))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.WaitForAction(ctx, a.ID, wait); err != nil {
		t.Fatal(err)
	}

	// A slow read and a slow action poll are retried.
	s.AddFault(emulator.Fault{Kind: emulator.FaultLatency, Method: "GET", InstanceName: "pgslow01", Latency: time.Second, Count: 2})
	if _, err := c.GetPostgreSQL(ctx, a.InternalID); err != nil {
		t.Fatalf("read with two slow answers: %v", err)
	}

	// A slow DELETE whose first attempt the server abandoned is sent again
	// and deletes the instance once.
	s.AddFault(emulator.Fault{Kind: emulator.FaultLatency, Method: "DELETE", Latency: time.Second, Count: 1})
	d, err := c.DeletePostgreSQL(ctx, a.InternalID)
	if err != nil {
		t.Fatalf("delete with a slow first answer: %v", err)
	}
	if _, err := c.WaitForAction(ctx, d.ID, wait); err != nil {
		t.Fatal(err)
	}
	if _, err := c.GetPostgreSQL(ctx, a.InternalID); !itcare.IsNotFound(err) {
		t.Errorf("after delete: %v, want 404", err)
	}
	if n := countRequests(s, "DELETE", "/itcare/databases/postgresql/", 202); n != 1 {
		t.Errorf("%d accepted DELETEs, want 1", n)
	}
}

// TestPasswordNeverInErrors checks that a password the client sent is
// removed from every error that may quote it: the create's own error
// answer, a later call's error answer, and the message of a failed action.
func TestPasswordNeverInErrors(t *testing.T) {
	s := startEmulator(t)
	c := emulatorClient(t, s, 0)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	wait := itcare.WaitOptions{FirstPoll: 20 * time.Millisecond, MaxInterval: 50 * time.Millisecond}
	const pw = "Ech0ed!Secret-42"
	echo := "request {\"name\":\"pgecho01\",\"admPassword\":\"" + pw + "\"} rejected"

	s.AddFault(emulator.Fault{Kind: emulator.FaultStatus, Method: "POST", Path: "/itcare/", Status: 400, Message: echo, Count: 1})
	_, err := c.CreatePostgreSQL(ctx, createRequest("pgecho01", pw))
	var apiErr *itcare.APIError
	if !errors.As(err, &apiErr) || !strings.Contains(err.Error(), "rejected") {
		t.Fatalf("err = %v, want the API's 400", err)
	}
	if strings.Contains(err.Error(), pw) || strings.Contains(apiErr.ErrorMessage, pw) {
		t.Errorf("the create's error shows the password: %v", err)
	}

	s.AddFault(emulator.Fault{Kind: emulator.FaultActionError, Operation: "create", InstanceName: "pgecho01", Message: echo, Count: 1})
	a, err := c.CreatePostgreSQL(ctx, createRequest("pgecho01", pw))
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.WaitForAction(ctx, a.ID, wait)
	var actErr *itcare.ActionError
	if !errors.As(err, &actErr) || !strings.Contains(err.Error(), "rejected") {
		t.Fatalf("err = %v, want an ActionError", err)
	}
	if strings.Contains(err.Error(), pw) || strings.Contains(actErr.Action.Message, pw) {
		t.Errorf("the action's error shows the password: %v", err)
	}
	list, err := c.ListActions(ctx, itcare.ActionFilter{ResourceName: "pgecho01"})
	if err != nil || len(list) == 0 {
		t.Fatalf("actions: %v %v", list, err)
	}
	for _, a := range list {
		if strings.Contains(a.Message, pw) {
			t.Errorf("action %d lists the password: %q", a.ID, a.Message)
		}
	}

	// A later call on the same client, answered with an echo.
	s.AddFault(emulator.Fault{Kind: emulator.FaultStatus, Method: "DELETE", Status: 400, Message: echo, Count: 1})
	_, err = c.DeletePostgreSQL(ctx, a.InternalID)
	if err == nil || strings.Contains(err.Error(), pw) {
		t.Errorf("delete error %v: want an error without the password", err)
	}
}

// TestEmptyInstanceAnswerIsAnError checks that an instance read answered
// with null or {} is an error, not an instance whose fields are all empty.
func TestEmptyInstanceAnswerIsAnError(t *testing.T) {
	s := startEmulator(t)
	c := emulatorClient(t, s, 0)
	ctx := context.Background()
	a, err := c.CreatePostgreSQL(ctx, createRequest("pgempty01", "Empt1!answer-pw"))
	if err != nil {
		t.Fatal(err)
	}
	for _, body := range []string{"null", "{}", `{"name": "pgempty01"}`} {
		s.AddFault(emulator.Fault{Kind: emulator.FaultBody, Method: "GET", InstanceName: "pgempty01", Body: body, Count: 1})
		p, err := c.GetPostgreSQL(ctx, a.InternalID)
		if err == nil || !strings.Contains(err.Error(), "not an instance") {
			t.Errorf("%s: got %+v, %v; want an error", body, p, err)
		}
	}
	if p, err := c.GetPostgreSQL(ctx, a.InternalID); err != nil || p.ID != a.InternalID {
		t.Errorf("read after the faults: %+v %v", p, err)
	}
}
