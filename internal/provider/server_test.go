package provider

import (
	"testing"
)

// TestServerHidesNothing: rpcctx.Wrap serves tfprotov6.ProviderServer
// only, without the optional interfaces of list resources, actions and
// state stores. The provider has none of them; one added must be passed
// through there.
func TestServerHidesNothing(t *testing.T) {
	resp := protocolSchemas(t)
	if len(resp.ResourceSchemas) == 0 {
		t.Fatal("no resource schema: the test would prove nothing")
	}
	if n := len(resp.ListResourceSchemas); n != 0 {
		t.Errorf("%d list resources, which rpcctx.Server does not serve", n)
	}
	if n := len(resp.ActionSchemas); n != 0 {
		t.Errorf("%d actions, which rpcctx.Server does not serve", n)
	}
	if n := len(resp.StateStoreSchemas); n != 0 {
		t.Errorf("%d state stores, which rpcctx.Server does not serve", n)
	}
}
