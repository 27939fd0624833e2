package contract

import (
	"math"
	"reflect"
	"regexp"
	"unicode/utf8"

	"github.com/getkin/kin-openapi/openapi3"
)

// A quick check is an accept-only pre-check compiled from a schema: true
// means kin-openapi's VisitJSON accepts the value too, so it need not run;
// false means "ask kin-openapi", which then decides and names every
// violation. It is therefore never less strict than kin-openapi, only
// faster on the common case (a conforming value): no settings to build, no
// error values, no reflection. Schemas using any keyword it does not
// handle compile to nil and always go to kin-openapi.
type quick func(v any) bool

// quickKeywords are the Schema fields a quick check handles, or that do not
// affect validation (annotations). Any other non-zero field, including
// fields a future kin-openapi adds, leaves the schema to kin-openapi.
var quickKeywords = map[string]bool{
	"Extensions": true, "Origin": true, "Title": true, "Description": true, "Default": true,
	"Example": true, "Examples": true, "ExternalDocs": true, "Deprecated": true, "XML": true, "Comment": true,
	"Type": true, "Format": true, "Nullable": true, "Min": true, "Max": true,
	"MinLength": true, "MaxLength": true, "Pattern": true, "Items": true,
	"Required": true, "Properties": true, "AdditionalProperties": true,
}

type quickCompiler struct {
	done map[*openapi3.Schema]quick
}

func (qc *quickCompiler) compile(s *openapi3.Schema) quick {
	if s == nil {
		return nil
	}
	if q, ok := qc.done[s]; ok {
		return q
	}
	qc.done[s] = nil // a cycle compiles to "ask kin-openapi"
	q := qc.build(s)
	qc.done[s] = q
	return q
}

func (qc *quickCompiler) build(s *openapi3.Schema) quick {
	rv := reflect.ValueOf(s).Elem()
	rt := rv.Type()
	for i := 0; i < rt.NumField(); i++ {
		if f := rt.Field(i); f.IsExported() && !quickKeywords[f.Name] && !rv.Field(i).IsZero() {
			return nil
		}
	}
	if s.AdditionalProperties.Schema != nil {
		return nil
	}
	nullable := s.Nullable
	if s.Type == nil || len(*s.Type) == 0 {
		// Untyped: with no other constraint it accepts any non-null value.
		if s.Format != "" || s.Min != nil || s.Max != nil || s.MinLength != 0 || s.MaxLength != nil ||
			s.Pattern != "" || s.Items != nil || len(s.Required) > 0 || len(s.Properties) > 0 || s.AdditionalProperties.Has != nil {
			return nil
		}
		return func(v any) bool { return v != nil || nullable }
	}
	if len(*s.Type) != 1 {
		return nil
	}
	switch (*s.Type)[0] {
	case openapi3.TypeString:
		return qc.str(s)
	case openapi3.TypeInteger, openapi3.TypeNumber:
		return qc.num(s)
	case openapi3.TypeBoolean:
		if s.Format != "" {
			return nil
		}
		return func(v any) bool {
			_, ok := v.(bool)
			return ok || (v == nil && nullable)
		}
	case openapi3.TypeArray:
		return qc.array(s)
	case openapi3.TypeObject:
		return qc.object(s)
	}
	return nil
}

func (qc *quickCompiler) str(s *openapi3.Schema) quick {
	var re *regexp.Regexp
	if s.Pattern != "" {
		var err error
		if re, err = regexp.Compile(s.Pattern); err != nil {
			return nil
		}
	}
	// A format is looked up when a value is checked, as kin-openapi does: a
	// format nobody registered (an annotation such as password) checks
	// nothing, and one registered later is checked from then on.
	format := s.Format
	minLen, maxLen, nullable := s.MinLength, s.MaxLength, s.Nullable
	return func(v any) bool {
		str, ok := v.(string)
		if !ok {
			return v == nil && nullable
		}
		if minLen > 0 || maxLen != nil {
			n := uint64(utf8.RuneCountInString(str))
			if n < minLen || maxLen != nil && n > *maxLen {
				return false
			}
		}
		if re != nil && !re.MatchString(str) {
			return false
		}
		if format == "" {
			return true
		}
		f, ok := openapi3.SchemaStringFormats[format]
		return !ok || f.Validate(str) == nil
	}
}

func (qc *quickCompiler) num(s *openapi3.Schema) quick {
	integer := (*s.Type)[0] == openapi3.TypeInteger
	lo, hi := math.Inf(-1), math.Inf(1)
	if s.Min != nil {
		lo = *s.Min
	}
	if s.Max != nil {
		hi = *s.Max
	}
	switch {
	case s.Format == "":
	case integer && s.Format == "int32":
		lo, hi = math.Max(lo, math.MinInt32), math.Min(hi, math.MaxInt32)
	case integer && s.Format == "int64":
		// Every integral float64 kin-openapi accepts as int64 lies within ±2^63.
		lo, hi = math.Max(lo, -(1<<62)), math.Min(hi, 1<<62)
	default:
		return nil
	}
	nullable := s.Nullable
	return func(v any) bool {
		f, ok := v.(float64)
		if !ok {
			return v == nil && nullable
		}
		if math.IsNaN(f) || math.IsInf(f, 0) || f < lo || f > hi {
			return false
		}
		return !integer || f == math.Trunc(f)
	}
}

func (qc *quickCompiler) array(s *openapi3.Schema) quick {
	var items quick
	if s.Items != nil {
		if items = qc.compile(s.Items.Value); items == nil {
			return nil
		}
	}
	nullable := s.Nullable
	return func(v any) bool {
		a, ok := v.([]any)
		if !ok {
			return v == nil && nullable
		}
		if items != nil {
			for _, x := range a {
				if !items(x) {
					return false
				}
			}
		}
		return true
	}
}

func (qc *quickCompiler) object(s *openapi3.Schema) quick {
	props := make(map[string]quick, len(s.Properties))
	for name, ref := range s.Properties {
		p := ref.Value
		if p == nil || p.ReadOnly || p.WriteOnly {
			return nil
		}
		q := qc.compile(p)
		if q == nil {
			return nil
		}
		props[name] = q
	}
	required := s.Required
	closed := s.AdditionalProperties.Has != nil && !*s.AdditionalProperties.Has
	nullable := s.Nullable
	return func(v any) bool {
		m, ok := v.(map[string]any)
		if !ok {
			return v == nil && nullable
		}
		for _, r := range required {
			if _, ok := m[r]; !ok {
				return false
			}
		}
		for k, x := range m {
			q, declared := props[k]
			if !declared {
				if closed {
					return false
				}
				continue
			}
			if !q(x) {
				return false
			}
		}
		return true
	}
}
