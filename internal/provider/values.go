package provider

import (
	"strings"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/cegedim-cloud/terraform-provider-itcare/internal/itcare"
)

type valueWithState interface {
	IsNull() bool
	IsUnknown() bool
}

// known reports a value that is neither null nor unknown.
func known(v valueWithState) bool { return !v.IsNull() && !v.IsUnknown() }

func boolPtr(v types.Bool) *bool {
	if !known(v) {
		return nil
	}
	b := v.ValueBool()
	return &b
}

func stringOr(v types.String, def string) string {
	if !known(v) {
		return def
	}
	return v.ValueString()
}

func stringOrPrior(s string, prior types.String) types.String {
	if s != "" {
		return types.StringValue(s)
	}
	return prior
}

func int64OrPrior(n int64, prior types.Int64) types.Int64 {
	if n != 0 {
		return types.Int64Value(n)
	}
	return prior
}

func nullIfEmpty(s string) types.String {
	if s == "" {
		return types.StringNull()
	}
	return types.StringValue(s)
}

// nullIfZero is an id or count the API may leave out, as 0.
func nullIfZero(n int64) types.Int64 {
	if n == 0 {
		return types.Int64Null()
	}
	return types.Int64Value(n)
}

func timeString(t *itcare.Time) types.String {
	if t == nil || t.IsZero() {
		return types.StringNull()
	}
	return types.StringValue(t.UTC().Format(time.RFC3339))
}

// majorOf returns the major part of a version such as "15" or "15.4".
func majorOf(v string) string {
	major, _, _ := strings.Cut(strings.TrimSpace(v), ".")
	return major
}
