package recorded_test

import (
	"bytes"
	"encoding/json"
	"io"
	"strings"
	"testing"
	"testing/iotest"
	"unicode/utf8"

	"github.com/seed-5c49e0d7/linktoken/contract/recorded"
)

// The HAR reader's JSON is checked against encoding/json: the same values
// are well formed, and a string reads the same. Each input is read whole
// and one byte at a time, which puts every escape across a buffer's end.
var jsonStreamCases = []string{
	`null`, `true`, `false`, `0`, `-0`, `1.5e+10`, `-12.25E-3`, `""`, `"a"`, `{}`, `[]`, `[[]]`,
	`{"a":[1,{"b":null}],"c":"d"}`, ` [ 1 , 2 ] `, "\t{\n\"a\"\r:\n1}\n",
	`"\"\\\/\b\f\n\r\t"`, `"\u00e9\u20AC"`, `"\ud83d\ude00"`, `"\ud83d"`, `"\ude00x"`, `"\ud83d\u0041"`, `"\ud83d\n"`,
	`"é"`, "\"\xff\xfe\"",
	// Malformed.
	``, ` `, `nul`, `nulL`, `tru`, `+1`, `01`, `1.`, `.5`, `1e`, `1e+`, `-`, `--1`, `0x1`, `1 2`,
	`"abc`, `"\x"`, `"\u12"`, `"\u12g4"`, "\"a\x01\"", "\"\t\"", `"\`,
	`{`, `}`, `[`, `]`, `[1,]`, `[,1]`, `{"a"}`, `{"a":}`, `{"a":1,}`, `{,}`, `{1:2}`, `{"a" 1}`,
	`[1}`, `{"a":1]`, `[1 2]`, `{"a":1 "b":2}`, `[]]`, `{}}`, `"a" "b"`, `[1,2`,
	strings.Repeat("[", 10000) + strings.Repeat("]", 10000),
	strings.Repeat("[", 10001) + strings.Repeat("]", 10001),
}

func TestJSONStreamAgreesWithEncodingJSON(t *testing.T) {
	for _, in := range jsonStreamCases {
		name := in
		if len(name) > 40 {
			name = name[:40]
		}
		t.Run(name, func(t *testing.T) { checkJSONStream(t, []byte(in)) })
	}
}

// checkJSONStream fails t where the stream reader and encoding/json
// disagree on data.
func checkJSONStream(t *testing.T, data []byte) {
	t.Helper()
	readers := map[string]func() io.Reader{
		"whole":              func() io.Reader { return bytes.NewReader(data) },
		"one byte at a time": func() io.Reader { return iotest.OneByteReader(bytes.NewReader(data)) },
	}
	want := json.Valid(data)
	for how, r := range readers {
		if err := recorded.SkipJSONForTest(r()); (err == nil) != want {
			t.Fatalf("%q read %s: skip says %v, encoding/json valid=%v", data, how, err, want)
		}
	}
	trimmed := bytes.TrimLeft(data, " \t\r\n")
	if !want || !utf8.Valid(data) || trimmed[0] != '"' {
		return // only a well-formed string is read as one
	}
	var s string
	if err := json.Unmarshal(data, &s); err != nil {
		t.Fatal(err)
	}
	for how, r := range readers {
		got, n, err := recorded.ReadJSONStringForTest(r(), 1<<20)
		if err != nil || string(got) != s || n != int64(len(s)) {
			t.Fatalf("%q read %s: %q (%d bytes, %v), encoding/json %q", data, how, got, n, err, s)
		}
	}
	// Kept up to a limit, the string is a prefix and its length whole.
	if len(s) > 1 {
		got, n, err := recorded.ReadJSONStringForTest(bytes.NewReader(data), 1)
		if err != nil || string(got) != s[:1] || n != int64(len(s)) {
			t.Fatalf("%q kept to 1 byte: %q, %d, %v", data, got, n, err)
		}
	}
}

func TestJSONStreamKeepsInvalidUTF8(t *testing.T) {
	// encoding/json would make these U+FFFD; a body's bytes go to the
	// check as they are, for its UTF-8 rule to judge.
	got, n, err := recorded.ReadJSONStringForTest(strings.NewReader("\"a\xff\xfeb\""), 100)
	if err != nil || string(got) != "a\xff\xfeb" || n != 4 {
		t.Fatalf("got %q, %d, %v", got, n, err)
	}
}

// TestJSONStreamFindsEveryStopByte puts each byte value at each place of
// the 8-byte words readString scans a long string by, where it must stop
// for a quote, a backslash or a control character and for nothing else.
func TestJSONStreamFindsEveryStopByte(t *testing.T) {
	for b := 0; b < 256; b++ {
		for at := 0; at < 17; at++ {
			text := []byte(`"` + strings.Repeat("a", 24) + `"`)
			text[1+at] = byte(b)
			checkJSONStream(t, text)
		}
	}
}
