// Package rpcctx lets the context of each per-instance RPC be collected
// once the RPC has returned.
//
// terraform-plugin-framework v1.19.0 (internal/proto6server, registerContext)
// derives a cancelable context from every request's context and keeps its
// cancel function until StopProvider, which Terraform sends only when it
// is interrupted. Each cancel function holds the request's whole context:
// the gRPC stream and the loggers terraform-plugin-go and the framework put
// in it, about 10 KB. A plan sends four RPCs per resource instance, so a
// provider process that plans 1,000 instances keeps some 40 MB it no longer
// uses, and the garbage collector walks them on every cycle.
//
// Wrap hands the framework, for the RPCs that Terraform sends once per
// resource, data source, ephemeral resource or function call, a context
// that stands for the request's own until the RPC returns, and from then on
// for a context that is canceled and carries no value. What the framework
// keeps is then a few dozen bytes per RPC. Nothing changes while the RPC
// runs: values, deadline and cancellation, Terraform's StopProvider
// included, are those of the request.
package rpcctx

import (
	"context"
	"sync/atomic"
	"time"

	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
)

// ended is what a request's context becomes when its RPC has returned:
// canceled, with no deadline and no value.
var ended = func() context.Context {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	return ctx
}()

// requestContext is a context.Context that delegates to the request's
// context until release.
type requestContext struct {
	current atomic.Pointer[context.Context]
}

func newRequestContext(ctx context.Context) *requestContext {
	r := &requestContext{}
	r.current.Store(&ctx)
	return r
}

func (r *requestContext) release() { r.current.Store(&ended) }

func (r *requestContext) ctx() context.Context { return *r.current.Load() }

// Deadline implements context.Context.
func (r *requestContext) Deadline() (time.Time, bool) { return r.ctx().Deadline() }

// Done implements context.Context.
func (r *requestContext) Done() <-chan struct{} { return r.ctx().Done() }

// Err implements context.Context.
func (r *requestContext) Err() error { return r.ctx().Err() }

// Value implements context.Context.
func (r *requestContext) Value(key any) any { return r.ctx().Value(key) }

// call runs rpc with a context that is released when it returns.
func call[Req, Resp any](ctx context.Context, req Req, rpc func(context.Context, Req) (Resp, error)) (Resp, error) {
	r := newRequestContext(ctx)
	defer r.release()
	return rpc(r, req)
}

// Server is a tfprotov6.ProviderServer whose per-instance RPCs run with a
// released context (see the package documentation). The RPCs Terraform
// sends once per provider process pass through as they are: a provider
// may keep ConfigureProvider's context, and there is no memory to win.
//
// Server serves tfprotov6.ProviderServer only: the optional interfaces of
// list resources, actions and state stores are not passed through, so a
// provider that gains one must add it here.
type Server struct {
	tfprotov6.ProviderServer
}

// Wrap returns s with the contexts of its per-instance RPCs released when
// they return.
func Wrap(s tfprotov6.ProviderServer) *Server { return &Server{ProviderServer: s} }

// ValidateResourceConfig implements tfprotov6.ResourceServer.
func (s *Server) ValidateResourceConfig(ctx context.Context, req *tfprotov6.ValidateResourceConfigRequest) (*tfprotov6.ValidateResourceConfigResponse, error) {
	return call(ctx, req, s.ProviderServer.ValidateResourceConfig)
}

// UpgradeResourceState implements tfprotov6.ResourceServer.
func (s *Server) UpgradeResourceState(ctx context.Context, req *tfprotov6.UpgradeResourceStateRequest) (*tfprotov6.UpgradeResourceStateResponse, error) {
	return call(ctx, req, s.ProviderServer.UpgradeResourceState)
}

// ReadResource implements tfprotov6.ResourceServer.
func (s *Server) ReadResource(ctx context.Context, req *tfprotov6.ReadResourceRequest) (*tfprotov6.ReadResourceResponse, error) {
	return call(ctx, req, s.ProviderServer.ReadResource)
}

// PlanResourceChange implements tfprotov6.ResourceServer.
func (s *Server) PlanResourceChange(ctx context.Context, req *tfprotov6.PlanResourceChangeRequest) (*tfprotov6.PlanResourceChangeResponse, error) {
	return call(ctx, req, s.ProviderServer.PlanResourceChange)
}

