// Package config reads and validates gatehouse's per-environment configuration: the `environments`
// object of cdk.json's context, of which the `env` context key selects one entry (default "dev"),
// a developer's sandbox of one (`sandbox`), and the delivery pipeline's `pipeline` object.
//
// Decoding is strict: an unknown field (usually a typo) is an error, not silently ignored, and every
// problem is reported at once, one line each, naming the environment, the field, the bad value and
// what is allowed. Nothing here creates constructs, so the app can validate everything first.
package config

import (
	"bytes"
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"net/url"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"

	"github.com/gatehouse-cdk/gatehouse/limits"
)

// DefaultEnv is the environment used when the `env` context key is absent.
const DefaultEnv = "dev"

// Environment is one entry of `environments`, with defaults applied. Field names are the JSON keys
// users write; keep them stable.
type Environment struct {
	// Name is the key of the entry in `environments` (not a JSON field).
	Name string `json:"-"`
	// Account is the 12-digit AWS account to deploy to. Empty: the CLI's default account.
	Account string `json:"account"`
	// Region is the AWS region to deploy to. Default limits.DefaultRegion.
	Region string `json:"region"`
	// Production marks an environment that serves real users. It refuses what only a
	// development environment may have: developerRoleArns (a developer role may act as the web
	// server for every user). Default false.
	Production bool `json:"production"`
	// AllowedOrigins are the web app origins allowed by the upload bucket's CORS rule, besides
	// the managed Amplify app's branch origins, which are allowed without being listed. Required
	// unless a managed Amplify app has branches.
	AllowedOrigins []string `json:"allowedOrigins"`
	// AllowGuests lets the identity pool hand out unauthenticated (guest) identities. Default false.
	AllowGuests bool `json:"allowGuests"`
	// SelfSignUp lets visitors create their own accounts. Default true.
	SelfSignUp bool `json:"selfSignUp"`
	// FeaturePlan is the Cognito feature plan (limits.FeaturePlans; "plus" enforces threat
	// protection). Default limits.DefaultFeaturePlan.
	FeaturePlan string `json:"featurePlan"`
	// MFA is one of limits.MFASettings (TOTP). Default limits.DefaultMFA.
	MFA string `json:"mfa"`
	// OwnerKey names each user's upload folder, items and API tokens (limits.OwnerKeys):
	// "identityId" (the identity pool's id, Amplify's convention) or "sub" (the user pool's sub,
	// carried to S3 as a session tag). Default limits.DefaultOwnerKey. Changing it on a deployed
	// environment moves no folder (docs/configuration.md#owner-key).
	OwnerKey string `json:"ownerKey"`
	// AccessTokenValidityMinutes is the access token lifetime (limits.AccessTokenValidityMinutes).
	AccessTokenValidityMinutes int `json:"accessTokenValidityMinutes"`
	// IDTokenValidityMinutes is the ID token lifetime (limits.IDTokenValidityMinutes).
	IDTokenValidityMinutes int `json:"idTokenValidityMinutes"`
	// RefreshTokenValidityDays is the refresh token lifetime (limits.RefreshTokenValidityDays).
	RefreshTokenValidityDays int `json:"refreshTokenValidityDays"`
	// Groups are user pool groups, each with its own identity-pool role. Default none.
	Groups []Group `json:"groups"`
	// UploadEncryption is "s3" (S3-managed keys) or "kms" (a customer managed key with rotation).
	// Default limits.DefaultUploadEncryption.
	UploadEncryption string `json:"uploadEncryption"`
	// NoncurrentVersionExpirationDays: overwritten or deleted upload versions are kept this long
	// (limits.NoncurrentVersionExpirationDays).
	NoncurrentVersionExpirationDays int `json:"noncurrentVersionExpirationDays"`
	// AccessLogExpirationDays: server access logs are kept this long (limits.AccessLogExpirationDays).
	AccessLogExpirationDays int `json:"accessLogExpirationDays"`
	// CorsMaxAgeSeconds: how long browsers may cache a CORS preflight (limits.CorsMaxAgeSeconds).
	CorsMaxAgeSeconds int `json:"corsMaxAgeSeconds"`
	// SessionName the Next.js server must use to assume the trust role. Default
	// limits.DefaultSessionName.
	SessionName string `json:"sessionName"`
	// SessionDurationSeconds the server requests for the trust role (limits.SessionDurationSeconds).
	SessionDurationSeconds int `json:"sessionDurationSeconds"`
	// DeveloperRoleArns are roles developers run the web app's server as on their machines (make
	// web): each may assume the trust role, with the session name, like the webpage role. Default
	// none. Refused with production.
	DeveloperRoleArns []string `json:"developerRoleArns"`
	// CrossAccount, when set, adds a role another account assumes with an external id.
	CrossAccount *CrossAccount `json:"crossAccount"`
	// Amplify, when set, adds Amplify Hosting SSR compute roles, the feedback topic and
	// optionally the Amplify app.
	Amplify *Amplify `json:"amplify"`
	// Email, when set, sends the user pool's mail through Amazon SES. Default: Cognito's own
	// sender (a few dozen messages a day).
	Email *Email `json:"email"`
	// Delivery, when set, serves the upload bucket's protected/ folders through a CloudFront
	// distribution that takes only signed requests, and deploys the signer function.
	Delivery *Delivery `json:"delivery"`
	// API, when set, adds the token-authorized API over the items, the token table and the
	// token service.
	API *API `json:"api"`
	// DestroyData (not a JSON field: config.Sandbox sets it, for a sandbox only) deletes the
	// data resources with their stacks instead of retaining them.
	DestroyData bool `json:"-"`
	// SandboxOf names the environment a sandbox copies (config.Sandbox sets it); empty otherwise.
	SandboxOf string `json:"-"`
}

