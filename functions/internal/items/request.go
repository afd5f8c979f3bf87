// Requests: the payload decoded strictly, each field checked against its rule, the first
// problem reported by field.

package items

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"slices"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	keys "github.com/gatehouse-cdk/gatehouse/functions/internal/payload"
)

// Limits of the request fields.
const (
	maxOwnerLen  = 128
	maxIDLen     = 64
	maxNameLen   = 200
	maxBodyLen   = 4000
	defaultLimit = 25
	maxLimit     = 100
	// maxShown is how many characters of a bad value an error message repeats.
	maxShown = 64
)

// What each field allows, as the end of "it must be ...", from the limits above.
var (
	ruleAction = fmt.Sprintf("one of %q, %q or %q", actionPut, actionGet, actionList)
	// ruleOwner is what HandleFor's owner must be (the token API's authorizer gives it).
	ruleOwner = fmt.Sprintf(`1 to %d characters from A-Z, a-z, 0-9, ":", "_" and "-"`, maxOwnerLen)
	ruleID    = fmt.Sprintf(`1 to %d characters from A-Z, a-z, 0-9, "_" and "-"`, maxIDLen)
	ruleName  = fmt.Sprintf(`1 to %d printable characters (no control or format characters), not only spaces`, maxNameLen)
	ruleBody  = fmt.Sprintf(`a string of at most %d characters`, maxBodyLen)
	ruleLimit = fmt.Sprintf(`a whole number from 1 to %d`, maxLimit)
	ruleNext  = `the "next" value returned by a previous list`
)

// fieldIDToken carries the caller's ID token; fieldOwner is refused: nobody names the owner.
const (
	fieldIDToken = "idToken"
	fieldOwner   = "owner"
)

// fieldOrder is the request's fields after idToken, in the order they are checked; the first
// problem is reported.
var fieldOrder = []string{"action", "id", "name", "body", "limit", "next"}

// knownFields are the fields a payload may hold (owner only to be refused by name).
var knownFields = append([]string{fieldIDToken, fieldOwner}, fieldOrder...)

// actionFields maps each action to the fields it takes (besides action and idToken), true when
// required.
var actionFields = map[string]map[string]bool{
	actionPut:  {"id": true, "name": true, "body": false},
	actionGet:  {"id": true},
	actionList: {"limit": false, "next": false},
}

// actionFieldList is actionFields for messages.
var actionFieldList = map[string]string{
	actionPut:  "action, idToken, id, name and body",
	actionGet:  "action, idToken and id",
	actionList: "action, idToken, limit and next",
}

// request is the payload before validation; each field keeps its raw JSON (nil when absent).
type request struct {
	Action  json.RawMessage `json:"action"`
	IDToken json.RawMessage `json:"idToken"`
	Owner   json.RawMessage `json:"owner"`
	ID      json.RawMessage `json:"id"`
	Name    json.RawMessage `json:"name"`
	Body    json.RawMessage `json:"body"`
	Limit   json.RawMessage `json:"limit"`
	Next    json.RawMessage `json:"next"`
}

// command is a validated request.
type command struct {
	action  string
	owner   string
	id      string
	name    string
	body    string
	limit   int32
	startID string // list: the id to continue after; "" for the first page
}

// parse validates a decoded request's fields. On a refusal, cmd holds what was valid before the
// problem.
func parse(req request) (cmd command, bad *ErrorBody) {
	raw := map[string]json.RawMessage{
		"action": req.Action, "id": req.ID, "name": req.Name,
		"body": req.Body, "limit": req.Limit, "next": req.Next,
	}

	if req.Action == nil {
		return cmd, missing("action", ruleAction)
	}
	action, bad := stringField("action", req.Action, ruleAction)
	if bad != nil {
		return cmd, bad
	}
	if action == "" {
		return cmd, missing("action", ruleAction)
	}
	fields, ok := actionFields[action]
	if !ok {
		return cmd, invalid("action", fmt.Sprintf("action %s is not supported: it must be %s.", quote(action), ruleAction))
	}
	cmd.action = action
	cmd.limit = defaultLimit

	for _, name := range fieldOrder[1:] {
		required, allowed := fields[name]
		switch {
		case raw[name] == nil && required:
			return cmd, missing(name, ruleOf(name))
		case raw[name] == nil:
			continue
		case !allowed:
			return cmd, invalid(name, fmt.Sprintf("%s is not allowed for action %q: %s takes only %s.", name, action, action, actionFieldList[action]))
		}
		if bad := cmd.set(name, raw[name]); bad != nil {
			return cmd, bad
		}
	}
	return cmd, nil
}

