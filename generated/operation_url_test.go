package generated_test

import (
	"fmt"
	"net/http"
	"reflect"
	"strings"
	"testing"

	"github.com/seed-5c49e0d7/linktoken/generated"
)

// The request builders in client.gen.go come from openapi/templates/client.tmpl,
// upstream's template with one change: the URL is parsed once, not three
// times. These tests hold them to upstream's behaviour: upstream_builders_test.go
// holds oapi-codegen v2.8.2's builders for the same contract, copied verbatim
// from its output (renamed, types qualified), and every request ours build
// must equal the one upstream's build, or both must fail.

// operationURLSeeds are servers and orgIds that take each side of
// resolveOperationURL: plain ones (concatenation) and the ones it must hand
// to net/url (dot segments, escapes, queries, fragments, userinfo, IPv6,
// empty segments, no trailing slash, not a URL).
var operationURLSeeds = []struct{ server, orgID string }{
	{"http://127.0.0.1:8080/api/atlas/v2/", "5e2211c17a3e5a48f5497de3"},
	{"https://cloud.mongodb.com/api/public/v1.0/", "5e2211c17a3e5a48f5497de3"},
	{"http://[::1]:9/api/atlas/v2/", "a0123456789abcdef012345a"},
	{"HTTP://Cloud.MongoDB.com/api/", "x"},
	{"http://user:pw@h/api/", "x"},
	{"http://h:80/api/", "x"},
	{"http://h/api", "x"},
	{"http://h/a/../b/", "x"},
	{"http://h/a/./b/", "x"},
	{"http://h//a/", "x"},
	{"http://h/a%2Fb/", "x"},
	{"http://h/a%zzb/", "x"},
	{"http://h/a b/", "x"},
	{"http://h/a?q=1/", "x"},
	{"http://h/a#f/", "x"},
	{"http://h/a;p=1/", "x"},
	{"ftp://h/a/", "x"},
	{"//h/a/", "x"},
	{"/api/", "x"},
	{"", "x"},
	{"http://[::1/a/", "x"},
	{"http://h/", ".."},
	{"http://h/", "."},
	{"http://h/", ".hidden"},
	{"http://h/", "a/b"},
	{"http://h/", "a/../b"},
	{"http://h/", "a?b#c"},
	{"http://h/", "%zz"},
	{"http://h/", "a b"},
	{"http://h/", "ä"},
	{"http://h/", ""},
}

// sameRequest fails t unless ours and upstream's builders agree: both fail,
// or both build the same method, URL (every field), Host and headers.
func sameRequest(t *testing.T, what string, ours, theirs *http.Request, oursErr, theirsErr error) {
	t.Helper()
	if (oursErr == nil) != (theirsErr == nil) {
		t.Fatalf("%s: ours err %v, upstream err %v", what, oursErr, theirsErr)
	}
	if oursErr != nil {
		return
	}
	if ours.Method != theirs.Method || ours.Host != theirs.Host || !reflect.DeepEqual(*ours.URL, *theirs.URL) ||
		!reflect.DeepEqual(ours.Header, theirs.Header) {
		t.Fatalf("%s:\n ours     %s %q host %q %#v %v\n upstream %s %q host %q %#v %v", what,
			ours.Method, ours.URL, ours.Host, *ours.URL, ours.Header,
			theirs.Method, theirs.URL, theirs.Host, *theirs.URL, theirs.Header)
	}
}

// checkBuildersAgree builds a delete and a create both ways for one server,
// orgId and set of query parameters (each nil, true or false by its byte).
func checkBuildersAgree(t *testing.T, server, orgID string, pretty, envelope byte) {
	t.Helper()
	optBool := func(b byte) *bool {
		switch b % 3 {
		case 1:
			v := true
			return &v
		case 2:
			v := false
			return &v
		}
		return nil
	}
	what := fmt.Sprintf("server %q orgId %q pretty %d envelope %d", server, orgID, pretty%3, envelope%3)

	var dp *generated.DeleteLinkTokenParams
	if pretty%2 == 1 || envelope != 0 {
		dp = &generated.DeleteLinkTokenParams{Envelope: optBool(envelope)}
	}
	ours, oursErr := generated.NewDeleteLinkTokenRequest(server, orgID, dp)
	theirs, theirsErr := upstreamNewDeleteLinkTokenRequest(server, orgID, dp)
	sameRequest(t, "delete "+what, ours, theirs, oursErr, theirsErr)

	var cp *generated.CreateLinkTokenParams
	if pretty != 0 || envelope != 0 {
		cp = &generated.CreateLinkTokenParams{Pretty: optBool(pretty), Envelope: optBool(envelope)}
	}
	ours, oursErr = generated.NewCreateLinkTokenRequestWithBody(server, orgID, cp, "application/json", strings.NewReader("{}"))
	theirs, theirsErr = upstreamNewCreateLinkTokenRequestWithBody(server, orgID, cp, "application/json", strings.NewReader("{}"))
	sameRequest(t, "create "+what, ours, theirs, oursErr, theirsErr)
}

func TestRequestBuildersAgreeWithUpstream(t *testing.T) {
	for _, s := range operationURLSeeds {
		for pretty := range byte(3) {
			for envelope := range byte(3) {
				checkBuildersAgree(t, s.server, s.orgID, pretty, envelope)
			}
		}
	}
}

func FuzzRequestBuildersAgreeWithUpstream(f *testing.F) {
	for i, s := range operationURLSeeds {
		f.Add(s.server, s.orgID, byte(i), byte(i/3))
	}
	f.Fuzz(func(t *testing.T, server, orgID string, pretty, envelope byte) {
		checkBuildersAgree(t, server, orgID, pretty, envelope)
	})
}

// TestRequestBuilderParsesOnce holds the reason for the template override: a
// plain server's request costs fewer allocations than upstream's three parses.
func TestRequestBuilderParsesOnce(t *testing.T) {
	const server = "http://127.0.0.1:8080/api/atlas/v2/"
	const orgID = "5e2211c17a3e5a48f5497de3"
	ours := testing.AllocsPerRun(200, func() { _, _ = generated.NewDeleteLinkTokenRequest(server, orgID, nil) })
	theirs := testing.AllocsPerRun(200, func() { _, _ = upstreamNewDeleteLinkTokenRequest(server, orgID, nil) })
	if ours+4 > theirs {
		t.Fatalf("ours %.0f allocations, upstream %.0f: the single parse is not taken", ours, theirs)
	}
}
