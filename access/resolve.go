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
	call, ok := intrinsics[fn]
	if !ok {
		return nil, fail(fmt.Sprintf("unsupported intrinsic function %s", fn))
	}
	return call(intrinsicCall{s: s, fn: fn, arg: arg, section: section, id: id, element: element, fail: fail})
}

// intrinsics resolve the intrinsic functions, by name (set in init: they resolve their
// arguments, which may hold intrinsics).
var intrinsics map[string]func(intrinsicCall) (any, error)

func init() {
	intrinsics = map[string]func(intrinsicCall) (any, error){
		"Ref":                intrinsicCall.ref,
		"Fn::GetAtt":         intrinsicCall.getAtt,
		"Fn::Join":           intrinsicCall.join,
		"Fn::Sub":            intrinsicCall.template,
		"Fn::Select":         intrinsicCall.selectItem,
		"Fn::Split":          intrinsicCall.split,
		"Fn::ImportValue":    intrinsicCall.importValue,
		"Fn::GetStackOutput": intrinsicCall.getStackOutput,
		"Fn::If":             intrinsicCall.ifThen,
		"Fn::Equals":         intrinsicCall.condition,
		"Fn::Not":            intrinsicCall.condition,
		"Fn::And":            intrinsicCall.condition,
		"Fn::Or":             intrinsicCall.condition,
		"Condition":          intrinsicCall.condition,
		"Fn::FindInMap":      intrinsicCall.findInMap,
	}
}

// intrinsicCall is one intrinsic function being resolved: its name and argument, and where it
// is (for messages).
type intrinsicCall struct {
	s                    *stack
	fn                   string
	arg                  any
	section, id, element string
	fail                 func(string) error
}

// sub resolves v, a part of the argument (what names it in messages, e.g. "[1]").
func (c intrinsicCall) sub(v any, what string) (any, error) {
	return c.s.resolve(v, c.section, c.id, c.element+"."+c.fn+what)
}

// subString resolves v to a string.
func (c intrinsicCall) subString(v any, what string) (string, error) {
	r, err := c.sub(v, what)
	if err != nil {
		return "", err
	}
	str, ok := r.(string)
	if !ok {
		return "", c.fail(fmt.Sprintf("%s%s: want a string, got %v", c.fn, what, r))
	}
	return str, nil
}

// list is v as a list of n arguments (any number when n is 0).
func (c intrinsicCall) list(v any, n int) ([]any, error) {
	l, ok := v.([]any)
	if !ok || (n > 0 && len(l) != n) {
		return nil, c.fail(fmt.Sprintf("%s: want a list of %d arguments, got %v", c.fn, n, v))
	}
	return l, nil
}

// separated reads [separator, value] (Fn::Join, Fn::Split).
func (c intrinsicCall) separated() (string, []any, error) {
	l, err := c.list(c.arg, 2)
	if err != nil {
		return "", nil, err
	}
	sep, ok := l[0].(string)
	if !ok {
		return "", nil, c.fail(c.fn + ": the separator must be a string")
	}
	return sep, l, nil
}

// ref is Ref: a parameter, a pseudo parameter or a resource.
func (c intrinsicCall) ref() (any, error) {
	name, ok := c.arg.(string)
	if !ok {
		return nil, c.fail("Ref: want a name, got " + fmt.Sprint(c.arg))
	}
	return c.s.ref(name, c.fail)
}

// getAtt is Fn::GetAtt: a resource's attribute ("res.attr" or [res, attr]).
func (c intrinsicCall) getAtt() (any, error) {
	var res, attr string
	switch a := c.arg.(type) {
	case string:
		res, attr, _ = strings.Cut(a, ".")
	case []any:
		if len(a) != 2 {
			return nil, c.fail(fmt.Sprintf("Fn::GetAtt: want [resource, attribute], got %v", a))
		}
		res, _ = a[0].(string)
		attrValue, err := c.subString(a[1], "[1]")
		if err != nil {
			return nil, err
		}
		attr = attrValue
	}
	if res == "" || attr == "" {
		return nil, c.fail(fmt.Sprintf("Fn::GetAtt: want [resource, attribute], got %v", c.arg))
	}
	return c.s.attribute(res, attr, c.fail)
}

