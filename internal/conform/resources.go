package conform

import (
	"cmp"
	"encoding/json"
	"fmt"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/go-openapi/jsonpointer"
)

// What creates what, and what removes it, comes from the contract, so a
// run can remove everything it created for any operation the contract
// has: an operation that creates (POST, PUT) is removed by the operation
// an OpenAPI link of its success response names when that is a DELETE,
// else by the DELETE on its own path. The same links say where a GET
// finds what was created.

// operation is one operation of the contract.
type operation struct {
	id, method, path string
}

// link is how one operation's values follow from another's exchange.
type link struct {
	to operation
	// params maps the target's parameters to a runtime expression
	// ("$request.path.orgId", "$response.body#/id") or a constant; nil:
	// the same path parameters as the exchange's.
	params map[string]any
}

// resources is what the contract says of creating and removing.
type resources struct {
	ops map[string]operation
	// removers: creating operation id → the link to what removes it.
	removers map[string]*link
	// unremovable: creating operation ids with no remover, sorted.
	unremovable []string
	// readers: GET operation id → the creating operation id whose
	// creation it reads, and the link giving its parameters.
	readers map[string]readerOf
}

type readerOf struct {
	creator string
	via     *link
}

func creates(method string) bool { return method == http.MethodPost || method == http.MethodPut }

func newResources(doc *openapi3.T) *resources {
	rs := &resources{ops: map[string]operation{}, removers: map[string]*link{}, readers: map[string]readerOf{}}
	deleteOn := map[string]operation{}
	var all []operation
	for _, path := range doc.Paths.InMatchingOrder() {
		for method, op := range doc.Paths.Value(path).Operations() {
			o := operation{id: op.OperationID, method: method, path: path}
			rs.ops[o.id] = o
			all = append(all, o)
			if method == http.MethodDelete {
				deleteOn[path] = o
			}
		}
	}
	slices.SortFunc(all, func(a, b operation) int { return cmp.Compare(a.path+" "+a.method, b.path+" "+b.method) })
	for _, o := range all {
		if !creates(o.method) {
			continue
		}
		links := successLinks(doc.Paths.Value(o.path).GetOperation(o.method))
		for _, name := range slices.Sorted(maps.Keys(links)) {
			l := links[name]
			to, ok := rs.ops[l.OperationID]
			if !ok {
				continue
			}
			switch to.method {
			case http.MethodDelete:
				if rs.removers[o.id] == nil {
					rs.removers[o.id] = &link{to: to, params: l.Parameters}
				}
			case http.MethodGet:
				if _, ok := rs.readers[to.id]; !ok {
					rs.readers[to.id] = readerOf{creator: o.id, via: &link{to: to, params: l.Parameters}}
				}
			}
		}
		if rs.removers[o.id] == nil {
			if d, ok := deleteOn[o.path]; ok {
				rs.removers[o.id] = &link{to: d}
			} else {
				rs.unremovable = append(rs.unremovable, o.id)
			}
		}
	}
	// A GET no link names reads what a creating operation on its own path,
	// or on a path it lies under, created, with the same path parameters.
	for _, o := range all {
		if o.method != http.MethodGet {
			continue
		}
		if _, ok := rs.readers[o.id]; ok {
			continue
		}
		for _, c := range all {
			if creates(c.method) && (c.path == o.path || strings.HasPrefix(o.path, strings.TrimSuffix(c.path, "/")+"/")) {
				rs.readers[o.id] = readerOf{creator: c.id, via: &link{to: o}}
				break
			}
		}
	}
	slices.Sort(rs.unremovable)
	return rs
}

// successLinks are the links of an operation's 2xx responses.
func successLinks(op *openapi3.Operation) map[string]*openapi3.Link {
	out := map[string]*openapi3.Link{}
	for status, r := range op.Responses.Map() {
		if !strings.HasPrefix(status, "2") || r.Value == nil {
			continue
		}
		for name, l := range r.Value.Links {
			if l != nil && l.Value != nil && l.Value.OperationID != "" {
				out[status+" "+name] = l.Value
			}
		}
	}
	return out
}

// exchange is what a link's runtime expressions read.
type exchange struct {
	pathParams map[string]string
	query      url.Values
	reqHeader  http.Header
	reqBody    []byte
	answered   bool
	status     int
	respHeader http.Header
	respBody   []byte
}

// params evaluates the link's parameters on x: the target's path
// parameters by name. An expression that cannot be evaluated (the answer
// never came, the body lacks the member) is an error naming it.
func (l *link) values(x exchange) (map[string]string, error) {
	if l.params == nil {
		return x.pathParams, nil
	}
	out := map[string]string{}
	for name, expr := range l.params {
		v, err := evaluate(expr, x)
		if err != nil {
			return nil, fmt.Errorf("parameter %s of %s: %w", name, l.to.id, err)
		}
		out[name] = v
	}
	// A path parameter the link does not give keeps its value.
	for name, v := range x.pathParams {
		if _, ok := out[name]; !ok {
			out[name] = v
		}
	}
	return out, nil
}

