package access

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
)

// FakeAccount is the account id given to stacks whose account is not fixed in the assembly.
const FakeAccount = "123456789012"

// StackTemplate is one synthesized stack: its CloudFormation template and where it deploys.
type StackTemplate struct {
	// Name is the CloudFormation stack name (used by Fn::ImportValue and Fn::GetStackOutput).
	Name string
	// Path names the stack in messages, e.g. "dev/Auth". Default: Name.
	Path string
	// Account and Region; empty means FakeAccount and "us-east-1".
	Account, Region string
	// Template is the decoded template JSON (assertions.Template's ToJSON, or a template file).
	Template map[string]any
	// File is the template file's path, when loaded from a cloud assembly.
	File string
}

// stack is a loaded template with its resolution state.
type stack struct {
	StackTemplate
	resources  map[string]map[string]any
	conditions map[string]bool
	app        *app
	resolving  map[string]bool
}

// app is every stack of an assembly, for cross-stack references.
type app struct {
	stacks []*stack
	byName map[string]*stack
	// ambiguous names are held by stacks of different accounts or regions.
	ambiguous map[string]bool
	exports   map[string]*exportRef
}

type exportRef struct {
	stack *stack
	value any
}

// ResolveError says which template element could not be resolved.
type ResolveError struct {
	Stack, LogicalID, Element, Problem string
}

func (e *ResolveError) Error() string {
	return fmt.Sprintf("%s: resource %s: %s: %s", e.Stack, e.LogicalID, e.Element, e.Problem)
}

// LoadAssembly reads a cloud assembly directory (cdk.out), nested stage assemblies included.
func LoadAssembly(dir string) ([]StackTemplate, error) {
	raw, err := os.ReadFile(filepath.Join(dir, "manifest.json"))
	if err != nil {
		return nil, fmt.Errorf("cloud assembly %s: %w", dir, err)
	}
	var manifest struct {
		Artifacts map[string]struct {
			Type        string `json:"type"`
			Environment string `json:"environment"`
			DisplayName string `json:"displayName"`
			Properties  struct {
				TemplateFile  string `json:"templateFile"`
				StackName     string `json:"stackName"`
				DirectoryName string `json:"directoryName"`
			} `json:"properties"`
		} `json:"artifacts"`
	}
	if err := json.Unmarshal(raw, &manifest); err != nil {
		return nil, fmt.Errorf("cloud assembly %s: manifest.json: %w", dir, err)
	}
	var out []StackTemplate
	for _, id := range slices.Sorted(maps.Keys(manifest.Artifacts)) {
		a := manifest.Artifacts[id]
		switch a.Type {
		case "cdk:cloud-assembly":
			nested, err := LoadAssembly(filepath.Join(dir, a.Properties.DirectoryName))
			if err != nil {
				return nil, err
			}
			out = append(out, nested...)
		case "aws:cloudformation:stack":
			rawTemplate, err := os.ReadFile(filepath.Join(dir, a.Properties.TemplateFile))
			if err != nil {
				return nil, fmt.Errorf("cloud assembly %s: stack %s: %w", dir, id, err)
			}
			var template map[string]any
			if err := json.Unmarshal(rawTemplate, &template); err != nil {
				return nil, fmt.Errorf("cloud assembly %s: %s: %w", dir, a.Properties.TemplateFile, err)
			}
			name := a.Properties.StackName
			if name == "" {
				name = id
			}
			st := StackTemplate{Name: name, Path: a.DisplayName, Template: template, File: filepath.Join(dir, a.Properties.TemplateFile)}
			if env := strings.TrimPrefix(a.Environment, "aws://"); env != a.Environment {
				if parts := strings.SplitN(env, "/", 2); len(parts) == 2 {
					if !strings.HasPrefix(parts[0], "unknown-") {
						st.Account = parts[0]
					}
					if !strings.HasPrefix(parts[1], "unknown-") {
						st.Region = parts[1]
					}
				}
			}
			out = append(out, st)
		}
	}
	return out, nil
}

