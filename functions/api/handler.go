package main

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"math"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/gatehouse-cdk/gatehouse/apitokens"
	"github.com/gatehouse-cdk/gatehouse/functions/internal/items"
	keys "github.com/gatehouse-cdk/gatehouse/functions/internal/payload"
)

// Items runs one items API request for an owner the caller has established
// (items.Handler.HandleFor).
type Items interface {
	HandleFor(ctx context.Context, owner string, payload json.RawMessage) (items.Response, error)
}

// API serves the token API's routes over the items logic.
type API struct {
	Items Items
	// AllowedOrigins may read responses from browsers (CORS); none: no CORS headers.
	AllowedOrigins []string
	// Now is the clock the token's expiry is checked against (time.Now when nil).
	Now func() time.Time
}

func (a *API) now() time.Time {
	if a.Now == nil {
		return time.Now()
	}
	return a.Now()
}

// unauthorized is the message of every 401 the handler gives: like API Gateway's own, it does
// not say why.
const unauthorized = "the token is missing, unknown, expired or revoked"

// unixSeconds reads the authorizer context's expiresAt: a string of decimal digits, as API
// Gateway passes context values on (a JSON number is read too); anything else is not.
func unixSeconds(v any) (int64, bool) {
	switch v := v.(type) {
	case string:
		if !isDigits(v, 19) {
			return 0, false
		}
		n, err := strconv.ParseInt(v, 10, 64)
		return n, err == nil
	case float64:
		if v < 0 || v != math.Trunc(v) || v >= 1<<53 {
			return 0, false
		}
		return int64(v), true
	}
	return 0, false
}

// route is one of the API's routes: its items action and the scope it needs.
type route struct {
	action, scope string
}

var routes = map[string]route{
	"GET /items":      {"list", apitokens.ScopeRead},
	"GET /items/{id}": {"get", apitokens.ScopeRead},
	"PUT /items/{id}": {"put", apitokens.ScopeWrite},
}

