package main

import (
	"errors"
	"fmt"
	"maps"
	"reflect"
	"slices"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"
)

// What oasdiff cannot compare: the contract's own extensions (x-atlas-*),
// which change what `linktoken check` accepts and what the in-memory server
// serves, and the document's servers, which oasdiff does not compare at all.
// A change that makes the check refuse traffic it accepted, or a server refuse
// a request it served, is breaking, whatever field says so. Each extension the
// contract package reads is judged by what it means there:
//
//   - x-atlas-media-types on a server (contract/mediatype.go): the media types
//     of request and response bodies on that server. A request type removed
//     narrows (the check refuses bodies it accepted); one added widens. A
//     response type removed narrows what servers may send; one added hands
//     clients a type they were not promised; both break. The extension added
//     to a server that had none restricts what was unrestricted (narrows);
//     removed, it lifts the restriction (widens requests, loosens responses).
//   - x-atlas-servers on a security scheme (contract/validator.go): the
//     servers that accept the scheme, every server when absent. A server no
//     longer accepting it narrows; a server more, or the extension removed,
//     widens.
//   - x-atlas-assumed anywhere (internal/conform): the assumptions
//     `linktoken conform` probes. No verdict of the check depends on it, so no
//     change to it breaks.
//
// Any other x-atlas-* extension, or one of these where no reader looks, is
// something this comparison cannot judge: a change to it is breaking until
// accepted (accepted-breaks.yaml).

const (
	extMediaTypes = "x-atlas-media-types"
	extServers    = "x-atlas-servers"
	extAssumed    = "x-atlas-assumed"
	extPrefix     = "x-atlas-"
)

// contractChange is one change between two contracts that a rule judged.
type contractChange struct {
	where    string // file:line of whichever side holds it
	level    string // "error" or "warning" when breaking, "info" when not
	what     string // the operation, or the place in the document
	text     string
	rule     string
	breaking bool
}

// key names the change without its line, which moves with every edit above
// it: what accepted-breaks.yaml quotes.
func (c contractChange) key() string {
	return fmt.Sprintf("%s: %s [%s]", c.what, c.text, c.rule)
}

// line is how the check prints the change.
func (c contractChange) line() string {
	return fmt.Sprintf("%s: %s: %s", c.where, c.level, c.key())
}

// extension is one x-atlas-* extension in a document.
type extension struct {
	name  string
	owner []string // the path of the object holding it, as segments
	value any
	line  int
}

// document is what the comparison reads of one contract.
type document struct {
	file       string // what lines call it
	servers    map[string]int
	extensions map[string]*extension // by place(owner) + "." + name
}

// readDocument collects a contract's servers and x-atlas-* extensions.
func readDocument(content []byte, file string) (*document, error) {
	var root yaml.Node
	if err := yaml.Unmarshal(content, &root); err != nil {
		return nil, fmt.Errorf("%s: %w", file, err)
	}
	d := &document{file: file, servers: map[string]int{}, extensions: map[string]*extension{}}
	if len(root.Content) == 0 {
		return d, nil
	}
	if err := d.walk(root.Content[0], nil); err != nil {
		return nil, fmt.Errorf("%s: %w", file, err)
	}
	if top := mappingValue(root.Content[0], "servers"); top != nil && top.Kind == yaml.SequenceNode {
		for _, s := range top.Content {
			if u := mappingValue(s, "url"); u != nil {
				d.servers[normalURL(u.Value)] = s.Line
			}
		}
	}
	return d, nil
}

func (d *document) walk(n *yaml.Node, owner []string) error {
	switch n.Kind {
	case yaml.MappingNode:
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, v := n.Content[i], n.Content[i+1]
			if strings.HasPrefix(k.Value, extPrefix) {
				var value any
				if err := v.Decode(&value); err != nil {
					return fmt.Errorf("line %d: %s: %w", k.Line, k.Value, err)
				}
				e := &extension{name: k.Value, owner: slices.Clone(owner), value: value, line: k.Line}
				d.extensions[place(owner)+"."+k.Value] = e
				continue
			}
			if err := d.walk(v, append(owner, k.Value)); err != nil {
				return err
			}
		}
	case yaml.SequenceNode:
		for i, item := range n.Content {
			if err := d.walk(item, append(owner, "["+itemName(item, i)+"]")); err != nil {
				return err
			}
		}
	}
	return nil
}

