package recorded

import (
	"encoding/binary"
	"fmt"
	"io"
	"unicode/utf16"
	"unicode/utf8"
)

// jsonStream reads JSON text (RFC 8259) from a stream and keeps nothing of
// it but what its caller asks for: a value it skips, or the part of a
// string beyond what the caller keeps, is checked for well-formedness and
// forgotten a buffer at a time, whatever its size. That is what lets
// ReadHAR read an archive of any size in bounded memory: encoding/json's
// Decoder.Token and jsontext's SkipValue both hold a whole string token in
// memory, and a 200 MB string in an unused key of a HAR took 686 MB.
//
// It checks the grammar as encoding/json does (nesting up to 10,000 deep,
// as there), but, like encoding/json, it does not refuse invalid UTF-8:
// bytes that are not UTF-8 come back as they are, for the body rules to
// judge.
type jsonStream struct {
	r        io.Reader
	buf      []byte
	pos, end int
	base     int64  // stream offset of buf[0]
	err      error  // what the reader returned last (io.EOF included), once it returned an error
	stack    []byte // the containers open while skipping
	name     []byte // the member name object reads
	// tail is the last two bytes of the last string read, kept or not: a
	// cut base64 body's padding.
	tail [2]byte
}

// jsonMaxDepth is encoding/json's limit on nesting.
const jsonMaxDepth = 10000

// jsonMaxName is the longest member name object passes on.
const jsonMaxName = 64

func newJSONStream(r io.Reader) *jsonStream {
	return &jsonStream{r: r, buf: make([]byte, 64<<10)}
}

// jsonSyntaxError is input that is not JSON, at a byte offset.
type jsonSyntaxError struct {
	msg    string
	offset int64
}

func (e *jsonSyntaxError) Error() string { return e.msg }

// offset is the stream offset of the next byte.
func (s *jsonStream) offset() int64 { return s.base + int64(s.pos) }

func (s *jsonStream) syntax(format string, args ...any) error {
	return &jsonSyntaxError{msg: fmt.Sprintf(format, args...), offset: s.offset()}
}

// endErr is the error for input that ends too soon: the reader's own, or
// io.ErrUnexpectedEOF.
func (s *jsonStream) endErr() error {
	if s.err != nil && s.err != io.EOF {
		return s.err
	}
	return io.ErrUnexpectedEOF
}

// fill makes at least one unread byte available; false at the end of the
// input (or on a read error, kept in s.err).
func (s *jsonStream) fill() bool {
	if s.pos < s.end {
		return true
	}
	return s.ensure(1)
}

// ensure makes at least n unread bytes available (n at most the buffer's
// size), moving the unread ones to the front; false if the input ends first.
func (s *jsonStream) ensure(n int) bool {
	if s.end-s.pos >= n {
		return true
	}
	if s.pos > 0 {
		copy(s.buf, s.buf[s.pos:s.end])
		s.base += int64(s.pos)
		s.end -= s.pos
		s.pos = 0
	}
	for empty := 0; s.end < n && s.err == nil; {
		m, err := s.r.Read(s.buf[s.end:])
		s.end += m
		if err != nil {
			s.err = err
		}
		if m == 0 && err == nil {
			if empty++; empty >= 100 { // as bufio does
				s.err = io.ErrNoProgress
			}
		}
	}
	return s.end-s.pos >= n
}

// peek skips white space and returns the next byte, unread; an error when
// the input ends.
func (s *jsonStream) peek() (byte, error) {
	for {
		if !s.fill() {
			return 0, s.endErr()
		}
		for s.pos < s.end {
			switch c := s.buf[s.pos]; c {
			case ' ', '\t', '\n', '\r':
				s.pos++
			default:
				return c, nil
			}
		}
	}
}

// atEnd skips white space and reports whether the input ends there.
func (s *jsonStream) atEnd() (bool, error) {
	_, err := s.peek()
	if err == io.ErrUnexpectedEOF {
		return true, nil
	}
	return false, err
}

// skipBOM skips a UTF-8 byte order mark at the start of the input, which
// some Windows tools write before a HAR archive.
func (s *jsonStream) skipBOM() {
	if s.offset() == 0 && s.ensure(3) && string(s.buf[s.pos:s.pos+3]) == "\uFEFF" {
		s.pos += 3
	}
}

