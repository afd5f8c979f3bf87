package access

import (
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strings"
)

// Source says where a policy comes from: stack, logical id, construct path, and policy name.
type Source struct {
	Stack     string // stack path, e.g. "dev/Uploads"
	LogicalID string
	Path      string // the aws:cdk:path metadata, when present
	Name      string // e.g. an inline policy's name, "AssumeRolePolicyDocument", "PolicyDocument"
}

func (s Source) String() string {
	where := s.Stack + " " + s.LogicalID
	if s.Name != "" && s.Name != s.LogicalID {
		where += " " + s.Name
	}
	if s.Path != "" {
		where += " (" + s.Path + ")"
	}
	return where
}

// Policy is a resolved policy document and where it comes from.
type Policy struct {
	Source
	Document Document
	// JSON is the resolved document as decoded JSON, e.g. to hand to another evaluator.
	JSON map[string]any
}

// Role is an IAM role of the model with everything attached to it.
type Role struct {
	Source
	ARN, Name string
	Trust     Policy
	Policies  []Policy
	// Boundary is the permissions boundary, if any.
	Boundary *Policy
	// Unknown lists attached policies the model cannot see (AWS managed policies, or a boundary
	// defined outside the app). Decisions that depend on them are reported as Unknown.
	Unknown []string
}

// ResourcePolicy is a policy attached to resources (bucket, topic, queue, key, Lambda function).
type ResourcePolicy struct {
	Policy
	Type string // the CloudFormation type it came from
	// Resources are the ARN patterns the policy governs, e.g. a bucket's ARN and ARN/*.
	Resources []string
}

// IdentityPool is a Cognito identity pool and its role attachment.
type IdentityPool struct {
	Source
	ID                   string
	AllowUnauthenticated bool
	AllowClassicFlow     bool
	// Roles by kind: "authenticated", "unauthenticated" (ARNs).
	Roles map[string]string
	// TokenRoles: the pool takes the role from the token (cognito:preferred_role).
	TokenRoles bool
	// Providers are the user pool providers ("cognito-idp.<region>.amazonaws.com/<pool id>:<client id>").
	Providers []string
	// PrincipalTags map a provider ("cognito-idp.<region>.amazonaws.com/<pool id>") to the
	// session tags Cognito sets from its tokens' claims: tag -> claim
	// (AWS::Cognito::IdentityPoolPrincipalTag).
	PrincipalTags map[string]map[string]string
}

// Model is the IAM view of a synthesized app: every role with its policies, every resource
// policy and every identity pool, with intrinsics resolved to deterministic fake values.
type Model struct {
	Roles            map[string]*Role // by ARN
	ResourcePolicies []*ResourcePolicy
	IdentityPools    map[string]*IdentityPool // by pool id
	rolesByName      map[string]*Role
	// managed are the customer managed policies of the app, by ARN.
	managed map[string]Policy
	app     *app
}

// LoadModel builds the model of a cloud assembly directory (e.g. cdk.out).
func LoadModel(assemblyDir string) (*Model, error) {
	templates, err := LoadAssembly(assemblyDir)
	if err != nil {
		return nil, err
	}
	return NewModel(templates)
}

