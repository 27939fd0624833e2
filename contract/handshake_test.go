package contract_test

import (
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"testing"

	"github.com/seed-5c49e0d7/linktoken/contract"
)

const challengeValue = `Digest realm="MMS Public API", nonce="bm9uY2U=", algorithm=MD5, qop="auth"`

// anonymous is a create without credentials, answered status with body.
func anonymous(rawURL string, reqBody []byte, status int, respHeader http.Header, respBody []byte) *contract.Exchange {
	ex := createExchange(reqBody, respBody, nil, nil)
	ex.Request.Header.Del("Authorization")
	ex.Request.URL, _ = url.Parse(rawURL)
	ex.Response.StatusCode, ex.Response.Header = status, respHeader
	return ex
}

const createURL = "https://cloud.mongodb.com/api/atlas/v2/orgs/4888442a3354817a7320eb61/liveMigrations/linkTokens"

var (
	challenge401 = http.Header{"Content-Type": {"application/json"}, "Www-Authenticate": {challengeValue}}
	body401      = []byte(`{"error":401,"errorCode":null,"parameters":null,"reason":"Unauthorized"}`)
)

// TestTheHandshakesFirstRequestIsJudged: the first request of a digest
// handshake may come without its body (curl sends none), but what it does
// carry is what the client sent: its path, query and a body it has are
// judged.
func TestTheHandshakesFirstRequestIsJudged(t *testing.T) {
	for _, tc := range []struct {
		name, url string
		body      []byte
		want      string // the rule wanted; "" for none
	}{
		{"no body", createURL, nil, ""},
		{"a conforming body", createURL, createBody, ""},
		{"a bad orgId", "https://cloud.mongodb.com/api/atlas/v2/orgs/4888442a3354817a7320eb6/liveMigrations/linkTokens", nil, "minLength"},
		{"a bad query value", createURL + "?pretty=xyz", nil, contract.RuleParameterType},
		{"a body of the wrong shape", createURL, []byte(`{"accessListIps":"192.0.2.10"}`), "type"},
		{"an undeclared property", createURL, []byte(`{"accessListIps":[],"x":1}`), contract.RuleAdditionalProps},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res, err := contract.MustNew().Check(anonymous(tc.url, tc.body, 401, challenge401, body401))
			if err != nil {
				t.Fatal(err)
			}
			rules := res.Violations.Rules()
			if tc.want == "" && len(rules) > 0 || tc.want != "" && !slices.Contains(rules, tc.want) {
				t.Fatalf("violations %v, want %q", res.Violations, tc.want)
			}
		})
	}
}

// TestTheEdgeMayAnswerBeforeAChallenge: a 429 or a 503 comes from in front
// of authentication; a request without credentials that gets one is not
// blamed for lacking them (its other faults still count).
func TestTheEdgeMayAnswerBeforeAChallenge(t *testing.T) {
	errBody := func(status int, code string) []byte {
		return []byte(`{"error":` + strconv.Itoa(status) + `,"errorCode":"` + code + `","parameters":null,"reason":"` + http.StatusText(status) + `"}`)
	}
	for _, tc := range []struct {
		status int
		code   string
	}{{429, "RATE_LIMITED"}, {503, "SERVICE_UNAVAILABLE"}} {
		h := http.Header{"Content-Type": {"application/json"}, "Retry-After": {"5"}, "X-Error-Code": {tc.code}}
		res, err := contract.MustNew().Check(anonymous(createURL, nil, tc.status, h, errBody(tc.status, tc.code)))
		if err != nil {
			t.Fatal(err)
		}
		if slices.Contains(res.Violations.Rules(), contract.RuleSecurity) {
			t.Errorf("%d: %v", tc.status, res.Violations)
		}
	}
	res, _ := contract.MustNew().Check(anonymous(createURL, createBody, 201, http.Header{"Content-Type": {v2Type}}, []byte(`{"linkToken":"t"}`)))
	if !slices.Contains(res.Violations.Rules(), contract.RuleSecurity) {
		t.Errorf("201 without credentials: %v", res.Violations)
	}
}

// TestAnEnvelopedChallengeIsOneVerdict: for envelope=true, a 401 may come
// enveloped under status 200; whether the request carried credentials
// (wrong ones) or none (the handshake's first half), the verdict is the
// same.
func TestAnEnvelopedChallengeIsOneVerdict(t *testing.T) {
	enveloped := []byte(`{"status":401,"content":{"error":401,"errorCode":null,"parameters":null,"reason":"Unauthorized"}}`)
	h := http.Header{"Content-Type": {"application/json"}, "Www-Authenticate": {challengeValue}}
	without := anonymous(createURL+"?envelope=true", createBody, 200, h, enveloped)
	with := anonymous(createURL+"?envelope=true", createBody, 200, h, enveloped)
	with.Request.Header.Set("Authorization", digestHdr)
	v := contract.MustNew()
	a, _ := v.Check(with)
	b, _ := v.Check(without)
	if !slices.Equal(a.Violations.Rules(), b.Violations.Rules()) {
		t.Fatalf("with credentials %v\nwithout %v", a.Violations, b.Violations)
	}
}