func newApp(templates []StackTemplate) (*app, error) {
	a := &app{byName: map[string]*stack{}, ambiguous: map[string]bool{}, exports: map[string]*exportRef{}}
	for _, t := range templates {
		if t.Account == "" {
			t.Account = FakeAccount
		}
		if t.Region == "" {
			t.Region = "us-east-1"
		}
		if t.Path == "" {
			t.Path = t.Name
		}
		s := &stack{StackTemplate: t, resources: map[string]map[string]any{}, app: a, resolving: map[string]bool{}}
		if res, ok := t.Template["Resources"].(map[string]any); ok {
			for id, r := range res {
				if m, ok := r.(map[string]any); ok {
					s.resources[id] = m
				}
			}
		}
		// A stack's name is unique in its account and region (the guardrails stack has one
		// name in every account); Fn::GetStackOutput names a stack of its own account.
		if other, dup := a.byName[t.Name]; dup {
			if other.Account == t.Account && other.Region == t.Region {
				return nil, fmt.Errorf("two stacks are named %q in %s/%s", t.Name, t.Account, t.Region)
			}
			a.ambiguous[t.Name] = true
		}
		a.byName[t.Name] = s
		a.stacks = append(a.stacks, s)
	}
	for _, s := range a.stacks {
		outputs, _ := s.Template["Outputs"].(map[string]any)
		for _, id := range slices.Sorted(maps.Keys(outputs)) {
			o, _ := outputs[id].(map[string]any)
			export, _ := o["Export"].(map[string]any)
			if export == nil {
				continue
			}
			name, err := s.resolve(export["Name"], "Outputs", id, "Export.Name")
			if err != nil {
				return nil, err
			}
			n, ok := name.(string)
			if !ok {
				return nil, &ResolveError{s.Path, id, "Export.Name", "is not a string"}
			}
			a.exports[n] = &exportRef{stack: s, value: o["Value"]}
		}
	}
	return a, nil
}

// resourceType returns the Type of a resource, or "".
func (s *stack) resourceType(id string) string {
	t, _ := s.resources[id]["Type"].(string)
	return t
}

// property resolves one property of a resource (nil when absent).
func (s *stack) property(id, name string) (any, error) {
	props, _ := s.resources[id]["Properties"].(map[string]any)
	v, ok := props[name]
	if !ok {
		return nil, nil
	}
	return s.resolve(v, "Resources", id, "Properties."+name)
}

// stringProperty resolves a property that must be a string ("" when absent).
func (s *stack) stringProperty(id, name string) (string, error) {
	v, err := s.property(id, name)
	if err != nil || v == nil {
		return "", err
	}
	str, ok := v.(string)
	if !ok {
		return "", &ResolveError{s.Path, id, "Properties." + name, fmt.Sprintf("want a string, got %v", v)}
	}
	return str, nil
}

// resolve evaluates the intrinsic functions in v. section/id/element name where v comes from.
func (s *stack) resolve(v any, section, id, element string) (any, error) {
	fail := func(problem string) error {
		return &ResolveError{Stack: s.Path, LogicalID: id, Element: element, Problem: problem}
	}
	switch x := v.(type) {
	case []any:
		out := make([]any, 0, len(x))
		for i, item := range x {
			r, err := s.resolve(item, section, id, fmt.Sprintf("%s[%d]", element, i))
			if err != nil {
				return nil, err
			}
			if r != noValue {
				out = append(out, r)
			}
		}
		return out, nil
	case map[string]any:
		if len(x) == 1 {
			for fn, arg := range x {
				if fn == "Ref" || fn == "Condition" || strings.HasPrefix(fn, "Fn::") {
					return s.intrinsic(fn, arg, section, id, element, fail)
				}
			}
		}
		out := make(map[string]any, len(x))
		for k, item := range x {
			r, err := s.resolve(item, section, id, element+"."+k)
			if err != nil {
				return nil, err
			}
			if r != noValue {
				out[k] = r
			}
		}
		return out, nil
	default:
		return v, nil
	}
}

// noValue stands for AWS::NoValue: the enclosing element is removed.
var noValue = &struct{ name string }{"AWS::NoValue"}

