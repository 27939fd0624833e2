//go:build tools

// This file pins, through go.mod and go.sum, the commands the build runs, so
// that gen.go and the Makefile run exactly these versions with `go run` and
// never a binary found on PATH.
package linktoken

import (
	_ "github.com/oapi-codegen/oapi-codegen/v2/cmd/oapi-codegen"
	_ "honnef.co/go/tools/cmd/staticcheck"
)
