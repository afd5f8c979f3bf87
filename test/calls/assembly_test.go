package calls

import (
	"encoding/json"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"

	"github.com/gatehouse-cdk/gatehouse/access"
	"github.com/gatehouse-cdk/gatehouse/proof/matrix"
)

// app is what the harness reads from the synthesized assembly: the access model (which resolves
// every reference to a deterministic value — the names the stand-ins serve, so a recorded ARN is
// the model's own) and the resources the functions reach.
type app struct {
	templates []access.StackTemplate
	model     *access.Model
	// functions are the asset functions, in stack and logical id order.
	functions []*function
	// tables by ARN, secrets by ARN, stages by their flush path's "/restapis/<id>/stages/<name>".
	tables  map[string]*table
	secrets map[string]*resource
	stages  map[string]*resource
	// The user pool, its clients and the identity pool the functions verify users against.
	region, userPoolID, identityPoolID string
	clientIDs                          []string
}

// resource names one resource of the assembly: its stack (path) and logical id.
type resource struct {
	stack, logicalID, path string
}

func (r resource) String() string {
	if r.path != "" {
		return r.stack + " " + r.logicalID + " (" + r.path + ")"
	}
	return r.stack + " " + r.logicalID
}

// table is a DynamoDB table of the assembly as its template defines it.
type table struct {
	resource
	arn, name  string
	properties map[string]any // the template's, literal
	indexes    []string       // global and local secondary indexes
	ttl        string         // the TTL attribute, "" without TTL
}

// function is one asset function of the assembly.
type function struct {
	resource
	// kind is its code: the directory of its asset (build/functions/<kind>), so functions/<kind>.
	kind                       string
	name, arn, account, region string
	role                       *access.Role
	// env is its Environment.Variables, resolved by the model.
	env map[string]string
	// logGroupARN is the log group of its LoggingConfig (the Lambda runtime writes there).
	logGroupARN string
	// timeout and memory are the template's, for the emulator's environment.
	timeout, memory string
	// accessKey signs its calls (no other function has it); prefix starts the path of every
	// request it sends to the stand-ins (an unsigned call is told apart by it).
	accessKey, prefix string
}

// label names a function in messages: its stack, logical id and code.
func (f *function) label() string {
	return fmt.Sprintf("%s %s (functions/%s)", f.stack, f.logicalID, f.kind)
}

// session is the principal its calls are made as: its role's session, named after the function
// as Lambda names it.
func (f *function) session() string {
	return matrix.SessionFor(f.role, f.name)
}

// loadApp reads and resolves the assembly once per test binary.
var loadApp = sync.OnceValues(func() (*app, error) {
	if _, err := os.Stat(filepath.Join(assemblyDir, "manifest.json")); err != nil {
		return nil, fmt.Errorf("no synthesized assembly in %s: run make test-calls, which synthesizes dev there", assemblyDir)
	}
	templates, err := access.LoadAssembly(assemblyDir)
	if err != nil {
		return nil, err
	}
	return newApp(templates)
})