// consume reads the byte c, after white space.
func (s *jsonStream) consume(c byte) error {
	got, err := s.peek()
	if err != nil {
		return err
	}
	if got != c {
		return s.syntax("expected %q, found %s", c, describeByte(got))
	}
	s.pos++
	return nil
}

// kind names the kind of the value that starts with c, for errors.
func kind(c byte) string {
	switch {
	case c == '{':
		return "an object"
	case c == '[':
		return "an array"
	case c == '"':
		return "a string"
	case c == 't' || c == 'f':
		return "a boolean"
	case c == 'n':
		return "null"
	case c == '-' || (c >= '0' && c <= '9'):
		return "a number"
	}
	return describeByte(c)
}

func describeByte(c byte) string {
	if c < 0x20 || c >= 0x7f {
		return fmt.Sprintf("byte 0x%02x", c)
	}
	return fmt.Sprintf("%q", c)
}

// null reads a null if one comes next (after white space).
func (s *jsonStream) null() (bool, error) {
	c, err := s.peek()
	if err != nil || c != 'n' {
		return false, err
	}
	return true, s.literal()
}

// jsonStringStop marks the bytes that end a run of plain string content:
// the closing quote, an escape, and the control characters JSON forbids.
var jsonStringStop = func() (t [256]bool) {
	for c := 0; c < 0x20; c++ {
		t[c] = true
	}
	t['"'], t['\\'] = true, true
	return t
}()

// stopIn8 reports whether any of 8 bytes is one of jsonStringStop's: a
// quote, a backslash or a byte below 0x20 (the "has a zero byte" and "has a
// byte less than n" tests of Bit Twiddling Hacks, exact as a yes or no). It
// lets readString pass over a long string 8 bytes at a time.
func stopIn8(x uint64) bool {
	const ones, highs = 0x0101010101010101, 0x8080808080808080
	quote := x ^ (ones * '"')
	backslash := x ^ (ones * '\\')
	return ((x-ones*0x20)&^x|(quote-ones)&^quote|(backslash-ones)&^backslash)&highs != 0
}

// readString reads a string (the next value must be one), appending its
// content, unescaped, to dst but no more than max bytes of it; n is the
// length of the whole content. An escape that is not a valid code point
// (a lone surrogate) becomes U+FFFD, as in encoding/json.
func (s *jsonStream) readString(dst []byte, max int) (out []byte, n int64, err error) {
	c, err := s.peek()
	if err != nil {
		return dst, 0, err
	}
	if c != '"' {
		return dst, 0, s.syntax("expected a string, found %s", kind(c))
	}
	s.pos++
	s.tail = [2]byte{}
	room := max
	keep := func(b []byte) {
		switch {
		case len(b) >= 2:
			s.tail = [2]byte{b[len(b)-2], b[len(b)-1]}
		case len(b) == 1:
			s.tail = [2]byte{s.tail[1], b[0]}
		}
		n += int64(len(b))
		if room <= 0 {
			return
		}
		if len(b) > room {
			b = b[:room]
		}
		dst = append(dst, b...)
		room -= len(b)
	}
	var esc [utf8.UTFMax]byte
	for {
		if !s.fill() {
			return dst, n, s.endErr()
		}
		chunk := s.buf[s.pos:s.end]
		i := 0
		for i+8 <= len(chunk) && !stopIn8(binary.LittleEndian.Uint64(chunk[i:])) {
			i += 8
		}
		for i < len(chunk) && !jsonStringStop[chunk[i]] {
			i++
		}
		keep(chunk[:i])
		s.pos += i
		if i == len(chunk) {
			continue
		}
		switch c := chunk[i]; c {
		case '"':
			s.pos++
			return dst, n, nil
		case '\\':
			r, err := s.escape()
			if err != nil {
				return dst, n, err
			}
			keep(esc[:utf8.EncodeRune(esc[:], r)])
		default:
			return dst, n, s.syntax("control character %s in a string", describeByte(c))
		}
	}
}