func (s *stack) intrinsic(fn string, arg any, section, id, element string, fail func(string) error) (any, error) {
	sub := func(v any, what string) (any, error) { return s.resolve(v, section, id, element+"."+fn+what) }
	subString := func(v any, what string) (string, error) {
		r, err := sub(v, what)
		if err != nil {
			return "", err
		}
		str, ok := r.(string)
		if !ok {
			return "", fail(fmt.Sprintf("%s%s: want a string, got %v", fn, what, r))
		}
		return str, nil
	}
	list := func(v any, n int) ([]any, error) {
		l, ok := v.([]any)
		if !ok || (n > 0 && len(l) != n) {
			return nil, fail(fmt.Sprintf("%s: want a list of %d arguments, got %v", fn, n, v))
		}
		return l, nil
	}
	// separated reads [separator, value] (Fn::Join, Fn::Split).
	separated := func() (string, []any, error) {
		l, err := list(arg, 2)
		if err != nil {
			return "", nil, err
		}
		sep, ok := l[0].(string)
		if !ok {
			return "", nil, fail(fn + ": the separator must be a string")
		}
		return sep, l, nil
	}
	switch fn {
	case "Ref":
		name, ok := arg.(string)
		if !ok {
			return nil, fail("Ref: want a name, got " + fmt.Sprint(arg))
		}
		return s.ref(name, fail)
	case "Fn::GetAtt":
		var res, attr string
		switch a := arg.(type) {
		case string:
			res, attr, _ = strings.Cut(a, ".")
		case []any:
			if len(a) != 2 {
				return nil, fail(fmt.Sprintf("Fn::GetAtt: want [resource, attribute], got %v", a))
			}
			res, _ = a[0].(string)
			attrValue, err := subString(a[1], "[1]")
			if err != nil {
				return nil, err
			}
			attr = attrValue
		}
		if res == "" || attr == "" {
			return nil, fail(fmt.Sprintf("Fn::GetAtt: want [resource, attribute], got %v", arg))
		}
		return s.attribute(res, attr, fail)
	case "Fn::Join":
		sep, l, err := separated()
		if err != nil {
			return nil, err
		}
		items, err := sub(l[1], "[1]")
		if err != nil {
			return nil, err
		}
		parts, ok := items.([]any)
		if !ok {
			return nil, fail(fmt.Sprintf("Fn::Join: want a list of values, got %v", items))
		}
		strs := make([]string, len(parts))
		for i, p := range parts {
			if strs[i], ok = p.(string); !ok {
				return nil, fail(fmt.Sprintf("Fn::Join: item %d is not a string: %v", i, p))
			}
		}
		return strings.Join(strs, sep), nil
	case "Fn::Sub":
		var template string
		vars := map[string]any{}
		switch a := arg.(type) {
		case string:
			template = a
		case []any:
			if len(a) != 2 {
				return nil, fail("Fn::Sub: want a string or [string, variables]")
			}
			template, _ = a[0].(string)
			m, ok := a[1].(map[string]any)
			if !ok {
				return nil, fail("Fn::Sub: variables must be an object")
			}
			for k, v := range m {
				r, err := sub(v, "."+k)
				if err != nil {
					return nil, err
				}
				vars[k] = r
			}
		default:
			return nil, fail("Fn::Sub: want a string or [string, variables]")
		}
		return s.substitute(template, vars, fail)
	case "Fn::Select":
		l, err := list(arg, 2)
		if err != nil {
			return nil, err
		}
		indexValue, err := sub(l[0], "[0]")
		if err != nil {
			return nil, err
		}
		index, err := toInt(indexValue)
		if err != nil {
			return nil, fail("Fn::Select: " + err.Error())
		}
		items, err := sub(l[1], "[1]")
		if err != nil {
			return nil, err
		}
		parts, ok := items.([]any)
		if !ok || index < 0 || index >= len(parts) {
			return nil, fail(fmt.Sprintf("Fn::Select: index %d out of range of %v", index, items))
		}
		return parts[index], nil
	case "Fn::Split":
		sep, l, err := separated()
		if err != nil {
			return nil, err
		}
		str, err := subString(l[1], "[1]")
		if err != nil {
			return nil, err
		}
		var out []any
		for _, p := range strings.Split(str, sep) {
			out = append(out, p)
		}
		return out, nil
	case "Fn::ImportValue":
		name, err := subString(arg, "")
		if err != nil {
			return nil, err
		}
		export, ok := s.app.exports[name]
		if !ok {
			return nil, fail(fmt.Sprintf("Fn::ImportValue: no stack exports %q", name))
		}
		return export.stack.resolve(export.value, "Outputs", name, "Value")
	case "Fn::GetStackOutput":
		m, ok := arg.(map[string]any)
		if !ok {
			return nil, fail("Fn::GetStackOutput: want {StackName, OutputName}")
		}
		stackName, err := subString(m["StackName"], ".StackName")
		if err != nil {
			return nil, err
		}
		outputName, err := subString(m["OutputName"], ".OutputName")
		if err != nil {
			return nil, err
		}
		other, ok := s.app.byName[stackName]
		if s.app.ambiguous[stackName] {
			return nil, fail(fmt.Sprintf("Fn::GetStackOutput: stacks of several accounts or regions are named %q", stackName))
		}
		if !ok {
			return nil, fail(fmt.Sprintf("Fn::GetStackOutput: no stack named %q", stackName))
		}
		outputs, _ := other.Template["Outputs"].(map[string]any)
		o, ok := outputs[outputName].(map[string]any)
		if !ok {
			return nil, fail(fmt.Sprintf("Fn::GetStackOutput: stack %q has no output %q", stackName, outputName))
		}
		return other.resolve(o["Value"], "Outputs", outputName, "Value")
	case "Fn::If":
		l, err := list(arg, 3)
		if err != nil {
			return nil, err
		}
		name, _ := l[0].(string)
		cond, err := s.condition(name, fail)
		if err != nil {
			return nil, err
		}
		if cond {
			return sub(l[1], "[1]")
		}
		return sub(l[2], "[2]")
	case "Fn::Equals", "Fn::Not", "Fn::And", "Fn::Or", "Condition":
		return s.conditionValue(fn, arg, section, id, element, fail)
	case "Fn::FindInMap":
		l, err := list(arg, 3)
		if err != nil {
			return nil, err
		}
		keys := make([]string, 3)
		for i := range l {
			if keys[i], err = subString(l[i], fmt.Sprintf("[%d]", i)); err != nil {
				return nil, err
			}
		}
		mappings, _ := s.Template["Mappings"].(map[string]any)
		m1, _ := mappings[keys[0]].(map[string]any)
		m2, _ := m1[keys[1]].(map[string]any)
		v, ok := m2[keys[2]]
		if !ok {
			return nil, fail(fmt.Sprintf("Fn::FindInMap: no %s.%s.%s", keys[0], keys[1], keys[2]))
		}
		return v, nil
	}
	return nil, fail(fmt.Sprintf("unsupported intrinsic function %s", fn))
}

