package recorded

import (
	"errors"
	"net/textproto"
	"net/url"
	"strings"
)

// What a reader's errors may say. An input error names the file and the
// place, and what is wrong, but quotes nothing of the input that may hold
// a secret: not a URL (a password in its userinfo, an access token in its
// query), nor a header line (a digest response, a bearer token, a
// link-token). net/http's and net/url's own errors quote both, so they are
// told again without the quote.

// urlProblem is what is wrong with a URL that does not parse, without the
// URL itself: url.Parse's error quotes it whole.
func urlProblem(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err
	}
	return err
}

// headProblem is what is wrong with a message's head, as net/http's
// reader says it, without the line or value it quotes: a request line
// ("malformed HTTP request \"…\""), a header line ("malformed MIME header
// line: …"), a request target that does not parse.
func headProblem(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return errors.New("the request target does not parse: " + ue.Err.Error())
	}
	msg := err.Error()
	var pe textproto.ProtocolError
	if errors.As(err, &pe) {
		msg = string(pe)
		if i := strings.IndexByte(msg, ':'); i >= 0 {
			msg = msg[:i]
		}
	} else if i := strings.IndexByte(msg, '"'); i >= 0 {
		msg = strings.TrimRight(msg[:i], " :")
	} else {
		return err
	}
	return errors.New(msg + " (not quoted here: it may hold a credential)")
}