func ruleOf(field string) string {
	switch field {
	case "id":
		return ruleID
	case "name":
		return ruleName
	case "body":
		return ruleBody
	case "limit":
		return ruleLimit
	case "next":
		return ruleNext
	}
	return ruleAction
}

// set validates one present field and stores it in cmd.
func (cmd *command) set(field string, raw json.RawMessage) *ErrorBody {
	if field == "limit" {
		n, bad := limitField(raw)
		if bad != nil {
			return bad
		}
		cmd.limit = n
		return nil
	}
	rule := ruleOf(field)
	s, bad := stringField(field, raw, rule)
	if bad != nil {
		return bad
	}
	switch field {
	case "id":
		if bad := checkKeyString(field, s, maxIDLen, isIDChar, rule); bad != nil {
			return bad
		}
		cmd.id = s
	case "name":
		name, bad := checkName(s)
		if bad != nil {
			return bad
		}
		cmd.name = name
	case "body":
		if n := utf8.RuneCountInString(s); n > maxBodyLen {
			return invalid(field, fmt.Sprintf("body %s is too long (%d characters): it must be %s.", quote(s), n, rule))
		}
		cmd.body = s
	case "next":
		id, ok := decodeToken(s)
		if !ok {
			return invalid(field, fmt.Sprintf("next %s is not a valid token: it must be %s.", quote(s), rule))
		}
		cmd.startID = id
	}
	return nil
}

// decode reads the payload into a request: one JSON object whose keys are known fields, spelled
// exactly (encoding/json alone would match "Owner" to owner) and each given at most once (alone
// it would keep the last).
func decode(payload []byte) (request, *ErrorBody) {
	var req request
	dec := json.NewDecoder(bytes.NewReader(payload))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&req); err != nil {
		var typeErr *json.UnmarshalTypeError
		switch {
		case errors.Is(err, io.EOF):
			return req, invalid("", "request is empty: it must be a JSON object.")
		case errors.As(err, &typeErr) && typeErr.Field == "":
			return req, invalid("", fmt.Sprintf("request is a JSON %s: it must be a JSON object.", typeErr.Value))
		}
		if name, ok := unknownField(err); ok {
			return req, unknown(name)
		}
		return req, invalid("", fmt.Sprintf("request is not valid JSON (%s): it must be a JSON object.", strings.TrimPrefix(err.Error(), "json: ")))
	}
	if _, err := dec.Token(); err != io.EOF {
		return req, invalid("", "request has data after the JSON object: it must be a single JSON object.")
	}

	switch name, problem := keys.CheckKeys(payload, knownField); problem {
	case keys.NotObject:
		return req, invalid("", "request is null: it must be a JSON object.")
	case keys.Unknown:
		return req, unknown(name)
	case keys.Repeated:
		return req, invalid(name, fmt.Sprintf("%s is given more than once: each field may appear only once.", name))
	}
	return req, nil
}

// unknownField recognises the error of DisallowUnknownFields, json: unknown field "name", and
// returns the name.
func unknownField(err error) (string, bool) {
	rest, ok := strings.CutPrefix(err.Error(), "json: unknown field ")
	if !ok {
		return "", false
	}
	name, err := strconv.Unquote(rest)
	return name, err == nil
}

func knownField(name string) bool { return slices.Contains(knownFields, name) }

func unknown(name string) *ErrorBody {
	return invalid(truncate(name), fmt.Sprintf("field %s is not allowed: the fields are action, idToken, id, name, body, limit and next.", quote(name)))
}

// stringField decodes a field that must be a JSON string.
func stringField(field string, raw json.RawMessage, rule string) (string, *ErrorBody) {
	var s string
	if len(raw) == 0 || raw[0] != '"' || json.Unmarshal(raw, &s) != nil {
		return "", invalid(field, fmt.Sprintf("%s %s is not a string: it must be %s.", field, showRaw(raw), rule))
	}
	return s, nil
}

