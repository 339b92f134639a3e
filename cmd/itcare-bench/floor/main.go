// Command floor is the benchmark's floor provider: it serves the
// itcare_postgresql resource type with the real schema, stripped of its
// validators, plan modifiers and defaults, and a resource that does no work
// (Read keeps the prior state, no ModifyPlan, no ValidateConfig). What it
// costs per instance is terraform-plugin-framework's own minimum for this
// schema, which cmd/itcare-bench reports beside the real provider's figures.
package main

import (
	"context"
	"fmt"
	"log"
	"os"

	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/provider"
	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"

	itcare "github.com/cegedim-cloud/terraform-provider-itcare/internal/provider"
	"github.com/cegedim-cloud/terraform-provider-itcare/internal/rpccpu"
)

const address = "registry.terraform.io/cegedim-cloud/itcare"

func main() {
	// As the real provider does without TF_LOG: the SDK's logs off.
	for _, k := range []string{"TF_LOG_SDK", "TF_LOG_SDK_PROTO", "TF_LOG_SDK_FRAMEWORK", "TF_LOG_PROVIDER"} {
		_ = os.Setenv(k, "OFF")
	}
	var err error
	if dir := os.Getenv(rpccpu.EnvDir); dir != "" {
		err = rpccpu.Serve(address, providerserver.NewProtocol6(&floorProvider{}), dir)
	} else {
		err = providerserver.Serve(context.Background(), func() provider.Provider { return &floorProvider{} },
			providerserver.ServeOpts{Address: address, ProtocolVersion: 6})
	}
	if err != nil {
		log.Fatal(err)
	}
}

type floorProvider struct{}

func (*floorProvider) Metadata(_ context.Context, _ provider.MetadataRequest, resp *provider.MetadataResponse) {
	resp.TypeName = "itcare"
}

func (*floorProvider) Schema(context.Context, provider.SchemaRequest, *provider.SchemaResponse) {}

func (*floorProvider) Configure(context.Context, provider.ConfigureRequest, *provider.ConfigureResponse) {
}

func (*floorProvider) DataSources(context.Context) []func() datasource.DataSource { return nil }

func (*floorProvider) Resources(context.Context) []func() resource.Resource {
	return []func() resource.Resource{func() resource.Resource { return floorResource{} }}
}

// floorResource does nothing: the framework's work is all that is left.
type floorResource struct{}

func (floorResource) Metadata(_ context.Context, _ resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = "itcare_postgresql"
}

func (floorResource) Schema(ctx context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	resp.Schema = floorSchema(ctx)
}

func (floorResource) Create(_ context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	resp.State.Raw = req.Plan.Raw
}

// Read leaves the response's state as the framework fills it: the prior
// state.
func (floorResource) Read(context.Context, resource.ReadRequest, *resource.ReadResponse) {}

func (floorResource) Update(_ context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	resp.State.Raw = req.Plan.Raw
}

func (floorResource) Delete(context.Context, resource.DeleteRequest, *resource.DeleteResponse) {}

// floorSchema is the real resource's schema without validators, plan
// modifiers and defaults.
func floorSchema(ctx context.Context) schema.Schema {
	var resp resource.SchemaResponse
	itcare.NewPostgreSQLResource().Schema(ctx, resource.SchemaRequest{}, &resp)
	s := resp.Schema
	s.Attributes = stripAttributes(s.Attributes)
	if len(s.Blocks) > 0 {
		panic("floor: the schema has blocks, which stripAttributes does not handle")
	}
	return s
}

func stripAttributes(in map[string]schema.Attribute) map[string]schema.Attribute {
	out := make(map[string]schema.Attribute, len(in))
	for name, a := range in {
		out[name] = stripAttribute(name, a)
	}
	return out
}

func stripAttribute(name string, a schema.Attribute) schema.Attribute {
	switch a := a.(type) {
	case schema.StringAttribute:
		a.Validators, a.PlanModifiers, a.Default = nil, nil, nil
		return a
	case schema.Int64Attribute:
		a.Validators, a.PlanModifiers, a.Default = nil, nil, nil
		return a
	case schema.BoolAttribute:
		a.Validators, a.PlanModifiers, a.Default = nil, nil, nil
		return a
	case schema.ListAttribute:
		a.Validators, a.PlanModifiers, a.Default = nil, nil, nil
		return a
	case schema.SetAttribute:
		a.Validators, a.PlanModifiers, a.Default = nil, nil, nil
		return a
	case schema.MapAttribute:
		a.Validators, a.PlanModifiers, a.Default = nil, nil, nil
		return a
	case schema.SingleNestedAttribute:
		a.Validators, a.PlanModifiers, a.Default = nil, nil, nil
		a.Attributes = stripAttributes(a.Attributes)
		return a
	case schema.SetNestedAttribute:
		a.Validators, a.PlanModifiers, a.Default = nil, nil, nil
		a.NestedObject = stripObject(a.NestedObject)
		return a
	case schema.ListNestedAttribute:
		a.Validators, a.PlanModifiers, a.Default = nil, nil, nil
		a.NestedObject = stripObject(a.NestedObject)
		return a
	case schema.MapNestedAttribute:
		a.Validators, a.PlanModifiers, a.Default = nil, nil, nil
		a.NestedObject = stripObject(a.NestedObject)
		return a
	default:
		panic(fmt.Sprintf("floor: attribute %s is a %T, which stripAttribute does not handle", name, a))
	}
}

func stripObject(o schema.NestedAttributeObject) schema.NestedAttributeObject {
	o.Validators, o.PlanModifiers = nil, nil
	o.Attributes = stripAttributes(o.Attributes)
	return o
}
