package contract

import (
	"errors"
	"fmt"
	"mime"
	"strconv"
	"strings"
	"time"
)

// mediaTypes is a server's list of body media types (x-atlas-media-types):
// literal types, or templates in which {version} stands for a resource
// version date, as in "application/vnd.atlas.{version}+json".
type mediaTypes []mediaPattern

type mediaPattern struct {
	prefix, suffix string // around {version}; the whole type when !versioned
	versioned      bool
}

const versionPlaceholder = "{version}"

// parseServerMediaTypes reads x-atlas-media-types: an object with the lists
// "requests" and "responses".
func parseServerMediaTypes(raw any) (requests, responses mediaTypes, err error) {
	obj, ok := raw.(map[string]any)
	if !ok {
		return nil, nil, errors.New(`want an object with the lists "requests" and "responses"`)
	}
	for key, val := range obj {
		list, ok := val.([]any)
		if !ok {
			return nil, nil, fmt.Errorf("%s: want a list of media types", key)
		}
		var mts mediaTypes
		for _, x := range list {
			s, ok := x.(string)
			if !ok || s == "" {
				return nil, nil, fmt.Errorf("%s: want media type strings", key)
			}
			p, err := parseMediaPattern(s)
			if err != nil {
				return nil, nil, fmt.Errorf("%s: %q: %w", key, s, err)
			}
			mts = append(mts, p)
		}
		switch key {
		case "requests":
			requests = mts
		case "responses":
			responses = mts
		default:
			return nil, nil, fmt.Errorf(`unknown key %q (want "requests" and "responses")`, key)
		}
	}
	return requests, responses, nil
}

func parseMediaPattern(s string) (mediaPattern, error) {
	s = strings.ToLower(s)
	before, after, found := strings.Cut(s, versionPlaceholder)
	if !found {
		if _, _, err := mime.ParseMediaType(s); err != nil {
			return mediaPattern{}, err
		}
		return mediaPattern{prefix: s}, nil
	}
	if strings.Contains(after, versionPlaceholder) || before == "" {
		return mediaPattern{}, errors.New("at most one {version}, inside the type")
	}
	return mediaPattern{prefix: before, suffix: after, versioned: true}, nil
}

// match reports whether the media type mt (lower case, no parameters) is
// one of the list, and the version date it names when its pattern has one.
func (mts mediaTypes) match(mt string) (version string, ok bool) {
	for _, p := range mts {
		if !p.versioned {
			if mt == p.prefix {
				return "", true
			}
			continue
		}
		if v, ok := p.version(mt); ok {
			return v, true
		}
	}
	return "", false
}

// version extracts the date a versioned media type names.
func (p mediaPattern) version(mt string) (string, bool) {
	if !p.versioned || len(mt) <= len(p.prefix)+len(p.suffix) ||
		!strings.HasPrefix(mt, p.prefix) || !strings.HasSuffix(mt, p.suffix) {
		return "", false
	}
	v := mt[len(p.prefix) : len(mt)-len(p.suffix)]
	if _, err := time.Parse(time.DateOnly, v); err != nil {
		return "", false
	}
	return v, true
}

// restricts reports whether the list says anything about a body whose
// declared media types are declared: it does when any of them is in the
// list (a v2 success body), and not otherwise (an error body, which is
// plain application/json on every server).
func (mts mediaTypes) restricts(declared []string) bool {
	for _, d := range declared {
		if _, ok := mts.match(d); ok {
			return true
		}
	}
	return false
}

// requestedVersion is the latest resource version date an Accept header
// asks for among the versioned types of mts, or "" when it names none (no
// Accept, plain application/json) or also takes any (a wildcard range
// such as */* or application/*: any version is then acceptable). A range
// of weight 0 asks for nothing (RFC 9110 §12.5.1), however its q is
// written (0, 0.0, 0.000).
func (mts mediaTypes) requestedVersion(accept []string) string {
	latest := ""
	for _, value := range accept {
		for rng := range strings.SplitSeq(value, ",") {
			mt, params, err := mime.ParseMediaType(strings.TrimSpace(rng))
			if err != nil {
				continue
			}
			if weightZero(params) {
				continue
			}
			if strings.HasSuffix(mt, "/*") {
				return ""
			}
			for _, p := range mts {
				if v, ok := p.version(mt); ok && v > latest {
					latest = v
				}
			}
		}
	}
	return latest
}

// weightZero reports whether a media range's parameters give it weight 0
// (RFC 9110 §12.4.2: q=0, 0.0, 0.000 alike), so it asks for nothing. A q
// that is not a number asks for nothing either.
func weightZero(params map[string]string) bool {
	q, ok := params["q"]
	if !ok {
		return false
	}
	w, err := strconv.ParseFloat(q, 64)
	return err != nil || w <= 0
}

// mediaTypeOf is the lower-case type/subtype of a Content-Type, without
// parameters (";charset=utf-8" is accepted wherever the type is).
func mediaTypeOf(ct string) string {
	if i := strings.IndexByte(ct, ';'); i >= 0 {
		ct = ct[:i]
	}
	ct = strings.TrimSpace(ct)
	for i := 0; i < len(ct); i++ {
		if c := ct[i]; 'A' <= c && c <= 'Z' {
			return strings.ToLower(ct)
		}
	}
	return ct
}

// isJSONMediaType reports whether a media type's bodies are JSON text, the
// bodies this package reads itself (kin-openapi decodes the others).
func isJSONMediaType(mt string) bool {
	return mt == "application/json" || strings.HasSuffix(mt, "+json")
}