func (s *stack) condition(name string, fail func(string) error) (bool, error) {
	if s.conditions == nil {
		s.conditions = map[string]bool{}
	}
	if v, ok := s.conditions[name]; ok {
		return v, nil
	}
	conditions, _ := s.Template["Conditions"].(map[string]any)
	def, ok := conditions[name]
	if !ok {
		return false, fail(fmt.Sprintf("no condition named %q", name))
	}
	if s.resolving["condition:"+name] {
		return false, fail(fmt.Sprintf("condition %q refers to itself", name))
	}
	s.resolving["condition:"+name] = true
	defer delete(s.resolving, "condition:"+name)
	v, err := s.resolve(def, "Conditions", name, "")
	if err != nil {
		return false, err
	}
	b, ok := v.(bool)
	if !ok {
		return false, fail(fmt.Sprintf("condition %q is not a boolean: %v", name, v))
	}
	s.conditions[name] = b
	return b, nil
}

func (s *stack) conditionValue(fn string, arg any, section, id, element string, fail func(string) error) (any, error) {
	if fn == "Condition" {
		name, _ := arg.(string)
		return s.condition(name, fail)
	}
	args, ok := arg.([]any)
	if !ok {
		return nil, fail(fn + ": want a list")
	}
	values := make([]any, len(args))
	for i, a := range args {
		v, err := s.resolve(a, section, id, fmt.Sprintf("%s.%s[%d]", element, fn, i))
		if err != nil {
			return nil, err
		}
		values[i] = v
	}
	switch fn {
	case "Fn::Equals":
		if len(values) != 2 {
			return nil, fail("Fn::Equals: want 2 values")
		}
		a, _ := json.Marshal(values[0])
		b, _ := json.Marshal(values[1])
		return string(a) == string(b), nil
	case "Fn::Not":
		if len(values) != 1 {
			return nil, fail("Fn::Not: want 1 condition")
		}
		b, ok := values[0].(bool)
		if !ok {
			return nil, fail("Fn::Not: want a condition")
		}
		return !b, nil
	}
	and := fn == "Fn::And"
	result := and
	for _, v := range values {
		b, ok := v.(bool)
		if !ok {
			return nil, fail(fn + ": want conditions")
		}
		if and {
			result = result && b
		} else {
			result = result || b
		}
	}
	return result, nil
}

