package calls

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"time"
)

// call is one AWS call a function made, as it arrived and as IAM would authorize it.
type call struct {
	fn *function // nil when neither its key nor its path says whose it is (a problem)
	// during is what the harness had asked the function to do when it made the call.
	during    string
	service   string // the signing name: dynamodb, secretsmanager, apigateway, cognito-identity
	operation string // the API operation: GetItem, GetSecretValue, FlushStageAuthorizersCache, GetId
	// action is the IAM action the call needs, "" for an unsigned call (one AWS serves without
	// credentials, which no policy governs: cognito-identity's GetId).
	action    string
	resources []string // the ARNs IAM authorizes it on
	// tables are a DynamoDB call's tables (and index), for the checks against the templates.
	tables []tableUse
	// item is a PutItem's item (the TTL check).
	item map[string]map[string]any
	// status and errorType are the stand-in's answer.
	status    int
	errorType string
	// problems are what made the call impossible to attribute or derive.
	problems []string
}

type tableUse struct{ name, index string }

func (c *call) String() string {
	who := "an unknown caller"
	if c.fn != nil {
		who = c.fn.label()
	}
	what := c.action
	if what == "" {
		what = c.service + ":" + c.operation + " (unsigned)"
	}
	s := fmt.Sprintf("%s: %s on %s", who, what, strings.Join(c.resources, ", "))
	if c.during != "" {
		s += " (during " + c.during + ")"
	}
	return s
}

// front is the one endpoint of every AWS service the functions reach (their AWS_ENDPOINT_URL,
// with their own path prefix): it attributes each request to a function by the access key of
// its SigV4 credential (and, for an unsigned one, by the prefix; the two must agree), derives
// the IAM action and resource ARN, records the call, and serves it — DynamoDB by forwarding to
// dynalite, Secrets Manager, API Gateway's flush and cognito-identity's GetId itself — unless a
// scenario asked for the next call to fail.
type front struct {
	url     string
	server  *httptest.Server
	app     *app
	dynamo  string // dynalite's URL
	secrets *secretsStandIn
	getID   http.Handler
	byKey   map[string]*function
	byPath  map[string]*function

	mu      sync.Mutex
	calls   []*call
	during  map[*function]string
	fail    map[*function]map[string]string // service -> the error type the next call gets
	flushes []string
}

func newFront(a *app, dynamo string, secrets *secretsStandIn, getID http.Handler) *front {
	fr := &front{app: a, dynamo: dynamo, secrets: secrets, getID: getID, byKey: map[string]*function{}, byPath: map[string]*function{},
		during: map[*function]string{}, fail: map[*function]map[string]string{}}
	for _, f := range a.functions {
		fr.byKey[f.accessKey] = f
		fr.byPath[f.prefix] = f
	}
	fr.server = httptest.NewServer(fr)
	fr.url = fr.server.URL
	return fr
}

func (fr *front) close() { fr.server.Close() }

// doing labels f's calls from now on (what the harness asked it to do).
func (fr *front) doing(f *function, what string) {
	fr.mu.Lock()
	defer fr.mu.Unlock()
	fr.during[f] = what
}

// failNext makes f's next call to service fail with errorType (a 400 of the service's protocol).
func (fr *front) failNext(f *function, service, errorType string) {
	fr.mu.Lock()
	defer fr.mu.Unlock()
	if fr.fail[f] == nil {
		fr.fail[f] = map[string]string{}
	}
	fr.fail[f][service] = errorType
}

// recorded is every call so far.
func (fr *front) recorded() []*call {
	fr.mu.Lock()
	defer fr.mu.Unlock()
	return slices.Clone(fr.calls)
}

// flushed is the paths of every authorizer cache flush served so far.
func (fr *front) flushed() []string {
	fr.mu.Lock()
	defer fr.mu.Unlock()
	return slices.Clone(fr.flushes)
}