// Handle answers an API Gateway proxy request. The owner is the authorizer's (the token's
// owner), never anything in the request; the token must not have expired (the authorizer's
// expiresAt: API Gateway may reuse its answer after that); a route needs its scope. Every answer is JSON with a
// status: 400 for a bad request (naming the field), 403 without the scope, 404, 409, and 500 if
// DynamoDB failed; never a Lambda error, so never API Gateway's 502.
func (a *API) Handle(ctx context.Context, req events.APIGatewayProxyRequest) (events.APIGatewayProxyResponse, error) {
	headers := a.corsHeaders(req.Headers)
	respond := func(status int, body any) (events.APIGatewayProxyResponse, error) {
		raw, _ := json.Marshal(body)
		headers["Content-Type"] = "application/json"
		return events.APIGatewayProxyResponse{StatusCode: status, Headers: headers, Body: string(raw)}, nil
	}
	fail := func(status int, code, field, message string) (events.APIGatewayProxyResponse, error) {
		return respond(status, items.Response{Error: &items.ErrorBody{Code: code, Field: field, Message: message}})
	}
	r, ok := routes[req.HTTPMethod+" "+req.Resource]
	if !ok {
		return fail(http.StatusNotFound, "not_found", "", "no such route: GET /items, GET /items/{id}, PUT /items/{id}")
	}
	owner, _ := req.RequestContext.Authorizer[apitokens.ContextOwner].(string)
	scopes, _ := req.RequestContext.Authorizer[apitokens.ContextScopes].(string)
	expiresAt, expiryOK := unixSeconds(req.RequestContext.Authorizer[apitokens.ContextExpiresAt])
	switch {
	case owner == "":
		return fail(http.StatusUnauthorized, "unauthorized", "", unauthorized) // only without the authorizer
	case !expiryOK:
		// Fail closed: a context without a readable expiry is not the authorizer's.
		slog.WarnContext(ctx, "refused", "reason", "no expiresAt in the authorizer context", "owner", owner)
		return fail(http.StatusUnauthorized, "unauthorized", "", unauthorized)
	case !a.now().Before(time.Unix(expiresAt, 0)):
		// API Gateway reused a cached answer of the authorizer for a token that has since expired.
		slog.InfoContext(ctx, "refused", "reason", "expired", "owner", owner)
		return fail(http.StatusUnauthorized, "unauthorized", "", unauthorized)
	}
	if !slices.Contains(strings.Fields(scopes), r.scope) {
		return fail(http.StatusForbidden, "forbidden", "", "the token lacks the "+r.scope+" scope")
	}
	payload := map[string]any{"action": r.action}
	switch r.action {
	case "list":
		for name, value := range req.QueryStringParameters {
			switch name {
			case "limit":
				payload["limit"] = json.RawMessage(value)
				if !isNumber(value) {
					return fail(http.StatusBadRequest, "invalid", "limit", "must be a whole number from 1 to 100")
				}
			case "next":
				payload["next"] = value
			default:
				return fail(http.StatusBadRequest, "invalid", name, "unknown query parameter; allowed: limit, next")
			}
		}
	case "get":
		payload["id"] = req.PathParameters["id"]
	case "put":
		payload["id"] = req.PathParameters["id"]
		fields, field, message := bodyFields(req)
		if message != "" {
			return fail(http.StatusBadRequest, "invalid", field, message)
		}
		for name, value := range fields {
			payload[name] = value
		}
	}
	raw, _ := json.Marshal(payload)
	resp, err := a.Items.HandleFor(ctx, owner, raw)
	if err != nil {
		slog.ErrorContext(ctx, "items failed", "error", err.Error())
		return fail(http.StatusInternalServerError, "internal", "", "the items table did not answer; try again")
	}
	if resp.Error != nil {
		status := map[string]int{"invalid": http.StatusBadRequest, "not_found": http.StatusNotFound, "conflict": http.StatusConflict}[resp.Error.Code]
		if status == 0 {
			status = http.StatusBadRequest
		}
		return respond(status, resp)
	}
	if r.action == "put" {
		return respond(http.StatusCreated, resp)
	}
	return respond(http.StatusOK, resp)
}

// bodyFields reads a PUT body: a JSON object with name and, optionally, body. A bad body names
// the field at fault ("body" for the document itself).
func bodyFields(req events.APIGatewayProxyRequest) (fields map[string]json.RawMessage, field, message string) {
	text := []byte(req.Body)
	if req.IsBase64Encoded {
		decoded, err := base64.StdEncoding.DecodeString(req.Body)
		if err != nil {
			return nil, "body", "is not valid base64"
		}
		text = decoded
	}
	dec := json.NewDecoder(bytes.NewReader(text))
	if err := dec.Decode(&fields); err != nil || fields == nil {
		return nil, "body", `must be a JSON object: {"name": "...", "body": "..."} (body optional)`
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return nil, "body", "must be one JSON object"
	}
	switch key, problem := keys.CheckKeys(text, func(k string) bool { return k == "name" || k == "body" }); problem {
	case keys.Unknown:
		return nil, key, "unknown field; allowed: name, body"
	case keys.Repeated:
		return nil, key, "is given more than once: each field may appear only once"
	}
	return fields, "", ""
}

func isNumber(s string) bool { return isDigits(s, 4) }

// isDigits reports whether s is 1 to most decimal digits.
func isDigits(s string, most int) bool {
	if s == "" || len(s) > most {
		return false
	}
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}

// corsHeaders allow the request's Origin if it is one of the allowed origins.
func (a *API) corsHeaders(request map[string]string) map[string]string {
	headers := map[string]string{}
	if len(a.AllowedOrigins) == 0 {
		return headers
	}
	headers["Vary"] = "Origin"
	for name, value := range request {
		if strings.EqualFold(name, "Origin") && slices.Contains(a.AllowedOrigins, value) {
			headers["Access-Control-Allow-Origin"] = value
		}
	}
	return headers
}
