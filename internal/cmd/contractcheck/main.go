// Command contractcheck refuses a contract the checks of this module would
// not judge, before anything is generated from it: `make generate` runs it
// first (gen.go), so a part of OpenAPI the engine refuses (servers on an
// operation, say) is reported there, with what to write instead, and not
// first by a test binary that panics in contract.MustNew.
//
//	go run ./internal/cmd/contractcheck openapi/linktoken.yaml
//
// Exit codes: 0 the contract is accepted, 1 it is refused, 2 no file given.
package main

import (
	"fmt"
	"io"
	"os"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/seed-5c49e0d7/linktoken/contract"
)

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: contractcheck openapi/linktoken.yaml")
		os.Exit(2)
	}
	os.Exit(run(os.Args[1], os.Stderr))
}

// run loads the contract at path as package contract would and reports
// whether New accepts it.
func run(path string, stderr io.Writer) int {
	doc, err := openapi3.NewLoader().LoadFromFile(path)
	if err != nil {
		fmt.Fprintf(stderr, "%s: %v\n", path, err)
		return 1
	}
	if _, err := contract.New(contract.WithDocument(doc)); err != nil {
		fmt.Fprintf(stderr, "%s: the contract checks would refuse this document, so nothing was generated:\n%v\n", path, err)
		return 1
	}
	return 0
}
