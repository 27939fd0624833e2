package main

import (
	"bytes"
	"io"
	"os"
	"regexp"
	"strings"
)

// sniffLimit is how much of a file is looked at before the contract's
// readers take it: enough for any request or status line worth reading.
const sniffLimit = 512

var (
	requestLine = regexp.MustCompile(`^[A-Za-z]+ \S+ HTTP/\d`)
	statusLine  = regexp.MustCompile(`^HTTP/\d(\.\d)? \d{3}`)
)

// sniffInput says, before the contract's readers run, what a user would
// want to hear about a file they cannot use: that it is empty, or that it
// is neither a HAR archive nor raw HTTP. The readers' own errors (a byte
// offset into broken JSON, a malformed header) are right for a file of
// the right kind, and baffling for a file of the wrong one. It never
// quotes the file: a wrong file may be full of secrets.
func sniffInput(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return nil // the reader reports it, naming the file
	}
	defer f.Close()
	head := make([]byte, sniffLimit)
	n, err := io.ReadFull(f, head)
	if err != nil && err != io.EOF && err != io.ErrUnexpectedEOF {
		return nil
	}
	head = head[:n]
	start := bytes.TrimLeft(bytes.TrimPrefix(head, []byte("\xEF\xBB\xBF")), " \t\r\n")
	if len(start) == 0 {
		if n < sniffLimit {
			if n == 0 {
				return usageError("%s: the file is empty: nothing to check", path)
			}
			return usageError("%s: the file holds only white space: nothing to check", path)
		}
		return nil
	}
	if start[0] == '{' || strings.HasSuffix(strings.ToLower(path), ".har") {
		return nil // the HAR reader names the place of any problem
	}
	firstLine, _, _ := bytes.Cut(start, []byte("\n"))
	if requestLine.Match(firstLine) || statusLine.Match(firstLine) {
		return nil
	}
	return usageError("%s: neither a HAR archive (JSON starting with '{') nor raw HTTP exchanges "+
		"(a request line such as \"POST /api/atlas/v2/orgs/… HTTP/1.1\" or a status line such as "+
		"\"HTTP/1.1 201 Created\" first)", path)
}
