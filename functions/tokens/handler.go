package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"slices"
	"sort"
	"strconv"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/gatehouse-cdk/gatehouse/apitokens"
	"github.com/gatehouse-cdk/gatehouse/functions/internal/identity"
	"github.com/gatehouse-cdk/gatehouse/rules"
)

// TokenTable is what the service needs of DynamoDB: a conditional put, a conditional update,
// and a query of the owner index. (Its role allows these and nothing else.)
type TokenTable interface {
	PutItem(ctx context.Context, in *dynamodb.PutItemInput, opts ...func(*dynamodb.Options)) (*dynamodb.PutItemOutput, error)
	UpdateItem(ctx context.Context, in *dynamodb.UpdateItemInput, opts ...func(*dynamodb.Options)) (*dynamodb.UpdateItemOutput, error)
	Query(ctx context.Context, in *dynamodb.QueryInput, opts ...func(*dynamodb.Options)) (*dynamodb.QueryOutput, error)
}

// Identity derives the caller from an ID token: *identity.Verifier.
type Identity interface {
	Caller(ctx context.Context, idToken string) (identity.Caller, error)
}

// Service issues, lists and revokes the tokens of the user whose ID token a request carries.
type Service struct {
	Table     TokenTable
	TableName string
	// Identity verifies each request's idToken; the owner is its identity id.
	Identity Identity
	Now      func() time.Time
	// NewToken makes a token (apitokens.New; tests replace it).
	NewToken func() (string, error)
	// Scopes a token may carry (the environment's api.scopes).
	Scopes []string
}

// Request is one call: the Next.js server forwards the signed-in user's ID token, from its
// server-side session; nobody names the owner (a request with an owner field is refused).
type Request struct {
	Action       string           `json:"action"` // issue, list or revoke
	IDToken      string           `json:"idToken"`
	Owner        *json.RawMessage `json:"owner,omitempty"`        // refused
	Scopes       []string         `json:"scopes,omitempty"`       // issue
	LifetimeDays int              `json:"lifetimeDays,omitempty"` // issue; default rules.TokenLifetimeDays.Default
	TokenID      string           `json:"tokenId,omitempty"`      // revoke
}

// Response is a call's result, or an error.
type Response struct {
	// Token is the new token: returned once, by issue; only its hash is stored.
	Token  string      `json:"token,omitempty"`
	Issued *TokenInfo  `json:"issued,omitempty"`
	Tokens []TokenInfo `json:"tokens,omitempty"` // list, newest first
	Error  *APIError   `json:"error,omitempty"`
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

// APIError is a refusal: code invalid (field names the bad field), not_found or unauthorized (no
// valid ID token: nothing else is said or done).
type APIError struct {
	Code    string `json:"code"`
	Field   string `json:"field,omitempty"`
	Message string `json:"message"`
}

// Handle runs one request. Only DynamoDB failures fail the invocation.
func (s *Service) Handle(ctx context.Context, payload json.RawMessage) (Response, error) {
	var req Request
	dec := json.NewDecoder(bytes.NewReader(payload))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&req); err != nil {
		return invalid("", "the request must be one JSON object with action, idToken and the action's fields: "+err.Error()), nil
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return invalid("", "the request must be one JSON object"), nil
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
	owner := caller.IdentityID
	var resp Response
	switch req.Action {
	case "issue":
		resp, err = s.issue(ctx, owner, req)
	case "list":
		resp, err = s.list(ctx, owner, req)
	case "revoke":
		resp, err = s.revoke(ctx, owner, req)
	default:
		return invalid("action", `must be "issue", "list" or "revoke"`), nil
	}
	outcome := "ok"
	if resp.Error != nil {
		outcome = resp.Error.Code
	}
	slog.InfoContext(ctx, "request", "action", req.Action, "owner", owner, "outcome", outcome) // never a token
	return resp, err
}

func (s *Service) issue(ctx context.Context, owner string, req Request) (Response, error) {
	if req.TokenID != "" {
		return invalid("tokenId", "is for revoke"), nil
	}
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
	days := rules.TokenLifetimeDays.Or(req.LifetimeDays)
	if r := rules.TokenLifetimeDays; days < r.Min || days > r.Max {
		return invalid("lifetimeDays", fmt.Sprintf("must be a whole number of days from %d to %d", r.Min, r.Max)), nil
	}
	token, err := s.NewToken()
	if err != nil {
		return Response{}, err
	}
	now := s.Now().Truncate(time.Second)
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

func (s *Service) list(ctx context.Context, owner string, req Request) (Response, error) {
	if len(req.Scopes) > 0 || req.LifetimeDays != 0 || req.TokenID != "" {
		return invalid("", "list takes action and idToken only"), nil
	}
	out, err := s.Table.Query(ctx, &dynamodb.QueryInput{
		TableName:                 &s.TableName,
		IndexName:                 ptr(apitokens.OwnerIndex),
		KeyConditionExpression:    ptr("#owner = :owner"),
		ExpressionAttributeNames:  map[string]string{"#owner": apitokens.AttrOwner},
		ExpressionAttributeValues: map[string]types.AttributeValue{":owner": &types.AttributeValueMemberS{Value: owner}},
		ScanIndexForward:          ptr(false), // newest first
		Limit:                     ptr(int32(100)),
	})
	if err != nil {
		return Response{}, err
	}
	now := s.Now().Unix()
	tokens := []TokenInfo{}
	for _, item := range out.Items {
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
		tokens = append(tokens, info)
	}
	sort.SliceStable(tokens, func(i, j int) bool { return tokens[i].Created > tokens[j].Created })
	return Response{Tokens: tokens}, nil
}

func (s *Service) revoke(ctx context.Context, owner string, req Request) (Response, error) {
	if len(req.Scopes) > 0 || req.LifetimeDays != 0 {
		return invalid("", "revoke takes action, idToken and tokenId only"), nil
	}
	if !apitokens.IsHash(req.TokenID) {
		return invalid("tokenId", "must be a token's id as list returns it (64 hex digits), never the token itself"), nil
	}
	_, err := s.Table.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName:        &s.TableName,
		Key:              map[string]types.AttributeValue{apitokens.AttrHash: &types.AttributeValueMemberS{Value: req.TokenID}},
		UpdateExpression: ptr("SET #revoked = :true"),
		// Only the owner's own, current tokens: another owner's token, or one that has expired (and
		// may linger until TTL removes it), is not found. The condition is DynamoDB's, so it also
		// holds for a request that raced with another.
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
	return Response{}, nil
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
