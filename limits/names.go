package limits

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
)

// Pattern is what a string must match, and what is allowed as messages say it (Allowed).
type Pattern struct {
	re      *regexp.Regexp
	max     int // 0: no length limit beyond the pattern's
	Allowed string
}

// Match reports whether s matches.
func (p Pattern) Match(s string) bool {
	return (p.max == 0 || len(s) <= p.max) && p.re.MatchString(s)
}

// Check adds a problem when v does not match.
func (p Pattern) Check(ps *Problems, field, v string) {
	if !p.Match(v) {
		ps.Add(field, v, p.Allowed)
	}
}

// OneOf is a closed set of values.
type OneOf []string

// Check adds a problem when v is not one of the values.
func (o OneOf) Check(ps *Problems, field, v string) {
	if !slices.Contains(o, v) {
		q := make([]string, len(o))
		for i, a := range o {
			q[i] = fmt.Sprintf("%q", a)
		}
		ps.Add(field, v, "must be one of "+strings.Join(q, ", "))
	}
}

// IAM and STS names.
var (
	// SessionName is a role session name (sts:RoleSessionName).
	SessionName = Pattern{re: regexp.MustCompile(`^[\w+=,.@-]{2,64}$`), Allowed: "must be 2 to 64 characters of letters, digits and _+=,.@-"}
	// ExternalID is an sts:ExternalId (RE2 caps repeats at 1000: the length is checked apart).
	ExternalID = Pattern{re: regexp.MustCompile(`^[\w+=,.@:/-]{2,}$`), max: 1224, Allowed: "must be 2 to 1224 characters of letters, digits and _+=,.@:/-"}
	// RoleName is an IAM role name.
	RoleName = Pattern{re: regexp.MustCompile(`^[\w+=,.@-]{1,64}$`), Allowed: "must be 1 to 64 characters of letters, digits and _+=,.@-"}
	// RoleArn is an IAM role's ARN, exactly (no wildcard; a path is allowed).
	RoleArn = Pattern{re: regexp.MustCompile(`^arn:aws[a-z-]*:iam::[0-9]{12}:role/([\w+=,.@-]+/)*[\w+=,.@-]{1,64}$`), max: 2048,
		Allowed: "must be an IAM role ARN, arn:aws:iam::<account>:role/[<path>/]<name>, without wildcards"}
	// Account is an AWS account id.
	Account = Pattern{re: regexp.MustCompile(`^[0-9]{12}$`), Allowed: `must be a 12-digit AWS account id as a string, e.g. "123456789012"`}
	// Region is an AWS region name.
	Region = Pattern{re: regexp.MustCompile(`^(af|ap|ca|cn|eu|il|me|mx|sa|us)(-gov|-iso|-isob|-isoe|-isof)?-(central|north|south|east|west|northeast|northwest|southeast|southwest)-[1-9]$`),
		Allowed: `must be an AWS region name such as "ap-southeast-1" or "us-east-1"`}
	// SecretName is a Secrets Manager secret name.
	SecretName = Pattern{re: regexp.MustCompile(`^[\w/+=.@-]{1,512}$`), Allowed: "must name a Secrets Manager secret (1 to 512 letters, digits and /_+=.@-)"}
)

// Amplify Hosting names.
var (
	// AppName is an Amplify app name.
	AppName = Pattern{re: regexp.MustCompile(`^[\w-]{1,255}$`), Allowed: "must be 1 to 255 letters, digits, '_' or '-'"}
	// AppID is an Amplify app id.
	AppID = Pattern{re: regexp.MustCompile(`^[a-z0-9]{1,20}$`), Allowed: `must be an Amplify app id: lower-case letters and digits, e.g. "d1a2b3c4d5e6f7"`}
	// BranchName is a branch of a managed app. Amplify serves it at https://<subdomain>.<app
	// domain> (BranchSubdomain), which must be one DNS label: at most 63 characters, a letter or
	// digit at each end.
	BranchName = Pattern{re: regexp.MustCompile(`^[A-Za-z0-9]([A-Za-z0-9._/-]{0,61}[A-Za-z0-9])?$`),
		Allowed: "must be 1 to 63 characters of letters, digits and ._/-, starting and ending with a letter or digit " +
			"(Amplify serves a branch at https://<branch>.<app domain>, and that name must make one DNS label)"}
	// BranchStages are the stages Amplify accepts for a branch; the first is the default.
	BranchStages = OneOf{"PRODUCTION", "BETA", "DEVELOPMENT", "EXPERIMENTAL", "PULL_REQUEST"}
	// AppRoot is a monorepo app's folder (AMPLIFY_MONOREPO_APP_ROOT), relative to the repository.
	AppRoot = Pattern{re: regexp.MustCompile(`^[\w-]+(/[\w-]+)*$`), max: 255,
		Allowed: `must be a folder of the repository, relative and without "." or ".." (e.g. "web")`}
	// EnvironmentVariable is the name of an Amplify app's build environment variable; the
	// AMPLIFY_ prefix is Amplify's own.
	EnvironmentVariable = Pattern{re: regexp.MustCompile(`^(?i:[a-z_][a-z0-9_]{0,254})$`),
		Allowed: "must be a letter or '_' followed by letters, digits or '_'"}
)

