package access

import (
	"fmt"
	"maps"
	"slices"
	"sort"
	"strings"
)

// Decision is the outcome of evaluating a request.
type Decision string

// Decisions.
const (
	// Allow: an applicable Allow and no applicable Deny.
	Allow Decision = "Allow"
	// ExplicitDeny: an applicable Deny statement (it always wins).
	ExplicitDeny Decision = "ExplicitDeny"
	// ImplicitDeny: nothing allows the request.
	ImplicitDeny Decision = "ImplicitDeny"
	// Unknown: no applicable Deny was found, but policies the model cannot see (AWS managed
	// policies, an outside permissions boundary) are attached, so the outcome is not known.
	Unknown Decision = "Unknown"
)

// Finding is one statement that took part in a decision.
type Finding struct {
	Policy Source
	Sid    string
	Index  int
	Effect string
}

func (f Finding) String() string {
	id := fmt.Sprintf("statement %d", f.Index)
	if f.Sid != "" {
		id += " (" + f.Sid + ")"
	}
	return fmt.Sprintf("%s %s of %s", f.Effect, id, f.Policy)
}

// Result is a decision and why.
type Result struct {
	Decision Decision
	// Deciding is the statement that decided an Allow or an ExplicitDeny.
	Deciding *Finding
	// Reason explains the decision in one line.
	Reason string
	// Unknown lists the policies that make a decision Unknown.
	Unknown []string
}

func (r Result) String() string { return string(r.Decision) + ": " + r.Reason }

// caller is who makes a request.
type caller struct {
	arn      string // as given
	iamARN   string // the role ARN of a role session, else arn
	role     *Role  // when the caller is a role of the model or one of its sessions
	account  string
	external bool // a service or federated principal (no identity policies)
}

// Evaluate decides a request as IAM does within one account: an applicable Deny in any policy
// wins; otherwise an Allow from the caller's identity policies (within its permissions
// boundary), or from a resource policy that names the caller itself, allows; otherwise the
// request is implicitly denied. For sts:AssumeRole* on a role of the model, the role's trust
// policy is the resource policy.
//
// req.Principal is a role ARN, a role session ARN (arn:aws:sts::<account>:assumed-role/<role>/<session>),
// a service or federated principal (e.g. "ecs-tasks.amazonaws.com", "cognito-identity.amazonaws.com"),
// or "*" (anonymous). The context gets aws:PrincipalArn, aws:PrincipalAccount and
// aws:SecureTransport=true unless the request sets them.
func (m *Model) Evaluate(req Request) (Result, error) {
	c, err := m.caller(req.Principal)
	if err != nil {
		return Result{}, err
	}
	req.Context = m.withDefaults(req.Context, c)

	var identity, boundary, resource []Policy
	if c.role != nil {
		identity = c.role.Policies
		if c.role.Boundary != nil {
			boundary = []Policy{*c.role.Boundary}
		}
	}
	resource, required := m.resourcePoliciesFor(req)

	// Which statements of a resource policy speak of the caller: naming it or its account, naming
	// it itself, naming its account.
	namesCaller := func(s Statement) bool {
		direct, account := principalMatches(s, c)
		return direct || account
	}
	namesCallerItself := func(s Statement) bool {
		direct, _ := principalMatches(s, c)
		return direct
	}
	namesCallersAccount := func(s Statement) bool {
		_, account := principalMatches(s, c)
		return account
	}

	// 1. Any applicable Deny wins.
	for i, group := range [][]Policy{identity, boundary, resource} {
		var principal func(Statement) bool
		if i == 2 {
			principal = namesCaller
		}
		f, err := firstIn(group, req, "Deny", principal)
		if err != nil {
			return Result{}, err
		}
		if f != nil {
			return Result{Decision: ExplicitDeny, Deciding: f, Reason: "denied by " + f.String()}, nil
		}
	}

	var unknown []string
	if c.role != nil {
		unknown = append(unknown, c.role.Unknown...)
	}
	verdict := func(r Result) Result {
		if len(unknown) > 0 {
			return Result{Decision: Unknown, Deciding: r.Deciding, Unknown: unknown,
				Reason: fmt.Sprintf("%s, but the caller also has policies the model cannot see: %s", r.Reason, strings.Join(unknown, ", "))}
		}
		return r
	}

	// A caller of another account, on a resource whose own policy must allow (a role's trust):
	// the model cannot see the caller's account, so it decides on the resource's policy and
	// assumes the caller's own policies allow the request.
	if c.role == nil && c.account != "" && required && resourceAccount(req.Resource) != "" && resourceAccount(req.Resource) != c.account {
		f, err := firstIn(resource, req, "Allow", namesCaller)
		if err != nil {
			return Result{}, err
		}
		if f != nil {
			return Result{Decision: Allow, Deciding: f, Reason: "allowed by " + f.String() +
				" (for a caller of account " + c.account + " whose own policies must allow it too)"}, nil
		}
		return Result{Decision: ImplicitDeny, Reason: "the resource's policy does not let account " + c.account + " in"}, nil
	}

	// 2. A resource policy naming the caller itself allows on its own.
	f, err := firstIn(resource, req, "Allow", namesCallerItself)
	if err != nil {
		return Result{}, err
	}
	if f != nil {
		return verdict(Result{Decision: Allow, Deciding: f, Reason: "allowed by " + f.String()}), nil
	}

	// 3. An identity-policy Allow, within the permissions boundary.
	allowed, err := firstIn(identity, req, "Allow", nil)
	if err != nil {
		return Result{}, err
	}
	if allowed != nil && c.role.Boundary != nil {
		b, err := firstApplicable(*c.role.Boundary, req, "Allow", nil)
		if err != nil {
			return Result{}, err
		}
		if b == nil {
			return verdict(Result{Decision: ImplicitDeny, Reason: allowed.String() + " allows, but the permissions boundary does not"}), nil
		}
	}
	if allowed == nil {
		reason := "no statement allows it"
		if c.role == nil && !c.external && req.Principal != "*" {
			reason = "the caller is not a role of this app and no resource policy names it"
		}
		return verdict(Result{Decision: ImplicitDeny, Reason: reason}), nil
	}
	if !required {
		return verdict(Result{Decision: Allow, Deciding: allowed, Reason: "allowed by " + allowed.String()}), nil
	}
	// 4. A role's trust policy (or a KMS key policy) must also allow: naming the account
	// delegates to identity policies, which then suffice.
	f, err = firstIn(resource, req, "Allow", namesCallersAccount)
	if err != nil {
		return Result{}, err
	}
	if f != nil {
		return verdict(Result{Decision: Allow, Deciding: allowed, Reason: "allowed by " + allowed.String() + ", as " + f.String() + " delegates to the account"}), nil
	}
	return verdict(Result{Decision: ImplicitDeny, Reason: allowed.String() + " allows, but the resource's own policy (trust or key policy) does not let the caller in"}), nil
}

