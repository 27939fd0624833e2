// Package redact makes a copy of an exchange that can be recorded or shown:
// every secret the contract places in it is replaced, in a way that keeps
// the copy's verdict the original's (a conforming exchange stays
// conforming, a violation stays the same violation), so a recording of
// redacted traffic still checks as the traffic did.
package redact

import (
	"bytes"
	"compress/gzip"
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/getkin/kin-openapi/openapi3"
	jsonv2 "github.com/go-json-experiment/json"
	"github.com/go-json-experiment/json/jsontext"

	"github.com/seed-5c49e0d7/linktoken/contract"
	"github.com/seed-5c49e0d7/linktoken/contract/internal/coding"
	"github.com/seed-5c49e0d7/linktoken/internal/rfc9110"
	"github.com/seed-5c49e0d7/linktoken/internal/secretjson"
	"github.com/seed-5c49e0d7/linktoken/internal/specmarks"
)

// Redacted is what stands in for a secret in a redacted exchange. It is a
// token68 and a non-empty string, so a redacted bearer credential or
// link-token keeps the form the contract asks for.
const Redacted = "REDACTED"

// Exchange returns a copy of ex that can be recorded or shown: every secret in
// it is replaced, in a way that keeps a conforming exchange conforming, so
// a recording of redacted traffic still checks as the traffic did. ex is
// not changed.
//
// What is a secret comes from the document, not from names:
//   - a body value whose schema is a secret's (format: password, as on
//     linkToken) becomes the string "REDACTED" (padded or cut to the
//     schema's length bounds), wherever the operation's schemas put it: the
//     request body against the request body's schemas, the response body
//     against those of the response its status declares (every response's,
//     when it declares none), an envelope's content against every response
//     of the operation. The rest of the body is kept byte for byte. A body
//     that holds a secret is stored decoded from its Content-Encoding (the
//     header goes); one that does not decode, or past the point where it
//     stops being JSON, is replaced by a marker that is not JSON either,
//     when the schemas could place a secret in it, and one that decodes
//     past MaxBodyBytes by gzip of spaces that does too. A secret that was
//     not UTF-8 becomes a placeholder that is not either;
//   - the credentials of the document's security schemes: an Authorization
//     (and Proxy-Authorization) value keeps its scheme and its form: a
//     Digest credential keeps every parameter but its response, which
//     becomes zeros of the same length (so it is still a hex digest of its
//     algorithm's length), Bearer becomes "Bearer REDACTED", Basic the
//     base64 of "REDACTED:REDACTED"; an apiKey scheme's header or query
//     value becomes "REDACTED", and so does a bearer token sent in the
//     query (access_token, RFC 6750 §2.3) when the document has an OAuth 2
//     or bearer scheme, there and in a digest credential's uri, every
//     other byte of the query kept;
//   - cookies (Cookie, Set-Cookie: values, not names or attributes) and the
//     rspauth of Authentication-Info, which is derived from the password.
//
// An exchange that is not an operation of the contract, or whose method its
// path does not declare, keeps no body at all: no schema says what its
// bodies hold.
func Exchange(v *contract.Validator, ex *contract.Exchange) *contract.Exchange {
	out := &contract.Exchange{Source: ex.Source}
	doc := v.Document()
	keys := apiKeyLocations(doc)
	var op *openapi3.Operation
	if ex.Request != nil {
		req := *ex.Request
		req.Header = redactHeaders(req.Header, keys)
		if req.URL != nil {
			req.URL = redactQuery(req.URL, keys.query)
			op = operationOf(v, doc, req.Method, ex.Request.URL)
		}
		switch {
		case op == nil:
			req.Body = nil
		case op.RequestBody != nil && op.RequestBody.Value != nil:
			req.Header, req.Body = redactBody(v, doc, req.Header, req.Body, schemasOf(op.RequestBody.Value.Content), nil)
		}
		out.Request = &req
	}
	if ex.Response != nil {
		resp := *ex.Response
		resp.Header = redactHeaders(resp.Header, keys)
		if op == nil {
			resp.Body = nil
		} else {
			roots, all := responseSchemas(op, resp.StatusCode)
			resp.Header, resp.Body = redactBody(v, doc, resp.Header, resp.Body, roots, all)
		}
		out.Response = &resp
	}
	return out
}

