package conform

import (
	"encoding/json"
	"fmt"
	"maps"
	"net/http"
	"slices"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/seed-5c49e0d7/linktoken/generated/spec"
	"github.com/seed-5c49e0d7/linktoken/internal/casegen"
	"github.com/seed-5c49e0d7/linktoken/internal/orgid"
	"github.com/seed-5c49e0d7/linktoken/internal/specformats"
)

// Probes ask the server what the contract only assumes. The contract names
// each assumption in the extension x-atlas-assumed; each name has a probe
// here that sends the request that would tell, and reports what the server
// did (TestEveryAssumptionHasAProbe keeps the two together).

// probeFunc builds, from a positive request of an operation that takes a
// body (or any positive request when the probe needs no body), the request
// that tells; and reads the answer.
type probeFunc struct {
	needsBody bool
	what      string
	build     func(c casegen.Case, at string) (casegen.Case, bool)
}

var probes = map[string]probeFunc{
	"cidr-host-bits": {true, "an access list entry that is a CIDR block with host bits set (10.0.0.1/24)",
		func(c casegen.Case, at string) (casegen.Case, bool) {
			return withBodyValue(c, at, "10.0.0.1/24")
		}},
	"access-list-null": {true, "an access list sent as null ({\"accessListIps\":null})",
		func(c casegen.Case, at string) (casegen.Case, bool) {
			return withBodyValue(c, at, nil)
		}},
	"orgid-upper-case": {false, "the organization id in upper-case hex", func(c casegen.Case, _ string) (casegen.Case, bool) {
		segs := strings.Split(c.Request.URL.Path, "/")
		changed := false
		for i, seg := range segs {
			if orgid.Valid(seg) && strings.ToUpper(seg) != seg {
				segs[i], changed = strings.ToUpper(seg), true
			}
		}
		c.Request.URL.Path, c.Request.URL.RawPath = strings.Join(segs, "/"), ""
		return c, changed
	}},
	"envelope-status-line": {false, "envelope=true on a request that succeeds", func(c casegen.Case, _ string) (casegen.Case, bool) {
		return withQuery(c, "envelope", "true"), true
	}},
	"envelope-challenge": {false, "envelope=true without credentials", func(c casegen.Case, _ string) (casegen.Case, bool) {
		c = withQuery(c, "envelope", "true")
		c.Request.Header.Del("Authorization")
		return c, true
	}},
	"version-before-resource": {false, "an Accept version date before the resource's first version (2001-01-01)", func(c casegen.Case, _ string) (casegen.Case, bool) {
		accept := c.Request.Header.Get("Accept")
		if !strings.Contains(accept, "vnd.") {
			return c, false // a server without versions
		}
		c.Request.Header = c.Request.Header.Clone()
		c.Request.Header.Set("Accept", replaceDate(accept, "2001-01-01"))
		return c, true
	}},
	"unsupported-media-type": {true, "a JSON body sent as text/plain", func(c casegen.Case, _ string) (casegen.Case, bool) {
		c.Request.Header = c.Request.Header.Clone()
		c.Request.Header.Set("Content-Type", "text/plain")
		return c, true
	}},
	"payload-too-large": {true, "a request body of 2 MiB", func(c casegen.Case, _ string) (casegen.Case, bool) {
		c.Request.Body = []byte(`{"padding":"` + strings.Repeat("x", 2<<20) + `"}`)
		return c, true
	}},
}

// planProbes builds a probe for each assumption the contract names, on
// each server the plan exercises.
func planProbes(doc *openapi3.T, plan []planned) []planned {
	var out []planned
	assumed := Assumptions(doc)
	// Probes start from each operation's plain conforming request (not a
	// variant: a later Accept date, an empty list), in plan order.
	var bases []planned
	for _, p := range plan {
		if p.kind == Positive && plain(p) {
			bases = append(bases, p)
		}
	}
	for _, name := range slices.Sorted(maps.Keys(assumed)) {
		pf, ok := probes[name]
		done := map[string]bool{}
		for _, p := range bases {
			if p.kind != Positive || done[p.server] || pf.needsBody && len(p.c.Request.Body) == 0 {
				continue
			}
			if !ok {
				out = append(out, planned{kind: Probe, name: "assumption " + name + " on " + p.server, server: p.server, c: p.c, authed: true,
					probe: func(Outcome, []byte) string { return "no probe for this assumption in this build of linktoken" }})
				done[p.server] = true
				continue
			}
			c, applies := pf.build(cloneCase(p.c), assumed[name])
			if !applies {
				continue
			}
			done[p.server] = true
			what := pf.what
			out = append(out, planned{kind: Probe, name: "assumption " + name + " on " + p.server, server: p.server, operation: p.operation, c: c,
				authed: c.Request.Header.Get("Authorization") != "", probe: func(o Outcome, body []byte) string {
					return "sent " + what + "; answered " + answer(o.Status, body)
				}})
		}
	}
	return out
}

