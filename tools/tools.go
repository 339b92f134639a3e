//go:build tools

// Package tools pins the versions of the development tools (docs
// generator), kept out of the provider's own go.mod.
package tools

import (
	_ "github.com/hashicorp/terraform-plugin-docs/cmd/tfplugindocs"
)
