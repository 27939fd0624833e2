package casegen

import (
	"errors"
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/go-openapi/jsonpointer"
)

// valid is a value the schema accepts, in the document's own words: its
// example, its default or its first enum value; for an object without one,
// the object of its properties' own. A schema without any is an error that
// the caller names the place of: the contract gives an example for every
// body and parameter (its tests and Dredd's dry run require them), and a
// value made up here from types and bounds would be evidence of this
// package's guesses, not of the contract.
func valid(s *openapi3.Schema, depth int) (any, error) {
	switch {
	case s == nil:
		return "value", nil
	case depth > 8:
		return nil, errors.New("schema nests deeper than 8 levels")
	case s.Example != nil:
		return s.Example, nil
	case s.Default != nil:
		return s.Default, nil
	case len(s.Enum) > 0:
		return s.Enum[0], nil
	case typeOf(s) != openapi3.TypeObject && typeOf(s) != "":
		return nil, errors.New("no example, default or enum to send: give its schema an example")
	}
	out := map[string]any{}
	for _, name := range sortedKeys(s.Properties) {
		p := s.Properties[name].Value
		if p.ReadOnly || p.WriteOnly {
			continue
		}
		v, err := valid(p, depth+1)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		out[name] = v
	}
	return out, nil
}

// breakage is one value that breaks one rule of a schema.
type breakage struct {
	pointer string // JSON pointer of the broken value, below the value's own place
	rule    string // the JSON Schema keyword broken
	value   any    // the whole value, with that one part broken
}

// breakages lists values that each break exactly one keyword of s, found
// from its keywords; good is a value s accepts. Only keywords that
// constrain are broken (an unknown format checks nothing, so it is not).
// In a request (req), a property with a default is not broken by null:
// openapi3filter reads a null there as the default, as a server may.
func breakages(s *openapi3.Schema, good any, depth int, req bool) []breakage {
	if s == nil || depth > 6 {
		return nil
	}
	var out []breakage
	add := func(rule string, v any) { out = append(out, breakage{rule: rule, value: v}) }
	typ := typeOf(s)
	if typ != "" && len(s.OneOf)+len(s.AnyOf)+len(s.AllOf) == 0 {
		add("type", wrongType(typ))
		if !s.Nullable {
			add("nullable", nil)
		}
	}
	switch typ {
	case openapi3.TypeString:
		str, _ := good.(string)
		if s.MinLength > 0 {
			add("minLength", truncateRunes(str, int(s.MinLength)-1))
		}
		if s.MaxLength != nil {
			add("maxLength", str+strings.Repeat("a", int(*s.MaxLength)-len([]rune(str))+1))
		}
		if s.Pattern != "" {
			if re, err := regexp.Compile(s.Pattern); err == nil {
				// A letter in place of the first character keeps the length,
				// for a pattern whose string has a fixed length (a "z" is no
				// hex digit, and needs no escaping in a path).
				_, first := utf8.DecodeRuneInString(str)
				sameLength := "z" + str[first:]
				for _, bad := range []string{strings.ToUpper(str), str + "!", "!" + str, sameLength, str[:len(str)/2]} {
					if bad != str && !re.MatchString(bad) && lengthOK(s, bad) {
						add("pattern", bad)
						break
					}
				}
			}
		}
		if s.Format != "" && knownFormat(s.Format) {
			add("format", "not a "+s.Format)
		}
		if len(s.Enum) > 0 {
			add("enum", "not-one-of-the-enum")
		}
	case openapi3.TypeInteger, openapi3.TypeNumber:
		if s.Min != nil {
			add("minimum", *s.Min-1)
		}
		if s.Max != nil {
			add("maximum", *s.Max+1)
		}
		if typ == openapi3.TypeInteger {
			add("type", 1.5)
		}
	case openapi3.TypeArray:
		arr, _ := good.([]any)
		if s.MinItems > 0 {
			add("minItems", arr[:s.MinItems-1])
		}
		if s.MaxItems != nil && len(arr) > 0 {
			more := slices.Clone(arr)
			for uint64(len(more)) <= *s.MaxItems {
				more = append(more, arr[0])
			}
			add("maxItems", more)
		}
		if s.Items != nil && len(arr) > 0 {
			for _, b := range breakages(s.Items.Value, arr[0], depth+1, req) {
				broken := slices.Clone(arr)
				broken[0] = b.value
				out = append(out, breakage{pointer: "/0" + b.pointer, rule: b.rule, value: broken})
			}
		}
	case openapi3.TypeObject:
		obj, _ := good.(map[string]any)
		for _, name := range s.Required {
			broken := maps.Clone(obj)
			delete(broken, name)
			out = append(out, breakage{pointer: "/" + jsonpointer.Escape(name), rule: "required", value: broken})
		}
		if s.AdditionalProperties.Has != nil && !*s.AdditionalProperties.Has {
			broken := maps.Clone(obj)
			broken["undeclaredProperty"] = 1.0
			out = append(out, breakage{pointer: "/undeclaredProperty", rule: "additionalProperties", value: broken})
		}
		for _, name := range sortedKeys(s.Properties) {
			p := s.Properties[name].Value
			v, ok := obj[name]
			if !ok || p.ReadOnly || p.WriteOnly {
				continue
			}
			for _, b := range breakages(p, v, depth+1, req) {
				if b.rule == "nullable" && (!slices.Contains(s.Required, name) && p.Nullable || req && b.pointer == "" && p.Default != nil) {
					continue
				}
				broken := maps.Clone(obj)
				broken[name] = b.value
				out = append(out, breakage{pointer: "/" + jsonpointer.Escape(name) + b.pointer, rule: b.rule, value: broken})
			}
		}
	}
	return out
}