// resourceAccount is the account field of an ARN ("" for S3 ARNs and non-ARNs).
func resourceAccount(arn string) string {
	parts := strings.SplitN(arn, ":", 6)
	if len(parts) != 6 {
		return ""
	}
	return parts[4]
}

// firstIn is the first statement of policies, in order, that firstApplicable finds.
func firstIn(policies []Policy, req Request, effect string, principal func(Statement) bool) (*Finding, error) {
	for _, p := range policies {
		if f, err := firstApplicable(p, req, effect, principal); err != nil || f != nil {
			return f, err
		}
	}
	return nil, nil
}

// firstApplicable returns the first statement of p with the effect that applies to req and
// whose principal passes the filter (nil filter: identity policy, no principal check).
func firstApplicable(p Policy, req Request, effect string, principal func(Statement) bool) (*Finding, error) {
	for _, s := range p.Document.Statement {
		if s.Effect != effect {
			continue
		}
		if principal != nil && !principal(s) {
			continue
		}
		ok, err := s.Applies(req)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", p.Source, err)
		}
		if ok {
			return &Finding{Policy: p.Source, Sid: s.Sid, Index: s.Index, Effect: s.Effect}, nil
		}
	}
	return nil, nil
}

// caller identifies the principal of a request.
func (m *Model) caller(principal string) (caller, error) {
	c := caller{arn: principal}
	switch {
	case principal == "*":
		return c, nil
	case !strings.HasPrefix(principal, "arn:"):
		c.external = true
		return c, nil
	}
	parts := strings.SplitN(principal, ":", 6)
	if len(parts) != 6 {
		return c, fmt.Errorf("principal %q is not an ARN", principal)
	}
	c.account = parts[4]
	c.iamARN = principal
	switch {
	case parts[2] == "iam" && strings.HasPrefix(parts[5], "role/"):
		c.role = m.Roles[principal]
	case parts[2] == "sts" && strings.HasPrefix(parts[5], "assumed-role/"):
		if name, _, ok := strings.Cut(strings.TrimPrefix(parts[5], "assumed-role/"), "/"); ok {
			c.iamARN = "arn:aws:iam::" + c.account + ":role/" + name
			if r := m.rolesByName[name]; r != nil && strings.SplitN(r.ARN, ":", 6)[4] == c.account {
				c.role = r
				c.iamARN = r.ARN
			}
		}
	}
	return c, nil
}

