package recorded_test

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/seed-5c49e0d7/linktoken/contract"

	"github.com/seed-5c49e0d7/linktoken/contract/recorded"
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
		var rep recorded.Report
		rep.Emit = func(*contract.Violation) {} // as the check command does
		if err := recorded.CheckFile(v, &rep, path); err != nil {
			b.Fatal(err)
		}
		if rep.Exchanges != lt || rep.Conform != ok || rep.Skipped != other {
			b.Fatalf("report %+v; want %d exchanges, %d conform, %d skipped", rep, lt, ok, other)
		}
		ops++
	}
	b.ReportMetric(float64(entries*ops)/b.Elapsed().Seconds(), "entries/s")
}

// BenchmarkReadHAR is the reader's share of BenchmarkCheckHAR: the same
// archive read into exchanges, none of them checked.
func BenchmarkReadHAR(b *testing.B) {
	const entries = 1000
	var buf bytes.Buffer
	if _, _, _, err := writeHAR(&buf, harMix{Entries: entries}); err != nil {
		b.Fatal(err)
	}
	data := buf.Bytes()
	ops := 0
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		n := 0
		if err := recorded.ReadHAR(bytes.NewReader(data), "bench.har", func(*contract.Exchange) error {
			n++
			return nil
		}); err != nil || n != entries {
			b.Fatalf("%d entries, %v", n, err)
		}
		ops++
	}
	b.ReportMetric(float64(entries*ops)/b.Elapsed().Seconds(), "entries/s")
}
