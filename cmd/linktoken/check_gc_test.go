package main

import (
	"runtime/debug"
	"testing"
)

// TestCheckTunesTheCollector: check collects less often, within its memory
// bound, unless the user tuned the collector; and leaves it as it was.
func TestCheckTunesTheCollector(t *testing.T) {
	before := debug.SetGCPercent(100)
	defer debug.SetGCPercent(before)
	restore := tuneGCForCheck(func(string) string { return "" })
	if got := debug.SetGCPercent(checkGCPercent); got != checkGCPercent {
		t.Errorf("GC percent during check %d, want %d", got, checkGCPercent)
	}
	if got := debug.SetMemoryLimit(-1); got != checkMemoryLimit {
		t.Errorf("memory limit during check %d, want %d", got, checkMemoryLimit)
	}
	restore()
	if got := debug.SetGCPercent(100); got != 100 {
		t.Errorf("GC percent after check %d, want it restored to 100", got)
	}

	user := map[string]string{"GOGC": "50", "GOMEMLIMIT": "1GiB"}
	restore = tuneGCForCheck(func(k string) string { return user[k] })
	defer restore()
	if got := debug.SetGCPercent(100); got != 100 {
		t.Errorf("with GOGC set, check changed the GC percent to %d", got)
	}
}
