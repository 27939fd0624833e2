package contract_test

import (
	"net/http"
	"net/url"
	"testing"

	"github.com/icholy/digest"

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

// BenchmarkValidateExchange times, in one loop, two judges of the same
// exchanges: plain openapi3filter (gorillamux FindRoute, ValidateRequest,
// ValidateResponse, every exchange through all three) and this package
// (its rules on top of the same engine). Each iteration judges one
// exchange with both, in alternating order, each call timed by the CPU
// time the process spends in it (the garbage collector's included), so
// that neither drift nor other processes on a shared machine weigh on one
// judge more than the other;
// the ratio ours/openapi3filter is the figure to trust (the target: at
// most 1.25, the contract's rules costing at most a quarter on top).
//
// The exchange sets: one typical create (the seed's request, the live 201),
// the same with a bearer token, every conforming exchange derived from the
// contract, and every derived exchange (most break one rule each; the
// conforming ones are among them).
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
	}{{"create", []casegen.Case{benchCreateCase()}}, {"create-bearer", []casegen.Case{benchBearerCreateCase()}},
		{"conforming", conforming}, {"derived", cases}}
	ours := contract.MustNew()
	for _, set := range sets {
		b.Run(set.name, func(b *testing.B) {
			judges := []func(casegen.Case){
				func(c casegen.Case) { _, _ = plain().judge(c) },
				func(c casegen.Case) { _, _ = ours.Check(exchangeOf(c)) },
				// openapi3filter with the digest credential read by the
				// project's parser, as an authentication function of a
				// plain openapi3filter user would read it: the baseline
				// that parts what the contract's rules cost from what the
				// mandated parser does.
				func(c casegen.Case) {
					_, _ = plain().judge(c)
					if h := c.Request.Header.Get("Authorization"); digest.IsDigest(h) {
						_, _ = digest.ParseCredentials(h)
					}
				},
			}
			var spent [3]int64
			n := 0
			for b.Loop() {
				c := set.cases[n%len(set.cases)]
				for k := range judges {
					j := (n + k) % len(judges)
					start := processCPU()
					judges[j](c)
					spent[j] += processCPU() - start
				}
				n++
			}
			per := func(d int64) float64 { return float64(d) / float64(n) }
			b.ReportMetric(per(spent[0]), "openapi3filter-cpu-ns/op")
			b.ReportMetric(per(spent[1]), "ours-cpu-ns/op")
			b.ReportMetric(float64(spent[1])/float64(spent[0]), "ours/openapi3filter")
			b.ReportMetric(float64(spent[1])/float64(spent[2]), "ours/openapi3filter+digest")
		})
	}
}

// BenchmarkValidateExchangeAllocs reports each judge's allocations on the
// typical create, one judge per sub-benchmark (-benchmem cannot split an
// interleaved loop), and those of reading its digest credential with
// github.com/icholy/digest alone, the largest single part of the
// contract's rules.
func BenchmarkValidateExchangeAllocs(b *testing.B) {
	c := benchCreateCase()
	ours, strict := contract.MustNew(), contract.MustNew(contract.Strict())
	for _, judge := range []struct {
		name string
		f    func() bool
	}{
		{"openapi3filter", func() bool { req, resp := plain().judge(c); return req == nil && resp == nil }},
		{"ours", func() bool { r, _ := ours.Check(exchangeOf(c)); return r.OK() }},
		{"ours-strict", func() bool { r, _ := strict.Check(exchangeOf(c)); return r.OK() }},
		{"digest-credential", func() bool {
			_, err := digest.ParseCredentials(c.Request.Header.Get("Authorization"))
			return err == nil
		}},
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
