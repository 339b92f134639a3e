package provider

import (
	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"

	"github.com/cegedim-cloud/terraform-provider-itcare/internal/rpcctx"
)

// NewServer returns the provider's protocol 6 server, as the binary serves
// it and the acceptance tests run it: the framework's server, with the
// context of each per-instance RPC released when it returns, which the
// framework would otherwise keep for the life of the process
// (internal/rpcctx).
func NewServer(version string) func() tfprotov6.ProviderServer {
	return func() tfprotov6.ProviderServer {
		return rpcctx.Wrap(providerserver.NewProtocol6(New(version)())())
	}
}
