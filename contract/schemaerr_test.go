package contract_test

import (
	"bytes"
	"fmt"
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

// TestManyViolationsAreLinearAndCapped: a body with hundreds of thousands
// of bad entries (or, in a conforming response, of undeclared properties)
// is judged in linear time, and the result lists at most
// contract.MaxListedPerExchange of each kind with a count of the rest.
func TestManyViolationsAreLinearAndCapped(t *testing.T) {
	const n = 200_000
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
			start := time.Now()
			res, err := contract.MustNew().Check(tc.ex)
			if err != nil {
				t.Fatal(err)
			}
			if d := time.Since(start); d > 20*time.Second {
				t.Errorf("took %v for %d entries: not linear", d, n)
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