// evaluate reads one OpenAPI runtime expression (3.0 §Runtime
// Expressions) from an exchange; a value that is no expression is a
// constant.
func evaluate(expr any, x exchange) (string, error) {
	s, ok := expr.(string)
	if !ok {
		return fmt.Sprint(expr), nil
	}
	if !strings.HasPrefix(s, "$") {
		return s, nil
	}
	source, rest, _ := strings.Cut(s, ".")
	if s == "$statusCode" {
		return fmt.Sprint(x.status), nil
	}
	if source == "$response" && !x.answered {
		return "", fmt.Errorf("%s: no answer came", s)
	}
	var got string
	var found bool
	switch {
	case source == "$request" && strings.HasPrefix(rest, "path."):
		got, found = x.pathParams[strings.TrimPrefix(rest, "path.")]
	case source == "$request" && strings.HasPrefix(rest, "query."):
		found = x.query.Has(strings.TrimPrefix(rest, "query."))
		got = x.query.Get(strings.TrimPrefix(rest, "query."))
	case source == "$request" && strings.HasPrefix(rest, "header."):
		got = x.reqHeader.Get(strings.TrimPrefix(rest, "header."))
		found = got != ""
	case source == "$response" && strings.HasPrefix(rest, "header."):
		got = x.respHeader.Get(strings.TrimPrefix(rest, "header."))
		found = got != ""
	case source == "$request" && strings.HasPrefix(rest, "body"):
		got, found = pointerIn(x.reqBody, strings.TrimPrefix(rest, "body"))
	case source == "$response" && strings.HasPrefix(rest, "body"):
		fragment := strings.TrimPrefix(rest, "body")
		if x.query.Get("envelope") == "true" {
			// The contract's envelope (ResponseEnvelope): the answer the
			// link speaks of is the envelope's content.
			fragment = "#/content" + strings.TrimPrefix(fragment, "#")
		}
		got, found = pointerIn(x.respBody, fragment)
	default:
		return "", fmt.Errorf("%s: not a runtime expression this build reads", s)
	}
	if !found {
		return "", fmt.Errorf("%s: not in the exchange", s)
	}
	return got, nil
}

// pointerIn reads "#/a/b" from a JSON body.
func pointerIn(body []byte, fragment string) (string, bool) {
	var doc any
	if json.Unmarshal(body, &doc) != nil {
		return "", false
	}
	p, err := jsonpointer.New(strings.TrimPrefix(fragment, "#"))
	if err != nil {
		return "", false
	}
	v, _, err := p.Get(doc)
	if err != nil || v == nil {
		return "", false
	}
	if f, ok := v.(float64); ok && f == float64(int64(f)) {
		return fmt.Sprint(int64(f)), true
	}
	return fmt.Sprint(v), true
}

// pathParams matches a request path against an operation's template and
// returns the path parameters' values. The run knows the operation it
// sent, so matching its segments is all routing needs.
func pathParams(template, path string) (map[string]string, bool) {
	want := strings.Split(strings.Trim(template, "/"), "/")
	got := strings.Split(strings.Trim(path, "/"), "/")
	if len(want) != len(got) {
		return nil, false
	}
	out := map[string]string{}
	for i, w := range want {
		if strings.HasPrefix(w, "{") && strings.HasSuffix(w, "}") {
			v, err := url.PathUnescape(got[i])
			if err != nil {
				return nil, false
			}
			out[w[1:len(w)-1]] = v
		} else if w != got[i] {
			return nil, false
		}
	}
	return out, true
}

// setEscapedPath sets u's path from its escaped form (what expand builds).
func setEscapedPath(u *url.URL, escaped string) error {
	path, err := url.PathUnescape(escaped)
	if err != nil {
		return err
	}
	u.Path, u.RawPath = path, escaped
	return nil
}

// expand fills an operation's path template, each value escaped.
func expand(template string, params map[string]string) (string, error) {
	var b strings.Builder
	for i, seg := range strings.Split(template, "/") {
		if i > 0 {
			b.WriteByte('/')
		}
		if strings.HasPrefix(seg, "{") && strings.HasSuffix(seg, "}") {
			v, ok := params[seg[1:len(seg)-1]]
			if !ok {
				return "", fmt.Errorf("no value for path parameter %s", seg)
			}
			seg = url.PathEscape(v)
		}
		b.WriteString(seg)
	}
	return b.String(), nil
}
