package calls

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"net"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
)

// The harness's local AWS: the functions built as they deploy but for this machine (make
// host-functions), run by the AWS Lambda Runtime Interface Emulator (RIE, go.mod's tool) and
// invoked with the Lambda API; an in-memory DynamoDB (dynalite), reached by the functions
// through the front (front_test.go); Cognito's stand-in (cognito_test.go). All on loopback.

// dynalite is started by TestMain, while the assembly loads.
var dynalite *dynaliteProcess

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
// returns its JSON response, and the function error if the handler failed (its payload is then
// Lambda's error object). err is a failure to invoke at all.
func (f *localFunction) invoke(ctx context.Context, payload any) (out json.RawMessage, functionError string, err error) {
	raw, err := json.Marshal(payload)
	if err != nil {
		return nil, "", err
	}
	// The emulator's function name is always "function".
	answer, err := f.client.Invoke(ctx, &lambda.InvokeInput{FunctionName: aws.String("function"), Payload: raw})
	if err != nil {
		return nil, "", fmt.Errorf("%s: invoke %s: %w\n%s", f.name, raw, err, f.log.String())
	}
	functionError = aws.ToString(answer.FunctionError)
	// The emulator does not set X-Amz-Function-Error as Lambda does: a failed invocation is
	// known by its payload, Lambda's error object.
	var lambdaError map[string]json.RawMessage
	if functionError == "" && json.Unmarshal(answer.Payload, &lambdaError) == nil && lambdaError["errorMessage"] != nil && lambdaError["errorType"] != nil {
		functionError = "Unhandled"
		for k := range lambdaError {
			if k != "errorMessage" && k != "errorType" && k != "stackTrace" {
				functionError = "" // an answer of the function's own that has those fields
			}
		}
	}
	return answer.Payload, functionError, nil
}

func (f *localFunction) stop() {
	_ = syscall.Kill(-f.cmd.Process.Pid, syscall.SIGKILL)
	<-f.done
}