// API configures the token-authorized API.
type API struct {
	// ThrottleRateLimit: the stage's steady request rate (limits.APIThrottleRateLimit).
	ThrottleRateLimit int `json:"throttleRateLimit"`
	// ThrottleBurstLimit: the stage's burst (limits.APIThrottleBurstLimit).
	ThrottleBurstLimit int `json:"throttleBurstLimit"`
	// AuthorizerCacheSeconds: how long API Gateway reuses an authorizer's answer for a token
	// (limits.AuthorizerCacheSeconds; 0 allowed). A revoke flushes the cache, so this bounds
	// only how long a revoked token works when that flush fails.
	AuthorizerCacheSeconds *int `json:"authorizerCacheSeconds"`
	// MaxActiveTokensPerOwner: how many current tokens one user may hold (limits.MaxActiveTokens);
	// issuing more is refused.
	MaxActiveTokensPerOwner int `json:"maxActiveTokensPerOwner"`
	// AllowedOrigins may call the API from browsers (CORS). Default none: scripts and servers.
	AllowedOrigins []string `json:"allowedOrigins"`
	// Scopes tokens may carry. Default apitokens.Scopes (read, write), which the routes need.
	Scopes []string `json:"scopes"`
	// ExecutionLogging turns on API Gateway's execution logs (errors only, no request data).
	// Default false: they can record headers.
	ExecutionLogging bool `json:"executionLogging"`
}

// Delivery configures private image delivery through CloudFront.
type Delivery struct {
	// PublicKeys are paths (relative to the directory of cdk.json) of the PEM public keys the
	// distribution trusts: one, or two while rotating (limits.MaxPublicKeys). `make cdn-key`
	// writes the first. Required.
	PublicKeys []string `json:"publicKeys"`
	// PriceClass: which edge locations serve (limits.PriceClasses). Default PriceClass_100.
	PriceClass string `json:"priceClass"`
	// SignatureTTLSeconds: how long a signature stays valid (limits.SignatureTTLSeconds).
	SignatureTTLSeconds int `json:"signatureTtlSeconds"`
	// DomainName is a custom domain for the distribution (needs certificateArn). Optional.
	DomainName string `json:"domainName"`
	// CertificateArn is the ACM certificate (us-east-1) for domainName. Optional.
	CertificateArn string `json:"certificateArn"`
	// LogExpirationDays: how long the distribution's access logs are kept
	// (limits.AccessLogExpirationDays).
	LogExpirationDays int `json:"logExpirationDays"`
	// PublicKeyPEMs are the contents of the PublicKeys files, read while parsing.
	PublicKeyPEMs []string `json:"-"`
}

// Email sends the user pool's mail (codes, recovery) through Amazon SES.
type Email struct {
	// From is the sender address; it must be sesIdentity or an address at that domain. Required.
	From string `json:"from"`
	// FromName is the sender's name shown with the address. Optional.
	FromName string `json:"fromName"`
	// ReplyTo is where replies go. Default: from.
	ReplyTo string `json:"replyTo"`
	// SESIdentity is the verified SES identity: a domain or an email address. Required.
	SESIdentity string `json:"sesIdentity"`
	// SESRegion is where that identity is verified. Default: the environment's region.
	SESRegion string `json:"sesRegion"`
}

// emailFields are Email's JSON names, for messages.
var emailFields = limits.EmailFieldNames{From: "from", FromName: "fromName", ReplyTo: "replyTo", SESIdentity: "sesIdentity", SESRegion: "sesRegion"}

