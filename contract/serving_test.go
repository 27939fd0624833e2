package contract_test

import (
	"errors"
	"net/url"
	"testing"

	"github.com/seed-5c49e0d7/linktoken/contract"
)

func TestNegotiate(t *testing.T) {
	v := contract.MustNew()
	v2, _ := url.Parse("https://cloud.mongodb.com/api/atlas/v2" + orgPath)
	v1, _ := url.Parse("https://cloud.mongodb.com/api/atlas/v1.0" + orgPath)
	tests := []struct {
		name   string
		u      *url.URL
		accept []string
		want   string // "" for ErrNotAcceptable
	}{
		{"v2, its version", v2, []string{v2Type}, v2Type},
		{"v2, a later date (MongoDB's samples)", v2, []string{"application/vnd.atlas.2025-03-12+json"}, v2Type},
		{"v2, a date before the resource", v2, []string{"application/vnd.atlas.2022-01-01+json"}, ""},
		{"v2, no Accept", v2, nil, v2Type},
		{"v2, a wildcard", v2, []string{"*/*"}, v2Type},
		{"v2, plain JSON", v2, []string{"application/json"}, v2Type},
		{"v2, HTML only", v2, []string{"text/html"}, ""},
		{"v2, two dates, the later wins", v2, []string{"application/vnd.atlas.2022-01-01+json, application/vnd.atlas.2024-01-01+json"}, v2Type},
		{"v1.0, JSON", v1, []string{"application/json"}, "application/json"},
		{"v1.0, no Accept", v1, nil, "application/json"},
		{"v1.0, application/*", v1, []string{"application/*"}, "application/json"},
		{"v1.0, HTML only", v1, []string{"text/html"}, ""},
		{"v1.0, JSON refused with q=0", v1, []string{"application/json;q=0"}, ""},
		{"v1.0, JSON refused with q=0.0", v1, []string{"application/json;q=0.0"}, ""},
		{"v1.0, JSON refused with q=0.000", v1, []string{"application/json; q=0.000"}, ""},
		{"v2, JSON refused with q=0.00", v2, []string{"application/json;q=0.00"}, ""},
		{"v2, an old date beside a wildcard", v2, []string{"application/vnd.atlas.2022-01-01+json, */*"}, v2Type},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, err := v.Match("POST", tt.u)
			if err != nil {
				t.Fatal(err)
			}
			got, err := m.Negotiate(tt.accept)
			if tt.want == "" {
				if !errors.Is(err, contract.ErrNotAcceptable) {
					t.Fatalf("got %q, %v; want ErrNotAcceptable", got, err)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Fatalf("got %q, %v; want %q", got, err, tt.want)
			}
		})
	}
	m, _ := v.Match("POST", v2)
	if got := m.AuthSchemes(); len(got) != 2 || got[0] != "bearer" || got[1] != "digest" {
		t.Errorf("v2 schemes %v", got)
	}
	m, _ = v.Match("DELETE", v1)
	if got := m.AuthSchemes(); len(got) != 1 || got[0] != "digest" {
		t.Errorf("v1.0 schemes %v", got)
	}
}
