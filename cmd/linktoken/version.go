package main

import (
	"encoding/json"
	"fmt"
	"runtime"
	"runtime/debug"
	"strings"

	"github.com/spf13/cobra"

	"github.com/seed-5c49e0d7/linktoken/generated/spec"
	"github.com/seed-5c49e0d7/linktoken/internal/buildinfo"
)

// newVersionCmd prints what this binary was built from, so that a CI job that
// pins the command can show which version judged its traffic, and a bug
// report carries everything that decides a verdict.
func newVersionCmd(e *env) *cobra.Command {
	return versionCmd(e, debug.ReadBuildInfo, contractVersion)
}

// contractVersion is the info.version of the contract embedded in the binary.
func contractVersion() (string, error) {
	doc, err := spec.GetSpec()
	if err != nil {
		return "", err
	}
	return doc.Info.Version, nil
}

// currentBuild is the report of the running binary, for --version, which
// has no error to return: an unreadable contract leaves its field empty.
func currentBuild() buildReport {
	info, _ := debug.ReadBuildInfo()
	r := describeBuild(info)
	r.Contract, _ = contractVersion()
	return r
}

// versionOptions are version's flag and sources.
type versionOptions struct {
	output        *outputFlag
	readBuildInfo func() (*debug.BuildInfo, bool)
	contract      func() (string, error)
}

// versionCmd is newVersionCmd with its sources injected, for tests.
func versionCmd(e *env, readBuildInfo func() (*debug.BuildInfo, bool), contract func() (string, error)) *cobra.Command {
	o := &versionOptions{readBuildInfo: readBuildInfo, contract: contract}
	cmd := &cobra.Command{
		Use:   "version",
		Short: "Print the version, revision, contract and libraries this binary was built from",
		Long: `Print what this binary was built from, as the Go toolchain recorded it: the linktoken
module's version (a release such as v1.2.3, or a pseudo-version ending in +dirty when the
checkout had uncommitted changes), the VCS revision, any replace directive that swapped the
module, the version (info.version) of the contract it checks against, the oapi-codegen release
that generated its code and the versions of the libraries that judge traffic, and the Go
version and platform. "go run" records no revision; "go build" and "go install" in a git
checkout do.

-o json prints the same as one JSON object.`,
		Args: cobra.NoArgs,
		RunE: func(*cobra.Command, []string) error { return o.run(e) },
	}
	o.output = addOutputFlag(cmd, "text", "json")
	return cmd
}

// run prints the report in the chosen format.
func (o *versionOptions) run(e *env) error {
	info, ok := o.readBuildInfo()
	if !ok {
		info = nil
	}
	r := describeBuild(info)
	var err error
	if r.Contract, err = o.contract(); err != nil {
		return fmt.Errorf("read the embedded contract: %w", err)
	}
	if o.output.format == "json" {
		enc := json.NewEncoder(e.stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(r)
	}
	_, err = fmt.Fprint(e.stdout, r.text())
	return err
}

// buildReport is what the version command prints; its JSON names are part
// of the command's output format.
type buildReport struct {
	Module string `json:"module"`
	// Version is "unknown" when the binary carries no build information.
	Version  string `json:"version"`
	Replace  string `json:"replace,omitempty"`
	Revision string `json:"revision,omitempty"`
	Time     string `json:"time,omitempty"`
	Modified bool   `json:"modified"`
	// Contract is the embedded contract's info.version.
	Contract  string `json:"contract"`
	Generator string `json:"generator"`
	// Libraries are the modules that decide what a check says, as linked.
	Libraries []library `json:"libraries"`
	Go        string    `json:"go"`
	OS        string    `json:"os"`
	Arch      string    `json:"arch"`
}

type library struct {
	Path    string `json:"path"`
	Version string `json:"version"`
	Replace string `json:"replace,omitempty"`
}

// judges are the libraries whose versions a bug report about a verdict needs.
var judges = []string{"github.com/getkin/kin-openapi", "github.com/oapi-codegen/runtime"}

// describeBuild reads build information (nil when the binary has none).
func describeBuild(info *debug.BuildInfo) buildReport {
	r := buildReport{Module: buildinfo.ModulePath, Version: "unknown", Generator: buildinfo.Generator,
		Go: runtime.Version(), OS: runtime.GOOS, Arch: runtime.GOARCH, Libraries: []library{}}
	if info == nil {
		return r
	}
	if info.GoVersion != "" {
		r.Go = info.GoVersion
	}
	if m, ok := buildinfo.Read(info); ok {
		r.Version, r.Replace, r.Revision, r.Time, r.Modified = m.Version, m.Replace, m.Revision, m.Time, m.Modified
	}
	for _, path := range judges {
		d := buildinfo.Dependency(info, path)
		if d == nil {
			continue
		}
		l := library{Path: d.Path, Version: d.Version}
		if d.Replace != nil {
			l.Replace = strings.TrimSpace(d.Replace.Path + " " + d.Replace.Version)
		}
		r.Libraries = append(r.Libraries, l)
	}
	return r
}

// text renders the report as the version command prints it by default:
//
//	linktoken v0.0.0-20261201204500-c15410d8f1a2+dirty
//	revision c15410d8f1a2… 2026-12-01T20:45:00Z (modified)
//	contract 2023-01-01
//	generated by github.com/oapi-codegen/oapi-codegen/v2 v2.8.2
//	github.com/getkin/kin-openapi v0.153.0
//	github.com/oapi-codegen/runtime v1.9.0
//	built with go1.26.8 linux/amd64
func (r buildReport) text() string {
	var b strings.Builder
	fmt.Fprintf(&b, "linktoken %s\n", r.Version)
	switch {
	case r.Revision != "":
		fmt.Fprintf(&b, "revision %s", r.Revision)
		if r.Time != "" {
			fmt.Fprintf(&b, " %s", r.Time)
		}
		if r.Modified {
			b.WriteString(" (modified)")
		}
		b.WriteByte('\n')
	case r.Version == "(devel)" && r.Replace == "":
		b.WriteString("revision unknown: the build recorded none (go run does not; go build, go install or go run -buildvcs=true in a git checkout do)\n")
	}
	if r.Replace != "" {
		fmt.Fprintf(&b, "replaced by %s\n", r.Replace)
	}
	fmt.Fprintf(&b, "contract %s\n", r.Contract)
	fmt.Fprintf(&b, "generated by %s\n", r.Generator)
	for _, l := range r.Libraries {
		fmt.Fprintf(&b, "%s %s", l.Path, l.Version)
		if l.Replace != "" {
			fmt.Fprintf(&b, " => %s", l.Replace)
		}
		b.WriteByte('\n')
	}
	fmt.Fprintf(&b, "built with %s %s/%s\n", r.Go, r.OS, r.Arch)
	return b.String()
}
