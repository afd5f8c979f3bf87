package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"reflect"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/gatehouse-cdk/gatehouse/apitokens"
	pagecursor "github.com/gatehouse-cdk/gatehouse/functions/internal/cursor"
	"github.com/gatehouse-cdk/gatehouse/functions/internal/identity"
	keys "github.com/gatehouse-cdk/gatehouse/functions/internal/payload"
	"github.com/gatehouse-cdk/gatehouse/limits"
)

// TokenTable is what the service needs of DynamoDB: a conditional put, a conditional update,
// and a query of the owner index. (Its role allows these and nothing else.)
type TokenTable interface {
	PutItem(ctx context.Context, in *dynamodb.PutItemInput, opts ...func(*dynamodb.Options)) (*dynamodb.PutItemOutput, error)
	UpdateItem(ctx context.Context, in *dynamodb.UpdateItemInput, opts ...func(*dynamodb.Options)) (*dynamodb.UpdateItemOutput, error)
	Query(ctx context.Context, in *dynamodb.QueryInput, opts ...func(*dynamodb.Options)) (*dynamodb.QueryOutput, error)
}

// AuthorizerCache is the token API stage's authorizer cache: API Gateway's
// FlushStageAuthorizersCache (stageCache).
type AuthorizerCache interface {
	FlushStageAuthorizersCache(ctx context.Context, restAPIID, stageName string) error
}

// Config is the service's settings from the environment (configFromEnv).
type Config struct {
	// APIID and Stage name the REST API stage whose authorizer cache a revoke flushes.
	APIID, Stage string
	// MaxActive is how many active tokens one owner may hold (limits.MaxActiveTokens).
	MaxActive int
	// CacheSeconds is the stage's authorizer cache (limits.AuthorizerCacheSeconds): how long a
	// revoked token may still work when the flush failed.
	CacheSeconds int
	// Scopes a token may carry (the environment's api.scopes).
	Scopes []string
}

// flushTimeout bounds the flush after a revoke: the revoke stands either way, so a slow control
// plane only makes the answer say flushed false.
const flushTimeout = 3 * time.Second

// Service issues, lists and revokes the tokens of the user whose ID token a request carries.
type Service struct {
	Table     TokenTable
	TableName string
	// Identity verifies each request's idToken; the owner is its identity id.
	Identity identity.Check
	Now      func() time.Time
	// NewToken makes a token (apitokens.New; tests replace it).
	NewToken func() (string, error)
	// AuthorizerCache is flushed after each revoke.
	AuthorizerCache AuthorizerCache
	Config
}

// Request is one call: the Next.js server forwards the signed-in user's ID token, from its
// server-side session; nobody names the owner (a request with an owner field is refused).
type Request struct {
	Action       string           `json:"action"` // issue, list or revoke
	IDToken      string           `json:"idToken"`
	Owner        *json.RawMessage `json:"owner,omitempty"`        // refused
	Scopes       []string         `json:"scopes,omitempty"`       // issue
	LifetimeDays int              `json:"lifetimeDays,omitempty"` // issue; default limits.TokenLifetimeDays.Default
	Limit        *int             `json:"limit,omitempty"`        // list; default limits.TokenListPage.Default
	Next         *string          `json:"next,omitempty"`         // list: the previous page's next
	TokenID      string           `json:"tokenId,omitempty"`      // revoke
}

// requestFields are Request's keys, spelt as its JSON tags (owner only to be refused by name).
var requestFields = []string{"action", "idToken", "owner", "scopes", "lifetimeDays", "limit", "next", "tokenId"}

// Response is a call's result, or an error.
type Response struct {
	// Token is the new token: returned once, by issue; only its hash is stored.
	Token  string     `json:"token,omitempty"`
	Issued *TokenInfo `json:"issued,omitempty"`
	// Tokens is list's page, newest first (an empty list too); Next, the cursor of the following
	// page, is absent on the last.
	Tokens  []TokenInfo `json:"tokens,omitzero"`
	Next    string      `json:"next,omitempty"`
	Revoked *Revoked    `json:"revoked,omitempty"`
	Error   *APIError   `json:"error,omitempty"`
}

