package test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/aws-sdk-go-v2/service/lambda"

	"github.com/gatehouse-cdk/gatehouse/config"
)

// The end-to-end test's local AWS (test/identity_e2e_test.go): the functions built as they
// deploy but for this machine, run by the AWS Lambda Runtime Interface Emulator (RIE, go.mod's
// tool) and invoked with the Lambda API; an in-memory DynamoDB (dynalite); Cognito's stand-in
// (cognito_standin_test.go). All on loopback.

// e2eEnv is the environment of cdk.json whose templates the end-to-end test runs.
const e2eEnv = "dev"

// Prestarted for the end-to-end test (prestartE2E), so that they overlap the synth.
var (
	e2eDir          string
	e2eFunctionsDir = filepath.Join(repoRoot, "build", "host-functions")
	e2eFunctions    *prestarted      // make host-functions: the items and token-service functions and the RIE, built for this machine
	e2eDynamoDB     *dynaliteProcess // test/dynalite/serve.mjs
	e2eCognito      func() (*cognitoStandIn, error)
)

func prestartE2E() {
	e2eDir = must(os.MkdirTemp("", "gatehouse-e2e-"))
	// Into build/ (git-ignored), not the temporary directory: go build then relinks only what
	// changed (about a second of CPU less while the app synthesizes).
	build := exec.Command("make", "-s", "--no-print-directory", "host-functions", "HOST_FUNCTIONS_DIR="+e2eFunctionsDir)
	build.Dir = repoRoot
	e2eFunctions = prestart("make host-functions", build)
	e2eDynamoDB = startDynalite()
	// The keys (RSA), the CA and the stand-in's servers, made while the app synthesizes.
	e2eCognito = sync.OnceValues(func() (*cognitoStandIn, error) {
		env, err := config.FromFile(filepath.Join(repoRoot, "cdk.json"), e2eEnv)
		if err != nil {
			return nil, err
		}
		return newCognitoStandIn(e2eDir, env.Region)
	})
	go func() { _, _ = e2eCognito() }()
}

func stopE2E() {
	e2eFunctions.stop()
	e2eDynamoDB.stop()
	if c, err := e2eCognito(); err == nil {
		c.close()
	}
	_ = os.RemoveAll(e2eDir)
}

// dynaliteProcess is dynalite on an ephemeral port of 127.0.0.1; it exits when its stdin closes.
type dynaliteProcess struct {
	cmd    *exec.Cmd
	stdin  io.Closer
	port   chan string
	stderr bytes.Buffer
	done   chan struct{}
	err    error
}

func startDynalite() *dynaliteProcess {
	d := &dynaliteProcess{port: make(chan string, 1), done: make(chan struct{})}
	d.cmd = exec.Command("node", filepath.Join(repoRoot, "test", "dynalite", "serve.mjs"))
	d.cmd.Stderr = &d.stderr
	stdin, err := d.cmd.StdinPipe()
	var stdout io.Reader
	if err == nil {
		stdout, err = d.cmd.StdoutPipe()
	}
	if err == nil {
		err = d.cmd.Start()
	}
	if err != nil {
		d.err = err
		close(d.done)
		close(d.port)
		return d
	}
	_ = syscall.Setpriority(syscall.PRIO_PROCESS, d.cmd.Process.Pid, 10)
	d.stdin = stdin
	go func() {
		line, _ := bufio.NewReader(stdout).ReadString('\n')
		d.port <- strings.TrimSpace(line)
		close(d.port)
		_, _ = io.Copy(io.Discard, stdout)
	}()
	go func() {
		defer close(d.done)
		d.err = d.cmd.Wait()
	}()
	return d
}

// endpoint waits for dynalite's port and returns its URL.
func (d *dynaliteProcess) endpoint() (string, error) {
	port := <-d.port // "" once the channel is closed: read once, by the one test that uses it
	if _, err := strconv.Atoi(port); err != nil {
		d.stop()
		return "", fmt.Errorf("dynalite did not start: %v\n%s", d.err, d.stderr.String())
	}
	return "http://127.0.0.1:" + port, nil
}

func (d *dynaliteProcess) stop() {
	if d.stdin != nil {
		_ = d.stdin.Close()
	}
	<-d.done
}

// localCredentials are dummy credentials: nothing here checks signatures.
var localCredentials = credentials.NewStaticCredentialsProvider("AKIAE2ETESTONLY00000", "e2e-test-secret-not-a-real-one", "")