func (fr *front) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	c := &call{}
	path := r.URL.Path
	if i := strings.IndexByte(path[1:], '/'); i >= 0 {
		c.fn, path = fr.byPath[path[:i+1]], path[i+1:]
	} else {
		c.fn, path = fr.byPath[path], "/"
	}
	if c.fn == nil {
		c.problems = append(c.problems, "the request to "+r.URL.Path+" has no function's path prefix")
	}
	region := ""
	if auth := r.Header.Get("Authorization"); auth != "" {
		key, scopeRegion, service, err := credentialScope(auth)
		if err != nil {
			c.problems = append(c.problems, err.Error())
		} else if signer := fr.byKey[key]; signer != c.fn {
			c.problems = append(c.problems, fmt.Sprintf("signed with access key %s, which is not the key of the function whose prefix it was sent to", key))
		}
		c.service, region = service, scopeRegion
	} else if target := r.Header.Get("X-Amz-Target"); strings.HasPrefix(target, "AWSCognitoIdentityService.") {
		c.service = "cognito-identity"
	} else {
		c.problems = append(c.problems, fmt.Sprintf("an unsigned %s %s of no API this harness knows needs no credentials", r.Method, path))
	}
	if c.fn != nil {
		if region == "" {
			region = c.fn.region
		} else if region != c.fn.region {
			c.problems = append(c.problems, fmt.Sprintf("signed for region %s; the function runs in %s", region, c.fn.region))
		}
	}
	account := ""
	if c.fn != nil {
		account = c.fn.account
	}

	rec := httptest.NewRecorder()
	switch c.service {
	case "dynamodb":
		fr.deriveDynamoDB(c, r, body, region, account)
	case "secretsmanager":
		c.operation = strings.TrimPrefix(r.Header.Get("X-Amz-Target"), "secretsmanager.")
		c.action = "secretsmanager:" + c.operation
		var in struct{ SecretId string }
		_ = json.Unmarshal(body, &in)
		arn := fr.secretARN(in.SecretId, region, account)
		c.resources = []string{arn}
	case "apigateway":
		c.action = "apigateway:" + r.Method
		c.resources = []string{"arn:aws:apigateway:" + region + "::" + path}
		c.operation = r.Method + " " + path
		if r.Method == http.MethodDelete && strings.HasSuffix(path, "/cache/authorizers") {
			c.operation = "FlushStageAuthorizersCache"
		}
	case "cognito-identity":
		c.operation = strings.TrimPrefix(r.Header.Get("X-Amz-Target"), "AWSCognitoIdentityService.")
		var in struct{ IdentityPoolId string }
		_ = json.Unmarshal(body, &in)
		c.resources = []string{fmt.Sprintf("arn:aws:cognito-identity:%s:%s:identitypool/%s", region, account, in.IdentityPoolId)}
		if r.Header.Get("Authorization") != "" {
			c.action = "cognito-identity:" + c.operation
		}
	}

	fr.mu.Lock()
	if c.fn != nil {
		c.during = fr.during[c.fn]
	}
	injected := fr.fail[c.fn][c.service]
	if injected != "" {
		delete(fr.fail[c.fn], c.service)
	}
	fr.mu.Unlock()

	switch {
	case injected != "":
		serviceError(rec, c.service, http.StatusBadRequest, injected, "injected by the harness")
	case c.service == "dynamodb":
		fr.forward(rec, r, body)
	case c.service == "secretsmanager":
		fr.secrets.serve(rec, c.operation, c.resources[0])
	case c.service == "apigateway" && c.operation == "FlushStageAuthorizersCache" && fr.app.stages[strings.TrimSuffix(path, "/cache/authorizers")] != nil:
		fr.mu.Lock()
		fr.flushes = append(fr.flushes, path)
		fr.mu.Unlock()
		rec.WriteHeader(http.StatusAccepted)
	case c.service == "cognito-identity" && c.operation == "GetId":
		r.Body = io.NopCloser(bytes.NewReader(body))
		fr.getID.ServeHTTP(rec, r)
	default:
		c.problems = append(c.problems, fmt.Sprintf("no stand-in serves %s %s (service %q)", r.Method, path, c.service))
		serviceError(rec, c.service, http.StatusNotFound, "NotFoundException", "this harness serves only what the functions are known to call")
	}
	c.status = rec.Code
	c.errorType = errorTypeOf(rec)
	fr.mu.Lock()
	fr.calls = append(fr.calls, c)
	fr.mu.Unlock()
	for k, v := range rec.Header() {
		w.Header()[k] = v
	}
	w.WriteHeader(rec.Code)
	_, _ = w.Write(rec.Body.Bytes())
}