// ContextFor returns the context Evaluate uses for req: req's keys plus the defaults it adds
// (aws:PrincipalArn, aws:PrincipalAccount, aws:SecureTransport=true).
func (m *Model) ContextFor(req Request) (Context, error) {
	c, err := m.caller(req.Principal)
	if err != nil {
		return nil, err
	}
	return m.withDefaults(req.Context, c), nil
}

// KnowsPrincipal reports whether the principal is a role of the model (or one of its sessions).
func (m *Model) KnowsPrincipal(principal string) bool {
	c, err := m.caller(principal)
	return err == nil && c.role != nil
}

func (m *Model) withDefaults(ctx Context, c caller) Context {
	out := Context{}
	for k, v := range ctx {
		out[k] = v
	}
	set := func(key, value string) {
		if _, ok := out.Lookup(key); !ok && value != "" {
			out[key] = []string{value}
		}
	}
	set("aws:SecureTransport", "true")
	set("aws:PrincipalArn", c.iamARN)
	if c.role != nil {
		set("aws:PrincipalType", "AssumedRole")
	}
	set("aws:PrincipalAccount", c.account)
	return out
}

// resourcePoliciesFor returns the resource policies that govern req.Resource, and for role
// assumption the target role's trust policy. required says the resource's own policy must
// allow the request (a role's trust policy, a KMS key policy): identity policies alone do not.
func (m *Model) resourcePoliciesFor(req Request) (out []Policy, required bool) {
	if strings.HasPrefix(strings.ToLower(req.Action), "sts:") {
		if role, ok := m.Roles[req.Resource]; ok {
			out = append(out, role.Trust)
			required = true
		}
	}
	for _, rp := range m.ResourcePolicies {
		for _, pattern := range rp.Resources {
			if MatchResource(pattern, req.Resource) {
				out = append(out, rp.Policy)
				required = required || rp.Type == "AWS::KMS::Key"
				break
			}
		}
	}
	return out, required
}

// principalMatches says whether a resource-policy statement's principal covers the caller:
// direct when it names the caller (its role or session ARN, its service or federated provider,
// or "*"), account when it names only the caller's account (which then also needs an identity
// policy Allow).
func principalMatches(s Statement, c caller) (direct, account bool) {
	if s.Principal == nil && s.NotPrincipal == nil {
		return false, false
	}
	named := func(block map[string][]string) (bool, bool) {
		var d, a bool
		for kind, values := range block {
			for _, v := range values {
				switch {
				case kind == "*" || (kind == "AWS" && v == "*"):
					d = true
				case kind == "AWS":
					if v == c.arn || v == c.iamARN {
						d = true
					}
					if c.account != "" && (v == c.account || v == "arn:aws:iam::"+c.account+":root") {
						a = true
					}
				case kind == "Service" || kind == "Federated":
					if c.external && v == c.arn {
						d = true
					}
				}
			}
		}
		return d, a
	}
	if s.NotPrincipal != nil {
		d, a := named(s.NotPrincipal)
		return !(d || a), false
	}
	return named(s.Principal)
}

// WebIdentityRequest is the request Cognito makes to STS when identity id of identity pool
// pool signs in (authenticated) or visits as a guest, for role roleARN.
func WebIdentityRequest(roleARN, pool, identityID string, authenticated bool) Request {
	amr := []string{"unauthenticated"}
	if authenticated {
		amr = []string{"authenticated"}
	}
	return Request{
		Principal: "cognito-identity.amazonaws.com",
		Action:    "sts:AssumeRoleWithWebIdentity",
		Resource:  roleARN,
		Context: Context{
			"cognito-identity.amazonaws.com:aud": {pool},
			"cognito-identity.amazonaws.com:amr": amr,
			"cognito-identity.amazonaws.com:sub": {identityID},
		},
	}
}

// TagSessionRequest is the sts:TagSession request Cognito makes with WebIdentityRequest when
// the pool maps the token's claims to session tags (tag -> value).
func TagSessionRequest(roleARN, pool, identityID string, authenticated bool, tags map[string]string) Request {
	req := WebIdentityRequest(roleARN, pool, identityID, authenticated)
	req.Action = "sts:TagSession"
	keys := slices.Sorted(maps.Keys(tags))
	for _, k := range keys {
		req.Context["aws:RequestTag/"+k] = []string{tags[k]}
	}
	req.Context["aws:TagKeys"] = keys
	return req
}

// Login is a sign-in to an identity pool.
type Login struct {
	Pool          string
	IdentityID    string
	Authenticated bool
	// PreferredRole is the group role a token names (cognito:preferred_role); "" for the
	// pool's default role.
	PreferredRole string
	// Provider ("cognito-idp.<region>.amazonaws.com/<user pool id>") and Client (the token's
	// aud) say whose token signs in: the pool must accept that pair, and sets the session tags
	// it maps for the provider from Claims. Empty for a guest, or for a sign-in whose token
	// is not modelled (no tags then).
	Provider, Client string
	// Claims are the token's claims, by name (e.g. "sub").
	Claims map[string]string
}

