package atlastest

import (
	"fmt"
	"mime"
	"net/http"
	"strings"
)

// negotiate applies the live service's media-type rules: v2 insists on its
// versioned media type in Accept (406) and in the Content-Type of a body
// (415); v1.0 speaks plain JSON and accepts any Accept that admits it.
// It writes the error and reports false when the request is refused.
func negotiate(w http.ResponseWriter, r *http.Request, x *exchange) bool {
	want := MediaTypeV1
	if x.version == BasePathV2 {
		want = MediaTypeV2
	}
	if !acceptable(r.Header.Values("Accept"), x.version) {
		writeAPIError(w, newAPIError(http.StatusNotAcceptable, CodeInvalidVersionDate,
			fmt.Sprintf("Invalid accept header or version date: expected %s.", want)))
		return false
	}
	if x.op == OpCreateLinkToken {
		// Two Content-Type headers leave the body's type ambiguous, even
		// when one of them is right: refused like a wrong one.
		cts := r.Header.Values("Content-Type")
		mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
		if err != nil || len(cts) != 1 || !strings.EqualFold(mt, want) {
			writeAPIError(w, newAPIError(http.StatusUnsupportedMediaType, CodeUnsupportedMedia,
				fmt.Sprintf("Unsupported Content-Type: expected %s.", want)))
			return false
		}
	}
	return true
}

// acceptable reports whether an Accept header admits the version's media
// type. v2 needs the versioned type named outright, as live: a wildcard does
// not pick a version date.
func acceptable(values []string, version string) bool {
	var ranges []string
	for _, v := range values {
		for _, part := range strings.Split(v, ",") {
			if part = strings.TrimSpace(part); part != "" {
				ranges = append(ranges, part)
			}
		}
	}
	if version == BasePathV1 && len(ranges) == 0 {
		return true
	}
	for _, rg := range ranges {
		mt, params, err := mime.ParseMediaType(rg)
		if err != nil || params["q"] == "0" {
			continue
		}
		mt = strings.ToLower(mt)
		if version == BasePathV2 {
			if mt == MediaTypeV2 {
				return true
			}
			continue
		}
		switch mt {
		case MediaTypeV1, "application/*", "*/*":
			return true
		}
	}
	return false
}
