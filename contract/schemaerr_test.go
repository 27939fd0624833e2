package contract_test

import (
	"bytes"
	"fmt"
	"net/http"
	"runtime"
	"strconv"
	"testing"
	"time"

	"github.com/seed-5c49e0d7/linktoken/contract"
	"github.com/seed-5c49e0d7/linktoken/contract/recorded"
)

// manyEntries is a JSON object of n members, each written by member.
func manyEntries(open, close string, n int, member func(i int) string) []byte {
	var b bytes.Buffer
	b.WriteString(open)
	for i := 0; i < n; i++ {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(member(i))
	}
	b.WriteString(close)
	return b.Bytes()
}

// TestManyViolationsAreCapped: a body with thousands of bad entries (or, in
// a conforming response, of undeclared properties), under the 64 KiB up to
// which every finding is looked for, lists at most
// contract.MaxListedPerExchange of each kind with a count of the rest.
func TestManyViolationsAreCapped(t *testing.T) {
	const n = 5_000 // bodies of 19 KB and 44 KB
	badItems := manyEntries(`{"accessListIps":[`, `]}`, n, func(i int) string { return strconv.Itoa(i) })
	added := manyEntries(`{"linkToken":"t",`, `}`, n, func(i int) string { return fmt.Sprintf(`"p%d":1`, i) })
	for _, tc := range []struct {
		name       string
		ex         *contract.Exchange
		violations bool // the many are violations; otherwise notices
	}{
		{"request items of the wrong type", createExchange(badItems, []byte(`{"linkToken":"t"}`), nil, nil), true},
		{"added response properties", createExchange(createBody, added, nil, nil), false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res, err := contract.MustNew().Check(tc.ex)
			if err != nil {
				t.Fatal(err)
			}
			list, more := res.Notices, res.MoreNotices
			if tc.violations {
				list, more = res.Violations, res.MoreViolations
			}
			if len(list) != contract.MaxListedPerExchange+1 {
				t.Fatalf("listed %d, want %d and a count of the rest", len(list), contract.MaxListedPerExchange+1)
			}
			last := list[len(list)-1]
			if last.Rule != contract.RuleOmitted || more != n-contract.MaxListedPerExchange {
				t.Errorf("last listed %v, more %d; want %s and %d more", last, more, contract.RuleOmitted, n-contract.MaxListedPerExchange)
			}
			if want := fmt.Sprintf("… and %d more", n-contract.MaxListedPerExchange); last.Found != want {
				t.Errorf("found %q, want %q", last.Found, want)
			}
			if got := map[bool]int{true: res.ViolationCount(), false: res.NoticeCount()}[tc.violations]; got != n {
				t.Errorf("the result counts %d, want %d", got, n)
			}
			var rep recorded.Report
			rep.Record(recorded.ExchangeResult{Result: *res})
			if count := map[bool]int{true: rep.Count, false: rep.NoticeCount}[tc.violations]; count != n {
				t.Errorf("the report counts %d, want %d", count, n)
			}
		})
	}
}

// TestBigBodiesAreJudgedInBoundedMemory: a body over 64 KiB with hundreds
// of thousands of bad entries (or, in a conforming response, of undeclared
// properties) is judged in linear time and in memory a small multiple of
// the body, to its first failing value: the exchange is reported broken
// (or its notice given), and the list says that it stopped at the first,
// not that there was only one.
func TestBigBodiesAreJudgedInBoundedMemory(t *testing.T) {
	const n = 200_000
	badItems := manyEntries(`{"accessListIps":[`, `]}`, n, func(i int) string { return "1" })
	added := manyEntries(`{"linkToken":"t",`, `}`, n, func(i int) string { return fmt.Sprintf(`"p%d":1`, i) })
	enveloped := createExchange(createBody, append(append([]byte(`{"status":201,"content":`), added...), '}'), nil, nil)
	enveloped.Response.StatusCode = http.StatusOK
	v := contract.MustNew()
	for _, tc := range []struct {
		name       string
		ex         *contract.Exchange
		query      string
		size       int
		violations bool // the many are violations; otherwise notices
	}{
		{"request items of the wrong type", createExchange(badItems, []byte(`{"linkToken":"t"}`), nil, nil), "", len(badItems), true},
		{"added response properties", createExchange(createBody, added, nil, nil), "", len(added), false},
		{"added properties in an envelope's content", enveloped, "envelope=true&", len(enveloped.Response.Body), false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			// A parameter's violation is listed beside the body's first.
			u := *tc.ex.Request.URL
			u.RawQuery = tc.query + "pretty=maybe"
			tc.ex.Request.URL = &u
			var before, after runtime.MemStats
			runtime.ReadMemStats(&before)
			start := time.Now()
			res, err := v.Check(tc.ex)
			if err != nil {
				t.Fatal(err)
			}
			took := time.Since(start)
			runtime.ReadMemStats(&after)
			// Every byte allocated, freed or not. Decoding the body into Go
			// values, the check's and kin-openapi's, is what remains: 60
			// times the body for an item every 2 bytes, 32 times for a
			// property every 11. One SchemaError and violation per bad
			// entry, as MultiErrors builds them, took 389 and 109 times.
			if alloc, bound := after.TotalAlloc-before.TotalAlloc, uint64(80*tc.size); alloc > bound {
				t.Errorf("allocated %d bytes for a body of %d, more than %d", alloc, tc.size, bound)
			}
			if took > 20*time.Second {
				t.Errorf("took %v for %d entries: not linear", took, n)
			}
			var query contract.Violations
			for _, x := range res.Violations {
				if x.Part == contract.PartQuery {
					query = append(query, x)
				}
			}
			if len(query) != 1 || query[0].Pointer != "/pretty" {
				t.Errorf("query violations %v, want the one of /pretty", query)
			}
			list, count := res.Notices, res.NoticeCount()
			if tc.violations {
				list, count = res.Violations[1:], res.ViolationCount()-1
			}
			if len(list) != 2 || count != 1 || res.MoreViolations+res.MoreNotices != 0 {
				t.Fatalf("listed %d (counting %d, %d more); want the first finding and a note that listing stopped there", len(list), count, res.MoreViolations+res.MoreNotices)
			}
			last := list[1]
			if want := fmt.Sprintf("listing stopped at the first: the body is %d bytes, judged only to its first failing value; others may follow", tc.size); last.Rule != contract.RuleOmitted || last.Found != want {
				t.Errorf("last listed %v, want %s: %q", last, contract.RuleOmitted, want)
			}
		})
	}
}

// BenchmarkManyViolations shows the check's cost growing linearly with the
// number of bad entries: compare ns/op across the sizes.
func BenchmarkManyViolations(b *testing.B) {
	v := contract.MustNew()
	for _, n := range []int{10_000, 100_000} {
		body := manyEntries(`{"accessListIps":[`, `]}`, n, func(i int) string { return strconv.Itoa(i) })
		ex := createExchange(body, []byte(`{"linkToken":"t"}`), nil, nil)
		b.Run(strconv.Itoa(n), func(b *testing.B) {
			b.ReportAllocs()
			for i := 0; i < b.N; i++ {
				if _, err := v.Check(ex); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
