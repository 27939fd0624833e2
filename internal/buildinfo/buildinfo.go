// Package buildinfo says which build of this module is running, from what
// the Go toolchain recorded in the binary (runtime/debug.ReadBuildInfo):
// the module's version whether it is the main module (the linktoken
// command) or a dependency (a program that imports the client), any replace
// directive that swapped it, the VCS revision, and the versions of the
// libraries that decide what the contract check says.
package buildinfo

import (
	"runtime/debug"
)

// ModulePath is this module's path.
const ModulePath = "github.com/seed-5c49e0d7/linktoken"

// Generator is the oapi-codegen release that wrote generated/: the command
// itself is a build tool, so no binary records its version; a test holds
// this to the headers of the generated files and to go.mod.
const Generator = "github.com/oapi-codegen/oapi-codegen/v2 v2.8.2"

// Module is this module as one binary holds it.
type Module struct {
	// Version is the module version the toolchain recorded: a release
	// (v1.2.3), a pseudo-version (with +dirty when the checkout had
	// uncommitted changes), or "(devel)" when the build recorded none, as
	// under go run. When a replace directive applies, it is the version of
	// the module that replaced it, "(devel)" for a directory.
	Version string
	// Replace is the replace directive's target ("../linktoken",
	// "example.com/fork v1.2.4"), empty when none applies.
	Replace string
	// Revision, Time and Modified are the VCS revision the binary was built
	// from, when it is the main module and the build stamped them.
	Revision, Time string
	Modified       bool
}

// Read finds this module in the build information: as the main module, or
// as a dependency. ok is false when the binary carries no build information
// or does not contain this module.
func Read(info *debug.BuildInfo) (m Module, ok bool) {
	if info == nil {
		return Module{}, false
	}
	if info.Main.Path == ModulePath {
		m.Version = orDevel(info.Main.Version)
		for _, s := range info.Settings {
			switch s.Key {
			case "vcs.revision":
				m.Revision = s.Value
			case "vcs.time":
				m.Time = s.Value
			case "vcs.modified":
				m.Modified = s.Value == "true"
			}
		}
		return m, true
	}
	dep := Dependency(info, ModulePath)
	if dep == nil {
		return Module{}, false
	}
	m.Version = orDevel(dep.Version)
	if r := dep.Replace; r != nil {
		m.Version = orDevel(r.Version)
		m.Replace = r.Path
		if r.Version != "" {
			m.Replace += " " + r.Version
		}
	}
	return m, true
}

// Dependency returns the module at path among the binary's dependencies, or
// nil when it holds none.
func Dependency(info *debug.BuildInfo, path string) *debug.Module {
	if info == nil {
		return nil
	}
	for _, d := range info.Deps {
		if d.Path == path {
			return d
		}
	}
	return nil
}

// Running reads the running binary's build information.
func Running() (Module, bool) {
	info, _ := debug.ReadBuildInfo()
	return Read(info)
}

func orDevel(v string) string {
	if v == "" {
		return "(devel)"
	}
	return v
}