// localDynamoDB is a DynamoDB client of dynalite.
func localDynamoDB(endpoint, region string) *dynamodb.Client {
	return dynamodb.New(dynamodb.Options{Region: region, Credentials: localCredentials, BaseEndpoint: aws.String(endpoint), RetryMaxAttempts: 1})
}

// tableProperties are what of an AWS::DynamoDB::GlobalTable's (or Table's) properties decide
// how the table behaves for a caller: its keys and indexes. Decoded from the template as
// synthesized, never written here.
type tableProperties struct {
	KeySchema              []types.KeySchemaElement
	AttributeDefinitions   []types.AttributeDefinition
	GlobalSecondaryIndexes []struct {
		IndexName  *string
		KeySchema  []types.KeySchemaElement
		Projection *types.Projection
	}
	LocalSecondaryIndexes []struct {
		IndexName  *string
		KeySchema  []types.KeySchemaElement
		Projection *types.Projection
	}
}

// createTableFrom creates table name in db with the keys and indexes of the template resource.
func createTableFrom(ctx context.Context, db *dynamodb.Client, name string, resource map[string]any) (tableProperties, error) {
	var p tableProperties
	raw, err := json.Marshal(resource["Properties"])
	if err == nil {
		err = json.Unmarshal(raw, &p)
	}
	if err != nil {
		return p, err
	}
	if len(p.KeySchema) == 0 || len(p.AttributeDefinitions) == 0 {
		return p, fmt.Errorf("the resource has no KeySchema or AttributeDefinitions: %s", raw)
	}
	in := &dynamodb.CreateTableInput{
		TableName:            aws.String(name),
		KeySchema:            p.KeySchema,
		AttributeDefinitions: p.AttributeDefinitions,
		BillingMode:          types.BillingModePayPerRequest,
	}
	for _, g := range p.GlobalSecondaryIndexes {
		in.GlobalSecondaryIndexes = append(in.GlobalSecondaryIndexes, types.GlobalSecondaryIndex{IndexName: g.IndexName, KeySchema: g.KeySchema, Projection: g.Projection})
	}
	for _, l := range p.LocalSecondaryIndexes {
		in.LocalSecondaryIndexes = append(in.LocalSecondaryIndexes, types.LocalSecondaryIndex{IndexName: l.IndexName, KeySchema: l.KeySchema, Projection: l.Projection})
	}
	_, err = db.CreateTable(ctx, in)
	return p, err
}

// hashKey is the name of a table's partition key.
func (p tableProperties) hashKey() string {
	for _, k := range p.KeySchema {
		if k.KeyType == types.KeyTypeHash {
			return aws.ToString(k.AttributeName)
		}
	}
	return ""
}

// e2eRestAPIID is the token API's REST API id here (the template's RestApi resolves to it).
const e2eRestAPIID = "e2eapi0001"

// apiGatewayStandIn stands in for API Gateway's control plane (the token service's
// AWS_ENDPOINT_URL_API_GATEWAY), in this process: it answers FlushStageAuthorizersCache — a
// DELETE of /restapis/<id>/stages/<stage>/cache/authorizers signed for apigateway in the region —
// with 202 and records its path; anything else is refused and recorded.
type apiGatewayStandIn struct {
	url     string
	server  *httptest.Server
	mu      sync.Mutex
	flushes []string
	refused []string
}

var flushPath = regexp.MustCompile(`^/restapis/[^/]+/stages/[^/]+/cache/authorizers$`)

func newAPIGatewayStandIn(region string) *apiGatewayStandIn {
	a := &apiGatewayStandIn{}
	a.server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		a.mu.Lock()
		defer a.mu.Unlock()
		signed := strings.Contains(r.Header.Get("Authorization"), "/"+region+"/apigateway/aws4_request")
		if r.Method != http.MethodDelete || !flushPath.MatchString(r.URL.Path) || !signed {
			a.refused = append(a.refused, fmt.Sprintf("%s %s (signed for apigateway in %s: %v)", r.Method, r.URL.Path, region, signed))
			w.Header().Set("X-Amzn-ErrorType", "NotFoundException")
			w.WriteHeader(http.StatusNotFound)
			_, _ = w.Write([]byte(`{"message":"only FlushStageAuthorizersCache is served here"}`))
			return
		}
		a.flushes = append(a.flushes, r.URL.Path)
		w.WriteHeader(http.StatusAccepted)
	}))
	a.url = a.server.URL
	return a
}

