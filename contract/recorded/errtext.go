package recorded

import (
	"errors"
	"net/url"
)

// urlProblem is what is wrong with a URL that does not parse, without the
// URL itself: url.Parse's error quotes it whole, password and access token
// included.
func urlProblem(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err
	}
	return err
}