// join is Fn::Join: [separator, values].
func (c intrinsicCall) join() (any, error) {
	sep, l, err := c.separated()
	if err != nil {
		return nil, err
	}
	items, err := c.sub(l[1], "[1]")
	if err != nil {
		return nil, err
	}
	parts, ok := items.([]any)
	if !ok {
		return nil, c.fail(fmt.Sprintf("Fn::Join: want a list of values, got %v", items))
	}
	strs := make([]string, len(parts))
	for i, p := range parts {
		if strs[i], ok = p.(string); !ok {
			return nil, c.fail(fmt.Sprintf("Fn::Join: item %d is not a string: %v", i, p))
		}
	}
	return strings.Join(strs, sep), nil
}

// template is Fn::Sub: a template string, or [template, variables].
func (c intrinsicCall) template() (any, error) {
	var template string
	vars := map[string]any{}
	switch a := c.arg.(type) {
	case string:
		template = a
	case []any:
		if len(a) != 2 {
			return nil, c.fail("Fn::Sub: want a string or [string, variables]")
		}
		template, _ = a[0].(string)
		m, ok := a[1].(map[string]any)
		if !ok {
			return nil, c.fail("Fn::Sub: variables must be an object")
		}
		for k, v := range m {
			r, err := c.sub(v, "."+k)
			if err != nil {
				return nil, err
			}
			vars[k] = r
		}
	default:
		return nil, c.fail("Fn::Sub: want a string or [string, variables]")
	}
	return c.s.substitute(template, vars, c.fail)
}

// selectItem is Fn::Select: [index, list].
func (c intrinsicCall) selectItem() (any, error) {
	l, err := c.list(c.arg, 2)
	if err != nil {
		return nil, err
	}
	indexValue, err := c.sub(l[0], "[0]")
	if err != nil {
		return nil, err
	}
	index, err := toInt(indexValue)
	if err != nil {
		return nil, c.fail("Fn::Select: " + err.Error())
	}
	items, err := c.sub(l[1], "[1]")
	if err != nil {
		return nil, err
	}
	parts, ok := items.([]any)
	if !ok || index < 0 || index >= len(parts) {
		return nil, c.fail(fmt.Sprintf("Fn::Select: index %d out of range of %v", index, items))
	}
	return parts[index], nil
}

// split is Fn::Split: [separator, string].
func (c intrinsicCall) split() (any, error) {
	sep, l, err := c.separated()
	if err != nil {
		return nil, err
	}
	str, err := c.subString(l[1], "[1]")
	if err != nil {
		return nil, err
	}
	var out []any
	for _, p := range strings.Split(str, sep) {
		out = append(out, p)
	}
	return out, nil
}

// importValue is Fn::ImportValue: another stack's export.
func (c intrinsicCall) importValue() (any, error) {
	name, err := c.subString(c.arg, "")
	if err != nil {
		return nil, err
	}
	export, ok := c.s.app.exports[name]
	if !ok {
		return nil, c.fail(fmt.Sprintf("Fn::ImportValue: no stack exports %q", name))
	}
	return export.stack.resolve(export.value, "Outputs", name, "Value")
}

