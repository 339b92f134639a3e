package rpcctx

import (
	"context"
	"errors"
	"reflect"
	"runtime"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/provider"
	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
)

type key struct{}

// recorder stands for the framework: it derives a cancelable context from
// the request's, as registerContext does, keeps its cancel function, and
// reads the request's value while the RPC runs.
type recorder struct {
	tfprotov6.ProviderServer
	given   context.Context // the context the RPC was given
	kept    context.Context // the one derived from it and kept
	value   any
	dl      time.Time
	cancels []context.CancelFunc
	// started, when set, is closed once the RPC runs, and the RPC then
	// waits for its context to end.
	started chan struct{}
}

func (r *recorder) ReadResource(given context.Context, _ *tfprotov6.ReadResourceRequest) (*tfprotov6.ReadResourceResponse, error) {
	ctx, cancel := context.WithCancel(given)
	r.cancels = append(r.cancels, cancel)
	r.given, r.kept, r.value = given, ctx, ctx.Value(key{})
	r.dl, _ = ctx.Deadline()
	if r.started != nil {
		close(r.started)
		<-ctx.Done()
		return nil, ctx.Err()
	}
	return &tfprotov6.ReadResourceResponse{}, nil
}

func TestContextIsTheRequestsUntilTheRPCReturns(t *testing.T) {
	rec := &recorder{}
	deadline := time.Now().Add(time.Hour)
	ctx, cancel := context.WithDeadline(context.WithValue(context.Background(), key{}, "request"), deadline)
	defer cancel()
	if _, err := Wrap(rec).ReadResource(ctx, &tfprotov6.ReadResourceRequest{}); err != nil {
		t.Fatal(err)
	}
	if rec.value != "request" {
		t.Errorf("value during the RPC: %v, want the request's", rec.value)
	}
	if !rec.dl.Equal(deadline) {
		t.Errorf("deadline during the RPC: %v, want the request's %v", rec.dl, deadline)
	}
	if v := rec.kept.Value(key{}); v != nil {
		t.Errorf("value after the RPC: %v, want none: what the framework keeps still reaches the request's context", v)
	}
	if !errors.Is(rec.given.Err(), context.Canceled) {
		t.Errorf("err after the RPC: %v, want context.Canceled", rec.given.Err())
	}
	if d, ok := rec.given.Deadline(); ok {
		t.Errorf("deadline after the RPC: %v, want none", d)
	}
	select {
	case <-rec.given.Done():
	default:
		t.Error("Done not closed after the RPC")
	}
	if ctx.Err() != nil {
		t.Errorf("the request's own context was canceled: %v", ctx.Err())
	}
}

func TestCancelReachesARunningRPC(t *testing.T) {
	for name, stop := range map[string]func(ctx context.CancelFunc, rec *recorder){
		// Terraform gives up on the request (the gRPC stream ends).
		"request canceled": func(cancel context.CancelFunc, _ *recorder) { cancel() },
		// Terraform sends StopProvider: the framework cancels what it kept.
		"StopProvider": func(_ context.CancelFunc, rec *recorder) {
			for _, c := range rec.cancels {
				c()
			}
		},
	} {
		t.Run(name, func(t *testing.T) {
			rec := &recorder{started: make(chan struct{})}
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			done := make(chan error, 1)
			go func() {
				_, err := Wrap(rec).ReadResource(ctx, &tfprotov6.ReadResourceRequest{})
				done <- err
			}()
			select {
			case <-rec.started:
			case <-time.After(10 * time.Second):
				t.Fatal("the RPC never started")
			}
			stop(cancel, rec)
			select {
			case err := <-done:
				if !errors.Is(err, context.Canceled) {
					t.Errorf("the RPC returned %v, want context.Canceled", err)
				}
			case <-time.After(10 * time.Second):
				t.Fatal("the RPC did not see the cancellation")
			}
		})
	}
}

// emptyProvider is a framework provider with nothing in it: enough for the
// framework's server to take a request and answer it with a diagnostic.
type emptyProvider struct{}

