package main

import (
	"fmt"
	"runtime/debug"
	"strings"

	"github.com/spf13/cobra"
)

// newVersionCmd prints what this binary was built from, so that a CI job that
// pins the command can show which version judged its traffic.
func newVersionCmd(e *env) *cobra.Command {
	return versionCmd(e, debug.ReadBuildInfo)
}

// versionCmd is newVersionCmd with the build information injected, for tests.
func versionCmd(e *env, readBuildInfo func() (*debug.BuildInfo, bool)) *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print the module version (and VCS revision) this binary was built from",
		Long: `Print the version of the linktoken module this binary was built from, as the Go
toolchain recorded it: a release (v1.2.3) when installed with
"go install github.com/seed-5c49e0d7/linktoken/cmd/linktoken@v1.2.3", a pseudo-version
or "(devel)" when built from a checkout. Then the VCS revision, its time and whether the
checkout had uncommitted changes, when the build recorded them, and the Go version.`,
		Args: cobra.NoArgs,
		RunE: func(*cobra.Command, []string) error {
			info, ok := readBuildInfo()
			_, err := fmt.Fprint(e.stdout, describeBuild(info, ok))
			return err
		},
	}
}

// describeBuild renders build information as the version command prints it:
//
//	linktoken v1.2.3
//	revision 0123abcd… 2026-12-01T20:45:00Z (modified)
//	built with go1.26.8
func describeBuild(info *debug.BuildInfo, ok bool) string {
	if !ok || info == nil {
		return "linktoken (unknown version: this binary carries no build information)\n"
	}
	var b strings.Builder
	version := info.Main.Version
	if version == "" {
		version = "(devel)"
	}
	fmt.Fprintf(&b, "linktoken %s\n", version)
	settings := map[string]string{}
	for _, s := range info.Settings {
		settings[s.Key] = s.Value
	}
	if rev := settings["vcs.revision"]; rev != "" {
		fmt.Fprintf(&b, "revision %s", rev)
		if t := settings["vcs.time"]; t != "" {
			fmt.Fprintf(&b, " %s", t)
		}
		if settings["vcs.modified"] == "true" {
			b.WriteString(" (modified)")
		}
		b.WriteByte('\n')
	}
	if info.GoVersion != "" {
		fmt.Fprintf(&b, "built with %s\n", info.GoVersion)
	}
	return b.String()
}
