// List pages: the opaque "next" token of a page, and nothing else accepted as one.

package items

import (
	"encoding/base64"
	"encoding/json"
)

// token is the JSON inside a pagination token.
type token struct {
	ID string `json:"id"`
}

// encodeToken makes the token of a list page that ends at id: base64url, no padding, of {"id":id}.
func encodeToken(id string) string {
	b, err := json.Marshal(token{ID: id})
	if err != nil {
		panic(err) // a struct of one string always marshals
	}
	return base64.RawURLEncoding.EncodeToString(b)
}

// decodeToken returns the id in a token, and false unless the token is exactly one that
// encodeToken makes for a valid id.
func decodeToken(s string) (string, bool) {
	b, err := base64.RawURLEncoding.Strict().DecodeString(s)
	if err != nil {
		return "", false
	}
	var t token
	if err := json.Unmarshal(b, &t); err != nil {
		return "", false
	}
	if checkKeyString("id", t.ID, maxIDLen, isIDChar, ruleID) != nil {
		return "", false
	}
	// Only the canonical form is accepted: no other fields, spellings or spacing.
	if encodeToken(t.ID) != s {
		return "", false
	}
	return t.ID, true
}
