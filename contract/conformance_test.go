package contract_test

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/seed-5c49e0d7/linktoken/contract"

	"github.com/seed-5c49e0d7/linktoken/contract/recorded"
)

// strict is how tests and the check command validate.
var strict = contract.MustNew(contract.Strict())

func readFixture(t *testing.T, path string) []*contract.Exchange {
	t.Helper()
	exs, err := recorded.ReadHTTPFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return exs
}

// TestConformingFixtures runs every fixture that must conform: the live
// recordings (with the requests documented beside them), the seed page's
// digest handshake, and a mocked pair for every declared status of both
// operations on both API versions.
func TestConformingFixtures(t *testing.T) {
	files, _ := filepath.Glob("testdata/conforming/*/*.http")
	live, _ := filepath.Glob("testdata/live/*.http")
	seed, _ := filepath.Glob("testdata/seed/*.http")
	files = append(append(files, seed...), live...)
	n := 0
	for _, f := range files {
		if strings.HasSuffix(f, recorded.RequestFileSuffix) {
			continue
		}
		t.Run(f, func(t *testing.T) {
			for _, ex := range readFixture(t, f) {
				if ex.Request == nil {
					t.Fatalf("%s: no request", f)
				}
				n++
				if res, err := strict.Check(ex); err != nil || !res.OK() {
					t.Errorf("%v %v", err, res.Violations)
				}
			}
		})
	}
	if n < 50 {
		t.Errorf("only %d conforming exchanges", n)
	}
}

// TestEveryDeclaredStatusHasAConformingFixture keeps the mocked set complete.
func TestEveryDeclaredStatusHasAConformingFixture(t *testing.T) {
	want := map[string][]string{
		"createLinkToken": {"200", "201", "400", "401", "403", "404", "406", "415", "429", "500", "503"},
		"deleteLinkToken": {"200", "204", "400", "401", "403", "404", "406", "409", "429", "500", "503"},
	}
	for op, statuses := range want {
		for _, st := range statuses {
			for _, ver := range []string{"v2", "v1.0"} {
				m, _ := filepath.Glob(filepath.Join("testdata/conforming", op, st+"_"+ver+"*.http"))
				if len(m) == 0 {
					t.Errorf("no conforming fixture for %s %s on %s", op, st, ver)
				}
			}
		}
	}
}

// TestLiveRecordingsAreTheOriginals keeps the copies in testdata/live
// byte-identical to the module's evidence in ../testdata/recorded.
func TestLiveRecordingsAreTheOriginals(t *testing.T) {
	originals, _ := filepath.Glob("../testdata/recorded/*.http")
	if len(originals) != 3 {
		t.Fatalf("found %d recordings", len(originals))
	}
	for _, o := range originals {
		a, _ := os.ReadFile(o)
		b, err := os.ReadFile(filepath.Join("testdata/live", filepath.Base(o)))
		if err != nil || !bytes.Equal(a, b) {
			t.Errorf("testdata/live/%s differs from %s (%v)", filepath.Base(o), o, err)
		}
	}
}

// TestLiveResponsesAloneConform checks the recordings as they are, without
// their requests: each must fit some operation.
func TestLiveResponsesAloneConform(t *testing.T) {
	files, _ := filepath.Glob("../testdata/recorded/*.http")
	for _, f := range files {
		data, _ := os.ReadFile(f)
		var alone *contract.Exchange
		err := recorded.ReadHTTPExchanges(bytes.NewReader(data), f, func(ex *contract.Exchange) error { alone = ex; return nil })
		if err != nil {
			t.Fatal(err)
		}
		if res, err := strict.Check(alone); err != nil || !res.OK() {
			t.Errorf("%s: %v %v", f, err, res.Violations)
		}
	}
}

