// Package provider implements the ITCare Terraform provider with the
// terraform-plugin-framework.
package provider

import (
	"context"
	"fmt"
	"net/url"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-validators/int64validator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/provider"
	"github.com/hashicorp/terraform-plugin-framework/provider/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/cegedim-cloud/terraform-provider-itcare/internal/itcare"
)

// Defaults and environment variables of the provider configuration.
const (
	DefaultAPIURL   = "https://api.cegedim.cloud/itcare"
	DefaultTokenURL = "https://accounts.cegedim.cloud/auth/realms/cloud/protocol/openid-connect/token"
	DefaultRetries  = 5

	EnvAPIURL       = "ITCARE_API_URL"
	EnvTokenURL     = "ITCARE_TOKEN_URL"
	EnvClientID     = "ITCARE_CLIENT_ID"
	EnvClientSecret = "ITCARE_CLIENT_SECRET"
	EnvMaxRetries   = "ITCARE_MAX_RETRIES"

	// EnvPollIntervalMax caps the interval between two polls of an action.
	// ITCare actions last minutes to hours, so the default cap is 30s; tests
	// and the emulator lower it to keep runs short.
	EnvPollIntervalMax = "ITCARE_POLL_INTERVAL_MAX"
	// EnvRetryWaitMax caps the backoff between two retries of one HTTP call.
	EnvRetryWaitMax = "ITCARE_RETRY_WAIT_MAX"
	// EnvRequestTimeout bounds one HTTP attempt (default 60s): an answer
	// slower than that is abandoned, and retried when that is safe.
	EnvRequestTimeout = "ITCARE_REQUEST_TIMEOUT"
)

var _ provider.Provider = &itcareProvider{}

// New returns a constructor of the provider for the given version.
func New(version string) func() provider.Provider {
	return func() provider.Provider {
		return &itcareProvider{version: version}
	}
}

type itcareProvider struct {
	version string
}

type providerModel struct {
	APIURL       types.String `tfsdk:"api_url"`
	TokenURL     types.String `tfsdk:"token_url"`
	ClientID     types.String `tfsdk:"client_id"`
	ClientSecret types.String `tfsdk:"client_secret"`
	MaxRetries   types.Int64  `tfsdk:"max_retries"`
}

func (p *itcareProvider) Metadata(_ context.Context, _ provider.MetadataRequest, resp *provider.MetadataResponse) {
	resp.TypeName = "itcare"
	resp.Version = p.version
}

func (p *itcareProvider) Schema(_ context.Context, _ provider.SchemaRequest, resp *provider.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "The ITCare provider manages cegedim.cloud resources through the " +
			"[ITCare API](https://academy.cegedim.cloud/itcare-api/overview). It authenticates with " +
			"an ITCare API account (OAuth2 client credentials).",
		Attributes: map[string]schema.Attribute{
			"api_url": schema.StringAttribute{
				MarkdownDescription: fmt.Sprintf("Base URL of the ITCare API. Defaults to `%s`; can be set with the `%s` environment variable.", DefaultAPIURL, EnvAPIURL),
				Optional:            true,
				Validators:          []validator.String{httpURLValidator{}},
			},
			"token_url": schema.StringAttribute{
				MarkdownDescription: fmt.Sprintf("OAuth2 client-credentials token endpoint. Defaults to `%s`; can be set with the `%s` environment variable.", DefaultTokenURL, EnvTokenURL),
				Optional:            true,
				Validators:          []validator.String{httpURLValidator{}},
			},
			"client_id": schema.StringAttribute{
				MarkdownDescription: fmt.Sprintf("Client id of the ITCare API account. Can be set with the `%s` environment variable.", EnvClientID),
				Optional:            true,
				Validators:          []validator.String{stringvalidator.LengthAtLeast(1)},
			},
			"client_secret": schema.StringAttribute{
				MarkdownDescription: fmt.Sprintf("Client secret of the ITCare API account. Can be set with the `%s` environment variable, which keeps it out of the configuration.", EnvClientSecret),
				Optional:            true,
				Sensitive:           true,
				Validators:          []validator.String{stringvalidator.LengthAtLeast(1)},
			},
			"max_retries": schema.Int64Attribute{
				MarkdownDescription: fmt.Sprintf("How many times one HTTP call is retried, from 0 (no retry) to 20: reads and deletes on 429, 500, 502, 503, 504, connection errors and timed-out attempts, with exponential backoff that honours `Retry-After`. A create or an operation is only retried when it provably did not reach ITCare (429, a connection never opened). Defaults to `%d`; can be set with the `%s` environment variable.", DefaultRetries, EnvMaxRetries),
				Optional:            true,
				Validators:          []validator.Int64{int64validator.Between(0, 20)},
			},
		},
	}
}

