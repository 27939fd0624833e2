//go:build unix

package atlas_test

import "syscall"

// benchCPU is the CPU time (user and system) the test process has used, in
// nanoseconds: client and server share the process, so its growth per call is
// the whole exchange's cost; unlike wall time it does not count waiting for
// a CPU that other processes hold.
func benchCPU() int64 {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return ru.Utime.Nano() + ru.Stime.Nano()
}
