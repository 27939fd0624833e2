package atlas

import (
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"
)

var (
	// secretField matches a JSON member whose name suggests a secret, so its
	// string value can be blanked out of an excerpt.
	secretField = regexp.MustCompile(`(?i)("[a-z_]*(?:token|secret|password|key)"\s*:\s*)"(?:[^"\\]|\\.)*"`)
	// digestResponse matches the response= (and cnonce=) of a digest
	// Authorization header echoed back by a server.
	digestResponse = regexp.MustCompile(`(?i)\b(response|cnonce)=("[^"]*"|[^\s,]+)`)
	// opaqueRun matches long runs of base64, base64url or hex: a link-token,
	// a key or a bearer token in any unlabelled place.
	opaqueRun = regexp.MustCompile(`[A-Za-z0-9+/_\-]{32,}={0,2}`)
)

// redactText blanks out anything that looks like a secret in s and cuts it to
// at most max bytes (on a rune boundary), replacing control characters so an
// excerpt cannot forge log lines.
func redactText(s string, max int) string {
	s = secretField.ReplaceAllString(s, `$1"[REDACTED]"`)
	s = digestResponse.ReplaceAllString(s, `$1=[REDACTED]`)
	s = opaqueRun.ReplaceAllStringFunc(s, func(run string) string {
		if isPath(run) {
			return run
		}
		return "[REDACTED]"
	})
	s = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) {
			return ' '
		}
		return r
	}, s)
	s = strings.Join(strings.Fields(s), " ")
	if len(s) > max {
		cut := max
		for cut > 0 && !utf8.RuneStart(s[cut]) {
			cut--
		}
		s = s[:cut] + "…"
	}
	return s
}

// isPath reports whether an opaque-looking run is a URL path such as
// /api/atlas/v2/orgs/<id>/liveMigrations/linkTokens, which error details
// quote: it starts with a slash and no segment is long enough to be a secret.
func isPath(run string) bool {
	if !strings.HasPrefix(run, "/") {
		return false
	}
	for _, seg := range strings.Split(run, "/") {
		if len(seg) >= 32 {
			return false
		}
	}
	return true
}
