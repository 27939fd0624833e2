package recorded_test

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
)

// v2Type is the media type of the contract's 2023-01-01 version.
const v2Type = "application/vnd.atlas.2023-01-01+json"

// harMix says what a generated archive holds: of every Period entries,
// one breaks the contract (a linkToken array), one is not a link-token
// operation, and the rest are conforming creates and removes on both
// versions, plain and enveloped. The large parts, when asked for, come
// before those entries.
type harMix struct {
	Entries int
	Period  int // 0 means 10
	// UnusedKey: a string of about this many bytes (escapes included) in a
	// top-level key no reader needs.
	UnusedKey int64
	// OtherBody: an exchange outside the contract whose response body has
	// this many bytes.
	OtherBody int64
	// Oversized: a create whose response body has this many bytes (a
	// violation once larger than the check reads).
	Oversized int64
}

// writeHAR writes a HAR 1.2 archive of m to w, one entry at a time (the
// generator holds no more than one in memory either, and writes a large
// string a chunk at a time). It returns how many entries are link-token
// exchanges, how many of them conform, and how many are other traffic.
func writeHAR(w io.Writer, m harMix) (linkToken, conform, other int, err error) {
	period := m.Period
	if period == 0 {
		period = 10
	}
	bw := bufio.NewWriterSize(w, 64<<10)
	if m.UnusedKey > 0 {
		_, _ = io.WriteString(bw, `{"_unused":"`)
		if err = writeLongText(bw, m.UnusedKey, `0123456789abcdef ,:{}[] \" \\ \/ \n \u00e9 \ud83d\ude00 `); err != nil {
			return
		}
		_, _ = io.WriteString(bw, `",`)
	} else {
		_ = bw.WriteByte('{')
	}
	if _, err = io.WriteString(bw, `"log":{"version":"1.2","creator":{"name":"linktoken hargen","version":"1"},"pages":[],"entries":[`); err != nil {
		return
	}
	n := 0
	entry := func(e map[string]any, text string, size int64) error {
		if n > 0 {
			_ = bw.WriteByte(',')
		}
		n++
		b, err := json.Marshal(e)
		if err != nil {
			return err
		}
		if size == 0 {
			_, err = bw.Write(b)
			return err
		}
		// The body's text is a placeholder, replaced by size bytes
		// written a chunk at a time.
		i := bytes.Index(b, []byte(text))
		_, _ = bw.Write(b[:i])
		if err := writeLongText(bw, size, "x"); err != nil {
			return err
		}
		_, err = bw.Write(b[i+len(text):])
		return err
	}
	if m.OtherBody > 0 {
		e, kind := harEntryFor(period-2, period)
		if kind != "other" {
			panic("harEntryFor changed its mix")
		}
		setResponseText(e, "@OTHER@")
		if err = entry(e, "@OTHER@", m.OtherBody); err != nil {
			return
		}
		other++
	}
	if m.Oversized > 0 {
		e, _ := harEntryFor(0, period)
		setResponseText(e, `{"linkToken":"@BIG@"}`)
		if err = entry(e, "@BIG@", m.Oversized-len64(`{"linkToken":""}`)); err != nil {
			return
		}
		linkToken++
	}
	for i := 0; i < m.Entries; i++ {
		e, kind := harEntryFor(i, period)
		switch kind {
		case "other":
			other++
		case "bad":
			linkToken++
		default:
			linkToken++
			conform++
		}
		if err = entry(e, "", 0); err != nil {
			return
		}
	}
	if _, err = io.WriteString(bw, "]}}\n"); err != nil {
		return
	}
	err = bw.Flush()
	return
}

func len64(s string) int64 { return int64(len(s)) }

// setResponseText sets the text of an entry's response content.
func setResponseText(e map[string]any, text string) {
	e["response"].(map[string]any)["content"].(map[string]any)["text"] = text
}

