package contract

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
)

// InputError is input a reader cannot use: a malformed HAR file, a raw HTTP
// file that does not parse, a file that cannot be read. It names the source
// and, where it can, the place.
type InputError struct {
	Source string // the file
	Where  string // "entry 12", "byte 3071", …; may be empty
	Err    error
}

func (e *InputError) Error() string {
	if e.Where != "" {
		return fmt.Sprintf("%s: %s: %v", e.Source, e.Where, e.Err)
	}
	return fmt.Sprintf("%s: %v", e.Source, e.Err)
}

func (e *InputError) Unwrap() error { return e.Err }

// harEntry is the part of a HAR 1.2 entry a check needs.
type harEntry struct {
	Request struct {
		Method   string      `json:"method"`
		URL      string      `json:"url"`
		Headers  []harHeader `json:"headers"`
		PostData *struct {
			MimeType string `json:"mimeType"`
			Text     string `json:"text"`
			Encoding string `json:"encoding"` // not in HAR 1.2, written by some tools
		} `json:"postData"`
	} `json:"request"`
	Response *struct {
		Status  int         `json:"status"`
		Headers []harHeader `json:"headers"`
		Content struct {
			MimeType string `json:"mimeType"`
			Text     string `json:"text"`
			Encoding string `json:"encoding"`
		} `json:"content"`
	} `json:"response"`
}

type harHeader struct {
	Name  string `json:"name"`
	Value string `json:"value"`
}

// ReadHAR reads a HAR 1.2 archive from r and calls fn with each entry as an
// Exchange, in order, holding one entry in memory at a time: it walks the
// JSON tokens to log.entries and decodes entries one by one, skipping
// everything else token by token, so an archive of any size is read in
// memory bounded by its largest entry. An entry whose response status is 0
// (no response: blocked or failed) is passed with a nil Response.
//
// source names the archive in errors and in each Exchange's Source
// ("source#N", N counting entries from 0). A malformed archive returns an
// *InputError; an error from fn stops the walk and is returned as is.
func ReadHAR(r io.Reader, source string, fn func(*Exchange) error) error {
	dec := json.NewDecoder(r)
	fail := func(where string, err error) error {
		if errors.Is(err, io.EOF) {
			err = io.ErrUnexpectedEOF
		}
		if where == "" {
			where = fmt.Sprintf("byte %d", dec.InputOffset())
		}
		return &InputError{Source: source, Where: where, Err: err}
	}
	if err := expectDelim(dec, '{'); err != nil {
		return fail("", fmt.Errorf("not a HAR archive: %w", err))
	}
	foundLog, foundEntries := false, false
	for dec.More() {
		key, err := dec.Token()
		if err != nil {
			return fail("", err)
		}
		if key != "log" {
			if err := skipValue(dec); err != nil {
				return fail("", err)
			}
			continue
		}
		foundLog = true
		if err := expectDelim(dec, '{'); err != nil {
			return fail("", fmt.Errorf("log: %w", err))
		}
		for dec.More() {
			key, err := dec.Token()
			if err != nil {
				return fail("", err)
			}
			if key != "entries" {
				if err := skipValue(dec); err != nil {
					return fail("", err)
				}
				continue
			}
			foundEntries = true
			if err := expectDelim(dec, '['); err != nil {
				return fail("", fmt.Errorf("log.entries: %w", err))
			}
			for i := 0; dec.More(); i++ {
				var e harEntry
				if err := dec.Decode(&e); err != nil {
					return fail(fmt.Sprintf("entry %d", i), err)
				}
				name := fmt.Sprintf("%s#%d", source, i)
				ex, err := e.exchange(name)
				if err != nil {
					return fail(fmt.Sprintf("entry %d", i), err)
				}
				if err := fn(ex); err != nil {
					return err
				}
			}
			if _, err := dec.Token(); err != nil { // ]
				return fail("", err)
			}
		}
		if _, err := dec.Token(); err != nil { // }
			return fail("", err)
		}
	}
	if _, err := dec.Token(); err != nil { // }
		return fail("", err)
	}
	if !foundLog {
		return fail("", errors.New("not a HAR archive: no \"log\""))
	}
	if !foundEntries {
		return fail("", errors.New("not a HAR archive: no \"log.entries\""))
	}
	return nil
}

func (e *harEntry) exchange(name string) (*Exchange, error) {
	if e.Request.Method == "" || e.Request.URL == "" {
		return nil, errors.New("request without method or url")
	}
	u, err := url.Parse(e.Request.URL)
	if err != nil {
		return nil, fmt.Errorf("request url: %w", err)
	}
	req := &Request{Method: e.Request.Method, URL: u, Header: harHeaders(e.Request.Headers)}
	if pd := e.Request.PostData; pd != nil {
		if req.Body, err = harText(pd.Text, pd.Encoding); err != nil {
			return nil, fmt.Errorf("request postData: %w", err)
		}
		if len(e.Request.Headers) == 0 && pd.MimeType != "" {
			// A tool that records no headers at all: its mimeType is the
			// only record of the Content-Type.
			req.Header.Set("Content-Type", pd.MimeType)
		}
	}
	ex := &Exchange{Source: name, Request: req}
	if e.Response == nil || e.Response.Status == 0 {
		return ex, nil
	}
	resp := &Response{StatusCode: e.Response.Status, Header: harHeaders(e.Response.Headers)}
	c := e.Response.Content
	if resp.Body, err = harText(c.Text, c.Encoding); err != nil {
		return nil, fmt.Errorf("response content: %w", err)
	}
	if len(e.Response.Headers) == 0 && c.MimeType != "" && len(resp.Body) > 0 {
		resp.Header.Set("Content-Type", c.MimeType)
	}
	ex.Response = resp
	return ex, nil
}

func harHeaders(hs []harHeader) http.Header {
	h := make(http.Header, len(hs))
	for _, x := range hs {
		if len(x.Name) > 0 && x.Name[0] == ':' {
			continue // HTTP/2 pseudo-headers (:status, :path, …)
		}
		h.Add(x.Name, x.Value)
	}
	return h
}

func harText(text, encoding string) ([]byte, error) {
	switch encoding {
	case "":
		return []byte(text), nil
	case "base64":
		return base64.StdEncoding.DecodeString(text)
	}
	return nil, fmt.Errorf("unknown encoding %q", encoding)
}

func expectDelim(dec *json.Decoder, want json.Delim) error {
	t, err := dec.Token()
	if err != nil {
		return err
	}
	if d, ok := t.(json.Delim); !ok || d != want {
		return fmt.Errorf("expected %q, found %v", string(want), describeToken(t))
	}
	return nil
}

func describeToken(t json.Token) string {
	switch x := t.(type) {
	case json.Delim:
		return fmt.Sprintf("%q", string(x))
	case string:
		return "a string"
	case nil:
		return "null"
	}
	return fmt.Sprintf("%T", t)
}

// skipValue skips one JSON value token by token, holding no more of it in
// memory than one token.
func skipValue(dec *json.Decoder) error {
	depth := 0
	for {
		t, err := dec.Token()
		if err != nil {
			return err
		}
		if d, ok := t.(json.Delim); ok {
			switch d {
			case '{', '[':
				depth++
			case '}', ']':
				depth--
			}
		}
		if depth == 0 {
			return nil
		}
	}
}