// Amplify configures Amplify Hosting.
type Amplify struct {
	// RoleOnly creates only the compute role (and topic), for an app managed in the console.
	RoleOnly bool `json:"roleOnly"`
	// AppName of the managed app (required unless roleOnly).
	AppName string `json:"appName"`
	// AppID of the console-managed app, to narrow restrictTrust (roleOnly only). Optional.
	AppID string `json:"appId"`
	// Repository URL (https) of a managed app. Optional: none means manual deploys.
	Repository string `json:"repository"`
	// AccessTokenSecret is the Secrets Manager secret with the repository token (required with repository).
	AccessTokenSecret string `json:"accessTokenSecret"`
	// RestrictTrust adds confused-deputy conditions (aws:SourceAccount, aws:SourceArn) to the
	// compute roles' trust. Default false. Required by assumeTrustRole, of the app or a branch.
	RestrictTrust bool `json:"restrictTrust"`
	// AssumeTrustRole lets the app's compute role (the role of every branch without ownRole)
	// assume the trust role (with the session name), so that the hosted server reaches the asset
	// functions as the webpage role does on ECS. A branch's own role opts in with its own
	// assumeTrustRole. Default false: it may only publish feedback. Requires restrictTrust.
	AssumeTrustRole bool `json:"assumeTrustRole"`
	// Branches of a managed app.
	Branches []AmplifyBranch `json:"branches"`
}

// AmplifyBranch is one branch of a managed Amplify app.
type AmplifyBranch struct {
	// Name of the git branch.
	Name string `json:"name"`
	// Stage: one of limits.BranchStages. Default PRODUCTION.
	Stage string `json:"stage"`
	// OwnRole gives the branch a compute role of its own instead of the app's.
	OwnRole bool `json:"ownRole"`
	// PublishFeedback lets the branch's own role publish to the feedback topic. Default false
	// (the app's role always may).
	PublishFeedback bool `json:"publishFeedback"`
	// AssumeTrustRole lets the branch's own role assume the trust role, as amplify.assumeTrustRole
	// does for the app's role. Default false. Requires ownRole and amplify.restrictTrust.
	AssumeTrustRole bool `json:"assumeTrustRole"`
}

// CrossAccount configures the cross-account role and where its stack deploys.
type CrossAccount struct {
	// TrustedAccountID is the other account (12 digits). Required.
	TrustedAccountID string `json:"trustedAccountId"`
	// ExternalID the other account must present (limits.ExternalID). Required.
	ExternalID string `json:"externalId"`
	// TrustedRoleName narrows the trust to one role of the other account. Optional.
	TrustedRoleName string `json:"trustedRoleName"`
	// SessionName, when set, is the only session name accepted. Optional.
	SessionName string `json:"sessionName"`
	// MaxSessionDurationSeconds is the longest session (limits.CrossAccountSessionSeconds).
	MaxSessionDurationSeconds int `json:"maxSessionDurationSeconds"`
	// Account and Region the cross-account stack deploys to (the account that owns what the
	// role shares). Default: the environment's.
	Account string `json:"account"`
	Region  string `json:"region"`
}

// Group is a user pool group.
type Group struct {
	// Name of the group (limits.GroupName).
	Name string `json:"name"`
	// Precedence decides which group's role a user in several groups gets (lower wins); unique.
	Precedence int `json:"precedence"`
}

// Defaults returns an Environment with every default applied (package limits defines them) and
// no origins.
func Defaults(name string) Environment {
	return Environment{
		Name:                            name,
		Region:                          limits.DefaultRegion,
		SelfSignUp:                      true,
		FeaturePlan:                     limits.DefaultFeaturePlan,
		MFA:                             limits.DefaultMFA,
		OwnerKey:                        limits.DefaultOwnerKey,
		AccessTokenValidityMinutes:      limits.AccessTokenValidityMinutes.Default,
		IDTokenValidityMinutes:          limits.IDTokenValidityMinutes.Default,
		RefreshTokenValidityDays:        limits.RefreshTokenValidityDays.Default,
		UploadEncryption:                limits.DefaultUploadEncryption,
		NoncurrentVersionExpirationDays: limits.NoncurrentVersionExpirationDays.Default,
		AccessLogExpirationDays:         limits.AccessLogExpirationDays.Default,
		CorsMaxAgeSeconds:               limits.CorsMaxAgeSeconds.Default,
		SessionName:                     limits.DefaultSessionName,
		SessionDurationSeconds:          limits.SessionDurationSeconds.Default,
	}
}

