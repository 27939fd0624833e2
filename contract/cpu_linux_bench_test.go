//go:build linux

package contract_test

import (
	"syscall"
	"unsafe"
)

// processCPU is the CPU time the test process has used, in nanoseconds
// (CLOCK_PROCESS_CPUTIME_ID: every thread, the garbage collector's too).
// Unlike wall time it does not count waiting for a CPU other processes
// hold, so a paired ratio keeps its meaning on a busy shared machine.
func processCPU() int64 {
	const clockProcessCPUTimeID = 2
	var ts syscall.Timespec
	_, _, _ = syscall.RawSyscall(syscall.SYS_CLOCK_GETTIME, clockProcessCPUTimeID, uintptr(unsafe.Pointer(&ts)), 0)
	return ts.Nano()
}
