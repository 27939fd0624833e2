package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
	"golang.org/x/term"
)

// Exit codes, shared by every subcommand.
const (
	exitOK    = 0
	exitAPI   = 1 // the service answered with an error, or traffic broke the contract
	exitUsage = 2 // bad flags, bad input, unreadable files
	// exitNothingChecked: check found no exchange of the contract, or
	// conform ran no check, so a CI job pointed at the wrong archive or
	// server does not pass forever.
	exitNothingChecked = 3
	// exitNoAnswer: conform sent requests that got no answer (refused,
	// reset, timed out), proxy passed exchanges it could not judge (no
	// answer, past its buffer, cut at stop), or check read requests of the
	// contract recorded without their response (what such a proxy records),
	// so that an archive checks as its traffic did live.
	exitNoAnswer = 4
	// exitLeftBehind: conform could not remove what it created, or may
	// have: someone must look.
	exitLeftBehind = 5
)

// env is everything a command touches outside itself, so tests can drive the
// command as a user would: arguments and environment in, output and exit code out.
type env struct {
	stdin  io.Reader
	stdout io.Writer
	stderr io.Writer
	getenv func(string) string
	// stdinIsTerminal reports whether a person could answer a prompt.
	stdinIsTerminal func() bool
	// userConfigDir is where the Atlas CLI keeps its config (os.UserConfigDir).
	userConfigDir func() (string, error)
	// signals, when non-nil, is used by long-running commands (serve) instead
	// of the process's SIGINT/SIGTERM.
	signals context.Context
}

func newEnv() *env {
	return &env{
		stdin:           os.Stdin,
		stdout:          os.Stdout,
		stderr:          os.Stderr,
		getenv:          os.Getenv,
		stdinIsTerminal: func() bool { return term.IsTerminal(int(os.Stdin.Fd())) },
		userConfigDir:   os.UserConfigDir,
	}
}

// interruptContext ends when the user asks the command to stop.
func (e *env) interruptContext(parent context.Context) (context.Context, context.CancelFunc) {
	if e.signals != nil {
		return context.WithCancel(e.signals)
	}
	return signal.NotifyContext(parent, os.Interrupt, syscall.SIGTERM)
}

// exitError carries the exit code a failure should produce.
type exitError struct {
	code int
	err  error
}

func (e *exitError) Error() string { return e.err.Error() }
func (e *exitError) Unwrap() error { return e.err }

func usageError(format string, args ...any) error {
	return &exitError{code: exitUsage, err: fmt.Errorf(format, args...)}
}

func apiError(err error) error { return &exitError{code: exitAPI, err: err} }

func newRootCmd(e *env) *cobra.Command {
	root := &cobra.Command{
		Use:   "linktoken",
		Short: "Create and remove MongoDB Atlas link-tokens, and prove traffic keeps to their contract",
		Long: `linktoken manages the link-token a Cloud Manager or Ops Manager organization needs
before it can push a live migration into MongoDB Atlas.

Credentials and settings come, as in the Atlas CLI, from flags, then its environment
variables (MONGODB_ATLAS_PUBLIC_API_KEY, MONGODB_ATLAS_PRIVATE_API_KEY, MONGODB_ATLAS_ORG_ID,
MONGODB_ATLAS_OPS_MANAGER_URL, MONGODB_ATLAS_CLIENT_ID, MONGODB_ATLAS_CLIENT_SECRET,
MONGODB_ATLAS_SERVICE), then its profile (-P/--profile or MONGODB_ATLAS_PROFILE, else
"default", read from atlascli/config.toml in the user's config directory). A service
"cloudgov" is Atlas for Government, whose credentials never go to commercial Atlas.
No key is ever printed.

Flags the Atlas CLI has keep its names (--orgId, --accessListIp, --force, -o, -P);
this command's own flags are kebab-case (--base-url), and --org-id and
--access-list-ip are accepted too.

Exit status: 0 success; 1 an API error (with its status and errorCode) or a contract
violation; 2 a usage or input error; 3 check found (or proxy checked) no exchange of
the contract, or conform ran no check; 4 requests got no answer (conform, proxy), or only
429 (conform), or check read requests recorded without one, or a body could not be judged
whole (check, conform, proxy); 5 conform could not remove what it created.`,
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.SetIn(e.stdin)
	root.SetOut(e.stdout)
	root.SetErr(e.stderr)
	root.AddCommand(
		newCreateCmd(e),
		newDeleteCmd(e),
		newDemoCmd(e),
		newServeCmd(e),
		newCheckCmd(e),
		newConformCmd(e),
		newProxyCmd(e),
		newVersionCmd(e),
	)
	root.SetGlobalNormalizationFunc(flagAliases)
	// --version prints what the version command prints; cobra handles the
	// flag once Version is set, and takes this flag instead of its own.
	root.Version = "set"
	root.Flags().Bool("version", false, "print the version this binary was built from, as \"linktoken version\" does")
	root.SetVersionTemplate(strings.ReplaceAll(currentBuild().text(), "{{", `{{"{{"}}`))
	strictCompletion(root)
	// Cobra reports unknown flags and arguments as plain errors; they are usage errors.
	root.SetFlagErrorFunc(func(_ *cobra.Command, err error) error {
		var oe *outputError
		if errors.As(err, &oe) {
			return usageError("%v", oe) // pflag's wrapping would name -o twice
		}
		return usageError("%v", err)
	})
	return root
}

// strictCompletion makes "completion SHELL" refuse a shell it has no
// script for, with a usage error naming those it has: cobra's own prints
// its help and exits 0, which a setup script takes for success.
func strictCompletion(root *cobra.Command) {
	root.InitDefaultCompletionCmd()
	for _, c := range root.Commands() {
		if c.Name() != "completion" {
			continue
		}
		var shells []string
		for _, sub := range c.Commands() {
			shells = append(shells, sub.Name())
		}
		c.Args = cobra.ArbitraryArgs
		c.RunE = func(cmd *cobra.Command, args []string) error {
			if len(args) == 0 {
				return cmd.Help()
			}
			return usageError("completion %q: no script for that shell; supported: %s", args[0], strings.Join(shells, ", "))
		}
	}
}

// atlasFlagAliases are kebab-case spellings of the flags that keep the
// Atlas CLI's names. The rule: this command's own flags are kebab-case
// (--base-url, --api-version, --allow-empty); a flag the Atlas CLI also has
// keeps the Atlas CLI's name (--orgId, --accessListIp, --force, -o/--output,
// -P/--profile), so its users' habits and scripts carry over, and answers
// to its kebab-case spelling too.
var atlasFlagAliases = map[string]string{
	"org-id":         "orgId",
	"access-list-ip": "accessListIp",
}

func flagAliases(_ *pflag.FlagSet, name string) pflag.NormalizedName {
	if canonical, ok := atlasFlagAliases[name]; ok {
		name = canonical
	}
	return pflag.NormalizedName(name)
}

// run executes the command line and returns the process's exit code.
func run(args []string, e *env) int {
	root := newRootCmd(e)
	root.SetArgs(args)
	err := root.Execute()
	if err == nil {
		return exitOK
	}
	fmt.Fprintln(e.stderr, "Error:", err)
	var ee *exitError
	if errors.As(err, &ee) {
		return ee.code
	}
	// Errors cobra raises itself (unknown command, wrong argument count) are usage errors.
	return exitUsage
}
