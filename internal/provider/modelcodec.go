package provider

import (
	"context"
	"fmt"
	"reflect"
	"sync"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
)

// modelCodec maps a model of attr.Value fields (tfsdk tags, embedded
// structs allowed) to and from the object value of a schema, as State.Get
// and State.Set do, for the Read of every refreshed instance. The
// framework's own reflection parses the struct tags on every call and
// checks each field name with a regular expression it compiles each time
// (hashicorp/terraform-plugin-framework#725): about 1.5 ms per Read for
// this resource's 60 fields. The codec reads the struct once.
type modelCodec struct {
	objectType tftypes.Object
	fields     []codecField
}

// codecField is one attribute: its name, the model field's index and the
// schema's type of it.
type codecField struct {
	name  string
	index []int
	typ   attr.Type
}

// newModelCodec maps the fields of model, a struct, to the attributes of
// s. Every attribute must have a field and every tagged field an
// attribute, as the framework's reflection requires.
func newModelCodec(ctx context.Context, s schema.Schema, model reflect.Type) (*modelCodec, error) {
	objectType, ok := s.Type().TerraformType(ctx).(tftypes.Object)
	if !ok {
		return nil, fmt.Errorf("the schema's type is not an object")
	}
	attrs := s.GetAttributes()
	c := &modelCodec{objectType: objectType}
	seen := map[string]bool{}
	valueType := reflect.TypeFor[attr.Value]()
	for _, f := range reflect.VisibleFields(model) {
		name, tagged := f.Tag.Lookup("tfsdk")
		if !tagged || name == "-" {
			continue
		}
		a, ok := attrs[name]
		if !ok {
			return nil, fmt.Errorf("field %s: the schema has no attribute %q", f.Name, name)
		}
		if !f.Type.Implements(valueType) {
			return nil, fmt.Errorf("field %s: %s is not an attr.Value", f.Name, f.Type)
		}
		seen[name] = true
		c.fields = append(c.fields, codecField{name: name, index: f.Index, typ: a.GetType()})
	}
	for name := range attrs {
		if !seen[name] {
			return nil, fmt.Errorf("the model has no field for the attribute %q", name)
		}
	}
	if len(s.GetBlocks()) > 0 {
		return nil, fmt.Errorf("the schema has blocks, which the codec does not map")
	}
	return c, nil
}

// get sets out, a pointer to the model, from raw, an object of the
// schema's type, as State.Get does.
func (c *modelCodec) get(ctx context.Context, raw tftypes.Value, out any) diag.Diagnostics {
	var diags diag.Diagnostics
	var attrs map[string]tftypes.Value
	if err := raw.As(&attrs); err != nil {
		diags.AddError("Value Conversion Error", fmt.Sprintf("The state is not an object: %s. Please report this issue to the provider developers.", err))
		return diags
	}
	model := reflect.ValueOf(out).Elem()
	for _, f := range c.fields {
		v, err := f.typ.ValueFromTerraform(ctx, attrs[f.name])
		if err != nil {
			diags.AddAttributeError(path.Root(f.name), "Value Conversion Error",
				fmt.Sprintf("The state's value cannot be read: %s. Please report this issue to the provider developers.", err))
			continue
		}
		model.FieldByIndex(f.index).Set(reflect.ValueOf(v))
	}
	return diags
}

// value returns the object value of in, a pointer to the model, as
// State.Set would store it. A field whose type is not the schema's is an
// error, not a state of another type.
func (c *modelCodec) value(ctx context.Context, in any) (tftypes.Value, diag.Diagnostics) {
	var diags diag.Diagnostics
	model := reflect.ValueOf(in).Elem()
	attrs := make(map[string]tftypes.Value, len(c.fields))
	for _, f := range c.fields {
		// newModelCodec took only fields that implement attr.Value.
		field, _ := model.FieldByIndex(f.index).Interface().(attr.Value)
		v, err := field.ToTerraformValue(ctx)
		if err == nil && !v.Type().Equal(c.objectType.AttributeTypes[f.name]) {
			err = fmt.Errorf("its type is %s, the schema's %s", v.Type(), c.objectType.AttributeTypes[f.name])
		}
		if err != nil {
			diags.AddAttributeError(path.Root(f.name), "Value Conversion Error",
				fmt.Sprintf("The value cannot be stored: %s. Please report this issue to the provider developers.", err))
			continue
		}
		attrs[f.name] = v
	}
	if diags.HasError() {
		return tftypes.Value{}, diags
	}
	return tftypes.NewValue(c.objectType, attrs), diags
}

// postgresqlCodec maps postgresqlResourceModel, built once for the
// resource's schema.
var postgresqlCodec = sync.OnceValues(func() (*modelCodec, error) {
	ctx := context.Background()
	var resp resource.SchemaResponse
	(&postgresqlResource{}).Schema(ctx, resource.SchemaRequest{}, &resp)
	if resp.Diagnostics.HasError() {
		return nil, fmt.Errorf("the resource's schema: %v", resp.Diagnostics)
	}
	return newModelCodec(ctx, resp.Schema, reflect.TypeFor[postgresqlResourceModel]())
})
