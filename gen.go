// Package linktoken is the module's root: it holds the go:generate lines and
// the tool pins, and nothing to import. Programs use package atlas (the
// client), tests package atlastest (an in-memory Atlas) and package contract
// (the contract check); the command is cmd/linktoken. The first go:generate
// line refuses a contract the checks would not judge, before any generation;
// the last writes the client's Accept per operation (atlas/accept.gen.go).
package linktoken

//go:generate go run ./internal/cmd/contractcheck openapi/linktoken.yaml
//go:generate go run github.com/oapi-codegen/oapi-codegen/v2/cmd/oapi-codegen -config openapi/client.cfg.yaml openapi/linktoken.yaml
//go:generate go run github.com/oapi-codegen/oapi-codegen/v2/cmd/oapi-codegen -config openapi/server.cfg.yaml openapi/linktoken.yaml
//go:generate go run github.com/oapi-codegen/oapi-codegen/v2/cmd/oapi-codegen -config openapi/spec.cfg.yaml openapi/linktoken.yaml
//go:generate go run ./internal/cmd/acceptgen -o atlas/accept.gen.go openapi/linktoken.yaml
