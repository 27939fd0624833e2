package rfc9110

import "strings"

// SplitChallenges cuts one WWW-Authenticate value into its challenges
// (RFC 9110 §11.6.1: a comma-separated list in which each challenge is a
// scheme, then a token68 or auth-params that are themselves separated by
// commas). An element of the list that starts with a token not followed
// by '=' starts a challenge; any other continues the one before.
// Commas inside quoted strings separate nothing.
//
// github.com/icholy/digest parses one Digest challenge, not a list. The
// contract's judge and the client's digest transport both read challenges
// through this one function, so that a 401 the judge accepts is one the
// client can answer.
func SplitChallenges(value string) []string {
	var out []string
	start := -1 // of the challenge being read
	end := 0    // of its last element
	for i := 0; i <= len(value); {
		// One element: up to the next comma outside a quoted string.
		j, quoted := i, false
		for ; j < len(value) && (quoted || value[j] != ','); j++ {
			switch {
			case value[j] == '\\' && quoted:
				j++
			case value[j] == '"':
				quoted = !quoted
			}
		}
		j = min(j, len(value))
		elem := strings.TrimSpace(value[i:j])
		if elem != "" {
			at := i + strings.Index(value[i:j], elem)
			if startsChallenge(elem) {
				if start >= 0 {
					out = append(out, value[start:end])
				}
				start = at
			}
			end = at + len(elem)
		}
		i = j + 1
	}
	if start >= 0 {
		out = append(out, value[start:end])
	}
	return out
}

// startsChallenge reports whether an element of a challenge list begins
// with an auth-scheme: a token followed by the end or by whitespace and
// something other than '=' (an auth-param may have spaces round its '=').
func startsChallenge(elem string) bool {
	n := 0
	for n < len(elem) && IsToken(elem[n:n+1]) {
		n++
	}
	if n == 0 {
		return false
	}
	rest := strings.TrimLeft(elem[n:], " \t")
	if rest == elem[n:] && rest != "" {
		return false // "name=value", or not a token at all
	}
	return !strings.HasPrefix(rest, "=")
}
