package recorded

import (
	"io"

	"github.com/seed-5c49e0d7/linktoken/contract"
)

// ReadHARCappedForTest is ReadHAR with maxValue in place of EntryCap, so
// that a test need not write 64 MiB to pass it.
func ReadHARCappedForTest(r io.Reader, source string, maxValue int64, fn func(*contract.Exchange) error) error {
	return readHAR(r, source, maxValue, fn)
}