// apiKeys are where the document's security schemes carry credentials
// other than in Authorization: apiKey schemes' headers and query
// parameters, and a bearer token's query parameter.
type apiKeys struct {
	headers map[string]bool // canonical names
	query   map[string]bool
}

// operationOf is the operation of the contract a request is for, as the
// validator routes it; nil when it is none (no schema then says what its
// bodies hold).
func operationOf(v *contract.Validator, doc *openapi3.T, method string, u *url.URL) *openapi3.Operation {
	m, err := v.Match(method, u)
	if err != nil {
		return nil
	}
	if item := doc.Paths.Value(m.Path); item != nil {
		return item.GetOperation(method)
	}
	return nil
}

func apiKeyLocations(doc *openapi3.T) apiKeys {
	var k apiKeys
	for _, ref := range doc.Components.SecuritySchemes {
		s := ref.Value
		if s != nil && (s.Type == "oauth2" || s.Type == "openIdConnect" || s.Type == "http" && strings.EqualFold(s.Scheme, "bearer")) {
			if k.query == nil {
				k.query = map[string]bool{}
			}
			k.query[bearerQueryParam] = true
		}
		if s == nil || s.Type != "apiKey" {
			continue
		}
		switch s.In {
		case "header":
			if k.headers == nil {
				k.headers = map[string]bool{}
			}
			k.headers[http.CanonicalHeaderKey(s.Name)] = true
		case "query":
			if k.query == nil {
				k.query = map[string]bool{}
			}
			k.query[s.Name] = true
		}
	}
	return k
}

// redactHeaders returns a copy of h with every credential and cookie value
// replaced, and the query credentials in a digest credential's uri.
func redactHeaders(h http.Header, keys apiKeys) http.Header {
	if h == nil {
		return nil
	}
	out := h.Clone()
	for name, values := range out {
		c := http.CanonicalHeaderKey(name)
		for i, val := range values {
			switch {
			case c == "Authorization" || c == "Proxy-Authorization":
				values[i] = redactCredential(val, keys.query)
			case c == "Authentication-Info" || c == "Proxy-Authentication-Info":
				values[i] = zeroAuthParam(val, "rspauth")
			case c == "Cookie":
				values[i] = redactCookiePairs(val)
			case c == "Set-Cookie":
				pair, attrs, found := strings.Cut(val, ";")
				values[i] = redactCookiePairs(pair)
				if found {
					values[i] += ";" + attrs
				}
			case keys.headers[c]:
				values[i] = Redacted
			}
		}
	}
	return out
}

// redactCredential keeps an Authorization value's scheme and form and
// replaces what proves the secret.
func redactCredential(val string, queryKeys map[string]bool) string {
	trimmed := strings.TrimSpace(val)
	scheme, rest, _ := strings.Cut(trimmed, " ")
	if strings.TrimSpace(rest) == "" || !rfc9110.IsToken(scheme) {
		// A bare value (an API key sent without a scheme) or no scheme
		// that could be told from a credential: nothing is kept.
		if trimmed == "" {
			return val
		}
		return Redacted
	}
	rest = strings.TrimSpace(rest)
	switch strings.ToLower(scheme) {
	case "digest":
		return redactURIQuery(zeroAuthParam(trimmed, "response"), queryKeys)
	case "basic":
		if raw, err := base64.StdEncoding.DecodeString(rest); err == nil && strings.Contains(string(raw), ":") {
			return scheme + " " + base64Redacted
		}
	default:
		if rfc9110.IsToken68(rest) {
			return scheme + " " + Redacted
		}
	}
	// Malformed, it stays malformed: '[' is neither base64 nor token68.
	return scheme + " " + malformedRedacted
}

// malformedRedacted stands for a credential that was malformed: it is no
// token68 and no base64, so the redacted credential is refused as the
// original was.
const malformedRedacted = "[" + Redacted + "]"

// base64Redacted is base64 of "REDACTED:REDACTED": a well-formed Basic
// credential.
const base64Redacted = "UkVEQUNURUQ6UkVEQUNURUQ="