// getStackOutput is Fn::GetStackOutput: another stack's output, by stack and output name.
func (c intrinsicCall) getStackOutput() (any, error) {
	m, ok := c.arg.(map[string]any)
	if !ok {
		return nil, c.fail("Fn::GetStackOutput: want {StackName, OutputName}")
	}
	stackName, err := c.subString(m["StackName"], ".StackName")
	if err != nil {
		return nil, err
	}
	outputName, err := c.subString(m["OutputName"], ".OutputName")
	if err != nil {
		return nil, err
	}
	other, ok := c.s.app.byName[stackName]
	if c.s.app.ambiguous[stackName] {
		return nil, c.fail(fmt.Sprintf("Fn::GetStackOutput: stacks of several accounts or regions are named %q", stackName))
	}
	if !ok {
		return nil, c.fail(fmt.Sprintf("Fn::GetStackOutput: no stack named %q", stackName))
	}
	outputs, _ := other.Template["Outputs"].(map[string]any)
	o, ok := outputs[outputName].(map[string]any)
	if !ok {
		return nil, c.fail(fmt.Sprintf("Fn::GetStackOutput: stack %q has no output %q", stackName, outputName))
	}
	return other.resolve(o["Value"], "Outputs", outputName, "Value")
}

// ifThen is Fn::If: [condition, then, else].
func (c intrinsicCall) ifThen() (any, error) {
	l, err := c.list(c.arg, 3)
	if err != nil {
		return nil, err
	}
	name, _ := l[0].(string)
	cond, err := c.s.condition(name, c.fail)
	if err != nil {
		return nil, err
	}
	if cond {
		return c.sub(l[1], "[1]")
	}
	return c.sub(l[2], "[2]")
}

// condition is The condition functions, as values.
func (c intrinsicCall) condition() (any, error) {
	return c.s.conditionValue(c.fn, c.arg, c.section, c.id, c.element, c.fail)
}

// findInMap is Fn::FindInMap: [map, key, key] of the template's Mappings.
func (c intrinsicCall) findInMap() (any, error) {
	l, err := c.list(c.arg, 3)
	if err != nil {
		return nil, err
	}
	keys := make([]string, 3)
	for i := range l {
		if keys[i], err = c.subString(l[i], fmt.Sprintf("[%d]", i)); err != nil {
			return nil, err
		}
	}
	mappings, _ := c.s.Template["Mappings"].(map[string]any)
	m1, _ := mappings[keys[0]].(map[string]any)
	m2, _ := m1[keys[1]].(map[string]any)
	v, ok := m2[keys[2]]
	if !ok {
		return nil, c.fail(fmt.Sprintf("Fn::FindInMap: no %s.%s.%s", keys[0], keys[1], keys[2]))
	}
	return v, nil
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
	f := fake{s: s, id: id}
	typ := s.resourceType(id)
	if resolve, ok := fakeAttributes[typ]; ok {
		if v, known, err := resolve(f, attr); known || err != nil {
			return v, err
		}
	}
	// Any other type or attribute: a deterministic placeholder, never an ARN that could
	// accidentally match a real pattern.
	switch attr {
	case "Ref":
		return "ref-" + strings.ToLower(id) + "-" + f.suffix(), nil
	case "Arn":
		service := "unknown"
		if parts := strings.Split(typ, "::"); len(parts) > 1 {
			service = strings.ToLower(parts[1])
		}
		return f.arn(service, strings.ToLower(id)+"-"+f.suffix()), nil
	}
	return "att-" + strings.ToLower(id) + "-" + strings.ToLower(attr), nil
}

// fake is one resource whose attributes are being made up: deterministic values, from its
// stack's name, account and region and its logical id, in the shapes AWS gives them.
type fake struct {
	s  *stack
	id string
}

// seed is what every made-up value of the resource derives from: one value per resource,
// whichever attribute names it.
func (f fake) seed() string { return f.s.Name + "/" + f.id }

// suffix is the resource's 12 hex digits.
func (f fake) suffix() string { return fakeSuffix(f.seed()) }

// name is the resource's name: property prop when the template sets it, else
// "<stack>-<logical id>-<suffix>" (lower case with lower), as CloudFormation makes one up.
func (f fake) name(prop string, lower bool) (string, error) {
	if prop != "" {
		if v, err := f.s.stringProperty(f.id, prop); err != nil || v != "" {
			return v, err
		}
	}
	n := f.s.Name + "-" + f.id + "-" + f.suffix()
	if lower {
		n = strings.ToLower(n)
	}
	return n, nil
}