// fillDefaults gives the nested settings their defaults (the top-level ones come from Defaults,
// which decoding starts from).
func (e *Environment) fillDefaults() {
	if c := e.CrossAccount; c != nil {
		c.MaxSessionDurationSeconds = limits.CrossAccountSessionSeconds.Or(c.MaxSessionDurationSeconds)
	}
	if a := e.API; a != nil {
		a.ThrottleRateLimit = limits.APIThrottleRateLimit.Or(a.ThrottleRateLimit)
		a.ThrottleBurstLimit = limits.APIThrottleBurstLimit.Or(a.ThrottleBurstLimit)
		a.AuthorizerCacheSeconds = limits.AuthorizerCacheSeconds.OrNil(a.AuthorizerCacheSeconds)
		a.MaxActiveTokensPerOwner = limits.MaxActiveTokens.Or(a.MaxActiveTokensPerOwner)
		if len(a.Scopes) == 0 {
			a.Scopes = []string{"read", "write"}
		}
	}
	if d := e.Delivery; d != nil {
		d.PriceClass = cmp.Or(d.PriceClass, limits.PriceClasses[0])
		d.SignatureTTLSeconds = limits.SignatureTTLSeconds.Or(d.SignatureTTLSeconds)
		d.LogExpirationDays = limits.AccessLogExpirationDays.Or(d.LogExpirationDays)
	}
	if a := e.Amplify; a != nil {
		for i := range a.Branches {
			if a.Branches[i].Stage == "" {
				a.Branches[i].Stage = limits.BranchStages[0]
			}
		}
	}
}