// credentialScope reads a SigV4 Authorization header's credential: the access key id and the
// region and service it was signed for.
func credentialScope(auth string) (key, region, service string, err error) {
	_, rest, ok := strings.Cut(auth, "Credential=")
	if !strings.HasPrefix(auth, "AWS4-HMAC-SHA256 ") || !ok {
		return "", "", "", fmt.Errorf("an Authorization header that is not SigV4: %.40q", auth)
	}
	credential, _, _ := strings.Cut(rest, ",")
	parts := strings.Split(credential, "/") // key/date/region/service/aws4_request
	if len(parts) != 5 || parts[4] != "aws4_request" {
		return "", "", "", fmt.Errorf("a SigV4 credential %q that is not key/date/region/service/aws4_request", credential)
	}
	return parts[0], parts[2], parts[3], nil
}

// deriveDynamoDB reads a DynamoDB call (JSON 1.0): the operation from X-Amz-Target, the tables
// (and index) from the body, each as the ARN IAM authorizes on: the table's, or
// table/<name>/index/<index> for a call with IndexName.
func (fr *front) deriveDynamoDB(c *call, r *http.Request, body []byte, region, account string) {
	target := r.Header.Get("X-Amz-Target")
	c.operation = strings.TrimPrefix(target, "DynamoDB_20120810.")
	c.action = "dynamodb:" + c.operation
	var in struct {
		TableName     string
		IndexName     string
		RequestItems  map[string]json.RawMessage
		TransactItems []map[string]struct{ TableName string }
		Item          map[string]map[string]any
	}
	if err := json.Unmarshal(body, &in); err != nil {
		c.problems = append(c.problems, "a DynamoDB request body that is not JSON: "+err.Error())
	}
	c.item = in.Item
	if in.TableName != "" {
		c.tables = append(c.tables, tableUse{in.TableName, in.IndexName})
	}
	for name := range in.RequestItems {
		c.tables = append(c.tables, tableUse{name, ""})
	}
	for _, item := range in.TransactItems {
		for _, op := range item {
			c.tables = append(c.tables, tableUse{op.TableName, ""})
		}
	}
	for _, t := range c.tables {
		arn := t.name
		if !strings.HasPrefix(arn, "arn:") {
			arn = fmt.Sprintf("arn:aws:dynamodb:%s:%s:table/%s", region, account, t.name)
		}
		if t.index != "" {
			arn += "/index/" + t.index
		}
		c.resources = append(c.resources, arn)
	}
	if len(c.resources) == 0 {
		c.resources = []string{"*"} // ListTables and the like: IAM authorizes them on *
	}
}

// secretARN is the ARN of the assembly's secret that a SecretId (an ARN or a name) names, or
// the ARN it would have.
func (fr *front) secretARN(id, region, account string) string {
	for arn := range fr.app.secrets {
		if arn == id || strings.HasPrefix(arn, fmt.Sprintf("arn:aws:secretsmanager:%s:%s:secret:%s-", region, account, id)) {
			return arn
		}
	}
	if strings.HasPrefix(id, "arn:") {
		return id
	}
	return fmt.Sprintf("arn:aws:secretsmanager:%s:%s:secret:%s-??????", region, account, id)
}

