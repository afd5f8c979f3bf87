// Package items is the items API over one DynamoDB table: the logic of the items function
// (functions/items, invoked through the role chain: Handle, whose caller is the user of the ID
// token it carries) and of the token API's handler (functions/api: HandleFor, whose owner is the
// API token's). Both take the payload documented in functions/items.
package items

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/gatehouse-cdk/gatehouse/functions/internal/identity"
)

// ItemTable is the part of *dynamodb.Client the handler uses.
type ItemTable interface {
	PutItem(ctx context.Context, params *dynamodb.PutItemInput, optFns ...func(*dynamodb.Options)) (*dynamodb.PutItemOutput, error)
	GetItem(ctx context.Context, params *dynamodb.GetItemInput, optFns ...func(*dynamodb.Options)) (*dynamodb.GetItemOutput, error)
	Query(ctx context.Context, params *dynamodb.QueryInput, optFns ...func(*dynamodb.Options)) (*dynamodb.QueryOutput, error)
}

// Identity derives the caller from an ID token: *identity.Verifier.
type Identity interface {
	Caller(ctx context.Context, idToken string) (identity.Caller, error)
}

// Handler serves the items API over one table.
type Handler struct {
	Table     ItemTable
	TableName string
	// Identity verifies the idToken of Handle's requests (the items function's). HandleFor,
	// whose caller already knows the owner (the token API's handler), does not use it.
	Identity Identity
	// Now is the clock of createdAt; nil means time.Now.
	Now func() time.Time
}

// Response is the JSON the function returns: exactly one of Item, Items (with Next) or Error.
type Response struct {
	Item  *Item      `json:"item,omitempty"`
	Items []Item     `json:"items,omitzero"` // an empty page is "items": [], never absent
	Next  string     `json:"next,omitempty"`
	Error *ErrorBody `json:"error,omitempty"`
}

// Item is an item as the caller sees it (the owner is not echoed).
type Item struct {
	ID        string `json:"id"`
	Name      string `json:"name"`
	Body      string `json:"body"`
	CreatedAt string `json:"createdAt"`
}

// ErrorBody is a refusal the caller can act on. Field names the request field at fault, if one is.
type ErrorBody struct {
	Code    string `json:"code"`
	Field   string `json:"field,omitempty"`
	Message string `json:"message"`
}

// Error codes.
const (
	CodeInvalid      = "invalid"
	CodeConflict     = "conflict"
	CodeNotFound     = "not_found"
	CodeUnauthorized = "unauthorized"
)