// itemName names an item of a list by what identifies it (a server's URL, a
// parameter's place and name, a reference), so that reordering a list moves
// no extension; by its index otherwise.
func itemName(n *yaml.Node, i int) string {
	if u := mappingValue(n, "url"); u != nil {
		return normalURL(u.Value)
	}
	if ref := mappingValue(n, "$ref"); ref != nil {
		return ref.Value
	}
	if name, in := mappingValue(n, "name"), mappingValue(n, "in"); name != nil && in != nil {
		return in.Value + ":" + name.Value
	}
	return fmt.Sprint(i)
}

func mappingValue(n *yaml.Node, key string) *yaml.Node {
	if n.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value == key {
			return n.Content[i+1]
		}
	}
	return nil
}

// place prints an owner path: components.securitySchemes.ServiceAccounts, servers[https://…].
func place(owner []string) string {
	var b strings.Builder
	for _, seg := range owner {
		if b.Len() > 0 && !strings.HasPrefix(seg, "[") {
			b.WriteByte('.')
		}
		b.WriteString(seg)
	}
	return b.String()
}

// normalURL compares server URLs as contract/ does: without a trailing slash.
func normalURL(u string) string { return strings.TrimSuffix(u, "/") }

// extensionChanges compares the servers and x-atlas-* extensions of two
// contracts, breaking changes and the others.
func extensionChanges(base, rev *document) []contractChange {
	var out []contractChange
	for _, u := range slices.Sorted(maps.Keys(base.servers)) {
		if _, ok := rev.servers[u]; !ok {
			out = append(out, contractChange{
				where: fmt.Sprintf("%s:%d", base.file, base.servers[u]), level: "error", what: "servers[" + u + "]",
				text: "the server was removed: the check refuses every exchange on it", rule: "server-removed", breaking: true,
			})
		}
	}
	// Both sides' keys, sorted once.
	keys := slices.Collect(maps.Keys(base.extensions))
	for k := range rev.extensions {
		if _, ok := base.extensions[k]; !ok {
			keys = append(keys, k)
		}
	}
	slices.Sort(keys)
	for _, k := range keys {
		old, cur := base.extensions[k], rev.extensions[k]
		e := cur
		if e == nil {
			e = old
		}
		var changes []contractChange
		switch {
		case e.name == extMediaTypes && len(e.owner) == 2 && e.owner[0] == "servers":
			if _, kept := rev.servers[strings.Trim(e.owner[1], "[]")]; cur == nil && !kept {
				continue // the server's removal says it all
			}
			changes = mediaTypeChanges(old, cur)
		case e.name == extServers && len(e.owner) == 3 && e.owner[0] == "components" && e.owner[1] == "securitySchemes":
			changes = schemeServerChanges(base, rev, old, cur)
		case e.name == extAssumed:
			if !reflect.DeepEqual(valueOf(old), valueOf(cur)) {
				changes = []contractChange{{
					text: fmt.Sprintf("assumptions changed from %s to %s: what `linktoken conform` probes, no verdict of the check", show(old), show(cur)),
					rule: extAssumed + "-changed",
				}}
			}
		default:
			changes = unjudged(old, cur, errors.New("no rule here knows what it means in this place"))
		}
		for _, c := range changes {
			c.what = place(e.owner) + "." + e.name
			if cur != nil {
				c.where = fmt.Sprintf("%s:%d", rev.file, cur.line)
			} else {
				c.where = fmt.Sprintf("%s:%d", base.file, old.line)
			}
			c.level = "info"
			if c.breaking {
				c.level = "error"
			}
			out = append(out, c)
		}
	}
	return out
}

// unjudged is a change to an extension that no rule can judge, why: breaking
// unless accepted, rather than passed unseen.
func unjudged(old, cur *extension, why error) []contractChange {
	if reflect.DeepEqual(valueOf(old), valueOf(cur)) {
		return nil
	}
	return []contractChange{{
		text: fmt.Sprintf("changed from %s to %s, which cannot be judged (%v): breaking unless accepted", show(old), show(cur), why),
		rule: "x-atlas-unjudged", breaking: true,
	}}
}

func show(e *extension) string {
	if e == nil {
		return "absent"
	}
	return fmt.Sprintf("%v", e.value)
}

