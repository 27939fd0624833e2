package main

import (
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/spf13/cobra"
)

// outputFlag is a command's -o/--output: one of the formats the command
// writes, checked as the flag is parsed, so a wrong one is a usage error
// before anything runs, and offered by shell completion.
type outputFlag struct {
	format  string
	allowed []string
}

// addOutputFlag gives cmd -o/--output with formats, the first the default.
func addOutputFlag(cmd *cobra.Command, formats ...string) *outputFlag {
	o := &outputFlag{format: formats[0], allowed: formats}
	cmd.Flags().VarP(o, "output", "o", "output format: "+orList(formats))
	// The error only reports a flag registered twice, a programming error
	// every test of the command would meet.
	if err := cmd.RegisterFlagCompletionFunc("output", func(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective) {
		return formats, cobra.ShellCompDirectiveNoFileComp
	}); err != nil {
		panic(err)
	}
	return o
}

// String is the chosen format.
func (o *outputFlag) String() string { return o.format }

// Type names the flag's value in --help.
func (o *outputFlag) Type() string { return "format" }

// Set accepts one of the allowed formats.
func (o *outputFlag) Set(s string) error {
	if !slices.Contains(o.allowed, s) {
		return &outputError{value: s, allowed: o.allowed}
	}
	o.format = s
	return nil
}

// outputError is a format the command does not write; the root's flag
// error handler makes it a usage error with this message alone.
type outputError struct {
	value   string
	allowed []string
}

func (e *outputError) Error() string {
	return fmt.Sprintf("-o %q: want %s", e.value, orList(e.allowed))
}

// writeJSON writes v as every command's -o json does: one document,
// indented by two spaces.
func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

// orList joins "a", "b", "c" as "a, b or c".
func orList(s []string) string {
	if len(s) < 2 {
		return strings.Join(s, "")
	}
	return strings.Join(s[:len(s)-1], ", ") + " or " + s[len(s)-1]
}
