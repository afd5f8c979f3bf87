package cursor_test

import (
	"encoding/base64"
	"testing"

	"github.com/gatehouse-cdk/gatehouse/functions/internal/cursor"
)

type position struct {
	ID string `json:"id"`
	N  int64  `json:"n"`
}

func valid(p position) bool { return p.ID != "" && p.N >= 0 }

func TestOnlyWhatEncodeMakesIsAccepted(t *testing.T) {
	p := position{ID: "a-1??", N: 7} // its JSON pads in base64, whose standard alphabet differs here
	s := cursor.Encode(p)
	if got, ok := cursor.Decode(s, valid); !ok || got != p {
		t.Fatalf("Decode(Encode(%v)) = %v, %v", p, got, ok)
	}
	raw := func(json string) string { return base64.RawURLEncoding.EncodeToString([]byte(json)) }
	canonical, _ := base64.RawURLEncoding.DecodeString(s)
	for name, bad := range map[string]string{
		"padded":           base64.URLEncoding.EncodeToString(canonical),
		"standard base64":  base64.RawStdEncoding.EncodeToString(canonical),
		"spacing":          raw(`{"id": "a-1", "n": 7}`),
		"another field":    raw(`{"id":"a-1","n":7,"owner":"b"}`),
		"other order":      raw(`{"n":7,"id":"a-1"}`),
		"invalid position": raw(`{"id":"","n":7}`),
		"not JSON":         raw(`a-1`),
		"empty":            "",
	} {
		if bad == s {
			t.Fatalf("%s: %q is the canonical form: the case proves nothing", name, bad)
		}
		if got, ok := cursor.Decode(bad, valid); ok {
			t.Errorf("%s: %q accepted as %v", name, bad, got)
		}
	}
}
