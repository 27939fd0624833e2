package importers

import (
	"slices"
	"testing"
)

// TestGoOutputIsReadAsTheGoCommandMeansIt: on an empty module cache the go
// command prints progress lines among its reports, and offline it reports
// modules it could not fetch; the first are no errors, the second make a
// test skip, never fail as if the module were wrong nor pass.
func TestGoOutputIsReadAsTheGoCommandMeansIt(t *testing.T) {
	tests := []struct {
		name        string
		stderr      string
		wantReports []string
		wantOffline bool
	}{
		{name: "progress only", stderr: "go: downloading golang.org/x/oauth2 v0.38.0\n" +
			"go: finding module for package github.com/google/go-cmp/cmp\n" +
			"go: found github.com/google/go-cmp/cmp in github.com/google/go-cmp v0.7.0\n\n"},
		{name: "a report among progress lines",
			stderr:      "go: downloading golang.org/x/oauth2 v0.38.0\ngo: example.com/importer imports\n\tgithub.com/x/y: missing go.sum entry\n",
			wantReports: []string{"go: example.com/importer imports\n\tgithub.com/x/y: missing go.sum entry"}},
		{name: "GOPROXY=off", stderr: "atlas/bearer.go:11:2: module lookup disabled by GOPROXY=off\n",
			wantReports: []string{"atlas/bearer.go:11:2: module lookup disabled by GOPROXY=off"}, wantOffline: true},
		{name: "proxy out of reach",
			stderr:      `go: example.com/importer imports` + "\n\t" + `golang.org/x/oauth2: Get "https://proxy.golang.org/golang.org/x/oauth2/@v/list": dial tcp: lookup proxy.golang.org: no such host` + "\n",
			wantReports: []string{"go: example.com/importer imports\n\tgolang.org/x/oauth2: Get \"https://proxy.golang.org/golang.org/x/oauth2/@v/list\": dial tcp: lookup proxy.golang.org: no such host"},
			wantOffline: true},
		{name: "a module the proxy does not have is no network trouble",
			stderr:      "go: github.com/x/y@v1.0.0: reading https://proxy.golang.org/github.com/x/y/@v/v1.0.0.mod: 404 Not Found\n",
			wantReports: []string{"go: github.com/x/y@v1.0.0: reading https://proxy.golang.org/github.com/x/y/@v/v1.0.0.mod: 404 Not Found"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tidyErrors(tt.stderr); !slices.Equal(got, tt.wantReports) {
				t.Errorf("reports %q, want %q", got, tt.wantReports)
			}
			if got := offlineReason(tt.stderr) != ""; got != tt.wantOffline {
				t.Errorf("offline %v, want %v", got, tt.wantOffline)
			}
		})
	}
}
