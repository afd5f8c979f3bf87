package apitokens_test

import (
	"strings"
	"testing"

	"github.com/gatehouse-cdk/gatehouse/apitokens"
)

func TestNewTokens(t *testing.T) {
	seen := map[string]bool{}
	for i := 0; i < 50; i++ {
		token, err := apitokens.New()
		if err != nil {
			t.Fatal(err)
		}
		if !strings.HasPrefix(token, apitokens.Prefix) || len(token) != len(apitokens.Prefix)+43 || seen[token] {
			t.Fatalf("token %q: wrong shape or repeated", token)
		}
		seen[token] = true
		for _, header := range []string{token, "Bearer " + token} {
			if got, ok := apitokens.FromHeader(header); !ok || got != token {
				t.Errorf("FromHeader(%q) = %q, %v", header, got, ok)
			}
		}
		if h := apitokens.Hash(token); !apitokens.IsHash(h) || h == apitokens.Hash(token+"x") {
			t.Errorf("Hash(%q) = %q", token, h)
		}
	}
}

func TestMalformedHeaders(t *testing.T) {
	token, _ := apitokens.New()
	for _, header := range []string{"", token[:len(token)-1], token + "A", "bearer " + token, "Bearer  " + token, "Basic " + token,
		"ghapi_" + strings.Repeat("*", 43), strings.Replace(token, "ghapi_", "ghapk_", 1), " " + token, token + "\n"} {
		if _, ok := apitokens.FromHeader(header); ok {
			t.Errorf("FromHeader(%q) accepted", header)
		}
	}
}

// The known answer: SHA-256 of the token's bytes, hex.
func TestHashIsSHA256(t *testing.T) {
	if got := apitokens.Hash("abc"); got != "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad" {
		t.Errorf("Hash(abc) = %s", got)
	}
}
