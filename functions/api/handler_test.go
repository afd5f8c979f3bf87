package main

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"strconv"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/gatehouse-cdk/gatehouse/functions/internal/items"
)

// fakeItems records the owners and payloads the API hands the items logic and answers with
// resp, err.
type fakeItems struct {
	owners   []string
	payloads []map[string]any
	resp     items.Response
	err      error
}

func (f *fakeItems) HandleFor(_ context.Context, owner string, payload json.RawMessage) (items.Response, error) {
	var p map[string]any
	_ = json.Unmarshal(payload, &p)
	f.owners = append(f.owners, owner)
	f.payloads = append(f.payloads, p)
	return f.resp, f.err
}

var _ Items = (*items.Handler)(nil)

// farFuture is an expiresAt that has not passed (2100-01-01).
const farFuture = "4102444800"

func request(method, resource, body string, scopes string) events.APIGatewayProxyRequest {
	return events.APIGatewayProxyRequest{
		HTTPMethod: method, Resource: resource, Body: body,
		PathParameters: map[string]string{"id": "a1"},
		RequestContext: events.APIGatewayProxyRequestContext{Authorizer: map[string]any{"owner": "ap-southeast-1:token-owner", "scopes": scopes, "expiresAt": farFuture}},
	}
}

func serve(t *testing.T, api *API, req events.APIGatewayProxyRequest) (int, map[string]any) {
	t.Helper()
	resp, err := api.Handle(context.Background(), req)
	if err != nil {
		t.Fatalf("a Lambda error (API Gateway's 502): %v", err)
	}
	var body map[string]any
	if err := json.Unmarshal([]byte(resp.Body), &body); err != nil || resp.Headers["Content-Type"] != "application/json" {
		t.Fatalf("not a JSON answer: %+v", resp)
	}
	return resp.StatusCode, body
}

// TestOwnerComesFromTheToken: whatever the request says, the items logic gets the token's owner.
func TestOwnerComesFromTheToken(t *testing.T) {
	f := &fakeItems{resp: items.Response{Item: &items.Item{ID: "a1", Name: "n"}}}
	api := &API{Items: f}
	req := request("PUT", "/items/{id}", `{"name":"n","body":"b"}`, "read write")
	req.Headers = map[string]string{"X-Owner": "someone-else"}
	req.QueryStringParameters = map[string]string{"owner": "someone-else"}
	if status, _ := serve(t, api, req); status != 201 {
		t.Errorf("put: %d", status)
	}
	want := map[string]any{"action": "put", "id": "a1", "name": "n", "body": "b"}
	if got, _ := json.Marshal(f.payloads[0]); string(got) != string(must(json.Marshal(want))) || f.owners[0] != "ap-southeast-1:token-owner" {
		t.Errorf("owner %q, payload = %s; want the token's owner and %v", f.owners[0], got, want)
	}
	for _, body := range []string{`{"name":"n","owner":"someone-else"}`, `{"name":"n","action":"list"}`, `{"name":"n","id":"b2"}`} {
		status, resp := serve(t, api, request("PUT", "/items/{id}", body, "write"))
		if status != 400 || resp["error"].(map[string]any)["code"] != "invalid" {
			t.Errorf("%s: %d %v", body, status, resp)
		}
	}
	if len(f.payloads) != 1 {
		t.Errorf("refused bodies reached the items logic: %v", f.payloads)
	}
}

func TestRoutesAndScopes(t *testing.T) {
	f := &fakeItems{resp: items.Response{Items: []items.Item{}}}
	api := &API{Items: f}
	for _, c := range []struct {
		method, resource, scopes string
		status                   int
		action                   string
	}{
		{"GET", "/items", "read", 200, "list"},
		{"GET", "/items/{id}", "read", 200, "get"},
		{"GET", "/items", "write", 403, ""},
		{"PUT", "/items/{id}", "read", 403, ""},
		{"GET", "/items", "", 403, ""},
		{"DELETE", "/items/{id}", "read write", 404, ""},
		{"GET", "/admin", "read write", 404, ""},
	} {
		before := len(f.payloads)
		status, _ := serve(t, api, request(c.method, c.resource, `{"name":"n"}`, c.scopes))
		if status != c.status || (c.action == "") != (len(f.payloads) == before) {
			t.Errorf("%s %s with %q: %d, want %d", c.method, c.resource, c.scopes, status, c.status)
		}
		if c.action != "" && f.payloads[len(f.payloads)-1]["action"] != c.action {
			t.Errorf("%s %s: action %v", c.method, c.resource, f.payloads[len(f.payloads)-1]["action"])
		}
	}
	req := request("GET", "/items", "", "read")
	req.RequestContext.Authorizer = nil
	if status, _ := serve(t, api, req); status != 401 {
		t.Errorf("no authorizer context: %d", status)
	}
}

