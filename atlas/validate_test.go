package atlas_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/seed-5c49e0d7/linktoken/atlas"
	"github.com/seed-5c49e0d7/linktoken/internal/testatlas"
)

func TestBadInputIsRefusedBeforeAnyByteIsSent(t *testing.T) {
	srv := testatlas.NewServer(t)
	c := newTestClient(t, srv)
	tests := []struct {
		name  string
		org   string
		ips   []string
		field string
		index int
		want  []string // substrings of the error
	}{
		{"empty org", "", nil, "orgId", -1, []string{"orgId", "empty"}},
		{"short org", "4888442a", nil, "orgId", -1, []string{"8 characters", "24"}},
		{"upper-case org", "4888442A3354817A7320EB61", nil, "orgId", -1, []string{"upper-case", `"4888442a3354817a7320eb61"`}},
		{"non-hex org", "4888442a3354817a7320eb6z", nil, "orgId", -1, []string{`'z'`, "position 23"}},
		{"not an address", testOrg, []string{"1.2.3.4", "not-an-ip"}, "accessListIps", 1, []string{"accessListIps[1]", `"not-an-ip"`}},
		{"host bits", testOrg, []string{"10.0.0.1/24"}, "accessListIps", 0, []string{"accessListIps[0]", "10.0.0.0/24"}},
		{"empty entry", testOrg, []string{"1.2.3.4", "::1", ""}, "accessListIps", 2, []string{"accessListIps[2]", "empty"}},
		{"white space", testOrg, []string{" 1.2.3.4"}, "accessListIps", 0, []string{"white space"}},
		{"zone", testOrg, []string{"fe80::1%eth0"}, "accessListIps", 0, []string{"zone"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := c.CreateLinkToken(context.Background(), tt.org, tt.ips...)
			var ie *atlas.InputError
			if !errors.As(err, &ie) || !errors.Is(err, atlas.ErrInvalidInput) {
				t.Fatalf("err = %v, want an *InputError", err)
			}
			if ie.Field != tt.field || ie.Index != tt.index {
				t.Errorf("field %q index %d, want %q %d", ie.Field, ie.Index, tt.field, tt.index)
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q lacks %q", err, w)
				}
			}
			if tt.field == "orgId" {
				if err := c.DeleteLinkToken(context.Background(), tt.org); !errors.Is(err, atlas.ErrInvalidInput) {
					t.Errorf("delete: err = %v, want ErrInvalidInput", err)
				}
			}
		})
	}
	if n, st := len(c.wire.exchanges()), srv.Stats(); n != 0 || st.Exchanges != 0 || st.Challenges != 0 {
		t.Fatalf("%d requests went out (the server counted %d); bad input must be refused before sending", n, st.Exchanges)
	}
}

func TestGoodInputPasses(t *testing.T) {
	for _, ips := range [][]string{nil, {"192.0.2.10"}, {"2001:db8::/32", "10.0.0.0/24", "::1"}} {
		if err := atlas.CheckAccessList(ips); err != nil {
			t.Errorf("CheckAccessList(%q) = %v", ips, err)
		}
	}
	if err := atlas.CheckOrgID(testOrg); err != nil {
		t.Errorf("CheckOrgID = %v", err)
	}
}
