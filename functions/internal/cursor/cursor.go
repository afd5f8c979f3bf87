// Package cursor is the list functions' one way of writing a page's position into the "next"
// value a caller sends back: base64url (unpadded) of the position's JSON, and nothing accepted
// back but exactly what Encode makes for a valid position (no other fields, spellings, spacing
// or padding), so a cursor cannot carry anything the function did not write.
package cursor

import (
	"encoding/base64"
	"encoding/json"
)

// Encode is position as a next value. Positions are structs of strings and numbers, which
// always marshal.
func Encode[T any](position T) string {
	b, err := json.Marshal(position)
	if err != nil {
		panic(err)
	}
	return base64.RawURLEncoding.EncodeToString(b)
}

// Decode reads a next value: false unless s is exactly Encode of a position valid accepts.
func Decode[T any](s string, valid func(T) bool) (T, bool) {
	var zero, position T
	b, err := base64.RawURLEncoding.Strict().DecodeString(s)
	if err != nil || json.Unmarshal(b, &position) != nil || !valid(position) || Encode(position) != s {
		return zero, false
	}
	return position, true
}