// answer describes a response for an observation: its status, errorCode,
// and whether its body is an envelope.
func answer(status int, body []byte) string {
	s := fmt.Sprintf("%d %s", status, http.StatusText(status))
	code, inner, enveloped := bodyFields(body)
	if code != "" {
		s += " " + code
	}
	if enveloped {
		s += fmt.Sprintf(", enveloped (status %d in the body)", inner)
	}
	return s
}

// bodyFields reads what conform reports of a JSON object body: Atlas's
// errorCode, and the status an envelope carries inside it.
func bodyFields(body []byte) (code string, inner int, enveloped bool) {
	var obj map[string]any
	if json.Unmarshal(body, &obj) != nil {
		return "", 0, false
	}
	code, _ = obj["errorCode"].(string)
	status, enveloped := obj["status"].(float64)
	return code, int(status), enveloped
}

// Assumptions lists the assumptions the contract names (x-atlas-assumed),
// each with the JSON pointer, into a request body, of the value it is
// about ("" when it is not about a body value).
func Assumptions(doc *openapi3.T) map[string]string {
	out := map[string]string{}
	note := func(ext map[string]any, at string) {
		list, _ := ext["x-atlas-assumed"].([]any)
		for _, x := range list {
			if s, ok := x.(string); ok {
				if _, seen := out[s]; !seen || at != "" {
					out[s] = at
				}
			}
		}
	}
	var walk func(s *openapi3.SchemaRef, at string, seen map[*openapi3.Schema]bool)
	walk = func(s *openapi3.SchemaRef, at string, seen map[*openapi3.Schema]bool) {
		if s == nil || s.Value == nil || seen[s.Value] {
			return
		}
		seen[s.Value] = true
		note(s.Value.Extensions, at)
		for name, p := range s.Value.Properties {
			walk(p, at+"/"+name, seen)
		}
		walk(s.Value.Items, at+"/0", seen)
	}
	for _, s := range doc.Servers {
		note(s.Extensions, "")
	}
	for _, r := range doc.Components.Responses {
		note(r.Value.Extensions, "")
	}
	for _, p := range doc.Components.Parameters {
		note(p.Value.Extensions, "")
	}
	for _, path := range doc.Paths.InMatchingOrder() {
		item := doc.Paths.Value(path)
		for _, op := range item.Operations() {
			for _, p := range append(item.Parameters, op.Parameters...) {
				note(p.Value.Extensions, "")
			}
			if op.RequestBody != nil && op.RequestBody.Value != nil {
				for _, m := range op.RequestBody.Value.Content {
					walk(m.Schema, "", map[*openapi3.Schema]bool{})
				}
			}
			for _, r := range op.Responses.Map() {
				note(r.Value.Extensions, "")
			}
		}
	}
	return out
}

func withQuery(c casegen.Case, name, value string) casegen.Case {
	u := *c.Request.URL
	q := u.Query()
	q.Set(name, value)
	u.RawQuery = q.Encode()
	c.Request.URL = &u
	return c
}

// withBodyValue sets the value at a JSON pointer of the request body.
func withBodyValue(c casegen.Case, at string, value any) (casegen.Case, bool) {
	var body any
	if at == "" || json.Unmarshal(c.Request.Body, &body) != nil {
		return c, false
	}
	parts := strings.Split(strings.TrimPrefix(at, "/"), "/")
	cur := body
	for i, p := range parts {
		last := i == len(parts)-1
		switch x := cur.(type) {
		case map[string]any:
			if last {
				x[p] = value
			} else {
				cur = x[p]
			}
		case []any:
			if len(x) == 0 {
				return c, false
			}
			if last {
				x[0] = value
			} else {
				cur = x[0]
			}
		default:
			return c, false
		}
	}
	c.Request.Body, _ = json.Marshal(body)
	return c, true
}

func replaceDate(mt, date string) string {
	for i := 0; i+10 <= len(mt); i++ {
		if mt[i] >= '0' && mt[i] <= '9' && mt[i+4] == '-' && mt[i+7] == '-' {
			return mt[:i] + date + mt[i+10:]
		}
	}
	return mt
}

func cloneCase(c casegen.Case) casegen.Case {
	u := *c.Request.URL
	c.Request.URL = &u
	c.Request.Header = c.Request.Header.Clone()
	c.Request.Body = append([]byte(nil), c.Request.Body...)
	return c
}

func embeddedDoc() (*openapi3.T, error) {
	specformats.Register()
	return spec.GetSpec()
}
