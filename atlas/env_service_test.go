package atlas_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/seed-5c49e0d7/linktoken/atlas"
)

// TestEnvServicePicksTheHost: the Atlas CLI sends a "cloudgov" service's
// credentials to Atlas for Government, unless a service root is set; so
// does WithEnv, and it refuses a service it does not know rather than send
// the keys to commercial Atlas.
func TestEnvServicePicksTheHost(t *testing.T) {
	tests := []struct {
		name    string
		env     map[string]string
		want    string // base URL prefix
		wantErr string
	}{
		{name: "no service", want: atlas.DefaultBaseURL},
		{name: "cloud", env: map[string]string{atlas.EnvService: "cloud"}, want: atlas.DefaultBaseURL},
		{name: "cloudgov", env: map[string]string{atlas.EnvService: "cloudgov"}, want: "https://cloud.mongodbgov.com/"},
		{name: "a service root wins", env: map[string]string{atlas.EnvService: "cloudgov", atlas.EnvBaseURL: "https://atlas.example/"}, want: "https://atlas.example/"},
		{name: "an unknown service", env: map[string]string{atlas.EnvService: "ops-manager"},
			wantErr: `MONGODB_ATLAS_SERVICE "ops-manager": unknown service: want "cloud" or "cloudgov" (or set MONGODB_ATLAS_OPS_MANAGER_URL to the service root)`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			env := map[string]string{atlas.EnvPublicAPIKey: "abcdefgh", atlas.EnvPrivateAPIKey: "00000000-0000-0000-0000-000000000000"}
			for k, v := range tt.env {
				env[k] = v
			}
			c, err := atlas.NewClient(atlas.WithEnv(func(k string) string { return env[k] }))
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err %v, want %q", err, tt.wantErr)
				}
				// The command tells where the service came from by this
				// sentinel, not by the message's words.
				if !errors.Is(err, atlas.ErrUnknownService) {
					t.Errorf("err %v is not ErrUnknownService", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !strings.HasPrefix(c.BaseURL(), tt.want) {
				t.Errorf("BaseURL %q, want it under %q", c.BaseURL(), tt.want)
			}
		})
	}
}
