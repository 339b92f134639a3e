package provider

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"time"
	"unicode"

	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
)

var (
	nameRegexp       = regexp.MustCompile(`^[a-z0-9]+$`)
	nodeSizingRegexp = regexp.MustCompile(`^[1-9][0-9]*cpu[1-9][0-9]*gb$`)
	nodePrefixRegexp = regexp.MustCompile(`^[A-Z0-9]{5,12}$`)
	// majorRegexp is a major version in the canonical form ITCare reads
	// back: digits without a leading zero, so that "015" cannot be
	// accepted, sent, and read back as "15".
	majorRegexp = regexp.MustCompile(`^[1-9][0-9]*$`)
)

// passwordMinLength is ITCare's minimum length of the administrator password.
const passwordMinLength = 12

// passwordValidator enforces ITCare's password rules. Its messages never
// contain the value.
type passwordValidator struct{}

func (passwordValidator) Description(context.Context) string {
	return fmt.Sprintf("at least %d characters, with a lowercase letter, an uppercase letter, a digit and a special character", passwordMinLength)
}

func (v passwordValidator) MarkdownDescription(ctx context.Context) string { return v.Description(ctx) }

func (v passwordValidator) ValidateString(_ context.Context, req validator.StringRequest, resp *validator.StringResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	if missing := passwordWeaknesses(req.ConfigValue.ValueString()); len(missing) > 0 {
		resp.Diagnostics.AddAttributeError(req.Path, "Weak Administrator Password",
			fmt.Sprintf("%s must have at least %d characters with at least one lowercase letter, one uppercase letter, "+
				"one digit and one special character; it lacks %s.", req.Path, passwordMinLength, strings.Join(missing, ", ")))
	}
}

// passwordWeaknesses names what a password lacks.
func passwordWeaknesses(s string) []string {
	var lower, upper, digit, special bool
	n := 0
	for _, r := range s {
		n++
		switch {
		case unicode.IsLower(r):
			lower = true
		case unicode.IsUpper(r):
			upper = true
		case unicode.IsDigit(r):
			digit = true
		case !unicode.IsSpace(r) && !unicode.IsControl(r):
			special = true
		}
	}
	var missing []string
	if n < passwordMinLength {
		missing = append(missing, fmt.Sprintf("length (%d characters)", n))
	}
	for _, c := range []struct {
		ok   bool
		what string
	}{{lower, "a lowercase letter"}, {upper, "an uppercase letter"}, {digit, "a digit"}, {special, "a special character"}} {
		if !c.ok {
			missing = append(missing, c.what)
		}
	}
	return missing
}

// majorVersionValidator accepts a PostgreSQL major version in canonical
// form. Which majors exist is ITCare's to say: the provider keeps no list,
// and checks an upgrade target against the versions ITCare offers.
type majorVersionValidator struct{}

func (v majorVersionValidator) Description(context.Context) string {
	return "a PostgreSQL major version in digits without a leading zero, such as \"16\""
}

func (v majorVersionValidator) MarkdownDescription(ctx context.Context) string {
	return v.Description(ctx)
}

func (v majorVersionValidator) ValidateString(_ context.Context, req validator.StringRequest, resp *validator.StringResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	if s := req.ConfigValue.ValueString(); !majorRegexp.MatchString(s) {
		resp.Diagnostics.AddAttributeError(req.Path, "Invalid PostgreSQL Version",
			fmt.Sprintf("%s must be a major version only, in digits without a leading zero, such as \"15\" (not \"15.4\" or \"015\"); got %q.", req.Path, s))
	}
}

// rfc3339Validator accepts an RFC 3339 date-time with an explicit offset.
type rfc3339Validator struct{}

func (rfc3339Validator) Description(context.Context) string {
	return "an RFC 3339 date-time with an offset, such as 2025-01-31T09:30:00+01:00"
}

func (v rfc3339Validator) MarkdownDescription(ctx context.Context) string { return v.Description(ctx) }

func (v rfc3339Validator) ValidateString(_ context.Context, req validator.StringRequest, resp *validator.StringResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	if _, err := time.Parse(time.RFC3339, req.ConfigValue.ValueString()); err != nil {
		resp.Diagnostics.AddAttributeError(req.Path, "Invalid Timestamp",
			fmt.Sprintf("%s must be an RFC 3339 date-time with an offset, such as 2025-01-31T09:30:00+01:00 or 2025-01-31T08:30:00Z; got %q.",
				req.Path, req.ConfigValue.ValueString()))
	}
}