// forward sends a DynamoDB request on to dynalite, as it came (path aside).
func (fr *front) forward(w http.ResponseWriter, r *http.Request, body []byte) {
	req, err := http.NewRequestWithContext(r.Context(), r.Method, fr.dynamo+"/", bytes.NewReader(body))
	if err != nil {
		serviceError(w, "dynamodb", http.StatusInternalServerError, "InternalServerError", err.Error())
		return
	}
	req.Header = r.Header.Clone()
	resp, err := loopback.Do(req)
	if err != nil {
		serviceError(w, "dynamodb", http.StatusInternalServerError, "InternalServerError", err.Error())
		return
	}
	defer resp.Body.Close()
	for k, v := range resp.Header {
		w.Header()[k] = v
	}
	w.WriteHeader(resp.StatusCode)
	_, _ = io.Copy(w, resp.Body)
}

// loopback is an HTTP client for the stand-ins: never through a proxy of the environment.
var loopback = &http.Client{Transport: &http.Transport{Proxy: nil}, Timeout: 30 * time.Second}

// serviceError answers an error the way service's protocol does: JSON with __type and the
// X-Amzn-ErrorType header (JSON 1.0/1.1 and REST-JSON alike).
func serviceError(w http.ResponseWriter, service string, status int, errorType, message string) {
	contentType := "application/x-amz-json-1.1"
	switch service {
	case "dynamodb":
		contentType = "application/x-amz-json-1.0"
	case "apigateway":
		contentType = "application/json"
	}
	w.Header().Set("Content-Type", contentType)
	w.Header().Set("X-Amzn-ErrorType", errorType)
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]string{"__type": errorType, "message": message})
}

// errorTypeOf is an error answer's type (X-Amzn-ErrorType, or the body's __type after '#').
func errorTypeOf(rec *httptest.ResponseRecorder) string {
	if rec.Code < 300 {
		return ""
	}
	if t := rec.Header().Get("X-Amzn-ErrorType"); t != "" {
		t, _, _ = strings.Cut(t, ":")
		return t
	}
	var body struct {
		Type string `json:"__type"`
	}
	_ = json.Unmarshal(rec.Body.Bytes(), &body)
	if _, after, ok := strings.Cut(body.Type, "#"); ok {
		return after
	}
	return body.Type
}

// secretsStandIn stands in for Secrets Manager (JSON 1.1): GetSecretValue of the assembly's
// secrets, each holding what a scenario stored (nothing at first, as after a deploy).
type secretsStandIn struct {
	mu     sync.Mutex
	values map[string]secretValue // by ARN
}

type secretValue struct {
	text   *string
	binary []byte
}

func (s *secretsStandIn) set(arn string, v secretValue) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.values == nil {
		s.values = map[string]secretValue{}
	}
	s.values[arn] = v
}

func (s *secretsStandIn) remove(arn string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.values, arn)
}

func (s *secretsStandIn) serve(w http.ResponseWriter, operation, arn string) {
	if operation != "GetSecretValue" {
		serviceError(w, "secretsmanager", http.StatusBadRequest, "UnknownOperationException", "only GetSecretValue is served here")
		return
	}
	s.mu.Lock()
	v, ok := s.values[arn]
	s.mu.Unlock()
	if !ok {
		serviceError(w, "secretsmanager", http.StatusBadRequest, "ResourceNotFoundException", "Secrets Manager can't find the specified secret value for staging label: AWSCURRENT")
		return
	}
	out := map[string]any{"ARN": arn, "Name": arn[strings.LastIndex(arn, ":")+1:], "VersionId": "00000000-0000-4000-8000-000000000001",
		"VersionStages": []string{"AWSCURRENT"}, "CreatedDate": 1.7e9}
	if v.text != nil {
		out["SecretString"] = *v.text
	} else {
		out["SecretBinary"] = v.binary
	}
	w.Header().Set("Content-Type", "application/x-amz-json-1.1")
	_ = json.NewEncoder(w).Encode(out)
}