// escape reads one escape sequence (at its backslash), or two for a
// surrogate pair, and returns the code point.
func (s *jsonStream) escape() (rune, error) {
	if !s.ensure(2) {
		return 0, s.endErr()
	}
	c := s.buf[s.pos+1]
	if c != 'u' {
		var r rune
		switch c {
		case '"', '\\', '/':
			r = rune(c)
		case 'b':
			r = '\b'
		case 'f':
			r = '\f'
		case 'n':
			r = '\n'
		case 'r':
			r = '\r'
		case 't':
			r = '\t'
		default:
			return 0, s.syntax("invalid escape \\%s in a string", string(rune(c)))
		}
		s.pos += 2
		return r, nil
	}
	r, err := s.hex4()
	if err != nil || !utf16.IsSurrogate(r) {
		return r, err
	}
	// A high surrogate and a low one make one code point; anything else
	// is U+FFFD, and what follows is read on its own.
	if s.ensure(6) && s.buf[s.pos] == '\\' && s.buf[s.pos+1] == 'u' {
		save := s.pos
		r2, err := s.hex4()
		if err != nil {
			return 0, err
		}
		if pair := utf16.DecodeRune(r, r2); pair != utf8.RuneError {
			return pair, nil
		}
		s.pos = save
	}
	return utf8.RuneError, nil
}

// hex4 reads \uXXXX.
func (s *jsonStream) hex4() (rune, error) {
	if !s.ensure(6) {
		return 0, s.endErr()
	}
	var r rune
	for _, c := range s.buf[s.pos+2 : s.pos+6] {
		switch {
		case c >= '0' && c <= '9':
			c -= '0'
		case c >= 'a' && c <= 'f':
			c -= 'a' - 10
		case c >= 'A' && c <= 'F':
			c -= 'A' - 10
		default:
			return 0, s.syntax("invalid escape \\u%s in a string", s.buf[s.pos+2:s.pos+6])
		}
		r = r<<4 | rune(c)
	}
	s.pos += 6
	return r, nil
}

// literal reads true, false or null.
func (s *jsonStream) literal() error {
	for _, word := range []string{"true", "false", "null"} {
		if s.buf[s.pos] != word[0] {
			continue
		}
		if !s.ensure(len(word)) {
			return s.endErr()
		}
		if string(s.buf[s.pos:s.pos+len(word)]) != word {
			return s.syntax("invalid literal, expected %s", word)
		}
		s.pos += len(word)
		return nil
	}
	return s.syntax("invalid character %s looking for a value", describeByte(s.buf[s.pos]))
}

// readNumber reads a number (the next value must be one), appending no
// more than max bytes of its text to dst.
func (s *jsonStream) readNumber(dst []byte, max int) ([]byte, error) {
	// States of RFC 8259's number grammar.
	const (
		start = iota
		sign
		zero
		intDigits
		dot
		fracDigits
		exp
		expSign
		expDigits
	)
	state := start
	for {
		if !s.fill() {
			if s.err != nil && s.err != io.EOF {
				return dst, s.err
			}
			break // a number can end the input
		}
		c := s.buf[s.pos]
		next := -1
		digit := c >= '0' && c <= '9'
		switch state {
		case start:
			switch {
			case c == '-':
				next = sign
			case c == '0':
				next = zero
			case digit:
				next = intDigits
			}
		case sign:
			switch {
			case c == '0':
				next = zero
			case digit:
				next = intDigits
			}
		case zero, intDigits:
			switch {
			case digit && state == intDigits:
				next = intDigits
			case c == '.':
				next = dot
			case c == 'e' || c == 'E':
				next = exp
			}
		case dot, fracDigits:
			switch {
			case digit:
				next = fracDigits
			case state == fracDigits && (c == 'e' || c == 'E'):
				next = exp
			}
		case exp:
			switch {
			case c == '+' || c == '-':
				next = expSign
			case digit:
				next = expDigits
			}
		case expSign, expDigits:
			if digit {
				next = expDigits
			}
		}
		if next < 0 {
			break
		}
		if len(dst) < max {
			dst = append(dst, c)
		}
		s.pos++
		state = next
	}
	switch state {
	case zero, intDigits, fracDigits, expDigits:
		return dst, nil
	}
	if !s.fill() {
		return dst, s.endErr()
	}
	return dst, s.syntax("invalid character %s in a number", describeByte(s.buf[s.pos]))
}

