package recorded

import (
	"errors"
	"io"
)

// SkipJSONForTest reads r as one JSON value and nothing after it but white
// space, the way the HAR reader reads past a value it does not need.
func SkipJSONForTest(r io.Reader) error {
	s := newJSONStream(r)
	if err := s.skip(); err != nil {
		return err
	}
	if end, err := s.atEnd(); err != nil || !end {
		return errors.Join(err, errors.New("data after the value"))
	}
	return nil
}

// ReadJSONStringForTest reads r as one JSON string, keeping at most max
// bytes of it, the way the HAR reader reads a body's text: the bytes kept
// and the length of the whole string.
func ReadJSONStringForTest(r io.Reader, max int) ([]byte, int64, error) {
	return newJSONStream(r).readString(nil, max)
}