// writeLongText writes size bytes of JSON string content: unit repeated
// (whole, so that its escapes stay whole), then x's, a chunk at a time.
func writeLongText(w io.Writer, size int64, unit string) error {
	u := int64(len(unit))
	chunk := bytes.Repeat([]byte(unit), max(1, (64<<10)/len(unit)))
	for size >= u {
		c := chunk[:min(int64(len(chunk)), size/u*u)]
		if _, err := w.Write(c); err != nil {
			return err
		}
		size -= int64(len(c))
	}
	_, err := w.Write(bytes.Repeat([]byte("x"), int(size)))
	return err
}

type hh = map[string]string

func harHeaders(kv ...string) []hh {
	out := make([]hh, 0, len(kv)/2)
	for i := 0; i+1 < len(kv); i += 2 {
		out = append(out, hh{"name": kv[i], "value": kv[i+1]})
	}
	return out
}

func harEntryFor(i, period int) (map[string]any, string) {
	org := fmt.Sprintf("4888442a3354%012x", i)
	ver, mt := "v2", v2Type
	if i%2 == 1 {
		ver, mt = "v1.0", "application/json"
	}
	base := "https://cloud.mongodb.com/api/atlas/" + ver + "/orgs/" + org + "/liveMigrations/linkTokens"
	digest := fmt.Sprintf(`Digest username="pub", realm="MMS Public API", nonce="bm9uY2U=", uri="/api/atlas/%s/orgs/%s/liveMigrations/linkTokens", algorithm=MD5, response="%032x", qop=auth, nc=%08x, cnonce="Y25vbmNl"`, ver, org, i, i+1)
	rl := []string{"ratelimit-limit", "500", "ratelimit-remaining", "498"}
	entry := func(method, url string, reqH []hh, post map[string]any, status int, respH []hh, text, respMT string) map[string]any {
		req := map[string]any{"method": method, "url": url, "httpVersion": "HTTP/2.0", "headers": reqH, "queryString": []any{}, "cookies": []any{}, "headersSize": -1, "bodySize": 0}
		if post != nil {
			req["postData"] = post
		}
		return map[string]any{
			"startedDateTime": "2026-08-10T03:03:08.000Z", "time": 150,
			"request": req,
			"response": map[string]any{"status": status, "statusText": "", "httpVersion": "HTTP/2.0", "headers": respH, "cookies": []any{},
				"content": map[string]any{"size": len(text), "mimeType": respMT, "text": text}, "redirectURL": "", "headersSize": -1, "bodySize": len(text)},
			"cache": map[string]any{}, "timings": map[string]any{"send": 0, "wait": 150, "receive": 0},
		}
	}
	create := func(status int, token string) map[string]any {
		body := `{"accessListIps":["192.0.2.10","2001:db8::/32"]}`
		respMT := mt
		if ver == "v2" {
			respMT += ";charset=utf-8"
		}
		return entry("POST", base, harHeaders("content-type", mt, "accept", mt, "authorization", digest),
			map[string]any{"mimeType": mt, "text": body}, status,
			harHeaders(append([]string{"content-type", respMT}, rl...)...), `{"linkToken":`+token+`}`, respMT)
	}
	switch k := i % period; {
	case k == period-1:
		return create(201, `["string"]`), "bad"
	case k == period-2:
		return entry("GET", "https://cloud.mongodb.com/api/atlas/v2/groups", harHeaders("accept", v2Type), nil, 200,
			harHeaders("content-type", v2Type), `{"results":[],"totalCount":0}`, v2Type), "other"
	case k%3 == 0:
		return create(201, `"redactedToken"`), "ok"
	case k%3 == 1:
		return entry("DELETE", base, harHeaders("accept", mt, "authorization", digest), nil, 204,
			harHeaders(append([]string{"content-type", mt}, rl...)...), "", ""), "ok"
	default:
		text := `{"status":204}`
		return entry("DELETE", base+"?envelope=true", harHeaders("accept", mt, "authorization", digest), nil, 200,
			harHeaders(append([]string{"content-type", mt}, rl...)...), text, mt), "ok"
	}
}