// Actions.
const (
	actionPut  = "put"
	actionGet  = "get"
	actionList = "list"
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

// Table attributes.
const (
	attrOwner     = "owner"
	attrID        = "id"
	attrName      = "name"
	attrBody      = "body"
	attrCreatedAt = "createdAt"
)

// What each field allows, as the end of "it must be ...".
const (
	ruleAction = `one of "put", "get" or "list"`
	// ruleOwner is what HandleFor's owner must be (the token API's authorizer gives it).
	ruleOwner = `1 to 128 characters from A-Z, a-z, 0-9, ":", "_" and "-"`
	ruleID    = `1 to 64 characters from A-Z, a-z, 0-9, "_" and "-"`
	ruleName  = `1 to 200 printable characters (no control or format characters), not only spaces`
	ruleBody  = `a string of at most 4000 characters`
	ruleLimit = `a whole number from 1 to 100`
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

// Handle serves one invocation of the items function: the caller is the user whose ID token
// (idToken) the identity check accepts, and only theirs are the items it reaches. A payload that
// names an owner is refused (invalid, field owner); a missing or refused token is unauthorized,
// before any other field is looked at. Refusals are normal responses; an error is returned only
// when DynamoDB or the identity check's services fail, so that the invocation fails and is logged.
func (h *Handler) Handle(ctx context.Context, payload json.RawMessage) (Response, error) {
	req, bad := decode(payload)
	if bad == nil && req.Owner != nil {
		bad = invalid(fieldOwner, "owner is not accepted: the owner is the signed-in user whose idToken is sent, never a name in the request.")
	}
	if bad != nil {
		logRequest(ctx, command{}, Response{Error: bad}, nil)
		return Response{Error: bad}, nil
	}
	var token string
	if req.IDToken != nil && json.Unmarshal(req.IDToken, &token) != nil {
		token = ""
	}
	caller, err := h.Identity.Caller(ctx, token)
	if errors.Is(err, identity.ErrUnauthorized) {
		slog.InfoContext(ctx, "request", "outcome", CodeUnauthorized, "reason", err.Error())
		return Response{Error: &ErrorBody{Code: CodeUnauthorized, Message: "sign in again: the request carries no valid ID token of this app"}}, nil
	}
	if err != nil {
		slog.ErrorContext(ctx, "request", "outcome", "error", "error", err.Error())
		return Response{}, err
	}
	return h.serve(ctx, caller.Owner, req)
}

// HandleFor serves a request of owner, whom the caller has already established (the token
// API's handler: the owner of the API token, from its authorizer). The payload names neither an
// owner nor an idToken.
func (h *Handler) HandleFor(ctx context.Context, owner string, payload json.RawMessage) (Response, error) {
	req, bad := decode(payload)
	switch {
	case bad != nil:
	case req.Owner != nil || req.IDToken != nil:
		bad = invalid("", "the request names no owner and carries no idToken: the owner is given apart.")
	default:
		bad = checkKeyString(fieldOwner, owner, maxOwnerLen, isOwnerChar, ruleOwner)
	}
	if bad != nil {
		logRequest(ctx, command{}, Response{Error: bad}, nil)
		return Response{Error: bad}, nil
	}
	return h.serve(ctx, owner, req)
}

// serve validates the request's fields and runs it for owner.
func (h *Handler) serve(ctx context.Context, owner string, req request) (Response, error) {
	cmd, bad := parse(req)
	cmd.owner = owner
	var (
		resp Response
		err  error
	)
	if bad != nil {
		resp = Response{Error: bad}
	} else {
		switch cmd.action {
		case actionPut:
			resp, err = h.put(ctx, cmd)
		case actionGet:
			resp, err = h.get(ctx, cmd)
		case actionList:
			resp, err = h.list(ctx, cmd)
		}
	}
	logRequest(ctx, cmd, resp, err)
	if err != nil {
		return Response{}, err
	}
	return resp, nil
}

// logRequest writes the one log line of a request. It never logs the body or an error message
// (which may repeat part of the input): only the action, the owner, the outcome and the field.
func logRequest(ctx context.Context, cmd command, resp Response, err error) {
	attrs := []any{"action", cmd.action, "owner", cmd.owner}
	switch {
	case err != nil:
		slog.ErrorContext(ctx, "request", append(attrs, "outcome", "error", "error", err.Error())...)
	case resp.Error != nil:
		attrs = append(attrs, "outcome", resp.Error.Code)
		if resp.Error.Field != "" {
			attrs = append(attrs, "field", truncate(resp.Error.Field))
		}
		slog.InfoContext(ctx, "request", attrs...)
	default:
		slog.InfoContext(ctx, "request", append(attrs, "outcome", "ok")...)
	}
}

func (h *Handler) put(ctx context.Context, cmd command) (Response, error) {
	now := time.Now
	if h.Now != nil {
		now = h.Now
	}
	item := Item{ID: cmd.id, Name: cmd.name, Body: cmd.body, CreatedAt: now().UTC().Format(time.RFC3339)}
	_, err := h.Table.PutItem(ctx, &dynamodb.PutItemInput{
		TableName: ptr(h.TableName),
		Item: map[string]types.AttributeValue{
			attrOwner:     &types.AttributeValueMemberS{Value: cmd.owner},
			attrID:        &types.AttributeValueMemberS{Value: item.ID},
			attrName:      &types.AttributeValueMemberS{Value: item.Name},
			attrBody:      &types.AttributeValueMemberS{Value: item.Body},
			attrCreatedAt: &types.AttributeValueMemberS{Value: item.CreatedAt},
		},
		// Never overwrite: a put under an id the owner already uses is a conflict.
		ConditionExpression: ptr("attribute_not_exists(id)"),
	})
	var exists *types.ConditionalCheckFailedException
	if errors.As(err, &exists) {
		return refuse(CodeConflict, "id", fmt.Sprintf("id %s already exists: an item is never overwritten, so put it under a new id.", quote(cmd.id))), nil
	}
	if err != nil {
		return Response{}, fmt.Errorf("put: DynamoDB PutItem: %w", err)
	}
	return Response{Item: &item}, nil
}

func (h *Handler) get(ctx context.Context, cmd command) (Response, error) {
	out, err := h.Table.GetItem(ctx, &dynamodb.GetItemInput{
		TableName:      ptr(h.TableName),
		Key:            key(cmd.owner, cmd.id),
		ConsistentRead: ptr(true),
	})
	if err != nil {
		return Response{}, fmt.Errorf("get: DynamoDB GetItem: %w", err)
	}
	if len(out.Item) == 0 {
		return refuse(CodeNotFound, "id", fmt.Sprintf("id %s was not found: there is no item with this id for this owner.", quote(cmd.id))), nil
	}
	item, err := itemFrom(out.Item)
	if err != nil {
		return Response{}, fmt.Errorf("get: DynamoDB GetItem: %w", err)
	}
	return Response{Item: &item}, nil
}

func (h *Handler) list(ctx context.Context, cmd command) (Response, error) {
	in := &dynamodb.QueryInput{
		TableName: ptr(h.TableName),
		// owner is a DynamoDB reserved word, so the expression names it through #owner.
		KeyConditionExpression:    ptr("#owner = :owner"),
		ExpressionAttributeNames:  map[string]string{"#owner": attrOwner},
		ExpressionAttributeValues: map[string]types.AttributeValue{":owner": &types.AttributeValueMemberS{Value: cmd.owner}},
		Limit:                     ptr(cmd.limit),
	}
	if cmd.startID != "" {
		// The start key's owner is always the caller's: a token only carries an id.
		in.ExclusiveStartKey = key(cmd.owner, cmd.startID)
	}
	out, err := h.Table.Query(ctx, in)
	if err != nil {
		return Response{}, fmt.Errorf("list: DynamoDB Query: %w", err)
	}
	resp := Response{Items: make([]Item, 0, len(out.Items))}
	for _, av := range out.Items {
		item, err := itemFrom(av)
		if err != nil {
			return Response{}, fmt.Errorf("list: DynamoDB Query: %w", err)
		}
		resp.Items = append(resp.Items, item)
	}
	if len(out.LastEvaluatedKey) > 0 {
		id, ok := stringAttr(out.LastEvaluatedKey, attrID)
		if !ok {
			return Response{}, errors.New("list: DynamoDB Query: LastEvaluatedKey has no string attribute id")
		}
		resp.Next = encodeToken(id)
	}
	return resp, nil
}

func key(owner, id string) map[string]types.AttributeValue {
	return map[string]types.AttributeValue{
		attrOwner: &types.AttributeValueMemberS{Value: owner},
		attrID:    &types.AttributeValueMemberS{Value: id},
	}
}

// itemFrom reads a stored item; body may be absent (it reads as empty), the others may not.
func itemFrom(av map[string]types.AttributeValue) (Item, error) {
	var item Item
	for _, f := range []struct {
		attr     string
		dst      *string
		optional bool
	}{
		{attrID, &item.ID, false},
		{attrName, &item.Name, false},
		{attrBody, &item.Body, true},
		{attrCreatedAt, &item.CreatedAt, false},
	} {
		v, ok := stringAttr(av, f.attr)
		if !ok && (!f.optional || av[f.attr] != nil) {
			return Item{}, fmt.Errorf("stored item has no string attribute %s", f.attr)
		}
		*f.dst = v
	}
	return item, nil
}

func stringAttr(av map[string]types.AttributeValue, name string) (string, bool) {
	s, ok := av[name].(*types.AttributeValueMemberS)
	if !ok {
		return "", false
	}
	return s.Value, true
}

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

	keys := json.NewDecoder(bytes.NewReader(payload))
	if t, _ := keys.Token(); t != json.Delim('{') {
		return req, invalid("", "request is null: it must be a JSON object.")
	}
	seen := map[string]bool{}
	for keys.More() {
		t, err := keys.Token()
		if err != nil {
			return req, invalid("", "request is not valid JSON: it must be a JSON object.")
		}
		name, _ := t.(string)
		if !knownField(name) {
			return req, unknown(name)
		}
		if seen[name] {
			return req, invalid(name, fmt.Sprintf("%s is given more than once: each field may appear only once.", name))
		}
		seen[name] = true
		var skip json.RawMessage
		if err := keys.Decode(&skip); err != nil {
			return req, invalid("", "request is not valid JSON: it must be a JSON object.")
		}
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
