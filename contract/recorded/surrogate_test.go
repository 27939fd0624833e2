package recorded

import (
	"bytes"
	"strings"
	"testing"

	"github.com/go-json-experiment/json/jsontext"

	"github.com/seed-5c49e0d7/linktoken/contract"
)

// TestLoneSurrogateEscapes: a body's text stands for the bytes its writer
// read: surrogateescape's U+DC80–U+DCFF are the bytes 0x80–0xFF, another
// lone surrogate its code unit as WTF-8 (not UTF-8 either), and every
// other escape, a pair included, what JSON says it is.
func TestLoneSurrogateEscapes(t *testing.T) {
	for _, tc := range []struct {
		text string
		want []byte
	}{
		{`"plain \"text\" \u00e9"`, []byte("plain \"text\" é")},
		{`"\udcff"`, []byte{0xff}},
		{`"a\udc80b\uDCFEc"`, []byte("a\x80b\xfec")},
		{`"\ud83d\ude00\udcff"`, []byte("😀\xff")},
		{`"\ud800x"`, []byte("\xed\xa0\x80x")},
		{`"\udc00"`, []byte("\xed\xb0\x80")},
		{`"\ud83d\ud83d\ude00"`, []byte("\xed\xa0\xbd😀")}, // a high one, then a pair
		{`"\\udcff"`, []byte(`\udcff`)},                   // an escaped backslash, then text
		{`"\n\udcff\t\u0041"`, []byte("\n\xff\tA")},
	} {
		got, err := unquoteText(jsontext.Value(tc.text))
		if err != nil || !bytes.Equal(got, tc.want) {
			t.Errorf("%s: %q, %v; want %q", tc.text, got, err, tc.want)
		}
	}
	for _, broken := range []string{`"\uZZZZ\udcff"`, `"\udcff\x"`, `"\udcffSECRET\uSE"`} {
		if got, err := unquoteText(jsontext.Value(broken)); err == nil || strings.Contains(err.Error(), "SE") || strings.Contains(err.Error(), "ZZ") {
			t.Errorf("%s: %q, %v; want an error quoting nothing of the text", broken, got, err)
		}
	}
}

// TestALoneSurrogateInATokenIsJudgedAsItsByte: a create's answer whose
// link-token holds a byte that is not UTF-8, as mitmproxy records it, is
// read and found not UTF-8, without the token quoted; the same archive
// with the byte raw in its JSON (an archive that is not UTF-8) is refused.
func TestALoneSurrogateInATokenIsJudgedAsItsByte(t *testing.T) {
	const secret = "c2VjcmV0LXRva2Vu"
	har := func(text string) string {
		return `{"log":{"creator":{"name":"mitmproxy"},"entries":[{"request":{"method":"POST",` +
			`"url":"https://cloud.mongodb.com/api/atlas/v2/orgs/4888442a3354817a7320eb61/liveMigrations/linkTokens",` +
			`"headers":[{"name":"Content-Type","value":"application/vnd.atlas.2023-01-01+json"},{"name":"Accept","value":"application/vnd.atlas.2023-01-01+json"},` +
			`{"name":"Authorization","value":"Bearer x"},{"name":"X-Name","value":"caf\udce9"}],` +
			`"postData":{"mimeType":"application/vnd.atlas.2023-01-01+json","text":"{}"}},` +
			`"response":{"status":201,"headers":[{"name":"Content-Type","value":"application/vnd.atlas.2023-01-01+json"}],` +
			`"content":{"text":"{\"linkToken\":\"` + text + `\"}"}}}]}}`
	}
	v, err := contract.New()
	if err != nil {
		t.Fatal(err)
	}
	var rep Report
	if err := CheckHAR(v, &rep, strings.NewReader(har(secret+`\udcff`)), "x.har"); err != nil {
		t.Fatal(err)
	}
	var rules []string
	for _, x := range rep.Violations {
		rules = append(rules, string(x.Side)+" "+x.Rule)
		if strings.Contains(x.Error(), secret[:4]) {
			t.Errorf("the violation quotes the token: %s", x.Error())
		}
	}
	if rep.Exchanges != 1 || len(rules) != 1 || rules[0] != "response "+contract.RuleUTF8 {
		t.Errorf("%d exchanges, violations %v; want the response's body not UTF-8", rep.Exchanges, rules)
	}
	err = CheckHAR(v, &Report{}, strings.NewReader(har(secret+"\xff")), "x.har")
	if err == nil || !strings.Contains(err.Error(), "entry 0: /") || strings.Contains(err.Error(), secret[:4]) {
		t.Errorf("raw byte: %v; want the archive refused at the entry, quoting nothing", err)
	}
}