// NewModel builds the model of the given stacks. Cross-stack references resolve only between
// stacks passed together.
func NewModel(templates []StackTemplate) (*Model, error) {
	a, err := newApp(templates)
	if err != nil {
		return nil, err
	}
	m := &Model{Roles: map[string]*Role{}, IdentityPools: map[string]*IdentityPool{}, rolesByName: map[string]*Role{}, app: a}
	// Roles first: policies attach to them by name.
	for _, s := range a.stacks {
		for _, id := range s.liveResources() {
			if s.resourceType(id) == "AWS::IAM::Role" {
				if err := m.addRole(s, id); err != nil {
					return nil, err
				}
			}
		}
	}
	managed := map[string]Policy{}
	m.managed = managed
	for _, s := range a.stacks {
		for _, id := range s.liveResources() {
			if s.resourceType(id) != "AWS::IAM::ManagedPolicy" {
				continue
			}
			p, err := s.policy(id, "PolicyDocument", "")
			if err != nil {
				return nil, err
			}
			arnValue, err := s.attribute(id, "Ref", s.failer(id, "Ref"))
			if err != nil {
				return nil, err
			}
			managed[arnValue.(string)] = p
			if err := m.attachByName(s, id, "Roles", p); err != nil {
				return nil, err
			}
		}
	}
	for _, role := range m.Roles {
		if err := m.attachManaged(role, managed); err != nil {
			return nil, err
		}
	}
	for _, s := range a.stacks {
		for _, id := range s.liveResources() {
			var err error
			switch s.resourceType(id) {
			case "AWS::IAM::Policy":
				var p Policy
				if p, err = s.policy(id, "PolicyDocument", ""); err == nil {
					p.Name, _ = s.stringProperty(id, "PolicyName")
					err = m.attachByName(s, id, "Roles", p)
				}
			case "AWS::S3::BucketPolicy":
				err = m.addResourcePolicy(s, id, "Bucket", "PolicyDocument", func(v string) []string {
					arn := "arn:aws:s3:::" + v
					return []string{arn, arn + "/*"}
				})
			case "AWS::SecretsManager::ResourcePolicy":
				err = m.addResourcePolicy(s, id, "SecretId", "ResourcePolicy", func(arn string) []string { return []string{arn} })
			case "AWS::SNS::TopicPolicy":
				err = m.addResourcePolicy(s, id, "Topics", "PolicyDocument", func(v string) []string { return []string{v} })
			case "AWS::SQS::QueuePolicy":
				err = m.addResourcePolicy(s, id, "Queues", "PolicyDocument", func(url string) []string {
					// https://sqs.<region>.amazonaws.com/<account>/<name>
					parts := strings.Split(strings.TrimPrefix(url, "https://"), "/")
					if len(parts) != 3 {
						return nil
					}
					region := strings.TrimSuffix(strings.TrimPrefix(parts[0], "sqs."), ".amazonaws.com")
					return []string{fmt.Sprintf("arn:aws:sqs:%s:%s:%s", region, parts[1], parts[2])}
				})
			case "AWS::KMS::Key":
				var p Policy
				if p, err = s.policy(id, "KeyPolicy", ""); err == nil {
					var arn any
					if arn, err = s.attribute(id, "Arn", s.failer(id, "Arn")); err == nil {
						m.ResourcePolicies = append(m.ResourcePolicies, &ResourcePolicy{Policy: p, Type: "AWS::KMS::Key", Resources: []string{arn.(string)}})
					}
				}
			case "AWS::Lambda::Permission":
				err = m.addLambdaPermission(s, id)
			case "AWS::Cognito::IdentityPool":
				err = m.addIdentityPool(s, id)
			}
			if err != nil {
				return nil, err
			}
		}
	}
	for _, s := range a.stacks {
		for _, id := range s.liveResources() {
			var err error
			switch s.resourceType(id) {
			case "AWS::Cognito::IdentityPoolRoleAttachment":
				err = m.addRoleAttachment(s, id)
			case "AWS::Cognito::IdentityPoolPrincipalTag":
				err = m.addPrincipalTags(s, id)
			}
			if err != nil {
				return nil, err
			}
		}
	}
	return m, nil
}

// liveResources lists logical ids whose Condition (if any) holds, in a stable order.
func (s *stack) liveResources() []string {
	var ids []string
	for _, id := range slices.Sorted(maps.Keys(s.resources)) {
		if cond, ok := s.resources[id]["Condition"].(string); ok {
			if v, err := s.condition(cond, s.failer(id, "Condition")); err != nil || !v {
				continue
			}
		}
		ids = append(ids, id)
	}
	return ids
}

func (s *stack) failer(id, element string) func(string) error {
	return func(problem string) error {
		return &ResolveError{Stack: s.Path, LogicalID: id, Element: element, Problem: problem}
	}
}

func (s *stack) source(id, name string) Source {
	src := Source{Stack: s.Path, LogicalID: id, Name: name}
	if md, ok := s.resources[id]["Metadata"].(map[string]any); ok {
		src.Path, _ = md["aws:cdk:path"].(string)
	}
	return src
}

// policy resolves and parses the policy document in property prop (or, with a non-empty
// element path, a document already resolved by the caller).
func (s *stack) policy(id, prop, name string) (Policy, error) {
	v, err := s.property(id, prop)
	if err != nil {
		return Policy{}, err
	}
	return s.parsePolicy(id, prop, name, v)
}

func (s *stack) parsePolicy(id, element, name string, v any) (Policy, error) {
	doc, ok := v.(map[string]any)
	if !ok {
		return Policy{}, &ResolveError{s.Path, id, element, fmt.Sprintf("want a policy document, got %v", v)}
	}
	parsed, err := ParseDocument(doc)
	if err != nil {
		return Policy{}, &ResolveError{s.Path, id, element, err.Error()}
	}
	if name == "" {
		name = element
	}
	return Policy{Source: s.source(id, name), Document: parsed, JSON: doc}, nil
}