// ApplyResourceChange implements tfprotov6.ResourceServer.
func (s *Server) ApplyResourceChange(ctx context.Context, req *tfprotov6.ApplyResourceChangeRequest) (*tfprotov6.ApplyResourceChangeResponse, error) {
	return call(ctx, req, s.ProviderServer.ApplyResourceChange)
}

// ImportResourceState implements tfprotov6.ResourceServer.
func (s *Server) ImportResourceState(ctx context.Context, req *tfprotov6.ImportResourceStateRequest) (*tfprotov6.ImportResourceStateResponse, error) {
	return call(ctx, req, s.ProviderServer.ImportResourceState)
}

// MoveResourceState implements tfprotov6.ResourceServer.
func (s *Server) MoveResourceState(ctx context.Context, req *tfprotov6.MoveResourceStateRequest) (*tfprotov6.MoveResourceStateResponse, error) {
	return call(ctx, req, s.ProviderServer.MoveResourceState)
}

// UpgradeResourceIdentity implements tfprotov6.ResourceServer.
func (s *Server) UpgradeResourceIdentity(ctx context.Context, req *tfprotov6.UpgradeResourceIdentityRequest) (*tfprotov6.UpgradeResourceIdentityResponse, error) {
	return call(ctx, req, s.ProviderServer.UpgradeResourceIdentity)
}

// GenerateResourceConfig implements tfprotov6.ResourceServer.
func (s *Server) GenerateResourceConfig(ctx context.Context, req *tfprotov6.GenerateResourceConfigRequest) (*tfprotov6.GenerateResourceConfigResponse, error) {
	return call(ctx, req, s.ProviderServer.GenerateResourceConfig)
}

// ValidateDataResourceConfig implements tfprotov6.DataSourceServer.
func (s *Server) ValidateDataResourceConfig(ctx context.Context, req *tfprotov6.ValidateDataResourceConfigRequest) (*tfprotov6.ValidateDataResourceConfigResponse, error) {
	return call(ctx, req, s.ProviderServer.ValidateDataResourceConfig)
}

// ReadDataSource implements tfprotov6.DataSourceServer.
func (s *Server) ReadDataSource(ctx context.Context, req *tfprotov6.ReadDataSourceRequest) (*tfprotov6.ReadDataSourceResponse, error) {
	return call(ctx, req, s.ProviderServer.ReadDataSource)
}

// ValidateEphemeralResourceConfig implements tfprotov6.EphemeralResourceServer.
func (s *Server) ValidateEphemeralResourceConfig(ctx context.Context, req *tfprotov6.ValidateEphemeralResourceConfigRequest) (*tfprotov6.ValidateEphemeralResourceConfigResponse, error) {
	return call(ctx, req, s.ProviderServer.ValidateEphemeralResourceConfig)
}

// OpenEphemeralResource implements tfprotov6.EphemeralResourceServer.
func (s *Server) OpenEphemeralResource(ctx context.Context, req *tfprotov6.OpenEphemeralResourceRequest) (*tfprotov6.OpenEphemeralResourceResponse, error) {
	return call(ctx, req, s.ProviderServer.OpenEphemeralResource)
}

// RenewEphemeralResource implements tfprotov6.EphemeralResourceServer.
func (s *Server) RenewEphemeralResource(ctx context.Context, req *tfprotov6.RenewEphemeralResourceRequest) (*tfprotov6.RenewEphemeralResourceResponse, error) {
	return call(ctx, req, s.ProviderServer.RenewEphemeralResource)
}

// CloseEphemeralResource implements tfprotov6.EphemeralResourceServer.
func (s *Server) CloseEphemeralResource(ctx context.Context, req *tfprotov6.CloseEphemeralResourceRequest) (*tfprotov6.CloseEphemeralResourceResponse, error) {
	return call(ctx, req, s.ProviderServer.CloseEphemeralResource)
}

// CallFunction implements tfprotov6.FunctionServer.
func (s *Server) CallFunction(ctx context.Context, req *tfprotov6.CallFunctionRequest) (*tfprotov6.CallFunctionResponse, error) {
	return call(ctx, req, s.ProviderServer.CallFunction)
}
