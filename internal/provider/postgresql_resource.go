package provider

import (
	"context"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/resource"

	"github.com/cegedim-cloud/terraform-provider-itcare/internal/itcare"
)

var (
	_ resource.Resource                   = &postgresqlResource{}
	_ resource.ResourceWithConfigure      = &postgresqlResource{}
	_ resource.ResourceWithImportState    = &postgresqlResource{}
	_ resource.ResourceWithModifyPlan     = &postgresqlResource{}
	_ resource.ResourceWithValidateConfig = &postgresqlResource{}
)

// Default timeouts, sized to ITCare: provisioning can take up to two hours.
const (
	defaultCreateTimeout = 180 * time.Minute
	defaultUpdateTimeout = 120 * time.Minute
	defaultDeleteTimeout = 60 * time.Minute
	// finalReadTimeout bounds the read that records an update's result,
	// which must happen even when the update timed out.
	finalReadTimeout = 2 * time.Minute
)

// Values of the topology and power_state attributes.
const (
	topologyStandalone = "STANDALONE"
	topologyHA         = "HA"
	powerRunning       = "running"
	powerStopped       = "stopped"
)

// Defaults of the optional arguments.
const (
	defaultReplicationLag = 10
	// extensionsMinVersion is the first major version on which ITCare
	// installs extensions in self-service.
	extensionsMinVersion = 15
	// restoreMaxAge is the widest restore window ITCare offers (production
	// services; non-production services allow 7 days, which only the API
	// knows how to check).
	restoreMaxAge = 14 * 24 * time.Hour
	// restoreWindowNonProd is the restore window of a non-production
	// service, checked at plan time once the source is read.
	restoreWindowNonProd = 7 * 24 * time.Hour
)

// NewPostgreSQLResource returns the itcare_postgresql resource.
func NewPostgreSQLResource() resource.Resource { return &postgresqlResource{} }

type postgresqlResource struct {
	data *providerData
}

func (r *postgresqlResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_postgresql"
}

func (r *postgresqlResource) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	data, diags := providerDataFrom(req.ProviderData)
	resp.Diagnostics.Append(diags...)
	r.data = data
}

// client returns the API client, or diagnostics naming what the provider
// configuration lacks.
func (r *postgresqlResource) client() (*itcare.Client, diag.Diagnostics) {
	if r.data == nil {
		var diags diag.Diagnostics
		diags.AddError("Unconfigured ITCare Provider",
			"The ITCare provider was not configured before the itcare_postgresql resource was used. This is a bug in the provider; please report it.")
		return nil, diags
	}
	return r.data.Client()
}