// ContextFromFile returns the "context" object of a cdk.json file (what the CDK CLI passes the
// app), for runs without the CLI.
func ContextFromFile(path string) (map[string]any, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var file struct {
		Context map[string]any `json:"context"`
	}
	if err := json.Unmarshal(raw, &file); err != nil {
		var syntax *json.SyntaxError
		if errors.As(err, &syntax) {
			line, column := position(raw, syntax.Offset)
			return nil, fmt.Errorf("%s:%d:%d: not valid JSON: %v", path, line, column, err)
		}
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return file.Context, nil
}

// position is the line and column (from 1) of byte offset in text: where a JSON syntax error
// was found (encoding/json reports the offset of the byte after it).
func position(text []byte, offset int64) (line, column int) {
	if offset > int64(len(text)) {
		offset = int64(len(text))
	}
	before := text[:max(offset-1, 0)]
	line = 1 + bytes.Count(before, []byte("\n"))
	column = len(before) - bytes.LastIndexByte(before, '\n')
	return line, column
}

// FromFile selects and validates environment env of the cdk.json at path, for commands run
// without the CLI (its files are read relative to cdk.json's folder).
func FromFile(path, env string) (Environment, error) {
	context, err := ContextFromFile(path)
	if err != nil {
		return Environment{}, err
	}
	return FromContextIn(filepath.Dir(path), env, context["environments"])
}

// Scope names where configuration problems come from, in error messages.
const Scope = "cdk.json context"

// FromContext selects and validates one environment. envName and environments are the values
// of the `env` and `environments` context keys as the CDK returns them (nil when absent).
// Files the settings name are read relative to the working directory (the CLI runs the app in
// the directory of cdk.json).
func FromContext(envName, environments any) (Environment, error) {
	return FromContextIn(".", envName, environments)
}

// FromContextIn is FromContext with the files the settings name read relative to dir.
func FromContextIn(dir string, envName, environments any) (Environment, error) {
	ps := limits.NewProblems(Scope)
	name := DefaultEnv
	switch v := envName.(type) {
	case nil:
	case string:
		name = v
	default:
		ps.Add("env", v, "must be the name of an entry of `environments`, e.g. -c env=prod")
		return Environment{}, ps.Err()
	}
	raw, err := json.Marshal(environments)
	if err != nil || environments == nil {
		ps.Add("environments", nil, "is missing: cdk.json's context must hold an `environments` object (see docs/configuration.md)")
		return Environment{}, ps.Err()
	}
	var all map[string]json.RawMessage
	if err := json.Unmarshal(raw, &all); err != nil {
		ps.Add("environments", compact(raw), "must be an object of environment names to settings")
		return Environment{}, ps.Err()
	}
	entry, ok := all[name]
	if !ok {
		ps.Add("env", name, "is not an entry of `environments`; have "+strings.Join(slices.Sorted(maps.Keys(all)), ", "))
		return Environment{}, ps.Err()
	}
	return ParseIn(dir, name, entry)
}

// Parse decodes and validates the settings of the environment called name, reading the files
// they name relative to the working directory.
func Parse(name string, raw []byte) (Environment, error) { return ParseIn(".", name, raw) }

// ParseIn is Parse with the files the settings name read relative to dir.
func ParseIn(dir, name string, raw []byte) (Environment, error) {
	ps := limits.NewProblems(Scope)
	env := Defaults(name)
	// A field that fails to decode keeps its (valid) default, so values are checked either way
	// and every problem is reported in one run.
	decodeObject(ps, "environments."+name, raw, reflect.ValueOf(&env).Elem())
	env.fillDefaults()
	env.check(ps, "environments."+name)
	if d := env.Delivery; d != nil {
		d.readKeys(ps, "environments."+name+".delivery.publicKeys", dir, name)
	}
	if err := ps.Err(); err != nil {
		return Environment{}, err
	}
	return env, nil
}

// check reports every invalid setting; it changes nothing.
func (e *Environment) check(ps *limits.Problems, at string) {
	if e.Account != "" && !limits.Account.Match(e.Account) {
		ps.Add(at+".account", e.Account, limits.Account.Allowed+", or left out for the CLI's default account")
	}
	limits.Region.Check(ps, at+".region", e.Region)
	if len(e.AllowedOrigins) > 0 || !e.hostsBranches() {
		limits.Origins(ps, at+".allowedOrigins", e.AllowedOrigins)
	}
	limits.FeaturePlans.Check(ps, at+".featurePlan", e.FeaturePlan)
	limits.MFASettings.Check(ps, at+".mfa", e.MFA)
	limits.OwnerKeys.Check(ps, at+".ownerKey", e.OwnerKey)
	limits.AccessTokenValidityMinutes.Check(ps, at+".accessTokenValidityMinutes", e.AccessTokenValidityMinutes)
	limits.IDTokenValidityMinutes.Check(ps, at+".idTokenValidityMinutes", e.IDTokenValidityMinutes)
	limits.RefreshTokenValidityDays.Check(ps, at+".refreshTokenValidityDays", e.RefreshTokenValidityDays)
	limits.UploadEncryptions.Check(ps, at+".uploadEncryption", e.UploadEncryption)
	limits.NoncurrentVersionExpirationDays.Check(ps, at+".noncurrentVersionExpirationDays", e.NoncurrentVersionExpirationDays)
	limits.AccessLogExpirationDays.Check(ps, at+".accessLogExpirationDays", e.AccessLogExpirationDays)
	limits.CorsMaxAgeSeconds.Check(ps, at+".corsMaxAgeSeconds", e.CorsMaxAgeSeconds)
	limits.SessionName.Check(ps, at+".sessionName", e.SessionName)
	limits.SessionDurationSeconds.Check(ps, at+".sessionDurationSeconds", e.SessionDurationSeconds)
	seenDevelopers := map[string]bool{}
	for i, arn := range e.DeveloperRoleArns {
		f := fmt.Sprintf("%s.developerRoleArns[%d]", at, i)
		switch {
		case !limits.RoleArn.Match(arn):
			ps.Add(f, arn, limits.RoleArn.Allowed)
		case e.Account != "" && strings.Split(arn, ":")[4] != e.Account:
			ps.Add(f, arn, "must be a role of the environment's account "+e.Account+" (the trust role's policy alone grants it there)")
		case seenDevelopers[arn]:
			ps.Add(f, arn, "is listed twice")
		}
		seenDevelopers[arn] = true
	}
	if e.Production && len(e.DeveloperRoleArns) > 0 {
		arns, _ := json.Marshal(e.DeveloperRoleArns) // a list of strings always marshals
		ps.Add(at+".developerRoleArns", limits.Raw(arns),
			"must be empty in a production environment (production: true): a developer role may act as the web server for every user")
	}
	if c := e.CrossAccount; c != nil {
		f := at + ".crossAccount"
		if !limits.Account.Match(c.TrustedAccountID) {
			ps.Add(f+".trustedAccountId", c.TrustedAccountID, limits.Account.Allowed)
		} else if deployedTo := cmp.Or(c.Account, e.Account); c.TrustedAccountID == deployedTo {
			ps.Add(f+".trustedAccountId", c.TrustedAccountID, "must be another account than the one the role is deployed to")
		}
		limits.ExternalID.Check(ps, f+".externalId", c.ExternalID)
		if c.TrustedRoleName != "" {
			limits.RoleName.Check(ps, f+".trustedRoleName", c.TrustedRoleName)
		}
		if c.SessionName != "" {
			limits.SessionName.Check(ps, f+".sessionName", c.SessionName)
		}
		limits.CrossAccountSessionSeconds.Check(ps, f+".maxSessionDurationSeconds", c.MaxSessionDurationSeconds)
		if c.Account != "" && !limits.Account.Match(c.Account) {
			ps.Add(f+".account", c.Account, limits.Account.Allowed+", or left out for the environment's account")
		}
		if c.Region != "" && !limits.Region.Match(c.Region) {
			ps.Add(f+".region", c.Region, limits.Region.Allowed+", or left out for the environment's region")
		}
	}
	if a := e.Amplify; a != nil {
		e.checkAmplify(ps, at+".amplify", a)
	}
	if d := e.Delivery; d != nil {
		f := at + ".delivery"
		if len(d.PublicKeys) == 0 || len(d.PublicKeys) > limits.MaxPublicKeys {
			ps.Add(f+".publicKeys", limits.Raw(fmt.Sprintf("[%d paths]", len(d.PublicKeys))),
				fmt.Sprintf("must list 1 or %d PEM files of public keys (the first is the one make cdn-key writes and the signer uses; a second only while rotating)", limits.MaxPublicKeys))
		}
		limits.PriceClasses.Check(ps, f+".priceClass", d.PriceClass)
		limits.SignatureTTLSeconds.Check(ps, f+".signatureTtlSeconds", d.SignatureTTLSeconds)
		limits.AccessLogExpirationDays.Check(ps, f+".logExpirationDays", d.LogExpirationDays)
		limits.CustomDomain(ps, f, d.DomainName, d.CertificateArn, "domainName", "certificateArn")
	}
	if a := e.API; a != nil {
		f := at + ".api"
		limits.APIThrottleRateLimit.Check(ps, f+".throttleRateLimit", a.ThrottleRateLimit)
		limits.APIThrottleBurstLimit.Check(ps, f+".throttleBurstLimit", a.ThrottleBurstLimit)
		limits.AuthorizerCacheSeconds.Check(ps, f+".authorizerCacheSeconds", *a.AuthorizerCacheSeconds)
		limits.MaxActiveTokens.Check(ps, f+".maxActiveTokensPerOwner", a.MaxActiveTokensPerOwner)
		if len(a.AllowedOrigins) > 0 {
			limits.Origins(ps, f+".allowedOrigins", a.AllowedOrigins)
		}
		limits.Scopes(ps, f+".scopes", a.Scopes)
	}
	if m := e.Email; m != nil {
		region := e.Region
		if !limits.Region.Match(region) {
			region = "" // reported above
		}
		limits.Email(ps, at+".email", limits.EmailSettings(*m), emailFields, region)
	}
	var names []string
	var precedences []int
	for _, g := range e.Groups {
		names, precedences = append(names, g.Name), append(precedences, g.Precedence)
	}
	limits.Groups(ps, at+".groups", names, precedences, "name", "precedence")
}

// hostsBranches reports whether a managed Amplify app serves branches, whose origins the upload
// bucket then allows without configuration.
func (e *Environment) hostsBranches() bool {
	return e.Amplify != nil && !e.Amplify.RoleOnly && len(e.Amplify.Branches) > 0
}

// decodeObject decodes a JSON object into the struct v field by field, so every unknown field and
// every wrongly typed value is reported, not just the first.
func decodeObject(ps *limits.Problems, at string, raw []byte, v reflect.Value) {
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(raw, &fields); err != nil || fields == nil {
		ps.Add(at, compact(raw), "must be an object")
		return
	}
	byName := map[string]reflect.Value{}
	var known []string
	for i := 0; i < v.NumField(); i++ {
		tag := strings.Split(v.Type().Field(i).Tag.Get("json"), ",")[0]
		if tag != "" && tag != "-" {
			byName[tag] = v.Field(i)
			known = append(known, tag)
		}
	}
	for _, key := range slices.Sorted(maps.Keys(fields)) {
		value := fields[key]
		f, ok := byName[key]
		if !ok {
			ps.Add(at+"."+key, compact(value), "unknown field"+suggest(key, known)+"; allowed: "+strings.Join(known, ", "))
			continue
		}
		decodeValue(ps, at+"."+key, value, f)
	}
}

func decodeValue(ps *limits.Problems, at string, raw json.RawMessage, f reflect.Value) {
	if string(bytes.TrimSpace(raw)) == "null" {
		ps.Add(at, limits.Raw("null"), "must not be null; leave the field out to get its default")
		return
	}
	if f.Kind() == reflect.Pointer && f.Type().Elem().Kind() == reflect.Struct {
		target := reflect.New(f.Type().Elem())
		decodeObject(ps, at, raw, target.Elem())
		f.Set(target)
		return
	}
	if f.Kind() == reflect.Slice && f.Type().Elem().Kind() == reflect.Struct {
		var items []json.RawMessage
		if err := json.Unmarshal(raw, &items); err != nil {
			ps.Add(at, compact(raw), "must be a list of objects")
			return
		}
		out := reflect.MakeSlice(f.Type(), len(items), len(items))
		for i, item := range items {
			decodeObject(ps, fmt.Sprintf("%s[%d]", at, i), item, out.Index(i))
		}
		f.Set(out)
		return
	}
	target := reflect.New(f.Type())
	if err := json.Unmarshal(raw, target.Interface()); err != nil {
		ps.Add(at, compact(raw), "must be "+kindName(f.Type()))
		return
	}
	f.Set(target.Elem())
}

func kindName(t reflect.Type) string {
	switch t.Kind() {
	case reflect.String:
		return "a string"
	case reflect.Bool:
		return "true or false"
	case reflect.Int:
		return "a whole number"
	case reflect.Slice:
		return "a list of " + strings.TrimPrefix(kindName(t.Elem()), "a ") + "s"
	}
	return t.String()
}

func compact(raw []byte) limits.Raw {
	var b bytes.Buffer
	if json.Compact(&b, raw) != nil {
		return limits.Raw(raw)
	}
	return limits.Raw(b.String())
}

// CheckContextKeys refuses a context key that looks like a misspelt `env`, `environments` or
// `sandbox` (`-c ENV=prod`, `-c environment=prod`, `-c stage=prod`, `-c sandbx=alice`): such a
// key would silently build the default environment instead. Keys with ':', '/' or '@' (the
// CDK's own and feature flags) are not looked at.
func CheckContextKeys(context map[string]any) error {
	ps := limits.NewProblems(Scope)
	for _, key := range slices.Sorted(maps.Keys(context)) {
		if key == "env" || key == "environments" || key == SandboxKey || key == PipelineKey || strings.ContainsAny(key, ":/@") {
			continue
		}
		lower := strings.ToLower(key)
		if distance(lower, SandboxKey) <= 2 {
			ps.Add(key, context[key], `is not a context key the app reads (did you mean "sandbox"?): a developer's sandbox is -c sandbox=<name>`)
			continue
		}
		if lower == "stage" || lower == "environment" || distance(lower, "env") <= 1 || distance(lower, "environments") <= 2 {
			want := "env"
			if distance(lower, "environments") <= 2 && lower != "environment" {
				want = "environments"
			}
			ps.Add(key, context[key], fmt.Sprintf("is not a context key the app reads (did you mean %q?): it reads `env` (e.g. -c env=prod) and `environments` only", want))
		}
	}
	return ps.Err()
}

// BuiltLine is what a synth of environment name says last (on stderr): which environment it
// built, its stacks, and how to choose another.
func BuiltLine(name string, environments any) string {
	var names []string
	if all, ok := environments.(map[string]any); ok {
		names = slices.Sorted(maps.Keys(all))
	}
	return fmt.Sprintf("gatehouse: synthesized environment %q (stacks %s/*); another: -c env=<%s>", name, name, strings.Join(names, "|"))
}

// suggest names the known field closest to a misspelt key.
func suggest(key string, known []string) string {
	best, bestDist := "", 3
	for _, k := range known {
		if d := distance(strings.ToLower(key), strings.ToLower(k)); d < bestDist {
			best, bestDist = k, d
		}
	}
	if best == "" {
		return ""
	}
	return fmt.Sprintf(" (did you mean %q?)", best)
}

// distance is the Levenshtein edit distance.
func distance(a, b string) int {
	prev := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur := make([]int, len(b)+1)
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev = cur
	}
	return prev[len(b)]
}