// arn is an ARN of service in the resource's account and region.
func (f fake) arn(service, resource string) string {
	return fmt.Sprintf("arn:aws:%s:%s:%s:%s", service, f.s.Region, f.s.Account, resource)
}

// fakeAttribute makes up attr of a resource of one type: known false for an attribute the type's
// resolver does not make (the caller's placeholder then).
type fakeAttribute func(f fake, attr string) (v any, known bool, err error)

// byName is a fakeAttribute for a resource known by its name (property prop, or a made-up one):
// values maps each attribute to its value made from the name.
func byName(prop string, lower bool, values func(f fake, name string) map[string]string) fakeAttribute {
	return func(f fake, attr string) (any, bool, error) {
		n, err := f.name(prop, lower)
		if err != nil {
			return nil, true, err
		}
		v, ok := values(f, n)[attr]
		return v, ok, nil
	}
}

// byID is a fakeAttribute for a resource known by a made-up id: values maps each attribute to
// its value.
func byID(values func(f fake) map[string]string) fakeAttribute {
	return func(f fake, attr string) (any, bool, error) {
		v, ok := values(f)[attr]
		return v, ok, nil
	}
}

// fakeAttributes make up the attributes of the resource types the templates name (set in init:
// a resolver reads properties, which may name attributes).
var fakeAttributes map[string]fakeAttribute