// mediaTypeChanges judges a server's x-atlas-media-types.
func mediaTypeChanges(old, cur *extension) []contractChange {
	oldLists, oldErr := mediaTypeLists(old)
	curLists, curErr := mediaTypeLists(cur)
	if err := errors.Join(oldErr, curErr); err != nil {
		return unjudged(old, cur, err)
	}
	var out []contractChange
	for _, key := range []string{"requests", "responses"} {
		o, c := oldLists[key], curLists[key]
		switch {
		case o == nil && c == nil:
		case o == nil:
			out = append(out, contractChange{
				text:     fmt.Sprintf("%s: any declared media type was accepted, now only %q: the check refuses what it accepted", key, c),
				rule:     extMediaTypes + "-" + key + "-restricted",
				breaking: true,
			})
		case c == nil:
			// Requests: the check accepts more. Responses: clients may get a type they were not promised.
			out = append(out, contractChange{
				text:     fmt.Sprintf("%s: only %q was accepted, now any declared media type", key, o),
				rule:     extMediaTypes + "-" + key + "-unrestricted",
				breaking: key == "responses",
			})
		default:
			for _, p := range o {
				if !coveredBy(p, c) {
					out = append(out, contractChange{
						text:     fmt.Sprintf("%s: `%s` removed: the check refuses %s bodies it accepted", key, p, strings.TrimSuffix(key, "s")),
						rule:     extMediaTypes + "-" + strings.TrimSuffix(key, "s") + "-removed",
						breaking: true,
					})
				}
			}
			for _, p := range c {
				if !coveredBy(p, o) {
					text := "requests: `" + p + "` added: the check accepts more request bodies"
					if key == "responses" {
						text = "responses: `" + p + "` added: clients may receive bodies in a media type they were not promised"
					}
					out = append(out, contractChange{
						text: text, rule: extMediaTypes + "-" + strings.TrimSuffix(key, "s") + "-added", breaking: key == "responses",
					})
				}
			}
		}
	}
	return out
}

func valueOf(e *extension) any {
	if e == nil {
		return nil
	}
	return e.value
}

// mediaTypeLists reads x-atlas-media-types as contract/ does: an object with
// the lists "requests" and "responses", lower case. Absent, it restricts
// nothing (nil lists).
func mediaTypeLists(e *extension) (map[string][]string, error) {
	out := map[string][]string{}
	if e == nil {
		return out, nil
	}
	obj, ok := e.value.(map[string]any)
	if !ok {
		return nil, fmt.Errorf("not an object")
	}
	for key, val := range obj {
		if key != "requests" && key != "responses" {
			return nil, fmt.Errorf("unknown key %q", key)
		}
		list, ok := val.([]any)
		if !ok {
			return nil, fmt.Errorf("%s: not a list", key)
		}
		out[key] = []string{}
		for _, x := range list {
			s, ok := x.(string)
			if !ok {
				return nil, fmt.Errorf("%s: not a list of strings", key)
			}
			out[key] = append(out[key], strings.ToLower(s))
		}
	}
	return out, nil
}

// coveredBy reports whether every body media type p allows is allowed by one
// of list: the same pattern, or a literal that a {version} template matches.
func coveredBy(p string, list []string) bool {
	for _, q := range list {
		if q == p {
			return true
		}
		before, after, templated := strings.Cut(q, "{version}")
		if !templated || strings.Contains(p, "{version}") ||
			len(p) <= len(before)+len(after) || !strings.HasPrefix(p, before) || !strings.HasSuffix(p, after) {
			continue
		}
		if _, err := time.Parse(time.DateOnly, p[len(before):len(p)-len(after)]); err == nil {
			return true
		}
	}
	return false
}

// schemeServerChanges judges a security scheme's x-atlas-servers: the servers
// it is accepted on, every server of the document when absent.
func schemeServerChanges(base, rev *document, old, cur *extension) []contractChange {
	oldOn, oldErr := acceptedOn(base, old)
	curOn, curErr := acceptedOn(rev, cur)
	if err := errors.Join(oldErr, curErr); err != nil {
		return unjudged(old, cur, err)
	}
	var out []contractChange
	for _, u := range oldOn {
		if _, still := rev.servers[u]; still && !slices.Contains(curOn, u) {
			out = append(out, contractChange{
				text: "no longer accepted on " + u + ": the check and the server refuse requests they accepted",
				rule: extServers + "-narrowed", breaking: true,
			})
		}
	}
	for _, u := range curOn {
		if !slices.Contains(oldOn, u) {
			out = append(out, contractChange{text: "now accepted on " + u, rule: extServers + "-widened"})
		}
	}
	return out
}

// acceptedOn lists the servers of d that accept a scheme with extension e.
func acceptedOn(d *document, e *extension) ([]string, error) {
	if e == nil {
		return slices.Sorted(maps.Keys(d.servers)), nil
	}
	list, ok := e.value.([]any)
	if !ok {
		return nil, fmt.Errorf("not a list")
	}
	var on []string
	for _, x := range list {
		s, ok := x.(string)
		if !ok {
			return nil, fmt.Errorf("not a list of strings")
		}
		if _, ok := d.servers[normalURL(s)]; ok {
			on = append(on, normalURL(s))
		}
	}
	return on, nil
}
