package main

import (
	"os"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/seed-5c49e0d7/linktoken/internal/growncontract"
)

// TestEachOperationGetsItsOwnVersion: a contract grown by operations of
// another resource version gives them theirs, and the link-token ones keep
// 2023-01-01.
func TestEachOperationGetsItsOwnVersion(t *testing.T) {
	doc, err := growncontract.Doc()
	if err != nil {
		t.Fatal(err)
	}
	got := table(doc)
	for key, want := range map[string]string{
		"POST " + growncontract.CreatePath:               growncontract.MediaType,
		"GET " + growncontract.GetPath:                   growncontract.MediaType,
		"POST /orgs/{orgId}/liveMigrations/linkTokens":   "application/vnd.atlas.2023-01-01+json",
		"DELETE /orgs/{orgId}/liveMigrations/linkTokens": "application/vnd.atlas.2023-01-01+json",
	} {
		if got[key] != want {
			t.Errorf("%s: %q, want %q", key, got[key], want)
		}
	}
}

// TestTheCommittedTableIsTheContracts: atlas/accept.gen.go is what the
// contract generates (make check-generated holds it too).
func TestTheCommittedTableIsTheContracts(t *testing.T) {
	const contract = "../../../openapi/linktoken.yaml"
	doc, err := openapi3.NewLoader().LoadFromFile(contract)
	if err != nil {
		t.Fatal(err)
	}
	want, err := generate(doc, "openapi/linktoken.yaml")
	if err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile("../../../atlas/accept.gen.go")
	if err != nil {
		t.Fatal(err)
	}
	if string(got) != string(want) {
		t.Fatalf("atlas/accept.gen.go is not what the contract generates: run make generate\n%s", want)
	}
	if !strings.Contains(string(got), "DO NOT EDIT") {
		t.Error("no generated-code header")
	}
}