// Session is what an identity can use after signing in: its principal and the context keys
// that every request it makes carries.
type Session struct {
	Principal string
	RoleARN   string
	Context   Context
}

// Request builds a request of this session; extra context keys are added.
func (s Session) Request(action, resource string, extra Context) Request {
	ctx := Context{}
	for k, v := range s.Context {
		ctx[k] = v
	}
	for k, v := range extra {
		ctx[k] = v
	}
	return Request{Principal: s.Principal, Action: action, Resource: resource, Context: ctx}
}

// SignIn follows identity pool pool (its id) for identity identityID: it picks the role the
// pool's role attachment gives (preferredRole, a role ARN, for a user whose token names a group
// role), checks the pool allows the kind of identity and that the role's trust lets Cognito
// assume it for this pool, and returns the session. The Result says why not when it cannot.
func (m *Model) SignIn(pool, identityID string, authenticated bool, preferredRole string) (Session, Result, error) {
	return m.SignInWith(Login{Pool: pool, IdentityID: identityID, Authenticated: authenticated, PreferredRole: preferredRole})
}

// SignInWith is SignIn with the token's provider and claims: the pool must accept the
// provider and client, and where it maps claims to session tags the role's trust must also
// allow sts:TagSession (or the sign-in fails, as Cognito's does); the session then carries the
// tags as aws:PrincipalTag/<tag>. A claim the token lacks sets no tag.
func (m *Model) SignInWith(l Login) (Session, Result, error) {
	pool, identityID, authenticated, preferredRole := l.Pool, l.IdentityID, l.Authenticated, l.PreferredRole
	p, ok := m.IdentityPools[pool]
	if !ok {
		return Session{}, Result{}, fmt.Errorf("no identity pool %q in the app (have %s)", pool, strings.Join(slices.Sorted(maps.Keys(m.IdentityPools)), ", "))
	}
	if !authenticated && !p.AllowUnauthenticated {
		return Session{}, Result{Decision: ImplicitDeny, Reason: "identity pool " + pool + " does not allow unauthenticated identities"}, nil
	}
	kind := "authenticated"
	if !authenticated {
		kind = "unauthenticated"
	}
	roleARN := p.Roles[kind]
	if preferredRole != "" && authenticated {
		if !p.TokenRoles {
			return Session{}, Result{Decision: ImplicitDeny, Reason: "identity pool " + pool + " does not take roles from tokens"}, nil
		}
		roleARN = preferredRole
	}
	if roleARN == "" {
		return Session{}, Result{Decision: ImplicitDeny, Reason: "identity pool " + pool + " has no " + kind + " role"}, nil
	}
	tags := map[string]string{}
	if l.Provider != "" && authenticated {
		if !slices.Contains(p.Providers, l.Provider+":"+l.Client) {
			return Session{}, Result{Decision: ImplicitDeny, Reason: "identity pool " + pool + " does not accept tokens of " + l.Provider + " for client " + l.Client}, nil
		}
		for tag, claim := range p.PrincipalTags[l.Provider] {
			if v, ok := l.Claims[claim]; ok {
				tags[tag] = v
			}
		}
	}
	result, err := m.Evaluate(WebIdentityRequest(roleARN, pool, identityID, authenticated))
	if err != nil || result.Decision != Allow {
		return Session{}, result, err
	}
	if len(tags) > 0 {
		tagged, err := m.Evaluate(TagSessionRequest(roleARN, pool, identityID, authenticated, tags))
		if err != nil || tagged.Decision != Allow {
			return Session{}, tagged, err
		}
	}
	role := m.Roles[roleARN]
	name := roleARN
	if role != nil {
		name = role.Name
	}
	account := strings.SplitN(roleARN, ":", 6)[4]
	session := Session{
		Principal: fmt.Sprintf("arn:aws:sts::%s:assumed-role/%s/CognitoIdentityCredentials", account, name),
		RoleARN:   roleARN,
		Context: Context{
			"cognito-identity.amazonaws.com:sub": {identityID},
			"cognito-identity.amazonaws.com:aud": {pool},
			"cognito-identity.amazonaws.com:amr": {kind},
		},
	}
	for tag, v := range tags {
		session.Context["aws:PrincipalTag/"+tag] = []string{v}
	}
	return session, result, nil
}

// RoleBySuffix returns the roles whose construct path or logical id contains part, sorted by ARN.
func (m *Model) RoleBySuffix(part string) []*Role {
	var out []*Role
	for _, r := range m.Roles {
		if strings.Contains(r.Path, part) || strings.Contains(r.LogicalID, part) {
			out = append(out, r)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ARN < out[j].ARN })
	return out
}
