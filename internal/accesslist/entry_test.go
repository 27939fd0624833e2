package accesslist

import (
	"strings"
	"testing"
)

func TestCheckEntry(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in      string
		wantErr string // empty: valid
	}{
		{in: "192.0.2.10"},
		{in: "0.0.0.0/0"},
		{in: "10.0.0.0/24"},
		{in: "2001:db8::1"},
		{in: "2001:db8::/32"},
		{in: "::ffff:192.0.2.1"},
		{in: "", wantErr: "empty entry"},
		{in: " 192.0.2.10", wantErr: "white space"},
		{in: "not-an-ip", wantErr: "not an IP address or CIDR block"},
		{in: "256.0.0.1", wantErr: "not an IP address"},
		{in: "10.0.0/24", wantErr: "not a valid CIDR block"},
		{in: "10.0.0.0/33", wantErr: "not a valid CIDR block"},
		{in: "10.0.0.1/24"}, // host bits: the contract cannot refuse them (see HostBits)
		{in: "fe80::1%eth0", wantErr: "zone"},
		{in: "2001:db8::/129", wantErr: "not a valid CIDR block"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			err := CheckEntry(tt.in)
			if tt.wantErr == "" {
				if err != nil {
					t.Fatalf("CheckEntry(%q) = %v, want nil", tt.in, err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("CheckEntry(%q) = %v, want an error containing %q", tt.in, err, tt.wantErr)
			}
		})
	}
}

func TestHostBits(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in, masked string
		ok         bool
	}{
		{"10.0.0.1/24", "10.0.0.0/24", true},
		{"2001:db8::1/32", "2001:db8::/32", true},
		{"10.0.0.0/24", "", false},
		{"192.0.2.10", "", false},
		{"0.0.0.0/0", "", false},
		{"not-a-block/8", "", false},
	}
	for _, tt := range tests {
		masked, ok := HostBits(tt.in)
		if masked != tt.masked || ok != tt.ok {
			t.Errorf("HostBits(%q) = %q, %v; want %q, %v", tt.in, masked, ok, tt.masked, tt.ok)
		}
	}
}
