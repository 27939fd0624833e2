package recorded

import (
	"errors"
	"strconv"
	"unicode/utf16"
	"unicode/utf8"

	jsonv2 "github.com/go-json-experiment/json"
	"github.com/go-json-experiment/json/jsontext"

	"github.com/seed-5c49e0d7/linktoken/internal/safetext"
)

// A HAR string may escape a lone surrogate (\udcff): RFC 8259 §8.2 lets
// it, and Python's surrogateescape error handler writes one, U+DC80 to
// U+DCFF, for each byte of a body that is not UTF-8 — what mitmproxy's HAR
// export stores as a body's text (Message.get_text(strict=False)). Such a
// body is no reason to refuse the archive, and judging it with U+FFFD in
// place of the byte would hide what the service sent: the body comes as
// the bytes it was (a check then finds them not UTF-8), the rest of the
// entry's strings with U+FFFD where such an escape was.

// unmarshalEntry decodes an entry of an archive into e. An entry whose
// bytes are UTF-8 but which escapes a lone surrogate is read again letting
// those escapes through (jsontext.AllowInvalidUTF8 lets nothing else that
// the bytes being UTF-8 has not already ruled out).
func unmarshalEntry(entry []byte, e *harEntry) error {
	err := jsonv2.Unmarshal(entry, e)
	if err != nil && utf8.Valid(entry) {
		*e = harEntry{}
		if jsonv2.Unmarshal(entry, e, jsontext.AllowInvalidUTF8(true)) == nil {
			return nil
		}
	}
	return err
}

// unquoteText is the bytes a body's text stands for: the JSON string
// unquoted, each lone surrogate escape the byte or code unit it stands for
// (see appendLoneSurrogate). Its error quotes nothing of the text, which
// may hold a link-token.
func unquoteText(text jsontext.Value) ([]byte, error) {
	data, err := unquoteRuns(text)
	if err != nil {
		return nil, errors.New(safetext.JSONReason(err.Error()))
	}
	return data, nil
}

func unquoteRuns(text jsontext.Value) ([]byte, error) {
	data, err := jsontext.AppendUnquote(nil, text)
	if err == nil || len(text) < 2 {
		return data, err
	}
	// Cut the string before and after each lone surrogate escape; the
	// runs between, whole escapes and characters, are JSON strings of
	// their own that jsontext unquotes.
	s := text[1 : len(text)-1]
	out := make([]byte, 0, len(s))
	start := 0
	run := func(end int) error {
		if end == start {
			return nil
		}
		var err error
		out, err = jsontext.AppendUnquote(out, `"`+string(s[start:end])+`"`)
		return err
	}
	for i := 0; i < len(s); i++ {
		if s[i] != '\\' {
			continue
		}
		u, ok := escapedUnit(s, i)
		if !ok { // \n, \", …: one character; a broken \u, jsontext says so
			i++
			continue
		}
		if utf16.IsSurrogate(rune(u)) {
			if low, ok := escapedUnit(s, i+6); u < 0xDC00 && ok && low >= 0xDC00 && low <= 0xDFFF {
				i += 11 // a pair: one character
				continue
			}
			if err := run(i); err != nil {
				return nil, err
			}
			out = appendLoneSurrogate(out, u)
			start = i + 6
		}
		i += 5
	}
	if err := run(len(s)); err != nil {
		return nil, err
	}
	return out, nil
}

// escapedUnit is the code unit of the \uXXXX escape at s[i:], if one is.
func escapedUnit(s []byte, i int) (uint16, bool) {
	if i+6 > len(s) || s[i] != '\\' || s[i+1] != 'u' {
		return 0, false
	}
	u, err := strconv.ParseUint(string(s[i+2:i+6]), 16, 16)
	return uint16(u), err == nil
}

// appendLoneSurrogate appends what a lone surrogate u stands for: U+DC80
// to U+DCFF, surrogateescape's, the byte 0x80 to 0xFF; any other, the
// code unit as a JavaScript string or WTF-8 holds it (three bytes that are
// not UTF-8 either), so that no lone surrogate reads as valid text.
func appendLoneSurrogate(out []byte, u uint16) []byte {
	if u >= 0xDC80 && u <= 0xDCFF {
		return append(out, byte(u-0xDC00))
	}
	return append(out, 0xE0|byte(u>>12), 0x80|byte(u>>6)&0x3F, 0x80|byte(u)&0x3F)
}