func init() {
	fakeAttributes = map[string]fakeAttribute{
		"AWS::IAM::Role": func(f fake, attr string) (any, bool, error) {
			n, err := f.name("RoleName", false)
			if err != nil {
				return nil, true, err
			}
			path, err := f.s.stringProperty(f.id, "Path")
			if err != nil {
				return nil, true, err
			}
			if path == "" {
				path = "/"
			}
			v, ok := map[string]string{
				"Ref": n, "RoleName": n,
				"Arn":    fmt.Sprintf("arn:aws:iam::%s:role%s%s", f.s.Account, path, n),
				"RoleId": "AROA" + strings.ToUpper(fakeSuffix(f.id+".RoleId")),
			}[attr]
			return v, ok, nil
		},
		"AWS::IAM::ManagedPolicy": byName("ManagedPolicyName", false, func(f fake, n string) map[string]string {
			arn := fmt.Sprintf("arn:aws:iam::%s:policy/%s", f.s.Account, n)
			return map[string]string{"Ref": arn, "PolicyArn": arn}
		}),
		"AWS::IAM::Policy": byName("PolicyName", false, func(_ fake, n string) map[string]string { return map[string]string{"Ref": n} }),
		"AWS::S3::Bucket": byName("BucketName", true, func(f fake, n string) map[string]string {
			return map[string]string{"Ref": n, "Arn": "arn:aws:s3:::" + n, "DomainName": n + ".s3.amazonaws.com",
				"RegionalDomainName": n + ".s3." + f.s.Region + ".amazonaws.com"}
		}),
		"AWS::SNS::Topic": byName("TopicName", false, func(f fake, n string) map[string]string {
			return map[string]string{"Ref": f.arn("sns", n), "TopicArn": f.arn("sns", n), "TopicName": n}
		}),
		"AWS::SQS::Queue": byName("QueueName", false, func(f fake, n string) map[string]string {
			url := fmt.Sprintf("https://sqs.%s.amazonaws.com/%s/%s", f.s.Region, f.s.Account, n)
			return map[string]string{"Ref": url, "QueueUrl": url, "Arn": f.arn("sqs", n), "QueueName": n}
		}),
		"AWS::KMS::Key": byID(func(f fake) map[string]string {
			keyID := fakeUUID(f.seed())
			return map[string]string{"Ref": keyID, "KeyId": keyID, "Arn": f.arn("kms", "key/"+keyID)}
		}),
		"AWS::Lambda::Function": byName("FunctionName", false, func(f fake, n string) map[string]string {
			return map[string]string{"Ref": n, "Arn": f.arn("lambda", "function:"+n)}
		}),
		"AWS::DynamoDB::Table":       dynamoDBTable,
		"AWS::DynamoDB::GlobalTable": dynamoDBTable,
		"AWS::Cognito::UserPool": func(f fake, attr string) (any, bool, error) {
			poolID := f.s.Region + "_" + strings.ToUpper(f.suffix())[:9]
			provider := "cognito-idp." + f.s.Region + ".amazonaws.com/" + poolID
			if v, ok := map[string]string{"Arn": f.arn("cognito-idp", "userpool/"+poolID), "ProviderName": provider, "ProviderURL": "https://" + provider}[attr]; ok {
				return v, true, nil
			}
			return poolID, true, nil // Ref, UserPoolId, and any other attribute: the pool's id
		},
		"AWS::Cognito::UserPoolClient": byID(func(f fake) map[string]string {
			h := sha256.Sum256([]byte(f.seed()))
			clientID := hex.EncodeToString(h[:13]) // 26 lower-case characters, as Cognito issues them
			return map[string]string{"Ref": clientID, "ClientId": clientID}
		}),
		"AWS::Cognito::IdentityPool": func(f fake, attr string) (any, bool, error) {
			switch attr {
			case "Ref", "Id":
				return f.s.Region + ":" + fakeUUID(f.seed()), true, nil
			case "Name":
				n, err := f.name("IdentityPoolName", false)
				return n, true, err
			}
			return nil, false, nil
		},
		"AWS::Logs::LogGroup": byName("LogGroupName", false, func(f fake, n string) map[string]string {
			return map[string]string{"Ref": n, "Arn": f.arn("logs", "log-group:"+n+":*")}
		}),
		"AWS::SecretsManager::Secret": byName("Name", false, func(f fake, n string) map[string]string {
			// Secrets Manager adds a random six-character suffix to the name.
			arn := f.arn("secretsmanager", "secret:"+n+"-"+f.suffix()[:6])
			return map[string]string{"Ref": arn, "Id": arn}
		}),
		"AWS::CloudFront::Distribution": byID(func(f fake) map[string]string {
			distributionID := "E" + strings.ToUpper(f.suffix())[:12]
			return map[string]string{"Ref": distributionID, "Id": distributionID, "DomainName": "d" + f.suffix()[:12] + ".cloudfront.net"}
		}),
		"AWS::CloudFront::PublicKey": byID(func(f fake) map[string]string {
			keyID := "K" + strings.ToUpper(f.suffix())[:12]
			return map[string]string{"Ref": keyID, "Id": keyID}
		}),
		"AWS::ApiGateway::RestApi": byID(func(f fake) map[string]string {
			apiID := f.suffix()[:10]
			return map[string]string{"Ref": apiID, "RestApiId": apiID, "RootResourceId": fakeSuffix(f.seed() + "/root")[:10]}
		}),
		"AWS::ApiGateway::Authorizer": byID(func(f fake) map[string]string {
			return map[string]string{"Ref": f.suffix()[:6], "AuthorizerId": f.suffix()[:6]}
		}),
		"AWS::ApiGateway::Stage": byName("StageName", false, func(_ fake, n string) map[string]string { return map[string]string{"Ref": n} }),
	}
}

// dynamoDBTable makes up a table's attributes (a table, or a global table's replica here).
var dynamoDBTable = byName("TableName", false, func(f fake, n string) map[string]string {
	return map[string]string{"Ref": n, "Arn": f.arn("dynamodb", "table/"+n), "StreamArn": f.arn("dynamodb", "table/"+n+"/stream/2026-01-01T00:00:00.000")}
})

func fakeSuffix(seed string) string {
	h := sha256.Sum256([]byte(seed))
	return hex.EncodeToString(h[:6])
}

func fakeUUID(seed string) string {
	h := sha256.Sum256([]byte(seed))
	x := hex.EncodeToString(h[:16])
	return x[0:8] + "-" + x[8:12] + "-" + x[12:16] + "-" + x[16:20] + "-" + x[20:32]
}
