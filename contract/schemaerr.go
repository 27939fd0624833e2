package contract

import (
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/seed-5c49e0d7/linktoken/internal/specmarks"
)

// schemaViolations turns what kin-openapi's schema validator returned into
// violations, each with a JSON pointer below prefix. A value that breaks
// several keywords (an orgId both too short and off its pattern) is one
// violation, of the first keyword kin-openapi reports.
func (c *checker) schemaViolations(side Side, part Part, prefix string, err error) Violations {
	if err == nil {
		return nil
	}
	var out Violations
	c.collectSchemaErrors(&out, side, part, prefix, err)
	if len(out) < 2 {
		return out
	}
	// One violation per pointer, the first: a set, so that a body with a
	// million bad entries costs a million steps, not a million squared.
	seen := make(map[string]struct{}, len(out))
	kept := out[:0]
	for _, x := range out {
		if _, dup := seen[x.Pointer]; !dup {
			seen[x.Pointer] = struct{}{}
			kept = append(kept, x)
		}
	}
	return kept
}

func (c *checker) collectSchemaErrors(out *Violations, side Side, part Part, prefix string, err error) {
	if me, ok := err.(openapi3.MultiError); ok { // the list itself, not one an error wraps
		for _, e := range me {
			c.collectSchemaErrors(out, side, part, prefix, e)
		}
		return
	}
	var se *openapi3.SchemaError
	if !errors.As(err, &se) {
		*out = append(*out, c.violation(side, part, prefix, "schema", "a value the schema accepts", err.Error()))
		return
	}
	ptr := prefix
	for _, k := range se.JSONPointer() {
		ptr += "/" + pointerEscape(k)
	}
	rule, expected, found := describeSchemaError(se)
	if rule == RuleAdditionalProps {
		if name, ok := unsupportedProperty(se.Reason); ok {
			ptr += "/" + pointerEscape(name)
		}
	}
	*out = append(*out, c.violation(side, part, ptr, rule, expected, found))
}

// unsupportedProperty reads the property name out of kin-openapi's
// `property "x" is unsupported`.
func unsupportedProperty(reason string) (string, bool) {
	rest, ok := strings.CutPrefix(reason, "property ")
	if !ok {
		return "", false
	}
	rest, ok = strings.CutSuffix(rest, " is unsupported")
	if !ok {
		return "", false
	}
	name, err := strconv.Unquote(rest)
	return name, err == nil
}

// describeSchemaError names the rule a value broke, what the schema wants and
// what the value was. A value whose schema is a secret's (format: password,
// as the contract marks the link-token) is described by kind and size only.
func describeSchemaError(se *openapi3.SchemaError) (rule, expected, found string) {
	s := se.Schema
	secret := specmarks.Secret(s)
	show := func() string {
		if secret {
			return describeKind(se.Value)
		}
		return describeValue(se.Value)
	}
	rule = se.SchemaField
	switch se.SchemaField {
	case "type":
		return rule, typeOf(s), describeKind(se.Value)
	case "nullable":
		return "type", typeOf(s) + " (not null)", "null"
	case "pattern":
		return rule, "a string matching " + s.Pattern, show()
	case "format":
		found = show()
		if se.Origin != nil && !secret {
			// kin-openapi's message is `string doesn't match the format "f": <why>`;
			// the why (which quotes the value) is what a reader needs.
			found = se.Origin.Error()
			if _, why, ok := strings.Cut(found, `": `); ok {
				found = why
			}
		}
		return rule, "format " + s.Format, found
	case "minLength":
		return rule, fmt.Sprintf("at least %d characters", s.MinLength), lengthOf(se.Value)
	case "maxLength":
		if s.MaxLength != nil {
			return rule, fmt.Sprintf("at most %d characters", *s.MaxLength), lengthOf(se.Value)
		}
	case "minimum":
		if s.Min != nil {
			return rule, fmt.Sprintf("a number >= %v", *s.Min), describeValue(se.Value)
		}
	case "maximum":
		if s.Max != nil {
			return rule, fmt.Sprintf("a number <= %v", *s.Max), describeValue(se.Value)
		}
	case "required":
		return RuleRequired, "the property (required)", "absent"
	case "properties":
		if name, ok := unsupportedProperty(se.Reason); ok {
			return RuleAdditionalProps, "only " + propertyNames(s), "undeclared property " + strconv.Quote(name)
		}
	case "enum":
		return rule, fmt.Sprintf("one of %v", s.Enum), show()
	case "minItems":
		return rule, fmt.Sprintf("at least %d items", s.MinItems), describeKind(se.Value)
	case "oneOf", "anyOf", "allOf", "not":
		return rule, "a value matching " + rule, describeKind(se.Value)
	}
	if rule == "" {
		rule = "schema"
	}
	return rule, se.Reason, show()
}

func propertyNames(s *openapi3.Schema) string {
	return strings.Join(slices.Sorted(maps.Keys(s.Properties)), ", ")
}

func typeOf(s *openapi3.Schema) string {
	if s == nil || s.Type == nil || len(*s.Type) == 0 {
		return "any"
	}
	return strings.Join(*s.Type, " or ")
}

// describeKind names a JSON value's type.
func describeKind(v any) string {
	switch x := v.(type) {
	case nil:
		return "null"
	case string:
		return "string"
	case bool:
		return "boolean"
	case float64:
		if x == float64(int64(x)) {
			return "integer"
		}
		return "number"
	case json.Number, int, int64:
		return "number"
	case []any:
		return "array"
	case map[string]any:
		return "object"
	}
	return fmt.Sprintf("%T", v)
}

// describeValue shows a scalar, and the kind of anything bigger.
func describeValue(v any) string {
	switch x := v.(type) {
	case string:
		if len(x) > 80 {
			x = x[:77] + "..."
		}
		return strconv.Quote(x)
	case float64:
		return strconv.FormatFloat(x, 'g', -1, 64)
	case bool:
		return strconv.FormatBool(x)
	case nil:
		return "null"
	}
	return describeKind(v)
}

func lengthOf(v any) string {
	if s, ok := v.(string); ok {
		return fmt.Sprintf("%d characters", utf8.RuneCountInString(s))
	}
	return describeKind(v)
}