// zeroAuthParam replaces the value of the auth-param name (RFC 9110
// §11.2) in a credential or an Authentication-Info value with zeros of
// the same length, wherever it stands (a value naming it twice keeps
// neither): a digest response, or an rspauth, stays a hex digest of its
// algorithm's length (and one that was not, is not). A value whose
// parameters do not parse keeps its scheme only, followed by Redacted.
func zeroAuthParam(val, name string) string {
	spans, ok := authParamValues(val, name)
	if ok && len(spans) == 0 {
		return val
	}
	if !ok {
		scheme, _, _ := strings.Cut(strings.TrimSpace(val), " ")
		if strings.Contains(scheme, "=") {
			return name + "=" + Redacted // Authentication-Info has no scheme
		}
		return scheme + " " + Redacted
	}
	// Hex digits become zeros and anything else 'x', so the value keeps
	// its length and whether it is a hex digest.
	zeroed := []byte(val)
	for _, span := range spans {
		for i := span[0]; i < span[1]; i++ {
			if rfc9110.IsHex(val[i : i+1]) {
				zeroed[i] = '0'
			} else {
				zeroed[i] = 'x'
			}
		}
	}
	return string(zeroed)
}

// authParamValues finds the values of the auth-param name in a credential
// ("Digest a=b, c=\"d\"") or a bare list of parameters: the span of each
// one's characters, inside the quotes of a quoted-string. ok is false when
// the list does not parse.
func authParamValues(val, name string) (spans [][2]int, ok bool) {
	i := 0
	skip := func(set string) {
		for i < len(val) && strings.IndexByte(set, val[i]) >= 0 {
			i++
		}
	}
	skip(" \t")
	// A scheme is a token followed by whitespace; a bare list starts with
	// a name followed by '='.
	j := i
	for j < len(val) && val[j] != ' ' && val[j] != '\t' && val[j] != '=' && val[j] != ',' {
		j++
	}
	if j < len(val) && (val[j] == ' ' || val[j] == '\t') {
		i = j
	}
	for {
		skip(" \t,")
		if i >= len(val) {
			return spans, true
		}
		n := i
		for i < len(val) && val[i] != '=' && val[i] != ' ' && val[i] != '\t' && val[i] != ',' {
			i++
		}
		param := val[n:i]
		skip(" \t")
		if param == "" || i >= len(val) || val[i] != '=' {
			return nil, false
		}
		i++
		skip(" \t")
		var s, e int
		if i < len(val) && val[i] == '"' {
			i++
			s = i
			for i < len(val) && val[i] != '"' {
				if val[i] == '\\' {
					i++
				}
				i++
			}
			if i >= len(val) {
				return nil, false
			}
			e = i
			i++
		} else {
			s = i
			for i < len(val) && val[i] != ',' && val[i] != ' ' && val[i] != '\t' {
				i++
			}
			e = i
		}
		if strings.EqualFold(param, name) {
			spans = append(spans, [2]int{s, e})
		}
	}
}

// redactCookiePairs replaces the value of every name=value pair in a list
// separated by ';'.
func redactCookiePairs(list string) string {
	pairs := strings.Split(list, ";")
	for i, p := range pairs {
		if name, _, ok := strings.Cut(p, "="); ok {
			pairs[i] = name + "=" + Redacted
		}
	}
	return strings.Join(pairs, ";")
}

// schemasOf lists the schemas of every media type of a content map.
func schemasOf(content openapi3.Content) []*openapi3.Schema {
	var out []*openapi3.Schema
	for _, mt := range content {
		if mt != nil && mt.Schema != nil && mt.Schema.Value != nil {
			out = append(out, mt.Schema.Value)
		}
	}
	return out
}

// responseSchemas are the body schemas of the response status declares
// (every response's when it declares none), and those of every response of
// the operation, which an envelope's content may be.
func responseSchemas(op *openapi3.Operation, status int) (roots, all []*openapi3.Schema) {
	for _, r := range op.Responses.Map() {
		if r.Value != nil {
			all = append(all, schemasOf(r.Value.Content)...)
		}
	}
	r := op.Responses.Status(status)
	if r == nil {
		r = op.Responses.Default()
	}
	if r != nil && r.Value != nil {
		return schemasOf(r.Value.Content), all
	}
	return all, all
}

