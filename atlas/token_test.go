package atlas_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"log/slog"
	"strings"
	"testing"

	"github.com/seed-5c49e0d7/linktoken/atlas"
)

const secretToken = "c2VjcmV0LWxpbmstdG9rZW4tdmFsdWU="

func TestLinkTokenNeverPrintsItsSecret(t *testing.T) {
	tok := atlas.NewLinkToken(secretToken)
	type holder struct {
		Public  atlas.LinkToken
		private atlas.LinkToken
		Ptr     *atlas.LinkToken
	}
	h := holder{Public: tok, private: tok, Ptr: &tok}
	for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q", "%x", "%X", "%d", "%10s", "%-8v"} {
		for name, arg := range map[string]any{"value": tok, "pointer": &tok, "struct": h, "struct pointer": &h, "slice": []atlas.LinkToken{tok}} {
			t.Run(verb+" "+name, func(t *testing.T) {
				out := fmt.Sprintf(verb, arg)
				if strings.Contains(out, secretToken) || strings.Contains(out, fmt.Sprintf("%x", secretToken)) ||
					strings.Contains(strings.ToLower(out), strings.ToLower(fmt.Sprintf("%X", secretToken))) {
					t.Fatalf("%s of %s leaks the token: %s", verb, name, out)
				}
			})
		}
	}
	if got := tok.String(); !strings.Contains(got, "REDACTED") {
		t.Errorf("String() = %q, want a redaction marker", got)
	}
	if got := fmt.Sprint(tok); !strings.Contains(got, "REDACTED") {
		t.Errorf("Sprint = %q, want a redaction marker", got)
	}
}

func TestLinkTokenEncodingsAndLogsAreRedacted(t *testing.T) {
	tok := atlas.NewLinkToken(secretToken)
	b, err := json.Marshal(map[string]any{"token": tok, "nested": struct{ T atlas.LinkToken }{tok}})
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(b, []byte(secretToken)) || !bytes.Contains(b, []byte("REDACTED")) {
		t.Errorf("JSON leaks or lacks the marker: %s", b)
	}
	txt, _ := tok.MarshalText()
	if strings.Contains(string(txt), secretToken) {
		t.Errorf("MarshalText leaks: %s", txt)
	}
	for name, newHandler := range map[string]func(*bytes.Buffer) slog.Handler{
		"json": func(b *bytes.Buffer) slog.Handler { return slog.NewJSONHandler(b, nil) },
		"text": func(b *bytes.Buffer) slog.Handler { return slog.NewTextHandler(b, nil) },
	} {
		t.Run(name, func(t *testing.T) {
			var buf bytes.Buffer
			l := slog.New(newHandler(&buf))
			l.Info("created", "token", tok, slog.Any("ptr", &tok), slog.Group("g", "t", tok))
			if strings.Contains(buf.String(), secretToken) || !strings.Contains(buf.String(), "REDACTED") {
				t.Errorf("slog %s output leaks or lacks the marker: %s", name, buf.String())
			}
		})
	}
}

func TestLinkTokenRevealIsTheOnlyWayOut(t *testing.T) {
	tok := atlas.NewLinkToken(secretToken)
	if tok.Reveal() != secretToken {
		t.Errorf("Reveal() = %q", tok.Reveal())
	}
	if tok.IsZero() {
		t.Error("IsZero() on a token")
	}
	var zero atlas.LinkToken
	if !zero.IsZero() || zero.Reveal() != "" {
		t.Errorf("zero token: IsZero %v, Reveal %q", zero.IsZero(), zero.Reveal())
	}
}
