package conform

import "testing"

// TestErrorCodeReadsJSON: the code is read as JSON is, whatever spaces the
// server puts around its colon.
func TestErrorCodeReadsJSON(t *testing.T) {
	tests := []struct{ name, body, want string }{
		{"compact", `{"errorCode":"ORG_NOT_FOUND"}`, " (ORG_NOT_FOUND)"},
		{"spaced", `{"errorCode": "ORG_NOT_FOUND", "detail": "x"}`, " (ORG_NOT_FOUND)"},
		{"escaped", `{"errorCode":"A\u005FB"}`, " (A_B)"},
		{"not a string", `{"errorCode":7}`, ""},
		{"inside another string", `{"detail":"\"errorCode\":\"X\""}`, ""},
		{"not JSON", `errorCode`, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := errorCode([]byte(tt.body)); got != tt.want {
				t.Errorf("errorCode(%s) = %q, want %q", tt.body, got, tt.want)
			}
		})
	}
}