// TokenInfo describes a token without it: ID is its hash (what revoke takes).
type TokenInfo struct {
	ID        string   `json:"id"`
	Scopes    []string `json:"scopes"`
	Created   int64    `json:"created"`   // Unix seconds
	ExpiresAt int64    `json:"expiresAt"` // Unix seconds
	Revoked   bool     `json:"revoked"`
	Expired   bool     `json:"expired"`
}

// Revoked is revoke's answer: the token is revoked in the table; Flushed says whether the
// stage's authorizer cache was flushed, and EffectiveWithinSeconds how long the token may still
// work (0 when flushed; else the cache's time to live).
type Revoked struct {
	ID                     string `json:"id"`
	Flushed                bool   `json:"flushed"`
	EffectiveWithinSeconds int    `json:"effectiveWithinSeconds"`
}

// APIError is a refusal: code invalid (field names the bad field), not_found, conflict (the
// owner holds as many active tokens as allowed) or unauthorized (no valid ID token: nothing else
// is said or done).
type APIError struct {
	Code    string `json:"code"`
	Field   string `json:"field,omitempty"`
	Message string `json:"message"`
}

// fields are the fields each action takes besides action and idToken, in the order refusals name
// them.
var fields = map[string][]string{
	"issue":  {"scopes", "lifetimeDays"},
	"list":   {"limit", "next"},
	"revoke": {"tokenId"},
}

// set are the request's optional fields that are present.
func (r Request) set() []string {
	var set []string
	for name, present := range map[string]bool{
		"scopes": r.Scopes != nil, "lifetimeDays": r.LifetimeDays != 0, "limit": r.Limit != nil, "next": r.Next != nil, "tokenId": r.TokenID != "",
	} {
		if present {
			set = append(set, name)
		}
	}
	sort.Strings(set)
	return set
}

// Handle runs one request. Only DynamoDB failures fail the invocation.
func (s *Service) Handle(ctx context.Context, payload json.RawMessage) (Response, error) {
	var req Request
	dec := json.NewDecoder(bytes.NewReader(payload))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&req); err != nil {
		var typeErr *json.UnmarshalTypeError
		if errors.As(err, &typeErr) && typeErr.Field != "" {
			return invalid(typeErr.Field, "must be "+kindOf(typeErr.Type)+", not "+typeErr.Value), nil
		}
		return invalid("", "the request must be one JSON object with action, idToken and the action's fields: "+err.Error()), nil
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return invalid("", "the request must be one JSON object"), nil
	}
	switch key, problem := keys.CheckKeys(payload, func(k string) bool { return slices.Contains(requestFields, k) }); problem {
	case keys.NotObject:
		return invalid("", "the request must be one JSON object"), nil
	case keys.Unknown:
		return invalid(key, "is not a field of the request (spelt exactly): the fields are "+strings.Join(requestFields, ", ")), nil
	case keys.Repeated:
		return invalid(key, "is given more than once: each field may appear only once"), nil
	}
	if req.Owner != nil {
		return invalid("owner", "is not accepted: the owner is the signed-in user whose idToken is sent, never a name in the request"), nil
	}
	caller, err := s.Identity.Caller(ctx, req.IDToken)
	if errors.Is(err, identity.ErrUnauthorized) {
		slog.InfoContext(ctx, "request", "action", req.Action, "outcome", "unauthorized", "reason", err.Error())
		return Response{Error: &APIError{Code: "unauthorized", Message: "sign in again: the request carries no valid ID token of this app"}}, nil
	}
	if err != nil {
		return Response{}, err
	}
	owner := caller.Owner
	takes, known := fields[req.Action]
	if !known {
		return invalid("action", `must be "issue", "list" or "revoke"`), nil
	}
	for _, name := range req.set() {
		if !slices.Contains(takes, name) {
			return invalid(name, fmt.Sprintf("is not a field of %s, which takes action, idToken and %s", req.Action, strings.Join(takes, ", "))), nil
		}
	}
	var resp Response
	switch req.Action {
	case "issue":
		resp, err = s.issue(ctx, owner, req)
	case "list":
		resp, err = s.list(ctx, owner, req)
	case "revoke":
		resp, err = s.revoke(ctx, owner, req)
	}
	outcome := "ok"
	if resp.Error != nil {
		outcome = resp.Error.Code
	}
	slog.InfoContext(ctx, "request", "action", req.Action, "owner", owner, "outcome", outcome) // never a token
	return resp, err
}