// newApp builds the harness's view of templates (also of mutated ones: the checker's tests).
func newApp(templates []access.StackTemplate) (*app, error) {
	m, err := access.NewModel(templates)
	if err != nil {
		return nil, err
	}
	a := &app{templates: templates, model: m, tables: map[string]*table{}, secrets: map[string]*resource{}, stages: map[string]*resource{}}
	for i, st := range templates {
		for _, id := range slices.Sorted(maps.Keys(resourcesOf(st))) {
			res := resource{stack: st.Path, logicalID: id, path: cdkPath(st, id)}
			var err error
			switch typeOf(st, id) {
			case "AWS::Lambda::Function":
				var f *function
				if f, err = a.function(&templates[i], res); err == nil {
					a.functions = append(a.functions, f)
				}
			case "AWS::DynamoDB::Table", "AWS::DynamoDB::GlobalTable":
				err = a.addTable(st, res)
			case "AWS::SecretsManager::Secret":
				var arn string
				if arn, err = m.Attr(st.Path, id, "Ref"); err == nil {
					a.secrets[arn] = &res
				}
			case "AWS::ApiGateway::Stage":
				var api, name any
				if api, err = m.Property(st.Path, id, "RestApiId"); err == nil {
					if name, err = m.Property(st.Path, id, "StageName"); err == nil {
						a.stages[fmt.Sprintf("/restapis/%v/stages/%v", api, name)] = &res
					}
				}
			case "AWS::Cognito::UserPool":
				if a.userPoolID != "" {
					return nil, fmt.Errorf("two user pools (%s and %s): the Cognito stand-in serves one", a.userPoolID, res)
				}
				a.region = st.Region
				a.userPoolID, err = m.Attr(st.Path, id, "Ref")
			case "AWS::Cognito::UserPoolClient":
				var client string
				if client, err = m.Attr(st.Path, id, "Ref"); err == nil {
					a.clientIDs = append(a.clientIDs, client)
				}
			case "AWS::Cognito::IdentityPool":
				if a.identityPoolID != "" {
					return nil, fmt.Errorf("two identity pools: the Cognito stand-in serves one")
				}
				a.identityPoolID, err = m.Attr(st.Path, id, "Ref")
			}
			if err != nil {
				return nil, fmt.Errorf("%s: %w", res, err)
			}
		}
	}
	if len(a.functions) == 0 {
		return nil, fmt.Errorf("the assembly in %s has no Lambda function", assemblyDir)
	}
	return a, nil
}

func resourcesOf(st access.StackTemplate) map[string]any {
	resources, _ := st.Template["Resources"].(map[string]any)
	return resources
}

func resourceIn(st access.StackTemplate, id string) map[string]any {
	r, _ := resourcesOf(st)[id].(map[string]any)
	return r
}

func typeOf(st access.StackTemplate, id string) string {
	t, _ := resourceIn(st, id)["Type"].(string)
	return t
}

func propertiesOf(st access.StackTemplate, id string) map[string]any {
	p, _ := resourceIn(st, id)["Properties"].(map[string]any)
	return p
}

func cdkPath(st access.StackTemplate, id string) string {
	md, _ := resourceIn(st, id)["Metadata"].(map[string]any)
	p, _ := md["aws:cdk:path"].(string)
	return p
}

// addTable records a table with what its template says: name and ARN (the model's), indexes
// and TTL (literal in templates).
func (a *app) addTable(st access.StackTemplate, res resource) error {
	t := &table{resource: res, properties: propertiesOf(st, res.logicalID)}
	var err error
	if t.name, err = a.model.Attr(st.Path, res.logicalID, "Ref"); err != nil {
		return err
	}
	if t.arn, err = a.model.Attr(st.Path, res.logicalID, "Arn"); err != nil {
		return err
	}
	for _, kind := range []string{"GlobalSecondaryIndexes", "LocalSecondaryIndexes"} {
		list, _ := t.properties[kind].([]any)
		for _, index := range list {
			name, _ := index.(map[string]any)["IndexName"].(string)
			t.indexes = append(t.indexes, name)
		}
	}
	if ttl, _ := t.properties["TimeToLiveSpecification"].(map[string]any); ttl != nil && ttl["Enabled"] == true {
		t.ttl, _ = ttl["AttributeName"].(string)
	}
	a.tables[t.arn] = t
	return nil
}