// violationCases: each fixture breaks the contract in exactly one way.
var violationCases = []struct {
	file, side, part, pointer, rule string
}{
	{"violations/createLinkToken/201_orgid-too-short_v2.http", "request", "path", "/orgId", "minLength"},
	{"violations/createLinkToken/201_orgid-too-long_v2.http", "request", "path", "/orgId", "maxLength"},
	{"violations/createLinkToken/201_orgid-not-hex_v2.http", "request", "path", "/orgId", "pattern"},
	{"violations/deleteLinkToken/204_orgid-not-hex_v1.0.http", "request", "path", "/orgId", "pattern"},
	{"violations/createLinkToken/201_missing-body_v2.http", "request", "body", "", "required"},
	{"violations/createLinkToken/201_accesslistips-not-array_v2.http", "request", "body", "/accessListIps", "type"},
	{"violations/createLinkToken/201_accesslistips-not-address_v2.http", "request", "body", "/accessListIps/0", "format"},
	{"violations/createLinkToken/201_accesslistips-malformed-cidr_v2.http", "request", "body", "/accessListIps/1", "format"},
	{"violations/createLinkToken/201_accesslistips-item-not-string_v2.http", "request", "body", "/accessListIps/0", "type"},
	{"violations/createLinkToken/201_request-extra-property_v2.http", "request", "body", "/accessList", "additionalProperties"},
	{"violations/createLinkToken/201_request-not-json_v2.http", "request", "body", "", "json"},
	{"violations/createLinkToken/201_request-body-not-object_v2.http", "request", "body", "", "type"},
	{"violations/createLinkToken/201_request-wrong-content-type_v2.http", "request", "header", "/Content-Type", "content-type"},
	{"violations/createLinkToken/201_request-missing-content-type_v2.http", "request", "header", "/Content-Type", "content-type"},
	{"violations/createLinkToken/201_request-v2-media-type-on-v1_v1.0.http", "request", "header", "/Content-Type", "media-type"},
	{"violations/createLinkToken/201_undeclared-query-parameter_v2.http", "request", "query", "/verbose", "undeclared-parameter"},
	{"violations/createLinkToken/201_pretty-not-boolean_v2.http", "request", "query", "/pretty", "type"},
	{"violations/createLinkToken/201_envelope-not-boolean_v1.0.http", "request", "query", "/envelope", "type"},
	{"violations/createLinkToken/201_no-authorization_v2.http", "request", "header", "/Authorization", "security"},
	{"violations/createLinkToken/201_basic-authorization_v2.http", "request", "header", "/Authorization", "security"},
	{"violations/createLinkToken/201_bearer-on-v1_v1.0.http", "request", "header", "/Authorization", "security"},
	{"violations/createLinkToken/201_bearer-empty_v2.http", "request", "header", "/Authorization", "security"},
	{"violations/createLinkToken/201_digest-without-nonce_v2.http", "request", "header", "/Authorization", "security"},
	{"violations/createLinkToken/201_digest-response-not-hex_v2.http", "request", "header", "/Authorization", "security"},
	{"violations/createLinkToken/201_digest-unterminated-quote_v2.http", "request", "header", "/Authorization", "security"},
	{"violations/createLinkToken/201_linktoken-array_v2.http", "response", "body", "/linkToken", "type"},
	{"violations/createLinkToken/201_linktoken-array_v1.0.http", "response", "body", "/linkToken", "type"},
	{"violations/createLinkToken/201_linktoken-missing_v2.http", "response", "body", "/linkToken", "required"},
	{"violations/createLinkToken/201_linktoken-empty_v2.http", "response", "body", "/linkToken", "minLength"},
	{"violations/createLinkToken/201_response-extra-property_v2.http", "response", "body", "/orgId", "additionalProperties"},
	{"violations/createLinkToken/201_response-wrong-content-type_v2.http", "response", "header", "/Content-Type", "content-type"},
	{"violations/createLinkToken/201_response-missing-content-type_v2.http", "response", "header", "/Content-Type", "content-type"},
	{"violations/createLinkToken/201_response-v2-media-type-on-v1_v1.0.http", "response", "header", "/Content-Type", "media-type"},
	{"violations/createLinkToken/201_response-v1-media-type-on-v2_v2.http", "response", "header", "/Content-Type", "media-type"},
	{"violations/createLinkToken/201_response-missing-body_v2.http", "response", "body", "", "required"},
	{"violations/createLinkToken/201_response-not-json_v2.http", "response", "body", "", "json"},
	{"violations/createLinkToken/201_ratelimit-not-integer_v2.http", "response", "header", "/Ratelimit-Limit", "type"},
	{"violations/createLinkToken/201_ratelimit-negative_v2.http", "response", "header", "/Ratelimit-Remaining", "minimum"},
	{"violations/createLinkToken/202_undeclared-status_v2.http", "response", "status", "", "status"},
	{"violations/createLinkToken/418_teapot_v1.0.http", "response", "status", "", "status"},
	{"violations/createLinkToken/401_no-www-authenticate_v2.http", "response", "header", "/Www-Authenticate", "required-header"},
	{"violations/createLinkToken/401_www-authenticate-basic_v2.http", "response", "header", "/Www-Authenticate", "challenge"},
	{"violations/deleteLinkToken/429_retry-after-not-integer_v2.http", "response", "header", "/Retry-After", "type"},
	{"violations/createLinkToken/400_errorcode-wrong-type_v2.http", "response", "body", "/errorCode", "type"},
	{"violations/createLinkToken/403_error-missing_v2.http", "response", "body", "/error", "required"},
	{"violations/createLinkToken/500_error-out-of-range_v2.http", "response", "body", "/error", "maximum"},
	{"violations/createLinkToken/503_error-not-integer_v2.http", "response", "body", "/error", "type"},
	{"violations/createLinkToken/404_parameters-not-array_v2.http", "response", "body", "/parameters", "type"},
	{"violations/createLinkToken/400_badrequestdetail-field-missing_v2.http", "response", "body", "/badRequestDetail/fields/0/field", "required"},
	{"violations/createLinkToken/404_error-v2-media-type_v2.http", "response", "header", "/Content-Type", "content-type"},
	{"violations/createLinkToken/200_envelope-content-not-its-status_v2.http", "response", "body", "/content/errorCode", "required"},
	{"violations/createLinkToken/200_envelope-content-linktoken-array_v2.http", "response", "body", "/content/linkToken", "type"},
	{"violations/createLinkToken/200_envelope-undeclared-status_v2.http", "response", "body", "/status", "status"},
	{"violations/createLinkToken/200_envelope-missing-status_v2.http", "response", "body", "/status", "required"},
	{"violations/createLinkToken/201_request-duplicate-name_v2.http", "request", "body", "/accessListIps", "duplicate-name"},
	{"violations/createLinkToken/201_response-duplicate-name_v2.http", "response", "body", "/linkToken", "duplicate-name"},
	{"violations/createLinkToken/201_response-invalid-utf8_v2.http", "response", "body", "/linkToken", "utf-8"},
	{"violations/createLinkToken/200_envelope-content-missing_v1.0.http", "response", "body", "/content", "required"},
	{"violations/createLinkToken/201_envelope-plain-body_v2.http", "response", "body", "", "envelope"},
	{"violations/createLinkToken/200_envelope-wrong-media-type_v1.0.http", "response", "header", "/Content-Type", "media-type"},
	{"violations/deleteLinkToken/204_response-body-on-204_v2.http", "response", "body", "", "no-body"},
	{"violations/deleteLinkToken/204_request-body_v2.http", "request", "body", "", "no-body"},
	{"violations/deleteLinkToken/204_pretty-undeclared_v1.0.http", "request", "query", "/pretty", "undeclared-parameter"},
	{"violations/deleteLinkToken/415_unsupported-media-type-undeclared_v2.http", "response", "status", "", "status"},
	{"violations/deleteLinkToken/409_errorcode-missing_v2.http", "response", "body", "/errorCode", "required"},
	{"violations/deleteLinkToken/404_reason-not-string_v1.0.http", "response", "body", "/reason", "type"},
	{"violations/deleteLinkToken/200_200-without-envelope_v2.http", "response", "status", "", "envelope"},
	{"violations/deleteLinkToken/200_envelope-204-with-content_v2.http", "response", "body", "/content", "envelope"},
	{"violations/deleteLinkToken/200_envelope-status-not-integer_v1.0.http", "response", "body", "/status", "type"},
	{"violations/deleteLinkToken/200_envelope-extra-property_v2.http", "response", "body", "/headers", "additionalProperties"},
}