// redactBody replaces the secrets of one body; roots are the schemas it
// may have, envelopeContent those an envelope's content may have. It
// returns the header and body to keep.
func redactBody(v *contract.Validator, doc *openapi3.T, h http.Header, body []byte, roots, envelopeContent []*openapi3.Schema) (http.Header, []byte) {
	if len(body) == 0 {
		return h, body
	}
	w := &secretWalker{envelope: specmarks.Envelope(doc), envelopeContent: envelopeContent}
	if !w.reaches(roots) {
		return h, body
	}
	decoded, err := coding.Decode(h, body, v.BodyLimit())
	if errors.Is(err, coding.ErrTooLarge) {
		return oversized(h, v.BodyLimit())
	}
	if err != nil {
		return h, []byte(fmt.Sprintf("<%d bytes redacted: they do not decode from their Content-Encoding>", len(body)))
	}
	out, changed := w.redactJSON(decoded, roots)
	if !changed {
		return h, body
	}
	if len(coding.Codings(h)) > 0 {
		h = coding.Without(h)
	}
	if h.Get("Content-Length") != "" {
		h = h.Clone()
		h.Set("Content-Length", strconv.Itoa(len(out)))
	}
	return h, out
}

// secretWalker follows JSON pointers through a body's schemas to tell
// where the document puts secrets.
type secretWalker struct {
	envelope        *openapi3.Schema
	envelopeContent []*openapi3.Schema
}

// expand adds to set every schema the schemas reach through allOf, oneOf
// and anyOf (each once: a schema may refer to itself).
func expand(schemas []*openapi3.Schema) []*openapi3.Schema {
	seen := map[*openapi3.Schema]bool{}
	var out []*openapi3.Schema
	var add func(s *openapi3.Schema)
	add = func(s *openapi3.Schema) {
		if s == nil || seen[s] {
			return
		}
		seen[s] = true
		out = append(out, s)
		for _, refs := range []openapi3.SchemaRefs{s.AllOf, s.OneOf, s.AnyOf} {
			for _, r := range refs {
				if r != nil {
					add(r.Value)
				}
			}
		}
	}
	for _, s := range schemas {
		add(s)
	}
	return out
}

// children are the schemas a member or item named seg of a value of one
// of set may have.
func (w *secretWalker) children(set []*openapi3.Schema, seg string) []*openapi3.Schema {
	var next []*openapi3.Schema
	for _, s := range set {
		if s == w.envelope && seg == "content" {
			next = append(next, w.envelopeContent...)
			continue
		}
		if p := s.Properties[seg]; p != nil {
			next = append(next, p.Value)
		} else if ap := s.AdditionalProperties.Schema; ap != nil {
			next = append(next, ap.Value)
		}
		if s.Items != nil {
			next = append(next, s.Items.Value)
		}
	}
	return expand(next)
}

func anySecret(set []*openapi3.Schema) bool {
	for _, s := range set {
		if specmarks.Secret(s) {
			return true
		}
	}
	return false
}

// reaches reports whether any value of the schemas could be a secret, as
// kin-openapi's walk finds the schemas in them (the envelope's content
// being any of envelopeContent).
func (w *secretWalker) reaches(roots []*openapi3.Schema) bool {
	enveloped := false
	found := func(set []*openapi3.Schema) bool {
		for _, s := range set {
			err := (&openapi3.SchemaRef{Value: s}).WalkSubtree(func(_ string, r *openapi3.SchemaRef) error {
				enveloped = enveloped || w.envelope != nil && r.Value == w.envelope
				if specmarks.Secret(r.Value) {
					return errSecret
				}
				return nil
			})
			if err != nil {
				return true
			}
		}
		return false
	}
	return found(roots) || enveloped && found(w.envelopeContent)
}

// errSecret stops reaches' walk at the first secret's schema.
var errSecret = errors.New("a secret")

