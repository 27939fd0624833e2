package plural_test

import (
	"testing"

	"github.com/seed-5c49e0d7/linktoken/internal/plural"
)

func TestCount(t *testing.T) {
	tests := []struct {
		got, want string
	}{
		{plural.Count(0, "request"), "0 requests"},
		{plural.Count(1, "request"), "1 request"},
		{plural.Count(int64(2), "exchange"), "2 exchanges"},
		{plural.Count(-1, "thing"), "-1 things"},
	}
	for _, tt := range tests {
		if tt.got != tt.want {
			t.Errorf("got %q, want %q", tt.got, tt.want)
		}
	}
}
