//go:build tools

// Package tools pins the versions of the development tools (the docs
// generator and the linters), kept out of the provider's own go.mod so
// that their dependencies never reach the provider build.
package tools

import (
	_ "github.com/golangci/golangci-lint/v2/cmd/golangci-lint"
	_ "github.com/hashicorp/terraform-plugin-docs/cmd/tfplugindocs"
	_ "honnef.co/go/tools/cmd/staticcheck"
)
