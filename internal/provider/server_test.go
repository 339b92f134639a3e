package provider

import (
	"context"
	"testing"

	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
)

// TestServerHidesNothing: rpcctx.Wrap serves tfprotov6.ProviderServer
// only, without the optional interfaces of list resources, actions and
// state stores. The provider has none of them; one added must be passed
// through there.
func TestServerHidesNothing(t *testing.T) {
	s := NewServer("test")()
	resp, err := s.GetProviderSchema(context.Background(), &tfprotov6.GetProviderSchemaRequest{})
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range resp.Diagnostics {
		t.Errorf("GetProviderSchema: %s: %s", d.Summary, d.Detail)
	}
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