// providerData is what resources and data sources receive. The client is
// built without any network call; missing credentials are reported only
// when a resource first needs the API, so that validate and plans without
// ITCare resources need no credentials.
type providerData struct {
	client      *itcare.Client
	clientDiags diag.Diagnostics
	wait        itcare.WaitOptions
}

// Client returns the API client, or the diagnostics explaining why the
// provider configuration cannot produce one.
func (d *providerData) Client() (*itcare.Client, diag.Diagnostics) {
	if d.clientDiags.HasError() {
		return nil, d.clientDiags
	}
	return d.client, nil
}

func (p *itcareProvider) Configure(ctx context.Context, req provider.ConfigureRequest, resp *provider.ConfigureResponse) {
	var cfg providerModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &cfg)...)
	if resp.Diagnostics.HasError() {
		return
	}
	settings, diags := resolveProviderSettings(cfg, os.LookupEnv)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}

	data := &providerData{wait: itcare.WaitOptions{MaxInterval: settings.pollIntervalMax}}
	if missing := settings.missingCredentials(); missing.HasError() {
		data.clientDiags = missing
	} else {
		client, err := itcare.NewClient(itcare.Config{
			APIURL:         settings.apiURL,
			TokenURL:       settings.tokenURL,
			ClientID:       settings.clientID,
			ClientSecret:   settings.clientSecret,
			MaxRetries:     settings.maxRetries,
			RetryWaitMax:   settings.retryWaitMax,
			RequestTimeout: settings.requestTimeout,
			UserAgent:      fmt.Sprintf("terraform-provider-itcare/%s (+https://registry.terraform.io/providers/cegedim-cloud/itcare)", p.version),
			Logger:         newTflogLogger(settings.clientSecret),
		})
		if err != nil {
			resp.Diagnostics.AddError("Invalid ITCare Provider Configuration", err.Error())
			return
		}
		data.client = client
	}
	tflog.Debug(ctx, "ITCare provider configured", map[string]any{
		"api_url": settings.apiURL, "token_url": settings.tokenURL, "max_retries": settings.maxRetries,
	})
	resp.ResourceData = data
	resp.DataSourceData = data
	resp.EphemeralResourceData = data
}

func (p *itcareProvider) Resources(_ context.Context) []func() resource.Resource {
	return []func() resource.Resource{
		NewPostgreSQLResource,
	}
}

func (p *itcareProvider) DataSources(_ context.Context) []func() datasource.DataSource {
	return []func() datasource.DataSource{
		NewPostgreSQLDataSource,
		NewPostgreSQLNodesDataSource,
		NewPostgreSQLNetworksDataSource,
		NewPostgreSQLVersionsDataSource,
		NewPostgreSQLDatabasesDataSource,
		NewPostgreSQLExtensionsDataSource,
		NewPostgreSQLBackupsDataSource,
	}
}

// providerSettings is the provider configuration after env fallbacks and
// defaults.
type providerSettings struct {
	apiURL, tokenURL       string
	clientID, clientSecret string
	maxRetries             int
	pollIntervalMax        time.Duration
	retryWaitMax           time.Duration
	requestTimeout         time.Duration
}