// TestBadBodiesAre400s: a body that is not the documented JSON gets a 400 naming the field.
func TestBadBodiesAre400s(t *testing.T) {
	api := &API{Items: &fakeItems{}}
	for body, field := range map[string]string{
		``: "body", `not json`: "body", `[]`: "body", `null`: "body", `{"name":"n"} {}`: "body", `{"nmae":"n"}`: "nmae",
		`{"name":"n","name":"m"}`: "name", `{"Name":"n"}`: "Name",
	} {
		status, resp := serve(t, api, request("PUT", "/items/{id}", body, "write"))
		e := resp["error"].(map[string]any)
		if status != 400 || e["field"] != field {
			t.Errorf("%q: %d %v, want 400 naming %q", body, status, e, field)
		}
	}
	req := request("PUT", "/items/{id}", base64.StdEncoding.EncodeToString([]byte(`{"name":"n"}`)), "write")
	req.IsBase64Encoded = true
	if status, _ := serve(t, &API{Items: &fakeItems{resp: items.Response{Item: &items.Item{}}}}, req); status != 201 {
		t.Errorf("base64 body: %d", status)
	}
	list := request("GET", "/items", "", "read")
	for params, field := range map[string]string{"limit=x": "limit", "owner=o": "owner"} {
		name, value, _ := cut(params)
		list.QueryStringParameters = map[string]string{name: value}
		if status, resp := serve(t, api, list); status != 400 || resp["error"].(map[string]any)["field"] != field {
			t.Errorf("?%s: %d %v", params, status, resp)
		}
	}
}

// TestItemsErrorsKeepTheirMeaning: the items logic's refusals become 400, 404, 409, and a DynamoDB
// failure a 500 (not a Lambda error).
func TestItemsErrorsKeepTheirMeaning(t *testing.T) {
	for code, status := range map[string]int{"invalid": 400, "not_found": 404, "conflict": 409} {
		api := &API{Items: &fakeItems{resp: items.Response{Error: &items.ErrorBody{Code: code, Field: "name", Message: "m"}}}}
		if got, resp := serve(t, api, request("PUT", "/items/{id}", `{"name":""}`, "write")); got != status || resp["error"].(map[string]any)["field"] != "name" {
			t.Errorf("%s: %d %v", code, got, resp)
		}
	}
	api := &API{Items: &fakeItems{err: errors.New("throttled")}}
	if status, _ := serve(t, api, request("GET", "/items", "", "read")); status != 500 {
		t.Errorf("DynamoDB failure: %d", status)
	}
}

func TestCORS(t *testing.T) {
	api := &API{Items: &fakeItems{}, AllowedOrigins: []string{"https://app.example.com"}}
	for origin, allowed := range map[string]bool{"https://app.example.com": true, "https://evil.example.com": false} {
		req := request("GET", "/items", "", "read")
		req.Headers = map[string]string{"origin": origin}
		resp, _ := api.Handle(context.Background(), req)
		if got := resp.Headers["Access-Control-Allow-Origin"]; (got == origin) != allowed || resp.Headers["Vary"] != "Origin" {
			t.Errorf("%s: headers %v", origin, resp.Headers)
		}
	}
}

func cut(s string) (string, string, bool) {
	for i := range s {
		if s[i] == '=' {
			return s[:i], s[i+1:], true
		}
	}
	return s, "", false
}

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

// TestRefusesATokenPastItsExpiry: API Gateway may reuse the authorizer's answer after the token
// expired; the handler refuses (401, the unauthorized body) from the second of expiresAt on, and
// a context without a readable expiresAt (fail closed), before the items logic is reached.
func TestRefusesATokenPastItsExpiry(t *testing.T) {
	now := time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)
	f := &fakeItems{resp: items.Response{Items: []items.Item{}}}
	api := &API{Items: f, Now: func() time.Time { return now }}
	at := func(d time.Duration) string { return strconv.FormatInt(now.Add(d).Unix(), 10) }
	for name, c := range map[string]struct {
		expiresAt any
		status    int
	}{
		"a second left":        {at(time.Second), 200},
		"an hour left":         {at(time.Hour), 200},
		"a JSON number":        {float64(now.Add(time.Hour).Unix()), 200},
		"expiring now":         {at(0), 401},
		"expired a second ago": {at(-time.Second), 401},
		"expired a day ago":    {at(-24 * time.Hour), 401},
		"missing":              {nil, 401},
		"empty":                {"", 401},
		"not a number":         {"tomorrow", 401},
		"negative":             {"-" + at(time.Hour), 401},
		"a fraction":           {at(time.Hour) + ".5", 401},
		"spaces":               {" " + at(time.Hour), 401},
		"past int64":           {"99999999999999999999", 401},
		"a fractional number":  {float64(now.Add(time.Hour).Unix()) + 0.5, 401},
		"a boolean":            {true, 401},
	} {
		req := request("GET", "/items", "", "read")
		if c.expiresAt == nil {
			delete(req.RequestContext.Authorizer, "expiresAt")
		} else {
			req.RequestContext.Authorizer["expiresAt"] = c.expiresAt
		}
		before := len(f.payloads)
		status, body := serve(t, api, req)
		if status != c.status {
			t.Errorf("%s (%v): %d, want %d", name, c.expiresAt, status, c.status)
		}
		if reached := len(f.payloads) > before; reached != (c.status == 200) {
			t.Errorf("%s: the items logic reached = %v", name, reached)
		}
		if c.status == 401 {
			if got, _ := json.Marshal(body); string(got) != `{"error":{"code":"unauthorized","message":"`+unauthorized+`"}}` {
				t.Errorf("%s: body %s", name, got)
			}
		}
	}
	// Without the authorizer's context: the same answer.
	req := request("GET", "/items", "", "read")
	req.RequestContext.Authorizer = nil
	if status, body := serve(t, api, req); status != 401 || body["error"].(map[string]any)["message"] != unauthorized {
		t.Errorf("no authorizer context: %d %v", status, body)
	}
}
