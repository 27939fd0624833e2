package main

import (
	"strings"
	"testing"
)

// outputFormats are the formats each command with -o writes.
var outputFormats = map[string][]string{
	"check":   {"text", "json", "junit"},
	"conform": {"text", "json", "junit"},
	"create":  {"text", "json"},
	"version": {"text", "json"},
}

// TestOutputRefusesAnUnknownFormat: every command's -o refuses a format
// it does not write as a usage error naming the ones it does, before
// anything else is looked at.
func TestOutputRefusesAnUnknownFormat(t *testing.T) {
	for command, formats := range outputFormats {
		r := runCLI(t, cliOpts{}, command, "-o", "xml")
		want := `-o "xml": want ` + orList(formats)
		if r.code != exitUsage || !strings.Contains(r.stderr, want) || strings.Count(r.stderr, "-o") != 1 {
			t.Errorf("%s -o xml: got %+v, want exit 2 and %q", command, r, want)
		}
	}
}

// TestOutputCompletesItsFormats: shell completion offers each command's
// formats for -o, and no file names.
func TestOutputCompletesItsFormats(t *testing.T) {
	for command, formats := range outputFormats {
		r := runCLI(t, cliOpts{}, "__complete", command, "-o", "")
		want := strings.Join(formats, "\n") + "\n:4\n" // 4: cobra.ShellCompDirectiveNoFileComp
		if r.code != exitOK || !strings.HasPrefix(r.stdout, want) {
			t.Errorf("__complete %s -o '': got %+v, want %q", command, r, want)
		}
	}
}