// skip reads one value of any kind and forgets it, checking it is well
// formed.
func (s *jsonStream) skip() error {
	s.stack = s.stack[:0]
	for {
		// A value.
		c, err := s.peek()
		if err != nil {
			return err
		}
		switch {
		case c == '{' || c == '[':
			s.pos++
			if len(s.stack) >= jsonMaxDepth {
				return s.syntax("nesting deeper than %d", jsonMaxDepth)
			}
			closer := byte('}')
			if c == '[' {
				closer = ']'
			}
			if d, err := s.peek(); err != nil {
				return err
			} else if d == closer {
				s.pos++
				break // an empty container is a whole value
			}
			s.stack = append(s.stack, closer)
			if c == '{' {
				if err := s.skipName(); err != nil {
					return err
				}
			}
			continue // its first member's value, or first element
		case c == '"':
			if _, _, err := s.readString(nil, 0); err != nil {
				return err
			}
		case c == '-' || (c >= '0' && c <= '9'):
			if _, err := s.readNumber(nil, 0); err != nil {
				return err
			}
		default:
			if err := s.literal(); err != nil {
				return err
			}
		}
		// After a value: the end of the containers it closes, then a
		// comma before the next value.
		for {
			if len(s.stack) == 0 {
				return nil
			}
			closer := s.stack[len(s.stack)-1]
			c, err := s.peek()
			if err != nil {
				return err
			}
			if c == closer {
				s.pos++
				s.stack = s.stack[:len(s.stack)-1]
				continue
			}
			if c != ',' {
				return s.syntax("expected ',' or %q, found %s", closer, describeByte(c))
			}
			s.pos++
			if closer == '}' {
				if err := s.skipName(); err != nil {
					return err
				}
			}
			break
		}
	}
}

// skipName reads a member name and its colon.
func (s *jsonStream) skipName() error {
	if _, _, err := s.readString(nil, 0); err != nil {
		return err
	}
	return s.consume(':')
}

// object reads an object (the next value must be one), calling member with
// each member's name, which must read or skip the member's value. The name
// is valid only until the member reads its value; one longer than
// jsonMaxName bytes comes empty (no caller looks for such a name).
func (s *jsonStream) object(member func(name []byte) error) error {
	empty, err := s.open('{', '}', "an object")
	for more := !empty; more && err == nil; more, err = s.next('}') {
		name, n, err := s.readString(s.name[:0], jsonMaxName)
		s.name = name[:0]
		if err != nil {
			return err
		}
		if n > int64(len(name)) {
			name = name[:0]
		}
		if err := s.consume(':'); err != nil {
			return err
		}
		if err := member(name); err != nil {
			return err
		}
	}
	return err
}

// array reads an array (the next value must be one), calling elem for each
// element, which must read or skip it.
func (s *jsonStream) array(elem func() error) error {
	empty, err := s.open('[', ']', "an array")
	for more := !empty; more && err == nil; more, err = s.next(']') {
		if err := elem(); err != nil {
			return err
		}
	}
	return err
}

// open reads the start of an object or an array (the next value must be
// one); empty: its end follows at once, and is read too.
func (s *jsonStream) open(start, end byte, what string) (empty bool, err error) {
	c, err := s.peek()
	if err != nil {
		return false, err
	}
	if c != start {
		return false, s.syntax("expected %s, found %s", what, kind(c))
	}
	s.pos++
	if c, err = s.peek(); err != nil || c != end {
		return false, err
	}
	s.pos++
	return true, nil
}

// next reads what follows a member or an element: a comma before another
// (more), or the end of the object or array.
func (s *jsonStream) next(end byte) (more bool, err error) {
	c, err := s.peek()
	if err != nil {
		return false, err
	}
	switch c {
	case ',':
		s.pos++
		return true, nil
	case end:
		s.pos++
		return false, nil
	}
	return false, s.syntax("expected ',' or %q, found %s", end, describeByte(c))
}