func (m *Model) addRole(s *stack, id string) error {
	arnValue, err := s.attribute(id, "Arn", s.failer(id, "Arn"))
	if err != nil {
		return err
	}
	nameValue, err := s.attribute(id, "Ref", s.failer(id, "Ref"))
	if err != nil {
		return err
	}
	trust, err := s.policy(id, "AssumeRolePolicyDocument", "")
	if err != nil {
		return err
	}
	role := &Role{Source: s.source(id, ""), ARN: arnValue.(string), Name: nameValue.(string), Trust: trust}
	inline, err := s.property(id, "Policies")
	if err != nil {
		return err
	}
	list, _ := inline.([]any)
	for i, item := range list {
		entry, _ := item.(map[string]any)
		name, _ := entry["PolicyName"].(string)
		p, err := s.parsePolicy(id, fmt.Sprintf("Properties.Policies[%d].PolicyDocument", i), name, entry["PolicyDocument"])
		if err != nil {
			return err
		}
		role.Policies = append(role.Policies, p)
	}
	m.Roles[role.ARN] = role
	m.rolesByName[role.Name] = role
	return nil
}

// attachManaged attaches a role's ManagedPolicyArns and permissions boundary.
func (m *Model) attachManaged(role *Role, managed map[string]Policy) error {
	s := m.app.byPath(role.Stack)
	arns, err := s.property(role.LogicalID, "ManagedPolicyArns")
	if err != nil {
		return err
	}
	list, _ := arns.([]any)
	for _, a := range list {
		arn, _ := a.(string)
		if p, ok := managed[arn]; ok {
			role.Policies = append(role.Policies, p)
		} else {
			role.Unknown = append(role.Unknown, arn)
		}
	}
	boundary, err := s.stringProperty(role.LogicalID, "PermissionsBoundary")
	if err != nil || boundary == "" {
		return err
	}
	if p, ok := managed[boundary]; ok {
		role.Boundary = &p
	} else {
		role.Unknown = append(role.Unknown, boundary+" (permissions boundary)")
	}
	return nil
}

func (a *app) byPath(path string) *stack {
	for _, s := range a.stacks {
		if s.Path == path {
			return s
		}
	}
	return nil
}

// attachByName attaches p to the roles named in property prop of resource id.
func (m *Model) attachByName(s *stack, id, prop string, p Policy) error {
	v, err := s.property(id, prop)
	if err != nil {
		return err
	}
	names, _ := v.([]any)
	for _, n := range names {
		name, _ := n.(string)
		role, ok := m.rolesByName[name]
		if !ok {
			return &ResolveError{s.Path, id, "Properties." + prop, fmt.Sprintf("no role named %q in the app", name)}
		}
		role.Policies = append(role.Policies, p)
	}
	return nil
}

func (m *Model) addResourcePolicy(s *stack, id, targetProp, docProp string, resources func(string) []string) error {
	p, err := s.policy(id, docProp, "")
	if err != nil {
		return err
	}
	v, err := s.property(id, targetProp)
	if err != nil {
		return err
	}
	targets := []any{v}
	if l, ok := v.([]any); ok {
		targets = l
	}
	rp := &ResourcePolicy{Policy: p, Type: s.resourceType(id)}
	for _, t := range targets {
		str, ok := t.(string)
		if !ok {
			return &ResolveError{s.Path, id, "Properties." + targetProp, fmt.Sprintf("want a string, got %v", t)}
		}
		rp.Resources = append(rp.Resources, resources(str)...)
	}
	m.ResourcePolicies = append(m.ResourcePolicies, rp)
	return nil
}

