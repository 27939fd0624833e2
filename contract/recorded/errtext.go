package recorded

import (
	"errors"
	"net/url"
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
