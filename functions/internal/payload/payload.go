// Package payload is the functions' one check of a JSON object's keys, which encoding/json
// alone does not make: it matches a key to a field whatever the key's case ("OWNER" fills
// owner) and keeps the last of a repeated key, so {"action": "list", "action": "issue"} would be
// an issue to the function and perhaps a list to whoever logged or checked the first. Every key
// must be spelt exactly as a known field and given once.
package payload

import (
	"bytes"
	"encoding/json"
)

// Problem is what is wrong with an object's keys.
type Problem int

// The problems a key can have.
const (
	OK Problem = iota
	// NotObject: the document is not a JSON object (null, an array, a scalar, or malformed).
	NotObject
	// Unknown: the key is not a known field (spelt exactly).
	Unknown
	// Repeated: the key is given more than once.
	Repeated
)

// CheckKeys reads the top-level keys of the JSON object in data and returns the first that is
// not known or repeats, with its problem; OK when every key is known and given once.
func CheckKeys(data []byte, known func(key string) bool) (key string, problem Problem) {
	dec := json.NewDecoder(bytes.NewReader(data))
	if t, err := dec.Token(); err != nil || t != json.Delim('{') {
		return "", NotObject
	}
	seen := map[string]bool{}
	for dec.More() {
		t, err := dec.Token()
		if err != nil {
			return "", NotObject
		}
		name, _ := t.(string)
		switch {
		case !known(name):
			return name, Unknown
		case seen[name]:
			return name, Repeated
		}
		seen[name] = true
		var skip json.RawMessage
		if err := dec.Decode(&skip); err != nil {
			return "", NotObject
		}
	}
	return "", OK
}
