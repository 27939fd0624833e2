// Package secretjson copies a JSON text with some of its string values
// replaced and every other byte kept. It is the one walk behind both
// blankings of secrets in a body: contract/redact's, which follows the
// contract's schemas down to where they place a secret, and the proxy's,
// which blanks members named as a secret in any case.
package secretjson

import (
	"bytes"
	"errors"
	"io"
	"unicode/utf8"

	"github.com/go-json-experiment/json/jsontext"
)

// Rewrite copies data, read as one JSON text. What the caller knows of a
// value is an F: root is the text's own, and child gives that of each value
// inside an object or array from its container's and its member's name
// ("" for an item of an array). Every string value for which replace
// returns ok is written as repl between quotes, as it is (repl must need no
// escaping); tok is the value's token and raw its bytes, quotes included.
//
// Where data stops being one JSON text (before the token that fails and
// the ',' or ':' ahead of it, or after the first text when more than space
// follows it), the copy stops: rest is that offset and out the copy of what
// comes before it. rest is -1 when data is one JSON text.
func Rewrite[F any](data []byte, root F, child func(parent F, name string) F,
	replace func(f F, tok jsontext.Token, raw []byte) (repl string, ok bool)) (out []byte, rest int) {
	// Duplicate names and bytes that are not UTF-8 are read through: the
	// walk replaces values, judging them is the contract's check.
	dec := jsontext.NewDecoder(bytes.NewReader(data), jsontext.AllowDuplicateNames(true), jsontext.AllowInvalidUTF8(true))
	type open struct {
		f    F
		name string // of the member being read
	}
	var stack []open
	var buf bytes.Buffer
	last := 0
	for {
		before := int(dec.InputOffset())
		tok, err := dec.ReadToken()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			buf.Write(data[last:before])
			return buf.Bytes(), before
		}
		kind := tok.Kind()
		switch {
		case kind == '}' || kind == ']':
			stack = stack[:len(stack)-1]
		case kind == '"' && isMemberName(dec):
			stack[len(stack)-1].name = tok.String()
		default:
			f := root
			if len(stack) > 0 {
				f = child(stack[len(stack)-1].f, stack[len(stack)-1].name)
			}
			switch kind {
			case '{', '[':
				stack = append(stack, open{f: f})
			case '"':
				end := int(dec.InputOffset())
				start := before + bytes.IndexByte(data[before:end], '"')
				if repl, ok := replace(f, tok, data[start:end]); ok {
					buf.Write(data[last:start])
					buf.WriteByte('"')
					buf.WriteString(repl)
					buf.WriteByte('"')
					last = end
				}
			}
		}
		if dec.StackDepth() == 0 {
			// A body is one JSON text; nothing places what follows it.
			if after := int(dec.InputOffset()); len(bytes.TrimSpace(data[after:])) > 0 {
				buf.Write(data[last:after])
				return buf.Bytes(), after
			}
		}
	}
	buf.Write(data[last:])
	return buf.Bytes(), -1
}

// isMemberName reports whether the string token just read is an object
// member's name rather than a value.
func isMemberName(dec *jsontext.Decoder) bool {
	kind, n := dec.StackIndex(dec.StackDepth())
	return kind == '{' && n%2 == 1
}

// AsBroken is repl, a replacement of the string token raw (quotes
// included), made to break JSON's rules as raw does, so that a copy fails
// a check as the original did: its last byte one that is not UTF-8 when
// raw is not UTF-8 (RFC 8259 §8.1), its last character a lone surrogate's
// escape when raw holds an escape a strict parser refuses (jsontext's
// "invalid surrogate pair"); repl itself otherwise, or when it is empty.
func AsBroken(repl string, raw []byte) string {
	switch {
	case repl == "":
		return repl
	case !utf8.Valid(raw):
		return repl[:len(repl)-1] + "\xff"
	case !jsontext.Value(raw).IsValid():
		return repl[:len(repl)-1] + `\ud800`
	}
	return repl
}