// restrictTrustNeeded says why assumeTrustRole needs restrictTrust.
const restrictTrustNeeded = "requires amplify.restrictTrust: true (the compute roles' trust then carries the confused-deputy conditions " +
	"aws:SourceAccount and aws:SourceArn, which a role that may act as the web server for every user needs)"

func (e *Environment) checkAmplify(ps *limits.Problems, f string, a *Amplify) {
	if a.AssumeTrustRole && !a.RestrictTrust {
		ps.Add(f+".assumeTrustRole", true, restrictTrustNeeded)
	}
	if a.RoleOnly {
		for _, field := range []struct{ name, value string }{{"appName", a.AppName}, {"repository", a.Repository}, {"accessTokenSecret", a.AccessTokenSecret}} {
			if field.value != "" {
				ps.Add(f+"."+field.name, field.value, "is for a managed app; leave it out with roleOnly")
			}
		}
		if len(a.Branches) > 0 {
			ps.Add(f+".branches", limits.Raw(fmt.Sprintf("[%d branches]", len(a.Branches))), "are for a managed app; leave them out with roleOnly")
		}
		if a.AppID != "" {
			limits.AppID.Check(ps, f+".appId", a.AppID)
		}
		return
	}
	if a.AppID != "" {
		ps.Add(f+".appId", a.AppID, "is for roleOnly; a managed app's id is known only once it exists")
	}
	if !limits.AppName.Match(a.AppName) {
		ps.Add(f+".appName", a.AppName, limits.AppName.Allowed+" (required unless roleOnly)")
	}
	if a.Repository != "" {
		if u, err := url.Parse(a.Repository); err != nil || u.Scheme != "https" || u.Host == "" {
			ps.Add(f+".repository", a.Repository, "must be an https URL of a git repository")
		}
		if !limits.SecretName.Match(a.AccessTokenSecret) {
			ps.Add(f+".accessTokenSecret", a.AccessTokenSecret, "must name the Secrets Manager secret holding the repository's access token (never the token itself)")
		}
	} else if a.AccessTokenSecret != "" {
		ps.Add(f+".accessTokenSecret", a.AccessTokenSecret, "is only used with repository")
	}
	seen := map[string]bool{}
	for i, b := range a.Branches {
		bf := fmt.Sprintf("%s.branches[%d]", f, i)
		switch {
		case !limits.BranchName.Match(b.Name):
			ps.Add(bf+".name", b.Name, limits.BranchName.Allowed)
		case seen[b.Name]:
			ps.Add(bf+".name", b.Name, "is listed twice")
		}
		seen[b.Name] = true
		limits.BranchStages.Check(ps, bf+".stage", b.Stage)
		if b.PublishFeedback && !b.OwnRole {
			ps.Add(bf+".publishFeedback", true, "applies to a branch's own role (ownRole: true); the app's role always may publish")
		}
		switch {
		case b.AssumeTrustRole && !b.OwnRole:
			ps.Add(bf+".assumeTrustRole", true, "applies to a branch's own role (ownRole: true); a branch without one runs as the app's role, which amplify.assumeTrustRole governs")
		case b.AssumeTrustRole && !a.RestrictTrust:
			ps.Add(bf+".assumeTrustRole", true, restrictTrustNeeded)
		}
	}
}

