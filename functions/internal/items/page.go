// List pages: the opaque "next" token of a page, and nothing else accepted as one.

package items

import "github.com/gatehouse-cdk/gatehouse/functions/internal/cursor"

// token is a list page's position: the last id it showed.
type token struct {
	ID string `json:"id"`
}

// encodeToken makes the next value of a list page that ends at id (package cursor).
func encodeToken(id string) string { return cursor.Encode(token{ID: id}) }

// decodeToken returns the id in a next value, and false unless it is exactly one that
// encodeToken makes for a valid id.
func decodeToken(s string) (string, bool) {
	t, ok := cursor.Decode(s, func(t token) bool { return checkKeyString("id", t.ID, maxIDLen, isIDChar, ruleID) == nil })
	return t.ID, ok
}