func (s *Service) issue(ctx context.Context, owner string, req Request) (Response, error) {
	if len(req.Scopes) == 0 {
		return invalid("scopes", "must list at least one scope: "+fmt.Sprint(s.Scopes)), nil
	}
	seen := map[string]bool{}
	for i, scope := range req.Scopes {
		if !slices.Contains(s.Scopes, scope) || seen[scope] {
			return invalid(fmt.Sprintf("scopes[%d]", i), fmt.Sprintf("must be one of %v, each once", s.Scopes)), nil
		}
		seen[scope] = true
	}
	days := limits.TokenLifetimeDays.Or(req.LifetimeDays)
	if r := limits.TokenLifetimeDays; days < r.Min || days > r.Max {
		return invalid("lifetimeDays", rangeAllowed(r)), nil
	}
	now := s.Now().Truncate(time.Second)
	active, err := s.countActive(ctx, owner, now)
	if err != nil {
		return Response{}, err
	}
	if active >= s.MaxActive {
		return Response{Error: &APIError{Code: "conflict", Message: fmt.Sprintf(
			"you hold %d active tokens, the most one user may hold (api.maxActiveTokensPerOwner): revoke one first", s.MaxActive)}}, nil
	}
	token, err := s.NewToken()
	if err != nil {
		return Response{}, err
	}
	scopes := slices.Sorted(slices.Values(req.Scopes))
	info := TokenInfo{ID: apitokens.Hash(token), Scopes: scopes, Created: now.Unix(), ExpiresAt: now.AddDate(0, 0, days).Unix()}
	_, err = s.Table.PutItem(ctx, &dynamodb.PutItemInput{
		TableName: &s.TableName,
		Item: map[string]types.AttributeValue{
			apitokens.AttrHash:      &types.AttributeValueMemberS{Value: info.ID},
			apitokens.AttrOwner:     &types.AttributeValueMemberS{Value: owner},
			apitokens.AttrScopes:    &types.AttributeValueMemberSS{Value: scopes},
			apitokens.AttrCreated:   number(info.Created),
			apitokens.AttrExpiresAt: number(info.ExpiresAt),
			apitokens.AttrRevoked:   &types.AttributeValueMemberBOOL{Value: false},
		},
		// Never overwrite a token (a collision of 256 random bits will not happen; a retry might).
		ConditionExpression:      ptr("attribute_not_exists(#hash)"),
		ExpressionAttributeNames: map[string]string{"#hash": apitokens.AttrHash},
	})
	if err != nil {
		return Response{}, err
	}
	return Response{Token: token, Issued: &info}, nil
}

// countActive counts the owner's active tokens (not revoked, not expired at now), reading the
// owner index page by page until the count reaches the cap (more need not be read).
//
// It is a count, not a lock: issues of one owner that run at the same moment each count before
// any of them writes, so together they can pass the cap by at most their number less one (an
// owner at cap-1 who sends five issues at once may end with cap+4). DynamoDB has no exact cap
// without a second item: a per-owner counter kept in a transaction with each put and revoke
// would be exact, but expiry does not pass through the service (TTL deletes late and does not
// decrement it), so the counter would drift upward and lock owners out; the number of tokens
// is what counts here, and one user's concurrent requests are few.
func (s *Service) countActive(ctx context.Context, owner string, now time.Time) (int, error) {
	in := &dynamodb.QueryInput{
		TableName:              &s.TableName,
		IndexName:              ptr(apitokens.OwnerIndex),
		KeyConditionExpression: ptr("#owner = :owner"),
		// A token without a revoked attribute counts as active, as the authorizer allows it.
		FilterExpression:         ptr("#expiresAt > :now AND (attribute_not_exists(#revoked) OR #revoked = :false)"),
		ExpressionAttributeNames: map[string]string{"#owner": apitokens.AttrOwner, "#expiresAt": apitokens.AttrExpiresAt, "#revoked": apitokens.AttrRevoked},
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":owner": &types.AttributeValueMemberS{Value: owner}, ":now": number(now.Unix()),
			":false": &types.AttributeValueMemberBOOL{Value: false},
		},
		Select: types.SelectCount,
	}
	count := 0
	for {
		out, err := s.Table.Query(ctx, in)
		if err != nil {
			return 0, err
		}
		count += int(out.Count)
		if count >= s.MaxActive || len(out.LastEvaluatedKey) == 0 {
			return count, nil
		}
		in.ExclusiveStartKey = out.LastEvaluatedKey
	}
}

