package contract_test

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
)

// harMix says what a generated archive holds: of every Period entries,
// one breaks the contract (a linkToken array), one is not a link-token
// operation, and the rest are conforming creates and removes on both
// versions, plain and enveloped.
type harMix struct {
	Entries int
	Period  int // 0 means 10
}

// writeHAR writes a HAR 1.2 archive of m.Entries entries to w, one entry at
// a time (the generator holds no more than one in memory either). It
// returns how many entries are link-token exchanges, how many of them
// conform, and how many are other traffic.
func writeHAR(w io.Writer, m harMix) (linkToken, conform, other int, err error) {
	period := m.Period
	if period == 0 {
		period = 10
	}
	bw := bufio.NewWriterSize(w, 64<<10)
	if _, err = io.WriteString(bw, `{"log":{"version":"1.2","creator":{"name":"linktoken hargen","version":"1"},"pages":[],"entries":[`); err != nil {
		return
	}
	for i := 0; i < m.Entries; i++ {
		if i > 0 {
			_ = bw.WriteByte(',')
		}
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
		b, merr := json.Marshal(e)
		if merr != nil {
			return 0, 0, 0, merr
		}
		if _, err = bw.Write(b); err != nil {
			return
		}
	}
	if _, err = io.WriteString(bw, "]}}\n"); err != nil {
		return
	}
	err = bw.Flush()
	return
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