// redactJSON replaces every string value at a secret's place in data,
// keeping every other byte. It follows the schemas down as it reads, a set
// of them per open object or array, so each token costs the same whatever
// its depth. Past the point where data stops being JSON (or past its first
// JSON text), the rest is replaced by a marker that is not JSON either, so
// the body still fails as it did, since no schema places what it holds.
func (w *secretWalker) redactJSON(data []byte, roots []*openapi3.Schema) ([]byte, bool) {
	changed := false
	child := func(parent place, name string) place {
		if parent.secret || len(parent.set) == 0 {
			return place{secret: parent.secret}
		}
		set := w.children(parent.set, name)
		return place{set: set, secret: anySecret(set)}
	}
	replace := func(at place, tok jsontext.Token, raw []byte) (string, bool) {
		if !at.secret {
			return "", false
		}
		changed = true
		// A secret that was not UTF-8, or held an escape that is not
		// JSON's, stands for one that is not either, of as many
		// characters.
		return secretjson.AsBroken(placeholder(at.set, tok.String()), raw), true
	}
	top := expand(roots)
	out, rest := secretjson.Rewrite(data, place{set: top, secret: anySecret(top)}, child, replace)
	if rest >= 0 {
		return unparsed(out, data, rest), true
	}
	return out, changed
}

// oversized stands for a body that decodes past the limit, whose secrets
// cannot be found: gzip of limit+1 spaces, which still decodes past it, so
// the copy breaks the body-size rule as the original did.
func oversized(h http.Header, limit int64) (http.Header, []byte) {
	var b bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&b, gzip.BestCompression)
	chunk := bytes.Repeat([]byte{' '}, 32<<10)
	for n := limit + 1; n > 0; n -= int64(len(chunk)) {
		_, _ = zw.Write(chunk[:min(n, int64(len(chunk)))])
	}
	_ = zw.Close()
	had := h.Get("Content-Length") != ""
	h = h.Clone()
	h.Set("Content-Encoding", "gzip")
	if had {
		h.Set("Content-Length", strconv.Itoa(b.Len()))
	}
	return h, b.Bytes()
}

// place is what redactJSON knows of a value: the schemas it may have, and
// whether it is (inside) a secret.
type place struct {
	set    []*openapi3.Schema
	secret bool
}

// unparsed appends to out, the copy of data up to from, a marker in place
// of the rest, and returns the body. The marker is not JSON, so the copy
// fails as the original did; and when the original fails first on bytes
// that are not UTF-8 (RFC 8259 §8.1) rather than on its syntax, the marker
// is an unterminated string holding such a byte, after the separator (','
// or ':') the original had there, so that the copy fails on the same rule.
func unparsed(out, data []byte, from int) []byte {
	rest := data[from:]
	if utf8.Valid(rest) || !failsOnUTF8(data) {
		return fmt.Appendf(out, "<%d bytes redacted: no schema places them>", len(rest))
	}
	sep := len(rest) - len(bytes.TrimLeft(rest, " \t\r\n"))
	if sep < len(rest) && (rest[sep] == ',' || rest[sep] == ':') {
		sep = len(rest) - len(bytes.TrimLeft(rest[sep+1:], " \t\r\n"))
	}
	out = append(out, rest[:sep]...)
	return fmt.Appendf(out, "\"<%d bytes redacted: no schema places them>\xff", len(rest)-sep)
}

// placeholder is what stands for the secret value: Redacted, padded or
// cut to the length bounds of the secret schemas among set, so the
// redacted value still conforms to them; but a value that broke those
// bounds (an empty link-token, say) becomes as many x's as it had
// characters, and still breaks them.
func placeholder(set []*openapi3.Schema, value string) string {
	n := uint64(utf8.RuneCountInString(value))
	for _, sch := range set {
		if specmarks.Secret(sch) && (n < sch.MinLength || sch.MaxLength != nil && n > *sch.MaxLength) {
			return strings.Repeat("x", int(n))
		}
	}
	s := Redacted
	for _, sch := range set {
		if !specmarks.Secret(sch) {
			continue
		}
		if n := int(sch.MinLength); len(s) < n {
			s += strings.Repeat("-", n-len(s))
		}
		if sch.MaxLength != nil && uint64(len(s)) > *sch.MaxLength {
			s = s[:*sch.MaxLength]
		}
	}
	return s
}

// failsOnUTF8 reports whether data, read as one JSON text, fails first on
// bytes that are not UTF-8 (RFC 8259 §8.1) rather than on its syntax: the
// rule the contract's check then reports.
func failsOnUTF8(data []byte) bool {
	var se *jsontext.SyntacticError
	return errors.As(jsonv2.Unmarshal(data, new(any)), &se) && se.Err != nil && strings.Contains(se.Err.Error(), "invalid UTF-8")
}