func (emptyProvider) Metadata(_ context.Context, _ provider.MetadataRequest, resp *provider.MetadataResponse) {
	resp.TypeName = "empty"
}
func (emptyProvider) Schema(context.Context, provider.SchemaRequest, *provider.SchemaResponse) {}
func (emptyProvider) Configure(context.Context, provider.ConfigureRequest, *provider.ConfigureResponse) {
}
func (emptyProvider) DataSources(context.Context) []func() datasource.DataSource { return nil }
func (emptyProvider) Resources(context.Context) []func() resource.Resource       { return nil }

// retainedBy returns how many heap bytes stay reachable after n calls of
// rpc, a method of a tfprotov6.ProviderServer, each with an empty request
// for a type the provider does not have and a request context that carries
// 64 KiB.
func retainedBy(t *testing.T, rpc reflect.Value, n int) int64 {
	t.Helper()
	heap := func() int64 {
		var m runtime.MemStats
		runtime.GC()
		runtime.GC()
		runtime.ReadMemStats(&m)
		return int64(m.HeapAlloc)
	}
	before := heap()
	for range n {
		ctx := context.WithValue(context.Background(), key{}, make([]byte, 64<<10))
		req := reflect.New(rpc.Type().In(1).Elem())
		if f := req.Elem().FieldByName("TypeName"); f.IsValid() {
			f.SetString("empty_thing")
		}
		if f := req.Elem().FieldByName("Name"); f.IsValid() && f.Kind() == reflect.String {
			f.SetString("empty_function")
		}
		out := rpc.Call([]reflect.Value{reflect.ValueOf(ctx), req})
		if err, _ := out[1].Interface().(error); err != nil {
			t.Fatal(err)
		}
	}
	after := heap()
	runtime.KeepAlive(rpc)
	return after - before
}

// TestFrameworkKeepsNoRequestContext is the reason for the package: served
// as it is, terraform-plugin-framework keeps every request's context; served
// through Wrap, none.
func TestFrameworkKeepsNoRequestContext(t *testing.T) {
	const calls = 200
	const payload = calls * 64 << 10
	asShipped := retainedBy(t, reflect.ValueOf(providerserver.NewProtocol6(emptyProvider{})()).MethodByName("ValidateResourceConfig"), calls)
	t.Logf("framework as shipped: %d bytes kept after %d RPCs", asShipped, calls)
	if asShipped < payload/2 {
		t.Logf("the framework no longer keeps request contexts (%d bytes kept, %d sent): this package may no longer be needed", asShipped, payload)
	}
	wrapped := retainedBy(t, reflect.ValueOf(Wrap(providerserver.NewProtocol6(emptyProvider{})())).MethodByName("ValidateResourceConfig"), calls)
	if wrapped > payload/20 {
		t.Errorf("through Wrap: %d bytes kept after %d RPCs carrying %d, want almost none", wrapped, calls, payload)
	}
}

// TestEveryPerInstanceRPCIsWrapped sends each RPC Terraform sends once per
// resource, data source, ephemeral resource or function call through Wrap:
// none may keep its request's context.
func TestEveryPerInstanceRPCIsWrapped(t *testing.T) {
	const calls = 50
	const payload = calls * 64 << 10
	s := Wrap(providerserver.NewProtocol6(emptyProvider{})())
	for _, iface := range []reflect.Type{
		reflect.TypeFor[tfprotov6.ResourceServer](),
		reflect.TypeFor[tfprotov6.DataSourceServer](),
		reflect.TypeFor[tfprotov6.EphemeralResourceServer](),
		reflect.TypeFor[tfprotov6.FunctionServer](),
	} {
		for i := range iface.NumMethod() {
			name := iface.Method(i).Name
			if name == "GetFunctions" { // once per provider process
				continue
			}
			t.Run(name, func(t *testing.T) {
				if kept := retainedBy(t, reflect.ValueOf(s).MethodByName(name), calls); kept > payload/20 {
					t.Errorf("%d bytes kept after %d RPCs carrying %d: %s is not wrapped", kept, calls, payload, name)
				}
			})
		}
	}
}
