package provider

import (
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/types"
)

func envOf(m map[string]string) func(string) (string, bool) {
	return func(k string) (string, bool) { v, ok := m[k]; return v, ok }
}

func TestResolveProviderSettings(t *testing.T) {
	full := providerModel{
		APIURL:       types.StringValue("https://api.example.test/itcare/"),
		TokenURL:     types.StringValue("https://auth.example.test/token"),
		ClientID:     types.StringValue("cfg-id"),
		ClientSecret: types.StringValue("cfg-secret"),
		MaxRetries:   types.Int64Value(3),
	}
	empty := providerModel{
		APIURL: types.StringNull(), TokenURL: types.StringNull(), ClientID: types.StringNull(),
		ClientSecret: types.StringNull(), MaxRetries: types.Int64Null(),
	}
	cases := []struct {
		name    string
		cfg     providerModel
		env     map[string]string
		want    providerSettings
		wantErr string
	}{
		{
			name: "defaults",
			cfg:  empty,
			want: providerSettings{apiURL: DefaultAPIURL, tokenURL: DefaultTokenURL, maxRetries: DefaultRetries},
		},
		{
			name: "configuration wins over environment, trailing slash trimmed",
			cfg:  full,
			env:  map[string]string{EnvClientID: "env-id", EnvAPIURL: "https://other.test/itcare", EnvMaxRetries: "9"},
			want: providerSettings{apiURL: "https://api.example.test/itcare", tokenURL: "https://auth.example.test/token", clientID: "cfg-id", clientSecret: "cfg-secret", maxRetries: 3},
		},
		{
			name: "environment fallbacks",
			cfg:  empty,
			env: map[string]string{EnvAPIURL: "http://127.0.0.1:8787/itcare", EnvTokenURL: "http://127.0.0.1:8787/token",
				EnvClientID: "env-id", EnvClientSecret: "env-secret", EnvMaxRetries: "2",
				EnvPollIntervalMax: "250ms", EnvRetryWaitMax: "1s", EnvRequestTimeout: "5s"},
			want: providerSettings{apiURL: "http://127.0.0.1:8787/itcare", tokenURL: "http://127.0.0.1:8787/token", clientID: "env-id", clientSecret: "env-secret", maxRetries: 2,
				pollIntervalMax: 250 * time.Millisecond, retryWaitMax: time.Second, requestTimeout: 5 * time.Second},
		},
		{
			name: "zero retries disables retries",
			cfg:  providerModel{APIURL: types.StringNull(), TokenURL: types.StringNull(), ClientID: types.StringNull(), ClientSecret: types.StringNull(), MaxRetries: types.Int64Value(0)},
			want: providerSettings{apiURL: DefaultAPIURL, tokenURL: DefaultTokenURL, maxRetries: -1},
		},
		{
			name:    "bad retries in environment",
			cfg:     empty,
			env:     map[string]string{EnvMaxRetries: "lots"},
			wantErr: EnvMaxRetries,
		},
		{
			name:    "unknown client id",
			cfg:     providerModel{APIURL: types.StringNull(), TokenURL: types.StringNull(), ClientID: types.StringUnknown(), ClientSecret: types.StringNull(), MaxRetries: types.Int64Null()},
			wantErr: `"client_id" is not known until apply`,
		},
		{
			name:    "bad api url in environment",
			cfg:     empty,
			env:     map[string]string{EnvAPIURL: "api.example.test/itcare"},
			wantErr: "api_url, here from the " + EnvAPIURL + " environment variable",
		},
		{
			name:    "bad token url in environment",
			cfg:     empty,
			env:     map[string]string{EnvTokenURL: "ftp://auth.example.test/token"},
			wantErr: EnvTokenURL,
		},
		{
			name:    "bad poll interval",
			cfg:     empty,
			env:     map[string]string{EnvPollIntervalMax: "soon"},
			wantErr: EnvPollIntervalMax,
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, diags := resolveProviderSettings(tc.cfg, envOf(tc.env))
			if tc.wantErr != "" {
				if !diags.HasError() {
					t.Fatalf("want an error mentioning %q, got none", tc.wantErr)
				}
				var all []string
				for _, d := range diags.Errors() {
					all = append(all, d.Summary()+": "+d.Detail())
				}
				if !strings.Contains(strings.Join(all, "\n"), tc.wantErr) {
					t.Fatalf("error %q does not mention %q", all, tc.wantErr)
				}
				return
			}
			if diags.HasError() {
				t.Fatalf("unexpected error: %v", diags)
			}
			if got != tc.want {
				t.Fatalf("got %+v\nwant %+v", got, tc.want)
			}
		})
	}
}

func TestMissingCredentialsNameAttributeAndEnv(t *testing.T) {
	diags := providerSettings{}.missingCredentials()
	if len(diags.Errors()) != 2 {
		t.Fatalf("want 2 errors, got %d", len(diags.Errors()))
	}
	for i, want := range []string{EnvClientID, EnvClientSecret} {
		if !strings.Contains(diags.Errors()[i].Detail(), want) {
			t.Errorf("error %d does not name %s: %s", i, want, diags.Errors()[i].Detail())
		}
	}
	if d := (providerSettings{clientID: "a", clientSecret: "b"}).missingCredentials(); d.HasError() {
		t.Fatalf("complete credentials reported missing: %v", d)
	}
}

func TestTflogLoggerIgnoresEmptySecrets(t *testing.T) {
	l := newTflogLogger("", "s3cret", "")
	if len(l.secrets) != 1 || l.secrets[0] != "s3cret" {
		t.Fatalf("secrets = %q", l.secrets)
	}
}