// limitField decodes limit: a JSON number that is a whole number from 1 to 100 (25.0 is 25).
func limitField(raw json.RawMessage) (int32, *ErrorBody) {
	shown := showRaw(raw)
	if len(raw) == 0 || (raw[0] != '-' && (raw[0] < '0' || raw[0] > '9')) {
		return 0, invalid("limit", fmt.Sprintf("limit %s is not a number: it must be %s.", shown, ruleLimit))
	}
	var f float64
	if err := json.Unmarshal(raw, &f); err != nil {
		return 0, invalid("limit", fmt.Sprintf("limit %s is out of range: it must be %s.", shown, ruleLimit))
	}
	if f != math.Trunc(f) {
		return 0, invalid("limit", fmt.Sprintf("limit %s is not a whole number: it must be %s.", shown, ruleLimit))
	}
	if f < 1 || f > maxLimit {
		return 0, invalid("limit", fmt.Sprintf("limit %s is out of range: it must be %s.", shown, ruleLimit))
	}
	return int32(f), nil
}

// checkKeyString checks owner and id: required, at most max characters, each allowed by ok.
func checkKeyString(field, s string, max int, ok func(rune) bool, rule string) *ErrorBody {
	if s == "" {
		return missing(field, rule)
	}
	if n := utf8.RuneCountInString(s); n > max {
		return invalid(field, fmt.Sprintf("%s %s is too long (%d characters): it must be %s.", field, quote(s), n, rule))
	}
	for _, r := range s {
		if !ok(r) {
			return invalid(field, fmt.Sprintf("%s %s contains %s, which is not allowed: it must be %s.", field, quote(s), quote(string(r)), rule))
		}
	}
	return nil
}

func isIDChar(r rune) bool {
	return r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '_' || r == '-'
}

func isOwnerChar(r rune) bool { return isIDChar(r) || r == ':' }

// checkName returns the name trimmed of surrounding spaces. Every character must be graphic
// (letters, marks, numbers, punctuation, symbols, spaces): no control or format characters.
func checkName(s string) (string, *ErrorBody) {
	if s == "" {
		return "", missing("name", ruleName)
	}
	for _, r := range s {
		if !unicode.IsGraphic(r) {
			return "", invalid("name", fmt.Sprintf("name %s contains %s, which is not allowed: it must be %s.", quote(s), quote(string(r)), ruleName))
		}
	}
	name := strings.TrimSpace(s)
	if name == "" {
		return "", invalid("name", fmt.Sprintf("name %s is blank: it must be %s.", quote(s), ruleName))
	}
	if n := utf8.RuneCountInString(name); n > maxNameLen {
		return "", invalid("name", fmt.Sprintf("name %s is too long (%d characters): it must be %s.", quote(name), n, ruleName))
	}
	return name, nil
}

func missing(field, rule string) *ErrorBody {
	return invalid(field, fmt.Sprintf("%s is required: it must be %s.", field, rule))
}

func invalid(field, message string) *ErrorBody {
	return &ErrorBody{Code: CodeInvalid, Field: field, Message: message}
}

func refuse(code, field, message string) Response {
	return Response{Error: &ErrorBody{Code: code, Field: field, Message: message}}
}

// quote shows a bad string value in a message: at most maxShown characters, Go-quoted so that
// control characters are visible.
func quote(s string) string { return strconv.Quote(truncate(s)) }

// showRaw shows a bad JSON value (of the wrong type) in a message, compacted and truncated.
func showRaw(raw json.RawMessage) string {
	var b bytes.Buffer
	if json.Compact(&b, raw) != nil {
		return truncate(string(raw))
	}
	return truncate(b.String())
}

// truncate keeps the first maxShown characters of s, marking a cut with "…".
func truncate(s string) string {
	if utf8.RuneCountInString(s) <= maxShown {
		return s
	}
	i, n := 0, 0
	for i = range s {
		if n == maxShown {
			break
		}
		n++
	}
	return s[:i] + "…"
}

func ptr[T any](v T) *T { return &v }
