package main

import "runtime/debug"

// checkGCPercent and checkMemoryLimit tune the garbage collector for
// check, whose live heap is small and bounded (a window of entries in
// flight) while it allocates fast (every entry decoded, every exchange
// judged): at Go's default the collector took about half of check's CPU.
// Collecting when the heap has grown fivefold, and at the latest near
// 48 MiB (a soft limit: the collector works harder rather than fail past
// it), keeps the process under the 64 MiB the check promises. See
// docs/performance.md for the figures.
const (
	checkGCPercent   = 400
	checkMemoryLimit = 48 << 20
)

// tuneGCForCheck applies them unless the user set GOGC or GOMEMLIMIT,
// and returns what restores the collector as it was (check may run inside
// a longer process, such as the tests).
func tuneGCForCheck(getenv func(string) string) (restore func()) {
	restores := []func(){}
	if getenv("GOGC") == "" {
		prev := debug.SetGCPercent(checkGCPercent)
		restores = append(restores, func() { debug.SetGCPercent(prev) })
	}
	if getenv("GOMEMLIMIT") == "" {
		prev := debug.SetMemoryLimit(checkMemoryLimit)
		restores = append(restores, func() { debug.SetMemoryLimit(prev) })
	}
	return func() {
		for _, r := range restores {
			r()
		}
	}
}
