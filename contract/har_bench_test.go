package contract_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/seed-5c49e0d7/linktoken/contract"
)

// BenchmarkCheckHAR is the check command's work on a HAR archive: one op
// reads and checks a generated 1,000-entry archive from disk (link-token
// exchanges with violations mixed in, and other traffic), as CheckFile does
// for `linktoken check`. entries/s is the rate; the 100,000-entry figure with
// its peak heap comes from TestCheckLargeHAR with LINKTOKEN_HAR_ENTRIES=100000.
func BenchmarkCheckHAR(b *testing.B) {
	const entries = 1000
	path := filepath.Join(b.TempDir(), "bench.har")
	f, err := os.Create(path)
	if err != nil {
		b.Fatal(err)
	}
	lt, ok, other, err := writeHAR(f, harMix{Entries: entries})
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		b.Fatal(err)
	}
	v := contract.MustNew(contract.Strict())
	ops := 0
	b.ReportAllocs()
	for b.Loop() {
		var rep contract.Report
		rep.Emit = func(*contract.Violation) {} // as the check command does
		if err := v.CheckFile(&rep, path); err != nil {
			b.Fatal(err)
		}
		if rep.Exchanges != lt || rep.Conform != ok || rep.Skipped != other {
			b.Fatalf("report %+v; want %d exchanges, %d conform, %d skipped", rep, lt, ok, other)
		}
		ops++
	}
	b.ReportMetric(float64(entries*ops)/b.Elapsed().Seconds(), "entries/s")
}
