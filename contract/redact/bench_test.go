package redact_test

import (
	"testing"

	"github.com/seed-5c49e0d7/linktoken/contract"
	"github.com/seed-5c49e0d7/linktoken/contract/redact"
)

// BenchmarkExchange is what redacting one exchange costs (the proxy's
// --record does it once per exchange of the contract), against the
// contract's check of the same exchange as the baseline, in the same run.
func BenchmarkExchange(b *testing.B) {
	v := contract.MustNew()
	ex := createExchange(createBody, []byte(`{"linkToken":"`+redactSecret+`"}`), nil, nil)
	b.Run("redact", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			redact.Exchange(v, ex)
		}
	})
	b.Run("check", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := v.Check(ex); err != nil {
				b.Fatal(err)
			}
		}
	})
}
