package proxy

import (
	"encoding/json"
	"net/http"
	"testing"

	"github.com/seed-5c49e0d7/linktoken/contract"
)

// TestVerdictHeadersEscapeThePointer: a member name a client sent, with
// an ANSI escape, a line separator and a line break in it, reaches the
// verdict headers escaped as the log shows it (\x1b, \u2028, \n), in
// printable ASCII, the line and the JSON alike.
func TestVerdictHeadersEscapeThePointer(t *testing.T) {
	res := &contract.Result{Violations: contract.Violations{{
		Side: contract.SideRequest, Part: contract.PartBody, Pointer: "/a\x1b[31m\u2028\nbé", Rule: contract.RuleAdditionalProps,
	}}}
	h := http.Header{}
	setVerdictHeaders(h, res)
	const pointer = `/a\x1b[31m\u2028\nb??`
	if got, want := h.Values(HeaderViolation), "request body "+pointer+": additionalProperties"; len(got) != 1 || got[0] != want {
		t.Errorf("%s %q, want %q", HeaderViolation, got, want)
	}
	var places []struct{ Pointer string }
	if err := json.Unmarshal([]byte(h.Get(HeaderViolationsJSON)), &places); err != nil || len(places) != 1 || places[0].Pointer != pointer {
		t.Errorf("%s %s: %v; want the pointer %q", HeaderViolationsJSON, h.Get(HeaderViolationsJSON), err, pointer)
	}
	for name, values := range h {
		for _, v := range values {
			for i := 0; i < len(v); i++ {
				if v[i] < 0x20 || v[i] >= 0x7f {
					t.Errorf("%s %q: not printable ASCII", name, v)
					break
				}
			}
		}
	}
}