// addLambdaPermission turns an AWS::Lambda::Permission into the statement it adds to the
// function's resource policy.
func (m *Model) addLambdaPermission(s *stack, id string) error {
	get := func(name string) (string, error) { return s.stringProperty(id, name) }
	function, err := get("FunctionName")
	if err != nil {
		return err
	}
	action, err := get("Action")
	if err != nil {
		return err
	}
	principal, err := get("Principal")
	if err != nil {
		return err
	}
	statement := map[string]any{"Effect": "Allow", "Action": action}
	switch {
	case principal == "*":
		statement["Principal"] = "*"
	case strings.HasSuffix(principal, ".amazonaws.com"):
		statement["Principal"] = map[string]any{"Service": principal}
	default:
		statement["Principal"] = map[string]any{"AWS": principal}
	}
	arn := function
	if !strings.HasPrefix(function, "arn:") {
		arn = fmt.Sprintf("arn:aws:lambda:%s:%s:function:%s", s.Region, s.Account, function)
	}
	statement["Resource"] = arn
	conditions := map[string]any{}
	if v, err := get("SourceArn"); err != nil {
		return err
	} else if v != "" {
		conditions["ArnLike"] = map[string]any{"aws:SourceArn": v}
	}
	if v, err := get("SourceAccount"); err != nil {
		return err
	} else if v != "" {
		conditions["StringEquals"] = map[string]any{"aws:SourceAccount": v}
	}
	if len(conditions) > 0 {
		statement["Condition"] = conditions
	}
	p, err := s.parsePolicy(id, "Properties", "", map[string]any{"Version": "2012-10-17", "Statement": []any{statement}})
	if err != nil {
		return err
	}
	m.ResourcePolicies = append(m.ResourcePolicies, &ResourcePolicy{Policy: p, Type: "AWS::Lambda::Permission", Resources: []string{arn, arn + ":*"}})
	return nil
}

func (m *Model) addIdentityPool(s *stack, id string) error {
	poolID, err := s.attribute(id, "Ref", s.failer(id, "Ref"))
	if err != nil {
		return err
	}
	pool := &IdentityPool{Source: s.source(id, ""), ID: poolID.(string), Roles: map[string]string{}}
	for prop, target := range map[string]*bool{"AllowUnauthenticatedIdentities": &pool.AllowUnauthenticated, "AllowClassicFlow": &pool.AllowClassicFlow} {
		v, err := s.property(id, prop)
		if err != nil {
			return err
		}
		*target = v == true || v == "true"
	}
	providers, err := s.property(id, "CognitoIdentityProviders")
	if err != nil {
		return err
	}
	list, _ := providers.([]any)
	for _, p := range list {
		entry, _ := p.(map[string]any)
		name, _ := entry["ProviderName"].(string)
		client, _ := entry["ClientId"].(string)
		pool.Providers = append(pool.Providers, name+":"+client)
	}
	m.IdentityPools[pool.ID] = pool
	return nil
}

// poolOf is the identity pool resource id of stack s is for (its IdentityPoolId).
func (m *Model) poolOf(s *stack, id string) (*IdentityPool, error) {
	poolID, err := s.stringProperty(id, "IdentityPoolId")
	if err != nil {
		return nil, err
	}
	pool, ok := m.IdentityPools[poolID]
	if !ok {
		return nil, &ResolveError{s.Path, id, "Properties.IdentityPoolId", fmt.Sprintf("no identity pool %q in the app", poolID)}
	}
	return pool, nil
}

func (m *Model) addRoleAttachment(s *stack, id string) error {
	pool, err := m.poolOf(s, id)
	if err != nil {
		return err
	}
	roles, err := s.property(id, "Roles")
	if err != nil {
		return err
	}
	rolesMap, _ := roles.(map[string]any)
	for kind, arn := range rolesMap {
		str, _ := arn.(string)
		pool.Roles[kind] = str
	}
	mappings, err := s.property(id, "RoleMappings")
	if err != nil {
		return err
	}
	mappingMap, _ := mappings.(map[string]any)
	for _, mapping := range mappingMap {
		if mm, ok := mapping.(map[string]any); ok && mm["Type"] == "Token" {
			pool.TokenRoles = true
		}
	}
	return nil
}

// defaultPrincipalTags are the tags Cognito sets for a user pool provider with UseDefaults.
var defaultPrincipalTags = map[string]string{"username": "sub", "client": "aud"}

func (m *Model) addPrincipalTags(s *stack, id string) error {
	pool, err := m.poolOf(s, id)
	if err != nil {
		return err
	}
	provider, err := s.stringProperty(id, "IdentityProviderName")
	if err != nil {
		return err
	}
	tags := map[string]string{}
	if v, err := s.property(id, "UseDefaults"); err != nil {
		return err
	} else if v == true || v == "true" {
		maps.Copy(tags, defaultPrincipalTags)
	}
	v, err := s.property(id, "PrincipalTags")
	if err != nil {
		return err
	}
	custom, _ := v.(map[string]any)
	for tag, claim := range custom {
		c, ok := claim.(string)
		if !ok {
			return &ResolveError{s.Path, id, "Properties.PrincipalTags." + tag, "the claim must be a string"}
		}
		tags[tag] = c
	}
	if pool.PrincipalTags == nil {
		pool.PrincipalTags = map[string]map[string]string{}
	}
	pool.PrincipalTags[provider] = tags
	return nil
}

