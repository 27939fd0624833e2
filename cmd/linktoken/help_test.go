package main

import (
	"regexp"
	"strings"
	"testing"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/seed-5c49e0d7/linktoken/atlas"
)

// atlasCLIFlags are the flags the Atlas CLI has too: they keep its names.
var atlasCLIFlags = map[string]string{"orgId": "", "accessListIp": "", "force": "", "output": "o", "profile": "P"}

var kebabCase = regexp.MustCompile(`^[a-z][a-z0-9]*(-[a-z0-9]+)*$`)

// TestFlagNamesFollowOneRule: the command's own flags are kebab-case; only
// flags the Atlas CLI has keep its (camelCase) names and shorthands.
func TestFlagNamesFollowOneRule(t *testing.T) {
	root := newRootCmd(&env{})
	var walk func(*cobra.Command)
	walk = func(c *cobra.Command) {
		c.Flags().VisitAll(func(f *pflag.Flag) {
			short, atlasName := atlasCLIFlags[f.Name]
			switch {
			case f.Name == "help":
			case atlasName:
				if f.Shorthand != short {
					t.Errorf("%s --%s: shorthand %q, the Atlas CLI's is %q", c.CommandPath(), f.Name, f.Shorthand, short)
				}
			case !kebabCase.MatchString(f.Name):
				t.Errorf("%s --%s: the command's own flags are kebab-case", c.CommandPath(), f.Name)
			case f.Shorthand != "":
				t.Errorf("%s --%s: shorthand -%s, which the Atlas CLI does not have", c.CommandPath(), f.Name, f.Shorthand)
			}
		})
		for _, sub := range c.Commands() {
			walk(sub)
		}
	}
	walk(root)
}

// flagHelp is the help line of one flag of one command, as --help prints it.
func flagHelp(t *testing.T, command, flag string) string {
	t.Helper()
	r := runCLI(t, cliOpts{}, command, "--help")
	if r.code != exitOK {
		t.Fatalf("%s --help: %+v", command, r)
	}
	flagLine := regexp.MustCompile(`^\s+(-\w, )?--` + regexp.QuoteMeta(flag) + `\s`)
	for _, line := range strings.Split(r.stdout, "\n") {
		if flagLine.MatchString(line) {
			return line
		}
	}
	t.Fatalf("%s --help has no --%s:\n%s", command, flag, r.stdout)
	return ""
}

// TestHelpTextsAgreeWithWhatTheCommandsDo holds the help lines that once
// contradicted the commands to what they do now.
func TestHelpTextsAgreeWithWhatTheCommandsDo(t *testing.T) {
	tests := []struct {
		command, flag string
		want          []string
		not           []string
	}{
		// delete's --timeout once spoke of creates; a remove is retried.
		{"delete", "timeout", []string{"remove", "tried again"}, []string{"create"}},
		{"create", "timeout", []string{"create", "not repeated"}, []string{"remove"}},
		// --rate-limit mixed "per minute" with a refill "a second".
		{"serve", "rate-limit", []string{"a minute"}, []string{"second"}},
		// A SHA-256 challenge still admits MD5 credentials: the help says so.
		{"serve", "digest-algorithm", []string{"MD5 or SHA-256", "either are accepted"}, nil},
		{"create", "orgId", []string{"--org-id"}, nil},
		{"create", "accessListIp", []string{"--access-list-ip"}, nil},
		{"check", "output", []string{"junit"}, nil},
		// The proxy forwards the client's path: --upstream is a root.
		{"proxy", "upstream", []string{"root URL"}, nil},
		{"proxy", "enforce", []string{"or is not in it"}, nil},
		{"proxy", "record", []string{"redacted"}, nil},
	}
	for _, tt := range tests {
		line := flagHelp(t, tt.command, tt.flag)
		for _, w := range tt.want {
			if !strings.Contains(line, w) {
				t.Errorf("%s --%s help %q lacks %q", tt.command, tt.flag, line, w)
			}
		}
		for _, n := range tt.not {
			if strings.Contains(line, n) {
				t.Errorf("%s --%s help %q says %q", tt.command, tt.flag, line, n)
			}
		}
	}
}

// TestHelpStatesEveryExitCode: the codes a CI job acts on are in --help.
func TestHelpStatesEveryExitCode(t *testing.T) {
	for _, args := range [][]string{{"--help"}, {"check", "--help"}} {
		r := runCLI(t, cliOpts{}, args...)
		for _, code := range []string{"0", "1", "2", "3"} {
			if !regexp.MustCompile(`(^|\W)` + code + `\s`).MatchString(r.stdout) {
				t.Errorf("%v does not state exit code %s:\n%s", args, code, r.stdout)
			}
		}
	}
}

// TestHelpNamesEveryVariableTheCommandReads: the root help lists the Atlas
// CLI's variables create and delete read, MONGODB_ATLAS_SERVICE (which
// sends credentials to Atlas for Government) among them.
func TestHelpNamesEveryVariableTheCommandReads(t *testing.T) {
	r := runCLI(t, cliOpts{}, "--help")
	for _, v := range []string{atlas.EnvPublicAPIKey, atlas.EnvPrivateAPIKey, atlas.EnvOrgID, atlas.EnvBaseURL,
		atlas.EnvClientID, atlas.EnvClientSecret, atlas.EnvService, envProfile} {
		if !strings.Contains(r.stdout, v) {
			t.Errorf("--help does not name %s", v)
		}
	}
}