func (s *Service) list(ctx context.Context, owner string, req Request) (Response, error) {
	limit := limits.TokenListPage.Default
	if req.Limit != nil {
		limit = *req.Limit
	}
	if r := limits.TokenListPage; limit < r.Min || limit > r.Max {
		return invalid("limit", rangeAllowed(r)), nil
	}
	in := &dynamodb.QueryInput{
		TableName:                 &s.TableName,
		IndexName:                 ptr(apitokens.OwnerIndex),
		KeyConditionExpression:    ptr("#owner = :owner"),
		ExpressionAttributeNames:  map[string]string{"#owner": apitokens.AttrOwner},
		ExpressionAttributeValues: map[string]types.AttributeValue{":owner": &types.AttributeValueMemberS{Value: owner}},
		ScanIndexForward:          ptr(false), // newest first
		// One more than the page: whether it comes back says whether there is a next page.
		Limit: ptr(int32(limit + 1)),
	}
	if req.Next != nil {
		start, ok := decodeCursor(*req.Next)
		if !ok {
			return invalid("next", "must be the next value of the previous page, as list returned it"), nil
		}
		// The owner is always the caller's: a cursor holds only a position within it.
		in.ExclusiveStartKey = start.key(owner)
	}
	var items []map[string]types.AttributeValue
	for {
		out, err := s.Table.Query(ctx, in)
		if err != nil {
			return Response{}, err
		}
		items = append(items, out.Items...)
		if len(items) > limit || len(out.LastEvaluatedKey) == 0 {
			break
		}
		// DynamoDB stops a page early at 1 MB read; read on until the page is full.
		in.ExclusiveStartKey = out.LastEvaluatedKey
		in.Limit = ptr(int32(limit + 1 - len(items)))
	}
	now := s.Now().Unix()
	resp := Response{Tokens: []TokenInfo{}}
	for _, item := range items[:min(limit, len(items))] {
		info := TokenInfo{Scopes: []string{}}
		if v, ok := item[apitokens.AttrHash].(*types.AttributeValueMemberS); ok {
			info.ID = v.Value
		}
		if v, ok := item[apitokens.AttrScopes].(*types.AttributeValueMemberSS); ok {
			info.Scopes = slices.Sorted(slices.Values(v.Value))
		}
		info.Created, _ = numberOf(item[apitokens.AttrCreated])
		info.ExpiresAt, _ = numberOf(item[apitokens.AttrExpiresAt])
		if v, ok := item[apitokens.AttrRevoked].(*types.AttributeValueMemberBOOL); ok {
			info.Revoked = v.Value
		}
		info.Expired = info.ExpiresAt <= now
		resp.Tokens = append(resp.Tokens, info)
	}
	if len(items) > limit {
		last := resp.Tokens[limit-1]
		resp.Next = cursor{ID: last.ID, Created: last.Created}.encode()
	}
	return resp, nil
}

// cursor is a list page's position: the last token it showed, by the owner index's sort key
// (created) and the table's key (its hash). The owner is not part of it.
type cursor struct {
	ID      string `json:"id"`
	Created int64  `json:"created"`
}

// encode is the cursor as list's next (package cursor).
func (c cursor) encode() string { return pagecursor.Encode(c) }

// decodeCursor reads a next value; false unless it is exactly one that encode makes for a token
// id and a creation time.
func decodeCursor(s string) (cursor, bool) {
	return pagecursor.Decode(s, func(c cursor) bool { return apitokens.IsHash(c.ID) && c.Created >= 0 })
}

