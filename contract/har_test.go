package contract_test

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/seed-5c49e0d7/linktoken/contract"
)

func TestReadHARCountsAndSkips(t *testing.T) {
	var buf bytes.Buffer
	lt, ok, other, err := writeHAR(&buf, harMix{Entries: 40})
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "traffic.har")
	if err := os.WriteFile(path, buf.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	var rep contract.Report
	if err := strict.CheckFile(&rep, path); err != nil {
		t.Fatal(err)
	}
	if rep.Exchanges != lt || rep.Conform != ok || rep.Skipped != other || rep.Count != lt-ok {
		t.Errorf("report %+v; want %d exchanges, %d conform, %d skipped", rep, lt, ok, other)
	}
	for _, v := range rep.Violations {
		if !strings.HasPrefix(v.Exchange, path+"#") || v.Pointer != "/linkToken" {
			t.Errorf("unexpected violation %v", v)
		}
	}
}

func TestReadHARMalformed(t *testing.T) {
	for name, tc := range map[string]struct{ har, want string }{
		"not json":          {`<html>`, "byte"},
		"not an object":     {`[]`, "not a HAR archive"},
		"no log":            {`{"version":"1.2"}`, `no "log"`},
		"no entries":        {`{"log":{"version":"1.2"}}`, `no "log.entries"`},
		"entries an object": {`{"log":{"entries":{}}}`, "log.entries"},
		"truncated":         {`{"log":{"entries":[{"request":{"method":"GET","url":"https://x/"}}`, "unexpected EOF"},
		"bad entry":         {`{"log":{"entries":[{"request":{"method":"GET","url":"https://x/"}}, {"request":5}]}}`, "entry 1"},
		"no url":            {`{"log":{"entries":[{"request":{"method":"GET"}}]}}`, "entry 0: request without method or url"},
		"bad base64":        {`{"log":{"entries":[{"request":{"method":"GET","url":"https://x/"},"response":{"status":200,"content":{"text":"!!","encoding":"base64"}}}]}}`, "entry 0: response content"},
	} {
		t.Run(name, func(t *testing.T) {
			err := contract.ReadHAR(strings.NewReader(tc.har), "x.har", func(*contract.Exchange) error { return nil })
			var ie *contract.InputError
			if !errors.As(err, &ie) || ie.Source != "x.har" || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("got %v, want an InputError mentioning %q", err, tc.want)
			}
		})
	}
}

func TestReadHARSkipsUnknownFieldsAndDecodesBase64(t *testing.T) {
	har := `{"x":{"deep":[1,{"a":[]}]},"log":{"pages":[{"id":"p"}],"creator":{"name":"n"},"entries":[
	{"request":{"method":"DELETE","url":"https://cloud.mongodb.com/api/atlas/v2/orgs/4888442a3354817a7320eb61/liveMigrations/linkTokens",
	  "headers":[{"name":"authorization","value":"Bearer abc"},{"name":":authority","value":"cloud.mongodb.com"}]},
	 "response":{"status":404,"headers":[{"name":"content-type","value":"application/json"}],
	  "content":{"mimeType":"application/json","encoding":"base64","text":"eyJlcnJvciI6NDA0LCJlcnJvckNvZGUiOm51bGx9"}}}],"comment":"c"}}`
	var n int
	err := contract.ReadHAR(strings.NewReader(har), "x.har", func(ex *contract.Exchange) error {
		n++
		if string(ex.Response.Body) != `{"error":404,"errorCode":null}` {
			t.Errorf("body %q", ex.Response.Body)
		}
		return strict.ValidateExchange(ex)
	})
	if err != nil || n != 1 {
		t.Fatalf("n=%d err=%v", n, err)
	}
}

// peakHeap samples the heap in use while f runs.
func peakHeap(f func()) uint64 {
	var peak atomic.Uint64
	done := make(chan struct{})
	stopped := make(chan struct{})
	sample := func() {
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		if ms.HeapInuse > peak.Load() {
			peak.Store(ms.HeapInuse)
		}
	}
	go func() {
		defer close(stopped)
		tick := time.NewTicker(2 * time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-done:
				return
			case <-tick.C:
				sample()
			}
		}
	}()
	runtime.GC()
	f()
	close(done)
	<-stopped
	sample()
	return peak.Load()
}

// TestCheckLargeHAR checks a generated archive: 5,000 entries in the
// suite, or LINKTOKEN_HAR_ENTRIES of them (100000 for the published
// figures). LINKTOKEN_HAR_OUT keeps the archive at that path, to time the
// command on it. It reports the rate and the peak heap, and fails if memory is
// not bounded (64 MiB) or, for 100,000 entries and more, below 20,000
// exchanges a second.
func TestCheckLargeHAR(t *testing.T) {
	n := 5000
	if s := os.Getenv("LINKTOKEN_HAR_ENTRIES"); s != "" {
		var err error
		if n, err = strconv.Atoi(s); err != nil {
			t.Fatalf("LINKTOKEN_HAR_ENTRIES: %v", err)
		}
	}
	path := os.Getenv("LINKTOKEN_HAR_OUT")
	if path == "" {
		path = filepath.Join(t.TempDir(), "big.har")
	}
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	lt, ok, other, err := writeHAR(f, harMix{Entries: n})
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		t.Fatal(err)
	}
	fi, _ := os.Stat(path)

	var rep contract.Report
	rep.Emit = func(*contract.Violation) {} // as the check command does
	var elapsed time.Duration
	var checkErr error
	peak := peakHeap(func() {
		start := time.Now()
		checkErr = strict.CheckFile(&rep, path)
		elapsed = time.Since(start)
	})
	if checkErr != nil {
		t.Fatal(checkErr)
	}
	if rep.Exchanges != lt || rep.Conform != ok || rep.Skipped != other {
		t.Errorf("report %+v; want %d exchanges, %d conform, %d skipped", rep, lt, ok, other)
	}
	rate := float64(n) / elapsed.Seconds()
	t.Logf("%d entries (%.1f MiB): %v, %.0f entries/s, peak heap %.1f MiB", n, float64(fi.Size())/(1<<20), elapsed.Round(time.Millisecond), rate, float64(peak)/(1<<20))
	if peak > 64<<20 {
		t.Errorf("peak heap %.1f MiB, want under 64 MiB", float64(peak)/(1<<20))
	}
	if n >= 100000 && !raceEnabled && rate < 20000 {
		t.Errorf("%.0f entries/s, want 20,000 or more", rate)
	}
}