func lengthOK(s *openapi3.Schema, v string) bool {
	n := uint64(len([]rune(v)))
	return n >= s.MinLength && (s.MaxLength == nil || n <= *s.MaxLength)
}

func truncateRunes(s string, n int) string {
	r := []rune(s)
	if n < 0 {
		n = 0
	}
	if len(r) <= n {
		return s
	}
	return string(r[:n])
}

// wrongType is a value of another JSON type.
func wrongType(typ string) any {
	switch typ {
	case openapi3.TypeString:
		return 12345.0
	case openapi3.TypeInteger, openapi3.TypeNumber:
		return "not-a-number"
	case openapi3.TypeBoolean:
		return "not-a-boolean"
	case openapi3.TypeArray:
		return map[string]any{"not": "an array"}
	}
	return []any{"not", "an", "object"}
}

func typeOf(s *openapi3.Schema) string {
	if s == nil || s.Type == nil || len(*s.Type) != 1 {
		return ""
	}
	return (*s.Type)[0]
}

// knownFormat reports whether a string format is checked: registered in
// kin-openapi's string formats, which the validators under test read. An
// unknown format (password) checks nothing and is never "broken".
func knownFormat(f string) bool {
	_, ok := openapi3.SchemaStringFormats[f]
	return ok
}

// sortedKeys makes every walk over the document's maps deterministic.
func sortedKeys[M ~map[string]V, V any](m M) []string { return slices.Sorted(maps.Keys(m)) }

// bounds lists values at the edges the schema allows, each still valid: an
// array that may be empty sent empty, one with maxItems full; a plain
// string at its minLength and maxLength. good is a valid value.
func bounds(s *openapi3.Schema, good any, depth int) []breakage {
	if s == nil || depth > 6 {
		return nil
	}
	var out []breakage
	switch typeOf(s) {
	case openapi3.TypeArray:
		arr, _ := good.([]any)
		if s.MinItems == 0 && len(arr) > 0 {
			out = append(out, breakage{rule: "minItems", value: []any{}})
		}
		if s.MaxItems != nil && len(arr) > 0 && *s.MaxItems <= 64 {
			full := make([]any, *s.MaxItems)
			for i := range full {
				full[i] = arr[0]
			}
			out = append(out, breakage{rule: "maxItems", value: full})
		}
	case openapi3.TypeString:
		if s.Pattern != "" || s.Format != "" || len(s.Enum) > 0 {
			break
		}
		if s.MinLength > 0 {
			out = append(out, breakage{rule: "minLength", value: strings.Repeat("a", int(s.MinLength))})
		}
		if s.MaxLength != nil && *s.MaxLength <= 4096 {
			out = append(out, breakage{rule: "maxLength", value: strings.Repeat("a", int(*s.MaxLength))})
		}
	case openapi3.TypeObject:
		obj, _ := good.(map[string]any)
		for _, name := range sortedKeys(s.Properties) {
			v, ok := obj[name]
			if !ok {
				continue
			}
			for _, b := range bounds(s.Properties[name].Value, v, depth+1) {
				edged := maps.Clone(obj)
				edged[name] = b.value
				out = append(out, breakage{pointer: "/" + jsonpointer.Escape(name) + b.pointer, rule: b.rule, value: edged})
			}
		}
	}
	return out
}
