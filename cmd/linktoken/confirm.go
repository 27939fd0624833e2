package main

import (
	"bufio"
	"fmt"
	"strings"
)

// confirmed asks a person before a command changes an organization, unless
// force (the command's --force). Without a terminal there is nobody to
// ask, and that is a usage error naming what was refused (refused); a
// person's no prints declined and is no error.
func confirmed(e *env, force bool, refused, question, declined string) (bool, error) {
	if force {
		return true, nil
	}
	if !e.stdinIsTerminal() {
		return false, usageError("refusing to %s without --force: stdin is not a terminal", refused)
	}
	fmt.Fprintf(e.stderr, "%s [y/N] ", question)
	answer, _ := bufio.NewReader(e.stdin).ReadString('\n')
	if a := strings.ToLower(strings.TrimSpace(answer)); a != "y" && a != "yes" {
		fmt.Fprintln(e.stderr, declined)
		return false, nil
	}
	return true, nil
}