func (s *stack) substitute(template string, vars map[string]any, fail func(string) error) (string, error) {
	var b strings.Builder
	for {
		i := strings.Index(template, "${")
		if i < 0 {
			b.WriteString(template)
			return b.String(), nil
		}
		b.WriteString(template[:i])
		rest := template[i+2:]
		if strings.HasPrefix(rest, "!") { // ${!Literal} writes ${Literal}
			j := strings.Index(rest, "}")
			if j < 0 {
				return "", fail("Fn::Sub: unclosed ${")
			}
			b.WriteString("${" + rest[1:j+1])
			template = rest[j+1:]
			continue
		}
		j := strings.Index(rest, "}")
		if j < 0 {
			return "", fail("Fn::Sub: unclosed ${")
		}
		name := rest[:j]
		template = rest[j+1:]
		var v any
		var err error
		if value, ok := vars[name]; ok {
			v = value
		} else if res, attr, isAttr := strings.Cut(name, "."); isAttr && s.resources[res] != nil {
			v, err = s.attribute(res, attr, fail)
		} else {
			v, err = s.ref(name, fail)
		}
		if err != nil {
			return "", err
		}
		str, ok := v.(string)
		if !ok {
			return "", fail(fmt.Sprintf("Fn::Sub: ${%s} is not a string: %v", name, v))
		}
		b.WriteString(str)
	}
}

func toInt(v any) (int, error) {
	switch n := v.(type) {
	case float64:
		return int(n), nil
	case string:
		return strconv.Atoi(n)
	}
	return 0, fmt.Errorf("want a number, got %v", v)
}

// ref resolves Ref: pseudo parameters, parameters (their defaults) and resources.
func (s *stack) ref(name string, fail func(string) error) (any, error) {
	switch name {
	case "AWS::AccountId":
		return s.Account, nil
	case "AWS::Region":
		return s.Region, nil
	case "AWS::Partition":
		return "aws", nil
	case "AWS::URLSuffix":
		return "amazonaws.com", nil
	case "AWS::StackName":
		return s.Name, nil
	case "AWS::StackId":
		return fmt.Sprintf("arn:aws:cloudformation:%s:%s:stack/%s/%s", s.Region, s.Account, s.Name, fakeUUID(s.Name)), nil
	case "AWS::NoValue":
		return noValue, nil
	case "AWS::NotificationARNs":
		return []any{}, nil
	}
	if params, ok := s.Template["Parameters"].(map[string]any); ok {
		if p, ok := params[name].(map[string]any); ok {
			if d, ok := p["Default"]; ok {
				return d, nil
			}
			return nil, fail(fmt.Sprintf("Ref: parameter %q has no default value", name))
		}
	}
	if _, ok := s.resources[name]; !ok {
		return nil, fail(fmt.Sprintf("Ref: no resource or parameter named %q", name))
	}
	return s.attribute(name, "Ref", fail)
}

