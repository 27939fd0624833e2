package main

import (
	"context"
	"os"
	"path/filepath"
)

// tool is a comparison program pinned in a module of its own under
// internal/tools/, whose go.mod and go.sum fix its version and every one of its
// dependencies without touching this module's go.mod (see the Makefile for why).
type tool struct {
	name   string // the binary's name
	module string // the directory of its module, from the module root
	pkg    string // its main package
}

var (
	oasdiff = tool{name: "oasdiff", module: "internal/tools/oasdiff", pkg: "github.com/oasdiff/oasdiff"}
	apidiff = tool{name: "apidiff", module: "internal/tools/apidiff", pkg: "golang.org/x/exp/cmd/apidiff"}
)

// build compiles the tool into dir and returns the binary's path. The build
// cache makes every build after the first a link. -mod=readonly keeps the
// tool's go.mod and go.sum as committed: a build that would need to change
// them fails instead.
func (t tool) build(ctx context.Context, root, dir string, env []string) (string, error) {
	bin := filepath.Join(dir, t.name)
	_, err := command(ctx, root, env, "go", "build", "-C", filepath.Join(root, t.module), "-mod=readonly", "-o", bin, t.pkg)
	return bin, err
}

// binary returns the prebuilt binary the user named, or builds the pinned one
// into a directory that cleanup removes.
func (t tool) binary(ctx context.Context, o *options) (bin string, cleanup func(), err error) {
	if o.tool != "" {
		return o.tool, func() {}, nil
	}
	dir, err := os.MkdirTemp("", "apicompat-"+t.name+"-")
	if err != nil {
		return "", nil, err
	}
	cleanup = func() { os.RemoveAll(dir) }
	bin, err = t.build(ctx, o.root, dir, o.env)
	if err != nil {
		cleanup()
		return "", nil, err
	}
	return bin, cleanup, nil
}