// key is the owner index's ExclusiveStartKey after the cursor's token, in owner's partition.
func (c cursor) key(owner string) map[string]types.AttributeValue {
	return map[string]types.AttributeValue{
		apitokens.AttrOwner:   &types.AttributeValueMemberS{Value: owner},
		apitokens.AttrCreated: number(c.Created),
		apitokens.AttrHash:    &types.AttributeValueMemberS{Value: c.ID},
	}
}

func (s *Service) revoke(ctx context.Context, owner string, req Request) (Response, error) {
	if !apitokens.IsHash(req.TokenID) {
		return invalid("tokenId", "must be a token's id as list returns it (64 hex digits), never the token itself"), nil
	}
	_, err := s.Table.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName:        &s.TableName,
		Key:              map[string]types.AttributeValue{apitokens.AttrHash: &types.AttributeValueMemberS{Value: req.TokenID}},
		UpdateExpression: ptr("SET #revoked = :true"),
		// Only the owner's own, current tokens: another owner's token, or one that has expired (and
		// may linger until TTL removes it), is not found. The condition is DynamoDB's, so it also
		// holds for a request that raced with another. A token already revoked is revoked again.
		ConditionExpression:      ptr("attribute_exists(#hash) AND #owner = :owner AND #expiresAt > :now"),
		ExpressionAttributeNames: map[string]string{"#hash": apitokens.AttrHash, "#owner": apitokens.AttrOwner, "#expiresAt": apitokens.AttrExpiresAt, "#revoked": apitokens.AttrRevoked},
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":owner": &types.AttributeValueMemberS{Value: owner}, ":now": number(s.Now().Unix()),
			":true": &types.AttributeValueMemberBOOL{Value: true},
		},
	})
	var failed *types.ConditionalCheckFailedException
	if errors.As(err, &failed) {
		return Response{Error: &APIError{Code: "not_found", Field: "tokenId", Message: "no current token of this owner has that id"}}, nil
	}
	if err != nil {
		return Response{}, err
	}
	// The authorizer's cached answers for the token would let it work until they expire: flush
	// them. The revoke stands whatever the flush does (it is in the table, which the authorizer
	// reads on its next uncached call), so a failed flush only lengthens the wait, as the answer
	// says.
	flushCtx, cancel := context.WithTimeout(ctx, flushTimeout)
	defer cancel()
	if err := s.AuthorizerCache.FlushStageAuthorizersCache(flushCtx, s.APIID, s.Stage); err != nil {
		slog.WarnContext(ctx, "revoked, but the authorizer cache was not flushed", "apiId", s.APIID, "stage", s.Stage,
			"effectiveWithinSeconds", s.CacheSeconds, "error", err.Error())
		return Response{Revoked: &Revoked{ID: req.TokenID, Flushed: false, EffectiveWithinSeconds: s.CacheSeconds}}, nil
	}
	return Response{Revoked: &Revoked{ID: req.TokenID, Flushed: true, EffectiveWithinSeconds: 0}}, nil
}

// kindOf names a request field's Go type in JSON's terms, for a refusal.
func kindOf(t reflect.Type) string {
	switch t.Kind() {
	case reflect.Pointer:
		return kindOf(t.Elem())
	case reflect.Int:
		return "a whole number"
	case reflect.Slice:
		return "a list of " + strings.TrimPrefix(kindOf(t.Elem()), "a ") + "s"
	case reflect.String:
		return "a string"
	}
	return "a " + t.String()
}

// rangeAllowed is what a value of r must be, as a refusal says it.
func rangeAllowed(r limits.Range) string {
	return fmt.Sprintf("must be a whole number of %s from %d to %d", r.Unit, r.Min, r.Max)
}

func invalid(field, message string) Response {
	return Response{Error: &APIError{Code: "invalid", Field: field, Message: message}}
}

func number(n int64) types.AttributeValue {
	return &types.AttributeValueMemberN{Value: strconv.FormatInt(n, 10)}
}

func numberOf(v types.AttributeValue) (int64, bool) {
	n, ok := v.(*types.AttributeValueMemberN)
	if !ok {
		return 0, false
	}
	i, err := strconv.ParseInt(n.Value, 10, 64)
	return i, err == nil
}

func ptr[T any](v T) *T { return &v }
