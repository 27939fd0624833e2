package contract_test

import (
	"bytes"
	"errors"
	"os"
	"testing"

	"github.com/seed-5c49e0d7/linktoken/contract"
)

// FuzzReaders: whatever the bytes, the readers return exchanges or an
// *InputError, never panic, and every exchange they return can be checked.
func FuzzReaders(f *testing.F) {
	for _, p := range []string{
		"testdata/seed/createLinkToken_401-then-201_v1.0.http",
		"testdata/live/v2-delete-204.http",
		"testdata/conforming/deleteLinkToken/200_v2_envelope.http",
	} {
		data, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	var har bytes.Buffer
	if _, _, _, err := writeHAR(&har, harMix{Entries: 3}); err != nil {
		f.Fatal(err)
	}
	f.Add(har.Bytes())
	f.Add([]byte(`{"log":{"entries":[{"request":{"method":"GET","url":"%zz"}}]}}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		check := func(ex *contract.Exchange) error {
			var rep contract.Report
			strict.Add(&rep, ex)
			return nil
		}
		var ie *contract.InputError
		if err := contract.ReadHAR(bytes.NewReader(data), "f.har", check); err != nil && !errors.As(err, &ie) {
			t.Fatalf("ReadHAR: %T %v", err, err)
		}
		exs, err := contract.ParseHTTPExchanges(data, "f.http")
		if err != nil {
			if !errors.As(err, &ie) {
				t.Fatalf("ParseHTTPExchanges: %T %v", err, err)
			}
			return
		}
		for _, ex := range exs {
			_ = check(ex)
		}
	})
}
