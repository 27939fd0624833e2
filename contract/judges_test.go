package contract_test

import (
	"bytes"
	"runtime"
	"testing"

	"github.com/seed-5c49e0d7/linktoken/contract"
)

// TestCheckHARRecordsInOrder: CheckHAR judges entries concurrently, and
// its report is the one that checking them one by one, in order, gives:
// the same exchanges, verdicts, violations and notices, in the same order.
func TestCheckHARRecordsInOrder(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(4)) // concurrent even on one CPU
	var har bytes.Buffer
	if _, _, _, err := writeHAR(&har, harMix{Entries: 600}); err != nil {
		t.Fatal(err)
	}
	v := contract.MustNew()
	var got, want []contract.ExchangeResult
	concurrent := contract.Report{OnExchange: func(x contract.ExchangeResult) { got = append(got, x) }}
	if err := v.CheckHAR(&concurrent, bytes.NewReader(har.Bytes()), "t.har"); err != nil {
		t.Fatal(err)
	}
	inOrder := contract.Report{OnExchange: func(x contract.ExchangeResult) { want = append(want, x) }}
	if err := contract.ReadHAR(bytes.NewReader(har.Bytes()), "t.har", func(ex *contract.Exchange) error {
		v.Add(&inOrder, ex)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if len(got) != 600 || len(got) != len(want) {
		t.Fatalf("%d exchanges recorded, %d one by one", len(got), len(want))
	}
	for i := range want {
		g, w := got[i], want[i]
		if g.Name != w.Name || g.Skipped != w.Skipped || g.Violations.Error() != w.Violations.Error() || g.Notices.Error() != w.Notices.Error() {
			t.Fatalf("exchange %d: got %s %v %v, want %s %v %v", i, g.Name, g.Violations, g.Notices, w.Name, w.Violations, w.Notices)
		}
	}
	if concurrent.Summary() != inOrder.Summary() || concurrent.Violations.Error() != inOrder.Violations.Error() {
		t.Errorf("report %q, one by one %q", concurrent.Summary(), inOrder.Summary())
	}
	if inOrder.Count == 0 || inOrder.Skipped == 0 {
		t.Errorf("the archive should mix violations and other traffic: %s", inOrder.Summary())
	}
}
