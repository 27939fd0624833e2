//go:build !unix

package atlas_test

// benchCPU is unavailable here: 0, and the cpu-ns/op metric is left out.
func benchCPU() int64 { return 0 }
