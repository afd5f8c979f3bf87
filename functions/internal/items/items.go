// Package items is the items API over one DynamoDB table: the logic of the items function
// (functions/items, invoked through the role chain: Handle, whose caller is the user of the ID
// token it carries) and of the token API's handler (functions/api: HandleFor, whose owner is the
// API token's). Both take the payload documented in functions/items.
package items

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/gatehouse-cdk/gatehouse/functions/internal/identity"
)

// ItemTable is the part of *dynamodb.Client the handler uses.
type ItemTable interface {
	PutItem(ctx context.Context, params *dynamodb.PutItemInput, optFns ...func(*dynamodb.Options)) (*dynamodb.PutItemOutput, error)
	GetItem(ctx context.Context, params *dynamodb.GetItemInput, optFns ...func(*dynamodb.Options)) (*dynamodb.GetItemOutput, error)
	Query(ctx context.Context, params *dynamodb.QueryInput, optFns ...func(*dynamodb.Options)) (*dynamodb.QueryOutput, error)
}

// Handler serves the items API over one table.
type Handler struct {
	Table     ItemTable
	TableName string
	// Identity verifies the idToken of Handle's requests (the items function's). HandleFor,
	// whose caller already knows the owner (the token API's handler), does not use it.
	Identity identity.Check
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
