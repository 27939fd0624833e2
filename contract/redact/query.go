package redact

import (
	"net/url"
	"strings"
)

// bearerQueryParam is the query parameter that carries a bearer token in a
// URI (RFC 6750 §2.3): a credential wherever the document has an OAuth 2,
// OpenID Connect or bearer scheme, whether the server takes it or not.
const bearerQueryParam = "access_token"

// redactQuery returns u, or a copy of it whose query holds Redacted in
// place of each credential's value (see redactRawQuery).
func redactQuery(u *url.URL, names map[string]bool) *url.URL {
	q, changed := redactRawQuery(u.RawQuery, names)
	if !changed {
		return u
	}
	c := *u
	c.RawQuery = q
	return &c
}

// redactRawQuery replaces in an escaped query the value of every
// parameter named in names, keeping every other byte (the order, the
// separators, a ';' url.ParseQuery refuses, what does not unescape), so
// that the copy reads, or fails to, as the original did: a value that did
// not unescape becomes one that does not either. An empty value stays
// empty.
func redactRawQuery(raw string, names map[string]bool) (string, bool) {
	if len(names) == 0 || raw == "" {
		return raw, false
	}
	var b strings.Builder
	changed := false
	for start := 0; start <= len(raw); {
		end := strings.IndexAny(raw[start:], "&;")
		if end < 0 {
			end = len(raw)
		} else {
			end += start
		}
		pair := raw[start:end]
		key, value, ok := strings.Cut(pair, "=")
		if name, err := url.QueryUnescape(key); err == nil && ok && value != "" && names[name] {
			pair = key + "=" + Redacted
			if _, err := url.QueryUnescape(value); err != nil {
				pair += "%"
			}
			changed = true
		}
		b.WriteString(pair)
		if end < len(raw) {
			b.WriteByte(raw[end])
		}
		start = end + 1
	}
	return b.String(), changed
}

// redactURIQuery replaces the credentials in the query of a digest
// credential's uri parameter, the request's target repeated.
func redactURIQuery(credential string, names map[string]bool) string {
	spans, ok := authParamValues(credential, "uri")
	if !ok || len(names) == 0 {
		return credential
	}
	for i := len(spans) - 1; i >= 0; i-- {
		uri := credential[spans[i][0]:spans[i][1]]
		target, query, found := strings.Cut(uri, "?")
		if !found {
			continue
		}
		if q, changed := redactRawQuery(query, names); changed {
			credential = credential[:spans[i][0]] + target + "?" + q + credential[spans[i][1]:]
		}
	}
	return credential
}
