// Command terraform-provider-itcare serves the ITCare Terraform provider.
package main

import (
	"flag"
	"log"
	"os"

	"github.com/hashicorp/terraform-plugin-go/tfprotov6/tf6server"

	"github.com/cegedim-cloud/terraform-provider-itcare/internal/provider"
	"github.com/cegedim-cloud/terraform-provider-itcare/internal/rpccpu"
)

const address = "registry.terraform.io/cegedim-cloud/itcare"

// version is set by the release build (goreleaser ldflags).
var version = "dev"

func main() {
	var debug bool
	flag.BoolVar(&debug, "debug", false, "run the provider with support for debuggers like delve")
	flag.Parse()
	quietSDKLogsUnlessAsked()

	server := provider.NewServer(version)
	if dir := os.Getenv(rpccpu.EnvDir); dir != "" && !debug {
		// The benchmark's measured run (cmd/itcare-bench).
		if err := rpccpu.Serve(address, server, dir); err != nil {
			log.Fatal(err)
		}
		return
	}
	var opts []tf6server.ServeOpt
	if debug {
		opts = append(opts, tf6server.WithManagedDebug())
	}
	if err := tf6server.Serve(address, server, opts...); err != nil {
		log.Fatal(err)
	}
}

// quietLogVariables are the plugin-side log levels: the SDK's own
// subsystems and the provider's logger.
var quietLogVariables = []string{"TF_LOG_SDK", "TF_LOG_SDK_PROTO", "TF_LOG_SDK_FRAMEWORK", "TF_LOG_PROVIDER"}

// quietSDKLogsUnlessAsked turns the plugin's logs off when
// Terraform was not asked for logs. go-plugin formats every log line of a
// plugin and Terraform discards them unless TF_LOG is set; on a refresh of
// hundreds of instances that formatting was a fifth of the provider's CPU.
// With any TF_LOG* variable set, nothing changes.
func quietSDKLogsUnlessAsked() {
	for _, kv := range os.Environ() {
		if len(kv) >= 6 && kv[:6] == "TF_LOG" {
			return
		}
	}
	for _, k := range quietLogVariables {
		_ = os.Setenv(k, "OFF")
	}
}
