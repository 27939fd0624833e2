package contract

import (
	"encoding/json"
	"math/rand/v2"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
)

// The quick checks may only ever vouch for values kin-openapi accepts.
// These tests hold every compiled check to that against kin-openapi's own
// verdict, on generated values shaped like the contract's and on fuzzed
// JSON.

func quickPairs(t testing.TB) []struct {
	name string
	v    *Validator
} {
	return []struct {
		name string
		v    *Validator
	}{{"lenient", MustNew()}, {"strict", MustNew(Strict())}}
}

// The options kin-openapi validates request and response bodies with.
var (
	requestOpts  = []openapi3.SchemaValidationOption{openapi3.MultiErrors(), openapi3.VisitAsRequest()}
	responseOpts = []openapi3.SchemaValidationOption{openapi3.MultiErrors(), openapi3.VisitAsResponse()}
)

func assertNotLaxer(t testing.TB, v *Validator, value any) {
	for schema, q := range v.qc.done {
		if q == nil || !q(value) {
			continue
		}
		for _, opts := range [][]openapi3.SchemaValidationOption{requestOpts, responseOpts} {
			if err := schema.VisitJSON(value, opts...); err != nil {
				b, _ := json.Marshal(value)
				t.Fatalf("quick check accepts %s, kin-openapi does not: %v", b, err)
			}
		}
	}
}

// genValue makes JSON values near the contract's shapes: right and wrong
// types, boundary numbers and lengths, addresses good and bad, known and
// unknown property names.
func genValue(r *rand.Rand, depth int) any {
	strs := []string{"", "a", "redactedToken", "192.0.2.10", "10.0.0.0/24", "10.0.0.1/24", "2001:db8::/32", "fe80::1%eth0",
		" 192.0.2.1", "not-an-ip", "4888442a3354817a7320eb61", "4888442A3354817A7320EB61", "4888442a3354817a7320eb6",
		"Digest realm=x", "digest realm", "Basic x", "UNEXPECTED_ERROR", "true", "5"}
	nums := []float64{0, -1, 1, 99, 100, 200, 404, 599, 600, 2147483647, 2147483648, -2147483649, 1.5, 1e300}
	keys := []string{"linkToken", "accessListIps", "status", "content", "error", "errorCode", "detail", "reason",
		"parameters", "badRequestDetail", "fields", "field", "description", "extra"}
	k := r.IntN(8)
	if depth > 3 {
		k = r.IntN(4)
	}
	switch k {
	case 0:
		return nil
	case 1:
		return r.IntN(2) == 0
	case 2:
		return nums[r.IntN(len(nums))]
	case 3:
		return strs[r.IntN(len(strs))]
	case 4, 5:
		n := r.IntN(4)
		a := make([]any, n)
		for i := range a {
			a[i] = genValue(r, depth+1)
		}
		return a
	default:
		n := r.IntN(5)
		m := make(map[string]any, n)
		for i := 0; i < n; i++ {
			m[keys[r.IntN(len(keys))]] = genValue(r, depth+1)
		}
		return m
	}
}

func TestQuickChecksNeverLaxerThanKinOpenAPI(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	n := 20000
	if testing.Short() {
		n = 2000
	}
	for _, p := range quickPairs(t) {
		compiled := 0
		for _, q := range p.v.qc.done {
			if q != nil {
				compiled++
			}
		}
		if compiled < 10 {
			t.Errorf("%s: only %d schemas have a quick check", p.name, compiled)
		}
		for i := 0; i < n; i++ {
			assertNotLaxer(t, p.v, genValue(r, 0))
		}
	}
}

func FuzzQuickChecksNeverLaxer(f *testing.F) {
	for _, s := range []string{
		`{"linkToken":"x"}`, `{"linkToken":["string"]}`, `{"accessListIps":["192.0.2.10","10.0.0.1/24"]}`,
		`{"status":204}`, `{"status":201,"content":{"linkToken":"t"}}`, `{"error":404,"errorCode":null,"parameters":null}`,
		`{"error":400,"errorCode":"E","badRequestDetail":{"fields":[{"field":"/a","description":"d"}]}}`, `null`, `1e400`, `"4888442a3354817a7320eb61"`,
	} {
		f.Add([]byte(s))
	}
	vs := quickPairs(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		var value any
		if json.Unmarshal(data, &value) != nil {
			return
		}
		for _, p := range vs {
			assertNotLaxer(t, p.v, value)
		}
	})
}