// function reads an asset function: its code (the asset's source directory, from the stack's
// asset manifest), its role, environment and log group, all through the model.
func (a *app) function(st *access.StackTemplate, res resource) (*function, error) {
	props := propertiesOf(*st, res.logicalID)
	f := &function{resource: res, timeout: fmt.Sprint(props["Timeout"]), memory: fmt.Sprint(props["MemorySize"])}
	kind, err := assetKind(*st, props)
	if err != nil {
		return nil, err
	}
	f.kind = kind
	m := a.model
	if f.name, err = m.Attr(st.Path, res.logicalID, "Ref"); err != nil {
		return nil, err
	}
	if f.arn, err = m.Attr(st.Path, res.logicalID, "Arn"); err != nil {
		return nil, err
	}
	f.account, f.region = strings.Split(f.arn, ":")[4], strings.Split(f.arn, ":")[3]
	roleARN, err := m.Property(st.Path, res.logicalID, "Role")
	if err != nil {
		return nil, err
	}
	if f.role = m.Roles[fmt.Sprint(roleARN)]; f.role == nil {
		return nil, fmt.Errorf("its role %v is not a role of the assembly", roleARN)
	}
	environment, err := m.Property(st.Path, res.logicalID, "Environment")
	if err != nil {
		return nil, err
	}
	f.env = map[string]string{}
	variables, _ := environment.(map[string]any)["Variables"].(map[string]any)
	for k, v := range variables {
		s, ok := v.(string)
		if !ok {
			return nil, fmt.Errorf("environment variable %s resolves to %v, not a string", k, v)
		}
		f.env[k] = s
	}
	logging, err := m.Property(st.Path, res.logicalID, "LoggingConfig")
	if err != nil {
		return nil, err
	}
	if group, _ := logging.(map[string]any)["LogGroup"].(string); group != "" {
		f.logGroupARN = fmt.Sprintf("arn:aws:logs:%s:%s:log-group:%s:*", f.region, f.account, group)
	}
	// Keys and prefixes from the logical id: stable, and distinct per function.
	f.accessKey = "ASIACALLS" + strings.ToUpper(alphanumeric(res.logicalID))
	f.prefix = "/" + strings.ToLower(res.logicalID)
	return f, nil
}

// alphanumeric keeps letters and digits only (an access key id's characters).
func alphanumeric(s string) string {
	return strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' {
			return r
		}
		return -1
	}, s)
}

// assetKind is the function's code as the stack's asset manifest names it: the directory the
// asset was made from, build/functions/<kind> (make build's output for functions/<kind>).
func assetKind(st access.StackTemplate, props map[string]any) (string, error) {
	code, _ := props["Code"].(map[string]any)
	key, _ := code["S3Key"].(string)
	if key == "" {
		return "", fmt.Errorf("its code is not an asset (Code %v): the harness runs only asset functions, built from functions/", code)
	}
	raw, err := os.ReadFile(strings.TrimSuffix(st.File, ".template.json") + ".assets.json")
	if err != nil {
		return "", fmt.Errorf("its asset manifest: %w", err)
	}
	var manifest struct {
		Files map[string]struct {
			Source struct{ Path string } `json:"source"`
		} `json:"files"`
	}
	if err := json.Unmarshal(raw, &manifest); err != nil {
		return "", err
	}
	asset, ok := manifest.Files[strings.TrimSuffix(key, ".zip")]
	if !ok {
		return "", fmt.Errorf("its asset %s is not in the stack's asset manifest", key)
	}
	dir := filepath.Dir(asset.Source.Path)
	if filepath.Base(dir) != "functions" || filepath.Base(filepath.Dir(dir)) != "build" {
		return "", fmt.Errorf("its asset comes from %s, not build/functions/<name> (assets staged? make test-calls synthesizes with aws:cdk:disable-asset-staging)", asset.Source.Path)
	}
	return filepath.Base(asset.Source.Path), nil
}

// functionsOf are the app's functions of a kind.
func (a *app) functionsOf(kind string) []*function {
	var out []*function
	for _, f := range a.functions {
		if f.kind == kind {
			out = append(out, f)
		}
	}
	return out
}

// roleAt is the role of the role construct at path, as the access matrix finds it.
func roleAt(m *access.Model, path string) *access.Role {
	for _, r := range m.Roles {
		if r.Path == path || r.Path == path+"/Resource" {
			return r
		}
	}
	return nil
}
