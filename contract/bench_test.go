package contract_test

import (
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/seed-5c49e0d7/linktoken/contract"
	"github.com/seed-5c49e0d7/linktoken/internal/casegen"
)

// benchExchange is a typical create: the seed's request, the live 201.
func benchExchange() (*url.URL, http.Header, []byte, http.Header, []byte) {
	u, _ := url.Parse("https://cloud.mongodb.com/api/atlas/v2/orgs/4888442a3354817a7320eb61/liveMigrations/linkTokens?pretty=true")
	reqH := http.Header{"Content-Type": {v2Type}, "Accept": {v2Type}, "Authorization": {digestHdr}}
	respH := http.Header{"Content-Type": {v2Type + ";charset=utf-8"}, "Ratelimit-Limit": {"500"}, "Ratelimit-Remaining": {"498"}}
	return u, reqH, []byte(`{"accessListIps":["192.0.2.10","2001:db8::/32"]}`), respH, []byte(`{"linkToken":"redactedToken"}`)
}

func benchCreateCase() casegen.Case {
	u, reqH, reqBody, respH, respBody := benchExchange()
	return casegen.Case{
		Request:  casegen.Request{Method: http.MethodPost, URL: u, Header: reqH, Body: reqBody},
		Response: casegen.Response{Status: 201, Header: respH, Body: respBody},
	}
}

// BenchmarkValidateExchange times, in one loop, three judges of the same
// exchanges: plain openapi3filter (gorillamux FindRoute, ValidateRequest,
// ValidateResponse, as TestVerdictsAgreeWithOpenapi3filter runs it), this
// package (its rules, the fast path, kin-openapi when the fast path cannot
// vouch), and this package without the fast path (its rules and kin-openapi
// always). Each iteration judges one exchange with all three, in rotating
// order, so drift on a shared machine hits them alike; the ratios are the
// figures to trust:
//
//	ours/openapi3filter: the target is ≤ 1.0;
//	fast/without: what the fast path saves (it stays only if it pays).
//
// The exchange sets: one typical create (the seed's request, the live 201),
// every conforming exchange derived from the contract, and every derived
// exchange (most break one rule each; the conforming ones are among them).
func BenchmarkValidateExchange(b *testing.B) {
	cases := contractCases(b)
	var conforming []casegen.Case
	for _, c := range cases {
		if c.Broken == nil {
			conforming = append(conforming, c)
		}
	}
	sets := []struct {
		name  string
		cases []casegen.Case
	}{{"create", []casegen.Case{benchCreateCase()}}, {"conforming", conforming}, {"derived", cases}}
	ours, without := contract.MustNew(), contract.MustNew(contract.WithoutFastPath())
	for _, set := range sets {
		b.Run(set.name, func(b *testing.B) {
			judges := []func(casegen.Case){
				func(c casegen.Case) { _, _ = plain().refuses(c) },
				func(c casegen.Case) { _, _ = ours.Check(exchangeOf(c)) },
				func(c casegen.Case) { _, _ = without.Check(exchangeOf(c)) },
			}
			var spent [3]time.Duration
			n := 0
			for b.Loop() {
				c := set.cases[n%len(set.cases)]
				for k := range judges {
					j := (n + k) % len(judges)
					start := time.Now()
					judges[j](c)
					spent[j] += time.Since(start)
				}
				n++
			}
			per := func(d time.Duration) float64 { return float64(d.Nanoseconds()) / float64(n) }
			b.ReportMetric(per(spent[0]), "openapi3filter-ns/op")
			b.ReportMetric(per(spent[1]), "ours-ns/op")
			b.ReportMetric(per(spent[2]), "without-fast-path-ns/op")
			b.ReportMetric(float64(spent[1])/float64(spent[0]), "ours/openapi3filter")
			b.ReportMetric(float64(spent[1])/float64(spent[2]), "fast/without")
		})
	}
}

// BenchmarkValidateExchangeAllocs reports each judge's allocations on the
// typical create, one judge per sub-benchmark (-benchmem cannot split an
// interleaved loop).
func BenchmarkValidateExchangeAllocs(b *testing.B) {
	c := benchCreateCase()
	ours, without, strict := contract.MustNew(), contract.MustNew(contract.WithoutFastPath()), contract.MustNew(contract.Strict())
	for _, judge := range []struct {
		name string
		f    func() bool
	}{
		{"openapi3filter", func() bool { r, _ := plain().refuses(c); return !r }},
		{"ours", func() bool { r, _ := ours.Check(exchangeOf(c)); return r.OK() }},
		{"ours-strict", func() bool { r, _ := strict.Check(exchangeOf(c)); return r.OK() }},
		{"without-fast-path", func() bool { r, _ := without.Check(exchangeOf(c)); return r.OK() }},
	} {
		b.Run(judge.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if !judge.f() {
					b.Fatal("the typical create does not conform")
				}
			}
		})
	}
}