// StackName is a CloudFormation stack name.
var StackName = Pattern{re: regexp.MustCompile(`^[A-Za-z][A-Za-z0-9-]{0,127}$`),
	Allowed: "must be a CloudFormation stack name: a letter, then up to 127 letters, digits or '-'"}

var notSubdomainChar = regexp.MustCompile(`[^a-z0-9]`)

// BranchSubdomain is the subdomain Amplify serves a branch at: the name in lower case, every
// character other than a letter or digit replaced by '-' ("feature/Login" -> "feature-login").
func BranchSubdomain(name string) string {
	return notSubdomainChar.ReplaceAllString(strings.ToLower(name), "-")
}

// GroupName is a user pool group name as gatehouse accepts it (it is also used in construct ids,
// so it is narrower than what Cognito accepts).
var GroupName = Pattern{re: regexp.MustCompile(`^[A-Za-z][A-Za-z0-9_-]{0,127}$`), Allowed: "must start with a letter and hold 1 to 128 letters, digits, '_' or '-'"}

// Groups checks user pool groups: valid, unique names and unique, non-negative precedences.
// nameField and precedenceField are how the caller spells those fields.
func Groups(ps *Problems, field string, names []string, precedences []int, nameField, precedenceField string) {
	seenName, seenPrecedence := map[string]bool{}, map[int]string{}
	for i, name := range names {
		f := fmt.Sprintf("%s[%d]", field, i)
		switch {
		case !GroupName.Match(name):
			ps.Add(f+"."+nameField, name, GroupName.Allowed)
		case seenName[name]:
			ps.Add(f+"."+nameField, name, "is used by an earlier group; group names must be unique")
		}
		seenName[name] = true
		switch other, dup := seenPrecedence[precedences[i]]; {
		case precedences[i] < 0:
			ps.Add(f+"."+precedenceField, precedences[i], "must be a whole number from 0 (highest priority) upwards")
		case dup:
			ps.Add(f+"."+precedenceField, precedences[i], fmt.Sprintf("is also group %q's; precedences must differ, "+
				"or Cognito cannot choose a role for a user in both groups", other))
		}
		seenPrecedence[precedences[i]] = name
	}
}

// Scope is a scope an API token may carry: a simple word.
var Scope = Pattern{re: regexp.MustCompile(`^[a-z][a-z0-9_-]{0,31}$`), Allowed: "must be a simple word: 1 to 32 lower-case letters, digits, '_' or '-', starting with a letter"}

// Scopes checks the scopes API tokens may carry: simple words, each once.
func Scopes(ps *Problems, field string, scopes []string) {
	seen := map[string]bool{}
	for i, s := range scopes {
		f := fmt.Sprintf("%s[%d]", field, i)
		switch {
		case !Scope.Match(s):
			ps.Add(f, s, Scope.Allowed)
		case seen[s]:
			ps.Add(f, s, "is listed twice")
		}
		seen[s] = true
	}
}

// SandboxDeveloper is a sandbox's developer name: it goes into stack names
// (gatehouse-sandbox-<name>-auth) and so into the resources' names.
var SandboxDeveloper = Pattern{re: regexp.MustCompile(`^[a-z][a-z0-9]{0,15}$`),
	Allowed: "must be the developer's name: 1 to 16 lower-case letters and digits, starting with a letter (it goes into stack names)"}
