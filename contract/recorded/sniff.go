package recorded

import (
	"bufio"
	"bytes"
	"errors"
	"io"
	"regexp"
	"strings"
)

// byteOrderMark is UTF-8's, which some editors put at the start of a file.
// Both readers read past it there, and only there: anywhere else it is a
// character that starts neither JSON nor an HTTP message.
const byteOrderMark = "\xEF\xBB\xBF"

// space is what the readers skip before a message or an archive; JSON
// allows no \v or \f, and the HAR reader says so at their byte.
const space = " \t\r\n\v\f"

// skipByteOrderMark reads past a byte order mark at the start of br.
func skipByteOrderMark(br *bufio.Reader) {
	if bom, _ := br.Peek(len(byteOrderMark)); string(bom) == byteOrderMark {
		_, _ = br.Discard(len(byteOrderMark))
	}
}

var (
	requestLine = regexp.MustCompile(`^[A-Za-z]+ \S+ HTTP/\d`)
	// requestStart is a request line cut short by the end of the buffer:
	// a method, then a target that goes on past it (a long query).
	requestStart = regexp.MustCompile(`^[A-Za-z]+ \S+$`)
	statusLine   = regexp.MustCompile(`^HTTP/\d(\.\d)? \d{3}`)
)

// The errors of a file that holds nothing a reader can use. They quote
// nothing of it: a wrong file may be full of secrets.
var (
	errEmpty   = errors.New("the file is empty: nothing to check")
	errBlank   = errors.New("the file holds only white space: nothing to check")
	errNeither = errors.New(`neither a HAR archive (JSON starting with '{') nor raw HTTP exchanges ` +
		`(a request line such as "POST /api/atlas/v2/orgs/… HTTP/1.1" or a status line such as "HTTP/1.1 201 Created" first)`)
)

// isHAR decides, from the start of the file at path as br buffers it (and
// does not consume), which reader reads it: the HAR reader when its name
// ends in .har or it starts with '{', the raw HTTP reader when it starts
// with a request or status line. The start is found past a byte order mark
// and white space, as the readers find it. A file that is empty, only white
// space or neither is refused here, as such: a reader's own error (a byte
// offset into broken JSON, a malformed header) is right for a file of its
// kind, and baffling for a file of another.
func isHAR(br *bufio.Reader, path string) (bool, error) {
	head, err := br.Peek(br.Size())
	if err != nil && err != io.EOF {
		return false, &InputError{Source: path, Err: unwrapPathError(err)}
	}
	start := bytes.TrimLeft(bytes.TrimPrefix(head, []byte(byteOrderMark)), space)
	named := strings.HasSuffix(strings.ToLower(path), ".har")
	switch {
	case len(head) == 0:
		return false, &InputError{Source: path, Err: errEmpty}
	case len(start) == 0 && err == io.EOF:
		return false, &InputError{Source: path, Err: errBlank}
	case len(start) == 0:
		return named, nil // white space beyond the buffer: the reader skips it too
	case named || start[0] == '{':
		return true, nil // the HAR reader names the place of any problem
	}
	line, _, whole := bytes.Cut(start, []byte("\n"))
	if !whole && err == nil && requestStart.Match(line) {
		return false, nil // the raw reader reads it, up to a server's limit
	}
	if !requestLine.Match(line) && !statusLine.Match(line) {
		return false, &InputError{Source: path, Err: errNeither}
	}
	return false, nil
}