func (a *apiGatewayStandIn) close() { a.server.Close() }

// wantFlushes checks that the flushes so far are exactly paths, in order.
func (a *apiGatewayStandIn) wantFlushes(t checker, when string, paths ...string) {
	t.Helper()
	a.mu.Lock()
	defer a.mu.Unlock()
	if !slices.Equal(a.flushes, paths) {
		t.Errorf("%s: the authorizer cache was flushed %d times %v, want %v", when, len(a.flushes), a.flushes, paths)
	}
}

func (a *apiGatewayStandIn) refusedCalls() []string {
	a.mu.Lock()
	defer a.mu.Unlock()
	return slices.Clone(a.refused)
}

// localFunction is one function's bootstrap run by the RIE, which serves the Lambda Invoke API
// (on 127.0.0.1) and runs the bootstrap against its own Lambda runtime API, as Lambda does.
type localFunction struct {
	name   string
	cmd    *exec.Cmd
	client *lambda.Client
	log    *lockedBuffer
	done   chan struct{}
}

// lockedBuffer collects a process's output for failure messages.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// freePort is a port of 127.0.0.1 that was free a moment ago (the RIE needs its ports named).
func freePort() (string, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer l.Close()
	return l.Addr().String(), nil
}

// startLocalFunction starts the RIE with bootstrap and exactly env as the environment (nothing
// of the test's: no credentials, profile or proxy settings leak in), and waits until it listens.
func startLocalFunction(rie, bootstrap, name, region string, env map[string]string) (*localFunction, error) {
	invokeAddr, err := freePort()
	if err != nil {
		return nil, err
	}
	runtimeAddr, err := freePort()
	if err != nil {
		return nil, err
	}
	f := &localFunction{name: name, log: &lockedBuffer{}, done: make(chan struct{})}
	f.cmd = exec.Command(rie, "--runtime-api-address", runtimeAddr, "--runtime-interface-emulator-address", invokeAddr, bootstrap)
	f.cmd.Dir = filepath.Dir(bootstrap)
	f.cmd.Stdout, f.cmd.Stderr = f.log, f.log
	// A process group of its own: stop ends the emulator and the bootstrap it started.
	f.cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	for _, k := range slices.Sorted(maps.Keys(env)) {
		f.cmd.Env = append(f.cmd.Env, k+"="+env[k])
	}
	if err := f.cmd.Start(); err != nil {
		return nil, err
	}
	go func() {
		defer close(f.done)
		_ = f.cmd.Wait()
	}()
	deadline := time.Now().Add(10 * time.Second)
	for {
		conn, err := net.DialTimeout("tcp", invokeAddr, time.Second)
		if err == nil {
			_ = conn.Close()
			break
		}
		select {
		case <-f.done:
			return nil, fmt.Errorf("%s: the emulator exited before it listened:\n%s", name, f.log.String())
		case <-time.After(10 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			f.stop()
			return nil, fmt.Errorf("%s: the emulator did not listen on %s within 10 s:\n%s", name, invokeAddr, f.log.String())
		}
	}
	f.client = lambda.New(lambda.Options{Region: region, Credentials: localCredentials,
		BaseEndpoint: aws.String("http://" + invokeAddr), RetryMaxAttempts: 1})
	return f, nil
}

// invoke calls the function with payload (marshalled to JSON) through the Lambda Invoke API and
// returns its JSON response. A function error (the handler failed) is an error.
func (f *localFunction) invoke(ctx context.Context, payload any) (json.RawMessage, error) {
	raw, err := json.Marshal(payload)
	if err != nil {
		return nil, err
	}
	// The emulator's function name is always "function".
	out, err := f.client.Invoke(ctx, &lambda.InvokeInput{FunctionName: aws.String("function"), Payload: raw})
	if err != nil {
		return nil, fmt.Errorf("%s: invoke %s: %w\n%s", f.name, raw, err, f.log.String())
	}
	if out.FunctionError != nil {
		return nil, fmt.Errorf("%s: invoke %s: function error %s: %s\n%s", f.name, raw, *out.FunctionError, out.Payload, f.log.String())
	}
	return out.Payload, nil
}

func (f *localFunction) stop() {
	_ = syscall.Kill(-f.cmd.Process.Pid, syscall.SIGKILL)
	<-f.done
}

// checker is what a background run reports through: *testing.T's methods that its checks use.
type checker interface {
	Helper()
	Errorf(format string, args ...any)
	Fatalf(format string, args ...any)
	Fatal(args ...any)
}

// backgroundRun runs a test's work in a goroutine of its own, started before the test calls
// t.Parallel: a parallel test waits for every sequential test, and work that needs no jsii
// (local processes, plain data) can use that time. Its failures are recorded by section (as
// t.Run's subtests would be) and reported by report, once the test resumes.
type backgroundRun struct {
	ctx      context.Context
	cancel   context.CancelFunc
	done     chan struct{}
	top      *recorder
	mu       sync.Mutex
	sections []*recorder
	stops    []func()
	logs     []string
}

func startBackgroundRun(f func(c checker, run *backgroundRun)) *backgroundRun {
	run := &backgroundRun{done: make(chan struct{}), top: &recorder{name: ""}}
	run.ctx, run.cancel = context.WithCancel(context.Background())
	go func() {
		defer close(run.done)
		run.top.run(func(c checker) { f(c, run) })
	}()
	return run
}

// section runs f as a named part of the run (a subtest when reported); a Fatal ends f alone.
// It reports whether f passed.
func (run *backgroundRun) section(name string, f func(c checker)) bool {
	rec := &recorder{name: name}
	run.mu.Lock()
	run.sections = append(run.sections, rec)
	run.mu.Unlock()
	start := time.Now()
	rec.run(f)
	rec.took = time.Since(start)
	return len(rec.failures) == 0
}

// cleanup registers stop to run once the run is reported.
func (run *backgroundRun) cleanup(stop func()) {
	run.mu.Lock()
	defer run.mu.Unlock()
	run.stops = append(run.stops, stop)
}

func (run *backgroundRun) logf(format string, args ...any) {
	run.mu.Lock()
	defer run.mu.Unlock()
	run.logs = append(run.logs, fmt.Sprintf(format, args...))
}

// report waits for the run, stops what it started, and reports its failures to t: the run's
// own, then each section's as a subtest.
func (run *backgroundRun) report(t *testing.T) {
	<-run.done
	run.cancel()
	for _, stop := range slices.Backward(run.stops) {
		stop()
	}
	var took []string
	for _, rec := range run.sections {
		took = append(took, rec.took.Round(time.Millisecond).String())
	}
	t.Logf("%s; its %d parts ran in the background in %s", strings.Join(run.logs, "; "), len(run.sections), strings.Join(took, ", "))
	for _, rec := range run.sections {
		t.Run(rec.name, func(t *testing.T) {
			for _, f := range rec.failures {
				t.Error(f)
			}
		})
	}
	for _, f := range run.top.failures {
		t.Error(f)
	}
}

// recorder is a checker that records failures; Fatal ends the goroutine running the section.
type recorder struct {
	name     string
	took     time.Duration
	mu       sync.Mutex
	failures []string
	helpers  map[string]bool // functions that called Helper
}

// run runs f in a goroutine of its own (so that Fatal, which calls runtime.Goexit, ends f only)
// and waits for it.
func (r *recorder) run(f func(c checker)) {
	done := make(chan struct{})
	go func() {
		defer close(done)
		f(r)
	}()
	<-done
}

// Helper marks its caller as a helper, as testing.T's does: a failure is reported at the line
// that called the outermost helper.
func (r *recorder) Helper() {
	pc, _, _, ok := runtime.Caller(1)
	if !ok {
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.helpers == nil {
		r.helpers = map[string]bool{}
	}
	r.helpers[runtime.FuncForPC(pc).Name()] = true
}

func (r *recorder) Errorf(format string, args ...any) {
	r.mu.Lock()
	defer r.mu.Unlock()
	pcs := make([]uintptr, 32)
	frames := runtime.CallersFrames(pcs[:runtime.Callers(2, pcs)])
	where := ""
	for {
		frame, more := frames.Next()
		if !strings.HasSuffix(frame.Function, ".(*recorder).Fatalf") && !strings.HasSuffix(frame.Function, ".(*recorder).Fatal") && !r.helpers[frame.Function] {
			where = fmt.Sprintf("%s:%d: ", filepath.Base(frame.File), frame.Line)
			break
		}
		if !more {
			break
		}
	}
	r.failures = append(r.failures, where+fmt.Sprintf(format, args...))
}

func (r *recorder) Fatalf(format string, args ...any) {
	r.Errorf(format, args...)
	runtime.Goexit()
}

func (r *recorder) Fatal(args ...any) {
	r.Errorf("%s", fmt.Sprint(args...))
	runtime.Goexit()
}