// readKeys reads the public key files (relative to dir) into PublicKeyPEMs and checks each;
// env names the environment in what to run.
func (d *Delivery) readKeys(ps *limits.Problems, field, dir, env string) {
	if len(d.PublicKeys) == 0 || len(d.PublicKeys) > limits.MaxPublicKeys {
		return // reported by check
	}
	keys := make([]limits.KeyText, len(d.PublicKeys))
	for i, path := range d.PublicKeys {
		full := path
		if !filepath.IsAbs(path) {
			full = filepath.Join(dir, path)
		}
		keys[i].Name = path
		raw, err := os.ReadFile(full)
		switch {
		case errors.Is(err, fs.ErrNotExist):
			keys[i].Unreadable = "does not exist: run `make cdn-key ENV=" + env + "` to make a key pair, or fix the path (relative to cdk.json)"
		case err != nil:
			keys[i].Unreadable = "cannot be read: " + err.Error()
		}
		keys[i].PEM = string(raw)
		d.PublicKeyPEMs = append(d.PublicKeyPEMs, string(raw))
	}
	limits.PublicKeys(ps, field, keys)
}

// Placeholders lists the shipped stand-ins e still holds, one line each: values that synthesize
// but cannot work in a deployment (a documentation domain for the site or email, the example
// keys whose private halves nobody has, AWS's documentation account). The app prints them as
// warnings at synth and refuses them when deploying.
func (e Environment) Placeholders() []string {
	var lines []string
	name := cmp.Or(e.SandboxOf, e.Name) // a sandbox's settings are its environment's
	add := func(field string, value any, why string) {
		lines = append(lines, limits.Problem{Field: "environments." + name + "." + field, Value: value, Allowed: why}.String())
	}
	origins := func(field string, list []string) {
		for i, o := range list {
			if limits.PlaceholderOrigin(o) {
				add(fmt.Sprintf("%s[%d]", field, i), o, "is a documentation domain, a placeholder: set your site's origin")
			}
		}
	}
	origins("allowedOrigins", e.AllowedOrigins)
	if a := e.API; a != nil {
		origins("api.allowedOrigins", a.AllowedOrigins)
	}
	for i, arn := range e.DeveloperRoleArns {
		if strings.Contains(arn, ":"+limits.ExampleAccountID+":") {
			add(fmt.Sprintf("developerRoleArns[%d]", i), arn, "is in AWS's documentation account, a placeholder: name your developers' role")
		}
	}
	if m := e.Email; m != nil {
		for _, f := range []struct{ field, value string }{{"email.from", m.From}, {"email.replyTo", m.ReplyTo}, {"email.sesIdentity", m.SESIdentity}} {
			if _, domain, _ := strings.Cut(f.value, "@"); f.value != "" && limits.PlaceholderDomain(cmp.Or(domain, f.value)) {
				add(f.field, f.value, "is a documentation domain, a placeholder: use an address of your verified SES identity")
			}
		}
	}
	if d := e.Delivery; d != nil {
		for i, pem := range d.PublicKeyPEMs {
			if key, why := limits.PublicKey(pem); why == "" {
				if shipped, ok := limits.ExampleKeyFingerprints[limits.KeyFingerprint(key)]; ok {
					add(fmt.Sprintf("delivery.publicKeys[%d]", i), d.PublicKeys[i], "is the example key shipped as "+shipped+", whose private half nobody has: run `make cdn-key ENV="+name+"`")
				}
			}
		}
		if d.DomainName != "" && limits.PlaceholderDomain(d.DomainName) {
			add("delivery.domainName", d.DomainName, "is a documentation domain, a placeholder: set your images' domain")
		}
		if strings.Contains(d.CertificateArn, ":"+limits.ExampleAccountID+":") {
			add("delivery.certificateArn", d.CertificateArn, "is in AWS's documentation account, a placeholder: use your certificate's ARN")
		}
	}
	if c := e.CrossAccount; c != nil && c.TrustedAccountID == limits.ExampleAccountID {
		add("crossAccount.trustedAccountId", c.TrustedAccountID, "is AWS's documentation account, a placeholder: set the other account's id")
	}
	return lines
}