func TestViolationFixtures(t *testing.T) {
	if len(violationCases) < 40 {
		t.Fatalf("only %d non-conforming fixtures", len(violationCases))
	}
	listed := map[string]bool{}
	for _, tc := range violationCases {
		listed[filepath.Join("testdata", tc.file)] = true
		t.Run(tc.file, func(t *testing.T) {
			exs := readFixture(t, filepath.Join("testdata", tc.file))
			if len(exs) != 1 {
				t.Fatalf("%d exchanges", len(exs))
			}
			res, err := strict.Check(exs[0])
			if err != nil || len(res.Violations) != 1 {
				t.Fatalf("want exactly one violation, got %v %v", err, res)
			}
			vs := res.Violations
			v := vs[0]
			if string(v.Side) != tc.side || string(v.Part) != tc.part || v.Pointer != tc.pointer || v.Rule != tc.rule {
				t.Errorf("got %s %s %q %s, want %s %s %q %s\n%v", v.Side, v.Part, v.Pointer, v.Rule, tc.side, tc.part, tc.pointer, tc.rule, v)
			}
			var one *contract.Violation
			if !errors.As(error(res.Violations), &one) || one != v {
				t.Error("errors.As does not reach the *Violation")
			}
			if strings.Contains(v.Error(), "\n") {
				t.Errorf("violation prints on more than one line: %q", v.Error())
			}
			if strings.Contains(v.Error(), "6629fae49393a05397450978507c4ef1") || strings.Contains(v.Error(), "dXNlcjpwYXNz") {
				t.Errorf("violation carries a credential: %v", v)
			}
		})
	}
	files, _ := filepath.Glob("testdata/violations/*/*.http")
	for _, f := range files {
		if !listed[f] {
			t.Errorf("%s is not in violationCases", f)
		}
	}
}