// resolveProviderSettings applies, per attribute, configuration first, then
// the environment, then the default. An unknown value (one that depends on
// another resource) is an error against the attribute: the provider must
// be configured before any plan can read the API.
func resolveProviderSettings(cfg providerModel, lookupEnv func(string) (string, bool)) (providerSettings, diag.Diagnostics) {
	var diags diag.Diagnostics
	s := providerSettings{}

	str := func(v types.String, attr, env, def string) string {
		if v.IsUnknown() {
			diags.AddAttributeError(path.Root(attr), "Unknown ITCare Provider Configuration Value",
				fmt.Sprintf("The provider cannot be configured because %q is not known until apply. "+
					"Set it to a literal value or a variable, or use the %s environment variable.", attr, env))
			return ""
		}
		if !v.IsNull() {
			return v.ValueString()
		}
		if e, ok := lookupEnv(env); ok && e != "" {
			return e
		}
		return def
	}
	s.apiURL = strings.TrimRight(str(cfg.APIURL, "api_url", EnvAPIURL, DefaultAPIURL), "/")
	s.tokenURL = str(cfg.TokenURL, "token_url", EnvTokenURL, DefaultTokenURL)
	// The schema validates configured URLs; one taken from the environment
	// is checked here, and the error names the variable.
	for _, u := range []struct{ value, attr, env string }{{s.apiURL, "api_url", EnvAPIURL}, {s.tokenURL, "token_url", EnvTokenURL}} {
		if parsed, err := url.Parse(u.value); u.value != "" && (err != nil || (parsed.Scheme != "http" && parsed.Scheme != "https") || parsed.Host == "") {
			diags.AddAttributeError(path.Root(u.attr), "Invalid URL",
				fmt.Sprintf("%s, here from the %s environment variable, must be an absolute http:// or https:// URL, got %q.", u.attr, u.env, u.value))
		}
	}
	s.clientID = str(cfg.ClientID, "client_id", EnvClientID, "")
	s.clientSecret = str(cfg.ClientSecret, "client_secret", EnvClientSecret, "")

	switch {
	case cfg.MaxRetries.IsUnknown():
		diags.AddAttributeError(path.Root("max_retries"), "Unknown ITCare Provider Configuration Value",
			fmt.Sprintf("The provider cannot be configured because \"max_retries\" is not known until apply. Set it to a literal value or use the %s environment variable.", EnvMaxRetries))
	case !cfg.MaxRetries.IsNull():
		s.maxRetries = int(cfg.MaxRetries.ValueInt64())
	default:
		s.maxRetries = DefaultRetries
		if e, ok := lookupEnv(EnvMaxRetries); ok && e != "" {
			n, err := strconv.Atoi(e)
			if err != nil || n < 0 || n > 20 {
				diags.AddAttributeError(path.Root("max_retries"), "Invalid ITCare Provider Configuration Value",
					fmt.Sprintf("The %s environment variable must be a whole number from 0 to 20, got %q.", EnvMaxRetries, e))
			} else {
				s.maxRetries = n
			}
		}
	}
	if s.maxRetries == 0 {
		// The client reads 0 as "default"; negative disables retries.
		s.maxRetries = -1
	}

	for _, d := range []struct {
		env string
		dst *time.Duration
	}{{EnvPollIntervalMax, &s.pollIntervalMax}, {EnvRetryWaitMax, &s.retryWaitMax}, {EnvRequestTimeout, &s.requestTimeout}} {
		if e, ok := lookupEnv(d.env); ok && e != "" {
			v, err := time.ParseDuration(e)
			if err != nil || v <= 0 {
				diags.AddError("Invalid ITCare Provider Environment",
					fmt.Sprintf("The %s environment variable must be a positive duration such as \"5s\", got %q.", d.env, e))
				continue
			}
			*d.dst = v
		}
	}
	return s, diags
}

// missingCredentials names each missing credential with its attribute and
// environment variable.
func (s providerSettings) missingCredentials() diag.Diagnostics {
	var diags diag.Diagnostics
	if s.clientID == "" {
		diags.AddAttributeError(path.Root("client_id"), "Missing ITCare Client ID",
			fmt.Sprintf("The provider needs the client id of an ITCare API account. Set \"client_id\" in the provider block or the %s environment variable. API accounts are issued by cegedim.cloud support.", EnvClientID))
	}
	if s.clientSecret == "" {
		diags.AddAttributeError(path.Root("client_secret"), "Missing ITCare Client Secret",
			fmt.Sprintf("The provider needs the client secret of an ITCare API account. Set the %s environment variable (preferred, it keeps the secret out of the configuration) or \"client_secret\" in the provider block.", EnvClientSecret))
	}
	return diags
}