// attribute returns the deterministic fake value of a resource's Ref ("Ref") or attribute.
func (s *stack) attribute(id, attr string, fail func(string) error) (any, error) {
	if _, ok := s.resources[id]; !ok {
		return nil, fail(fmt.Sprintf("no resource named %q", id))
	}
	key := id + "." + attr
	if s.resolving[key] {
		return nil, fail(fmt.Sprintf("%s refers to itself", key))
	}
	s.resolving[key] = true
	defer delete(s.resolving, key)
	name := func(prop string, lower bool) (string, error) {
		if prop != "" {
			if v, err := s.stringProperty(id, prop); err != nil || v != "" {
				return v, err
			}
		}
		n := s.Name + "-" + id + "-" + fakeSuffix(s.Name+"/"+id)
		if lower {
			n = strings.ToLower(n)
		}
		return n, nil
	}
	arn := func(service, resource string) string {
		return fmt.Sprintf("arn:aws:%s:%s:%s:%s", service, s.Region, s.Account, resource)
	}
	typ := s.resourceType(id)
	switch typ {
	case "AWS::IAM::Role":
		n, err := name("RoleName", false)
		if err != nil {
			return nil, err
		}
		path, err := s.stringProperty(id, "Path")
		if err != nil {
			return nil, err
		}
		if path == "" {
			path = "/"
		}
		switch attr {
		case "Ref", "RoleName":
			return n, nil
		case "Arn":
			return fmt.Sprintf("arn:aws:iam::%s:role%s%s", s.Account, path, n), nil
		case "RoleId":
			return "AROA" + strings.ToUpper(fakeSuffix(key)), nil
		}
	case "AWS::IAM::ManagedPolicy":
		n, err := name("ManagedPolicyName", false)
		if err != nil {
			return nil, err
		}
		if attr == "Ref" || attr == "PolicyArn" {
			return fmt.Sprintf("arn:aws:iam::%s:policy/%s", s.Account, n), nil
		}
	case "AWS::IAM::Policy":
		if attr == "Ref" {
			return name("PolicyName", false)
		}
	case "AWS::S3::Bucket":
		n, err := name("BucketName", true)
		if err != nil {
			return nil, err
		}
		switch attr {
		case "Ref":
			return n, nil
		case "Arn":
			return "arn:aws:s3:::" + n, nil
		case "DomainName":
			return n + ".s3.amazonaws.com", nil
		case "RegionalDomainName":
			return n + ".s3." + s.Region + ".amazonaws.com", nil
		}
	case "AWS::SNS::Topic":
		n, err := name("TopicName", false)
		if err != nil {
			return nil, err
		}
		switch attr {
		case "Ref", "TopicArn":
			return arn("sns", n), nil
		case "TopicName":
			return n, nil
		}
	case "AWS::SQS::Queue":
		n, err := name("QueueName", false)
		if err != nil {
			return nil, err
		}
		switch attr {
		case "Ref", "QueueUrl":
			return fmt.Sprintf("https://sqs.%s.amazonaws.com/%s/%s", s.Region, s.Account, n), nil
		case "Arn":
			return arn("sqs", n), nil
		case "QueueName":
			return n, nil
		}
	case "AWS::KMS::Key":
		keyID := fakeUUID(s.Name + "/" + id)
		switch attr {
		case "Ref", "KeyId":
			return keyID, nil
		case "Arn":
			return arn("kms", "key/"+keyID), nil
		}
	case "AWS::Lambda::Function":
		n, err := name("FunctionName", false)
		if err != nil {
			return nil, err
		}
		switch attr {
		case "Ref":
			return n, nil
		case "Arn":
			return arn("lambda", "function:"+n), nil
		}
	case "AWS::DynamoDB::Table", "AWS::DynamoDB::GlobalTable":
		n, err := name("TableName", false)
		if err != nil {
			return nil, err
		}
		switch attr {
		case "Ref":
			return n, nil
		case "Arn":
			return arn("dynamodb", "table/"+n), nil
		case "StreamArn":
			return arn("dynamodb", "table/"+n+"/stream/2026-01-01T00:00:00.000"), nil
		}
	case "AWS::Cognito::UserPool":
		poolID := s.Region + "_" + strings.ToUpper(fakeSuffix(key))[:9]
		switch attr {
		case "Ref", "UserPoolId":
			return poolID, nil
		case "Arn":
			return arn("cognito-idp", "userpool/"+poolID), nil
		case "ProviderName":
			return "cognito-idp." + s.Region + ".amazonaws.com/" + poolID, nil
		case "ProviderURL":
			return "https://cognito-idp." + s.Region + ".amazonaws.com/" + poolID, nil
		}
		return s.attribute(id, "Ref", fail)
	case "AWS::Cognito::UserPoolClient":
		if attr == "Ref" || attr == "ClientId" {
			h := sha256.Sum256([]byte(key))
			return hex.EncodeToString(h[:13]), nil // 26 lower-case characters, as Cognito issues them
		}
	case "AWS::Logs::LogGroup":
		n, err := s.stringProperty(id, "LogGroupName")
		if err != nil {
			return nil, err
		}
		if n == "" {
			n = s.Name + "-" + id + "-" + fakeSuffix(s.Name+"/"+id)
		}
		switch attr {
		case "Ref":
			return n, nil
		case "Arn":
			return arn("logs", "log-group:"+n+":*"), nil
		}
	case "AWS::SecretsManager::Secret":
		n, err := name("Name", false)
		if err != nil {
			return nil, err
		}
		if attr == "Ref" || attr == "Id" {
			// Secrets Manager adds a random six-character suffix to the name.
			return arn("secretsmanager", "secret:"+n+"-"+fakeSuffix(s.Name + "/" + id)[:6]), nil
		}
	case "AWS::CloudFront::Distribution":
		distributionID := "E" + strings.ToUpper(fakeSuffix(s.Name + "/" + id))[:12]
		switch attr {
		case "Ref", "Id":
			return distributionID, nil
		case "DomainName":
			return "d" + fakeSuffix(s.Name + "/" + id)[:12] + ".cloudfront.net", nil
		}
	case "AWS::ApiGateway::RestApi":
		apiID := fakeSuffix(s.Name + "/" + id)[:10]
		switch attr {
		case "Ref", "RestApiId":
			return apiID, nil
		case "RootResourceId":
			return fakeSuffix(s.Name + "/" + id + "/root")[:10], nil
		}
	case "AWS::ApiGateway::Authorizer":
		if attr == "Ref" || attr == "AuthorizerId" {
			return fakeSuffix(s.Name + "/" + id)[:6], nil
		}
	case "AWS::ApiGateway::Stage":
		if attr == "Ref" {
			return name("StageName", false)
		}
	case "AWS::CloudFront::PublicKey":
		if attr == "Ref" || attr == "Id" {
			return "K" + strings.ToUpper(fakeSuffix(s.Name + "/" + id))[:12], nil
		}
	case "AWS::Cognito::IdentityPool":
		poolID := s.Region + ":" + fakeUUID(s.Name+"/"+id)
		switch attr {
		case "Ref", "Id":
			return poolID, nil
		case "Name":
			return name("IdentityPoolName", false)
		}
	}
	// Any other type or attribute: a deterministic placeholder, never an ARN that could
	// accidentally match a real pattern.
	if attr == "Ref" {
		return "ref-" + strings.ToLower(id) + "-" + fakeSuffix(s.Name+"/"+id), nil
	}
	if attr == "Arn" {
		service := "unknown"
		if parts := strings.Split(typ, "::"); len(parts) > 1 {
			service = strings.ToLower(parts[1])
		}
		return arn(service, strings.ToLower(id)+"-"+fakeSuffix(s.Name+"/"+id)), nil
	}
	return "att-" + strings.ToLower(id) + "-" + strings.ToLower(attr), nil
}

func fakeSuffix(seed string) string {
	h := sha256.Sum256([]byte(seed))
	return hex.EncodeToString(h[:6])
}

func fakeUUID(seed string) string {
	h := sha256.Sum256([]byte(seed))
	x := hex.EncodeToString(h[:16])
	return x[0:8] + "-" + x[8:12] + "-" + x[12:16] + "-" + x[16:20] + "-" + x[20:32]
}