// String is a compact JSON rendering of a policy, for reports.
func (p Policy) String() string {
	raw, _ := json.Marshal(p.JSON)
	return string(raw)
}

// Attr resolves a resource's Ref ("Ref") or attribute to its fake value: stackPath is the stack's
// path (e.g. "dev/Uploads"), logicalID the resource's logical id.
func (m *Model) Attr(stackPath, logicalID, attr string) (string, error) {
	s := m.app.byPath(stackPath)
	if s == nil {
		return "", fmt.Errorf("no stack %q in the app", stackPath)
	}
	v, err := s.attribute(logicalID, attr, s.failer(logicalID, attr))
	if err != nil {
		return "", err
	}
	str, ok := v.(string)
	if !ok {
		return "", fmt.Errorf("%s %s.%s is not a string", stackPath, logicalID, attr)
	}
	return str, nil
}

// Property resolves a resource's property (nil when absent) with the same fake values: e.g. a
// function's environment, to check what another stack's reference hands it.
func (m *Model) Property(stackPath, logicalID, name string) (any, error) {
	s := m.app.byPath(stackPath)
	if s == nil {
		return nil, fmt.Errorf("no stack %q in the app", stackPath)
	}
	if s.resourceType(logicalID) == "" {
		return nil, fmt.Errorf("no resource %s in %s", logicalID, stackPath)
	}
	return s.property(logicalID, name)
}

// PoliciesFor returns what Evaluate considers for req, as resolved JSON: the caller's identity
// policies (and permissions boundary), and the resource policies that govern the resource.
func (m *Model) PoliciesFor(req Request) (identity, resource []map[string]any, err error) {
	c, err := m.caller(req.Principal)
	if err != nil {
		return nil, nil, err
	}
	if c.role != nil {
		for _, p := range c.role.Policies {
			identity = append(identity, p.JSON)
		}
	}
	policies, _ := m.resourcePoliciesFor(req)
	for _, p := range policies {
		resource = append(resource, p.JSON)
	}
	return identity, resource, nil
}

// ManagedPolicy returns the customer managed policy of the app with that ARN.
func (m *Model) ManagedPolicy(arn string) (Policy, bool) {
	p, ok := m.managed[arn]
	return p, ok
}

// AddRole adds a role the app does not create (e.g. the CDK bootstrap's CloudFormation
// execution role) with the policies given, so that its requests can be evaluated; its trust
// policy lets service (e.g. "cloudformation.amazonaws.com") alone assume it. The ARN must be new.
func (m *Model) AddRole(arn, service string, policies []Policy, boundary *Policy) (*Role, error) {
	if _, dup := m.Roles[arn]; dup {
		return nil, fmt.Errorf("role %s is already in the model", arn)
	}
	name := arn[strings.LastIndex(arn, "/")+1:]
	trustJSON := map[string]any{"Version": "2012-10-17", "Statement": []any{map[string]any{
		"Effect": "Allow", "Principal": map[string]any{"Service": service}, "Action": "sts:AssumeRole"}}}
	trust, err := ParseDocument(trustJSON)
	if err != nil {
		return nil, err
	}
	role := &Role{Source: Source{Stack: "(outside the app)", LogicalID: name}, ARN: arn, Name: name, Policies: policies, Boundary: boundary,
		Trust: Policy{Source: Source{Stack: "(outside the app)", LogicalID: name, Name: "AssumeRolePolicyDocument"}, Document: trust, JSON: trustJSON}}
	m.Roles[arn] = role
	m.rolesByName[name] = role
	return role, nil
}

// BoundaryFor returns the permissions boundary of req's caller as resolved JSON (nil: none).
func (m *Model) BoundaryFor(principal string) (map[string]any, error) {
	c, err := m.caller(principal)
	if err != nil || c.role == nil || c.role.Boundary == nil {
		return nil, err
	}
	return c.role.Boundary.JSON, nil
}

// Outputs resolves the outputs of a stack (by path, e.g. "dev/Server") to their fake values;
// outputs that are not strings are left out.
func (m *Model) Outputs(stackPath string) (map[string]string, error) {
	s := m.app.byPath(stackPath)
	if s == nil {
		return nil, fmt.Errorf("no stack %q in the app", stackPath)
	}
	outputs, _ := s.Template["Outputs"].(map[string]any)
	values := map[string]string{}
	for name, o := range outputs {
		entry, _ := o.(map[string]any)
		v, err := s.resolve(entry["Value"], "Outputs", name, "Value")
		if err != nil {
			return nil, err
		}
		if str, ok := v.(string); ok {
			values[name] = str
		}
	}
	return values, nil
}
