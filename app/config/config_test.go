package config_test

import (
	"encoding/json"
	"encoding/pem"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/gatehouse-cdk/gatehouse/app/config"
	"github.com/gatehouse-cdk/gatehouse/limits"
)

const ok = `"allowedOrigins": ["http://localhost:3000"]`

func TestConfigDefaults(t *testing.T) {
	env, err := config.Parse("dev", []byte(`{`+ok+`}`))
	if err != nil {
		t.Fatal(err)
	}
	want := config.Defaults("dev")
	want.AllowedOrigins = []string{"http://localhost:3000"}
	if !equalJSON(env, want) || env.Name != "dev" {
		t.Errorf("defaults = %+v, want %+v", env, want)
	}
	for field, got := range map[string]any{
		"region": env.Region, "featurePlan": env.FeaturePlan, "mfa": env.MFA, "allowGuests": env.AllowGuests,
		"selfSignUp": env.SelfSignUp, "uploadEncryption": env.UploadEncryption,
	} {
		wantValue := map[string]any{"region": "ap-southeast-1", "featurePlan": "plus", "mfa": "required",
			"allowGuests": false, "selfSignUp": true, "uploadEncryption": "s3"}[field]
		if got != wantValue {
			t.Errorf("default %s = %v, want %v", field, got, wantValue)
		}
	}
}

// TestManagedBranchesNeedNoOrigins: the upload bucket allows a managed app's branch origins by
// itself, so such an environment may list no origin of its own; branch names may hold '/', '_',
// '.' and capitals (their subdomain is lower case with '-').
func TestManagedBranchesNeedNoOrigins(t *testing.T) {
	env, err := config.Parse("dev", []byte(`{"amplify": {"appName": "web", "branches": [{"name": "main"}, {"name": "feature/Login_2.x"}, {"name": "`+strings.Repeat("b", 63)+`"}]}}`))
	if err != nil {
		t.Fatal(err)
	}
	if len(env.AllowedOrigins) != 0 || len(env.Amplify.Branches) != 3 {
		t.Errorf("parsed %+v", env)
	}
	if got := limits.BranchSubdomain("feature/Login_2.x"); got != "feature-login-2-x" {
		t.Errorf("BranchSubdomain = %q", got)
	}
}

// TestEmailSettings: a verified domain or address, an SES region of the user pool's own or (from
// the regions that may) us-east-1, us-west-2 or eu-west-1.
func TestEmailSettings(t *testing.T) {
	for _, entry := range []string{
		`"region": "ap-southeast-1", "email": {"from": "no-reply@example.com", "sesIdentity": "example.com"}`,
		`"region": "ap-southeast-1", "email": {"from": "no-reply@example.com", "sesIdentity": "example.com", "sesRegion": "eu-west-1"}`,
		`"region": "eu-north-1", "email": {"from": "a.b+c@mail.example.co.uk", "fromName": "Example App", "replyTo": "help@example.com", "sesIdentity": "a.b+c@mail.example.co.uk"}`,
	} {
		env, err := config.Parse("dev", []byte(`{`+ok+`, `+entry+`}`))
		if err != nil || env.Email == nil || env.Email.From == "" {
			t.Errorf("%s: %v", entry, err)
		}
	}
}

func TestShippedEnvironmentsAreValid(t *testing.T) {
	context := must(config.ContextFromFile(filepath.Join("..", "..", "cdk.json")))
	for _, name := range []string{"dev", "prod"} {
		env, err := config.FromContextIn("../..", name, context["environments"])
		if err != nil {
			t.Errorf("%s: %v", name, err)
		}
		if env.Region != "ap-southeast-1" {
			t.Errorf("%s region = %q", name, env.Region)
		}
		if env.Delivery == nil || len(env.Delivery.PublicKeyPEMs) != 1 {
			t.Errorf("%s: delivery is not on with one key: %+v", name, env.Delivery)
		}
	}
	// prod is the production environment; dev's hosted server (the app's role, for main) may
	// assume the trust role, beta's own role may not, and both trusts carry the confused-deputy
	// conditions.
	dev := must(config.FromContextIn("../..", "dev", context["environments"]))
	prod := must(config.FromContextIn("../..", "prod", context["environments"]))
	if dev.Production || !prod.Production || len(prod.DeveloperRoleArns) > 0 {
		t.Errorf("production: dev %v, prod %v (developer roles %v); want only prod, without developer roles", dev.Production, prod.Production, prod.DeveloperRoleArns)
	}
	if a := dev.Amplify; !a.RestrictTrust || !a.AssumeTrustRole || len(a.Branches) != 2 || a.Branches[0].OwnRole || !a.Branches[1].OwnRole || a.Branches[1].AssumeTrustRole {
		t.Errorf("dev amplify = %+v; want restrictTrust, the app's role (main) assuming the trust role, beta's own role not", a)
	}
	// No `env` in context: dev.
	if env, err := config.FromContextIn("../..", nil, context["environments"]); err != nil || env.Name != "dev" {
		t.Errorf("default env = %q, %v; want dev", env.Name, err)
	}
}

const pre = "invalid cdk.json context: environments.dev."

// restrictTrustNeeded is why an assumeTrustRole needs amplify.restrictTrust.
const restrictTrustNeeded = "requires amplify.restrictTrust: true (the compute roles' trust then carries the confused-deputy conditions " +
	"aws:SourceAccount and aws:SourceArn, which a role that may act as the web server for every user needs)"

// TestBadConfig: every bad value gets one line naming the environment, the field, the value and
// what is allowed.
func TestBadConfig(t *testing.T) {
	origin := limits.OriginAllowed
	cases := []struct {
		name, entry string
		want        []string
	}{
		{"no origins", `{"allowedOrigins": []}`, []string{
			pre + `allowedOrigins: at least one origin is required (e.g. ["http://localhost:3000"]); ` + origin}},
		{"origins missing", `{}`, []string{
			pre + `allowedOrigins: at least one origin is required (e.g. ["http://localhost:3000"]); ` + origin}},
		{"star", `{"allowedOrigins": ["*"]}`, []string{pre + `allowedOrigins[0] = "*": has a wildcard: list each origin instead (an origin is "scheme://host[:port]", e.g. "https://app.example.com" or "http://localhost:3000")`}},
		{"wildcard host", `{"allowedOrigins": ["https://*.example.com"]}`, []string{pre + `allowedOrigins[0] = "https://*.example.com": has a wildcard: list each origin instead (an origin is "scheme://host[:port]", e.g. "https://app.example.com" or "http://localhost:3000")`}},
		{"path", `{"allowedOrigins": ["https://app.example.com/app"]}`, []string{pre + `allowedOrigins[0] = "https://app.example.com/app": must not have a path (/app): "https://app.example.com"`}},
		{"trailing slash", `{"allowedOrigins": ["https://app.example.com/"]}`, []string{pre + `allowedOrigins[0] = "https://app.example.com/": must not end with a slash: "https://app.example.com"`}},
		{"query", `{"allowedOrigins": ["https://app.example.com?x=1"]}`, []string{pre + `allowedOrigins[0] = "https://app.example.com?x=1": must not have a query: "https://app.example.com"`}},
		{"not absolute", `{"allowedOrigins": ["app.example.com"]}`, []string{pre + `allowedOrigins[0] = "app.example.com": has no scheme: "https://app.example.com", or http:// for localhost`}},
		{"plain http", `{"allowedOrigins": ["http://app.example.com"]}`, []string{pre + `allowedOrigins[0] = "http://app.example.com": must use https (http only for localhost, 127.0.0.1 or [::1]): "https://app.example.com"`}},
		{"upper case", `{"allowedOrigins": ["https://App.example.com"]}`, []string{pre + `allowedOrigins[0] = "https://App.example.com": must be in lower case, as browsers send it: "https://app.example.com"`}},
		{"other scheme", `{"allowedOrigins": ["ftp://app.example.com"]}`, []string{pre + `allowedOrigins[0] = "ftp://app.example.com": has the scheme "ftp": use https (or http for localhost)`}},
		{"duplicate", `{"allowedOrigins": ["https://a.example.com", "https://a.example.com"]}`, []string{
			pre + `allowedOrigins[1] = "https://a.example.com": is listed twice; list each origin once`}},
		{"origins not a list", `{"allowedOrigins": "https://a.example.com"}`, []string{
			pre + `allowedOrigins = "https://a.example.com": must be a list of strings`,
			pre + `allowedOrigins: at least one origin is required (e.g. ["http://localhost:3000"]); ` + origin}},
		{"bad region", `{` + ok + `, "region": "ap-southeast"}`, []string{
			pre + `region = "ap-southeast": must be an AWS region name such as "ap-southeast-1" or "us-east-1"`}},
		{"region typo", `{` + ok + `, "region": "ap-sotheast-1"}`, []string{
			pre + `region = "ap-sotheast-1": must be an AWS region name such as "ap-southeast-1" or "us-east-1"`}},
		{"short account", `{` + ok + `, "account": "12345"}`, []string{
			pre + `account = "12345": must be a 12-digit AWS account id as a string, e.g. "123456789012", or left out for the CLI's default account`}},
		{"account as number", `{` + ok + `, "account": 123456789012}`, []string{pre + `account = 123456789012: must be a string`}},
		{"developer roles", `{` + ok + `, "account": "123456789012", "developerRoleArns": ["arn:aws:iam::123456789012:role/Dev", "arn:aws:iam::123456789012:role/*",
			"arn:aws:iam::123456789012:root", "arn:aws:iam::999999999999:role/Dev", "arn:aws:iam::123456789012:role/Dev"]}`, []string{
			pre + `developerRoleArns[1] = "arn:aws:iam::123456789012:role/*": ` + limits.RoleArn.Allowed,
			pre + `developerRoleArns[2] = "arn:aws:iam::123456789012:root": ` + limits.RoleArn.Allowed,
			pre + `developerRoleArns[3] = "arn:aws:iam::999999999999:role/Dev": must be a role of the environment's account 123456789012 (the trust role's policy alone grants it there)`,
			pre + `developerRoleArns[4] = "arn:aws:iam::123456789012:role/Dev": is listed twice`}},
		{"developer roles in production", `{` + ok + `, "production": true, "developerRoleArns": ["arn:aws:iam::123456789012:role/Dev", "arn:aws:iam::123456789012:role/Other"]}`, []string{
			pre + `developerRoleArns = ["arn:aws:iam::123456789012:role/Dev","arn:aws:iam::123456789012:role/Other"]: must be empty in a production environment (production: true): a developer role may act as the web server for every user`}},
		{"production not bool", `{` + ok + `, "production": "yes"}`, []string{pre + `production = "yes": must be true or false`}},
		{"unknown field", `{` + ok + `, "allowedOrigin": ["https://a.example.com"]}`, []string{
			pre + `allowedOrigin = ["https://a.example.com"]: unknown field (did you mean "allowedOrigins"?); allowed: account, region, production, allowedOrigins, allowGuests, selfSignUp, featurePlan, mfa, ownerKey, accessTokenValidityMinutes, idTokenValidityMinutes, refreshTokenValidityDays, groups, uploadEncryption, noncurrentVersionExpirationDays, accessLogExpirationDays, corsMaxAgeSeconds, sessionName, sessionDurationSeconds, developerRoleArns, crossAccount, amplify, email, delivery, api`}},
		{"guests not bool", `{` + ok + `, "allowGuests": "yes"}`, []string{pre + `allowGuests = "yes": must be true or false`}},
		{"null", `{` + ok + `, "region": null}`, []string{pre + `region = null: must not be null; leave the field out to get its default`}},
		{"mfa", `{` + ok + `, "mfa": "sometimes"}`, []string{pre + `mfa = "sometimes": must be one of "off", "optional", "required"`}},
		{"ownerKey", `{` + ok + `, "ownerKey": "username"}`, []string{pre + `ownerKey = "username": must be one of "identityId", "sub"`}},
		{"feature plan", `{` + ok + `, "featurePlan": "lite"}`, []string{pre + `featurePlan = "lite": must be one of "essentials", "plus"`}},
		{"encryption", `{` + ok + `, "uploadEncryption": "none"}`, []string{pre + `uploadEncryption = "none": must be one of "s3", "kms"`}},
		{"token too short", `{` + ok + `, "accessTokenValidityMinutes": 2}`, []string{
			pre + `accessTokenValidityMinutes = 2: must be a whole number of minutes from 5 to 1440`}},
		{"fractional", `{` + ok + `, "idTokenValidityMinutes": 7.5}`, []string{pre + `idTokenValidityMinutes = 7.5: must be a whole number`}},
		{"refresh too long", `{` + ok + `, "refreshTokenValidityDays": 4000}`, []string{
			pre + `refreshTokenValidityDays = 4000: must be a whole number of days from 1 to 3650`}},
		{"versions", `{` + ok + `, "noncurrentVersionExpirationDays": 0}`, []string{
			pre + `noncurrentVersionExpirationDays = 0: must be a whole number of days from 1 to 3650`}},
		{"logs", `{` + ok + `, "accessLogExpirationDays": -1}`, []string{
			pre + `accessLogExpirationDays = -1: must be a whole number of days from 1 to 3650`}},
		{"cors max age", `{` + ok + `, "corsMaxAgeSeconds": 90000}`, []string{
			pre + `corsMaxAgeSeconds = 90000: must be a whole number of seconds from 0 to 86400`}},
		{"groups", `{` + ok + `, "groups": [{"name": "admins", "precedence": 1}, {"name": "admins", "precedence": 1}, {"name": "9lives", "precedence": -1}, {"name": "x", "prec": 2}]}`, []string{
			pre + `groups[3].prec = 2: unknown field; allowed: name, precedence`,
			pre + `groups[1].name = "admins": is used by an earlier group; group names must be unique`,
			pre + `groups[1].precedence = 1: is also group "admins"'s; precedences must differ, or Cognito cannot choose a role for a user in both groups`,
			pre + `groups[2].name = "9lives": must start with a letter and hold 1 to 128 letters, digits, '_' or '-'`,
			pre + `groups[2].precedence = -1: must be a whole number from 0 (highest priority) upwards`,
		}},
		{"session name", `{` + ok + `, "sessionName": "web app"}`, []string{
			pre + `sessionName = "web app": must be 2 to 64 characters of letters, digits and _+=,.@-`}},
		{"session too long", `{` + ok + `, "sessionDurationSeconds": 7200}`, []string{
			pre + `sessionDurationSeconds = 7200: must be a whole number of seconds (role chaining caps sessions at one hour) from 900 to 3600`}},
		{"session too short", `{` + ok + `, "sessionDurationSeconds": 600}`, []string{
			pre + `sessionDurationSeconds = 600: must be a whole number of seconds (role chaining caps sessions at one hour) from 900 to 3600`}},
		{"cross account", `{` + ok + `, "account": "111122223333", "crossAccount": {"trustedAccountId": "111122223333", "externalId": "x",
			"trustedRoleName": "a role", "sessionName": "s", "maxSessionDurationSeconds": 60, "extId": "y"}}`, []string{
			pre + `crossAccount.extId = "y": unknown field; allowed: trustedAccountId, externalId, trustedRoleName, sessionName, maxSessionDurationSeconds, account, region`,
			pre + `crossAccount.trustedAccountId = "111122223333": must be another account than the one the role is deployed to`,
			pre + `crossAccount.externalId = "x": must be 2 to 1224 characters of letters, digits and _+=,.@:/-`,
			pre + `crossAccount.trustedRoleName = "a role": must be 1 to 64 characters of letters, digits and _+=,.@-`,
			pre + `crossAccount.sessionName = "s": must be 2 to 64 characters of letters, digits and _+=,.@-`,
			pre + `crossAccount.maxSessionDurationSeconds = 60: must be a whole number of seconds from 3600 to 43200`,
		}},
		{"cross account deployed where it is trusted", `{` + ok + `, "account": "111122223333", "crossAccount": {"trustedAccountId": "444455556666",
			"externalId": "partner-1", "account": "444455556666"}}`, []string{
			pre + `crossAccount.trustedAccountId = "444455556666": must be another account than the one the role is deployed to`,
		}},
		{"cross account target", `{` + ok + `, "crossAccount": {"trustedAccountId": "444455556666", "externalId": "partner-1", "account": "123", "region": "eu-west"}}`, []string{
			pre + `crossAccount.account = "123": must be a 12-digit AWS account id as a string, e.g. "123456789012", or left out for the environment's account`,
			pre + `crossAccount.region = "eu-west": must be an AWS region name such as "ap-southeast-1" or "us-east-1", or left out for the environment's region`,
		}},
		{"cross account required fields", `{` + ok + `, "crossAccount": {}}`, []string{
			pre + `crossAccount.trustedAccountId = "": must be a 12-digit AWS account id as a string, e.g. "123456789012"`,
			pre + `crossAccount.externalId = "": must be 2 to 1224 characters of letters, digits and _+=,.@:/-`,
		}},
		{"external id too long", `{` + ok + `, "crossAccount": {"trustedAccountId": "444455556666", "externalId": "` + strings.Repeat("a", 1225) + `"}}`, []string{
			pre + `crossAccount.externalId = "` + strings.Repeat("a", 1225) + `": must be 2 to 1224 characters of letters, digits and _+=,.@:/-`,
		}},
		{"amplify role-only with app fields", `{` + ok + `, "amplify": {"roleOnly": true, "appName": "web", "appId": "D-1", "branches": [{"name": "main"}]}}`, []string{
			pre + `amplify.appName = "web": is for a managed app; leave it out with roleOnly`,
			pre + `amplify.branches = [1 branches]: are for a managed app; leave them out with roleOnly`,
			pre + `amplify.appId = "D-1": must be an Amplify app id: lower-case letters and digits, e.g. "d1a2b3c4d5e6f7"`,
		}},
		{"amplify managed", `{` + ok + `, "amplify": {"appName": "web app", "appId": "d1", "repository": "http://github.com/x/y", "accessTokenSecret": "ghp_abc def",
			"branches": [{"name": "main"}, {"name": "main"}, {"name": "feature x", "stage": "PROD"}, {"name": "beta", "publishFeedback": true}]}}`, []string{
			pre + `amplify.appId = "d1": is for roleOnly; a managed app's id is known only once it exists`,
			pre + `amplify.appName = "web app": must be 1 to 255 letters, digits, '_' or '-' (required unless roleOnly)`,
			pre + `amplify.repository = "http://github.com/x/y": must be an https URL of a git repository`,
			pre + `amplify.accessTokenSecret = "ghp_abc def": must name the Secrets Manager secret holding the repository's access token (never the token itself)`,
			pre + `amplify.branches[1].name = "main": is listed twice`,
			pre + `amplify.branches[2].name = "feature x": ` + limits.BranchName.Allowed,
			pre + `amplify.branches[2].stage = "PROD": must be one of "PRODUCTION", "BETA", "DEVELOPMENT", "EXPERIMENTAL", "PULL_REQUEST"`,
			pre + `amplify.branches[3].publishFeedback = true: applies to a branch's own role (ownRole: true); the app's role always may publish`,
		}},
		{"amplify trust role without restrictTrust", `{` + ok + `, "amplify": {"appName": "web", "assumeTrustRole": true,
			"branches": [{"name": "main"}, {"name": "beta", "ownRole": true, "assumeTrustRole": true}, {"name": "gamma", "assumeTrustRole": true}]}}`, []string{
			pre + `amplify.assumeTrustRole = true: ` + restrictTrustNeeded,
			pre + `amplify.branches[1].assumeTrustRole = true: ` + restrictTrustNeeded,
			pre + `amplify.branches[2].assumeTrustRole = true: applies to a branch's own role (ownRole: true); a branch without one runs as the app's role, which amplify.assumeTrustRole governs`,
		}},
		{"amplify role-only trust role without restrictTrust", `{` + ok + `, "amplify": {"roleOnly": true, "assumeTrustRole": true, "restrictTrust": false}}`, []string{
			pre + `amplify.assumeTrustRole = true: ` + restrictTrustNeeded,
		}},
		{"amplify branch trust role without its own role", `{` + ok + `, "amplify": {"appName": "web", "restrictTrust": true, "branches": [{"name": "main", "assumeTrustRole": true}]}}`, []string{
			pre + `amplify.branches[0].assumeTrustRole = true: applies to a branch's own role (ownRole: true); a branch without one runs as the app's role, which amplify.assumeTrustRole governs`,
		}},
		{"amplify branch names that make no DNS label", `{` + ok + `, "amplify": {"appName": "web", "branches": [{"name": "-x"}, {"name": "fix/"}, {"name": "` + strings.Repeat("b", 64) + `"}]}}`, []string{
			pre + `amplify.branches[0].name = "-x": ` + limits.BranchName.Allowed,
			pre + `amplify.branches[1].name = "fix/": ` + limits.BranchName.Allowed,
			pre + `amplify.branches[2].name = "` + strings.Repeat("b", 64) + `": ` + limits.BranchName.Allowed,
		}},
		{"role-only needs origins", `{"amplify": {"roleOnly": true}}`, []string{
			pre + `allowedOrigins: at least one origin is required (e.g. ["http://localhost:3000"]); ` + origin}},
		{"a managed app without branches needs origins", `{"amplify": {"appName": "web"}}`, []string{
			pre + `allowedOrigins: at least one origin is required (e.g. ["http://localhost:3000"]); ` + origin}},
		{"email", `{` + ok + `, "email": {"from": "no-reply@example", "fromName": "Ex\n<evil>", "replyTo": "a b@example.com", "sesIdentity": "Example.com", "sesRegion": "ap-east-1", "sender": "x"}}`, []string{
			pre + `email.sender = "x": unknown field; allowed: from, fromName, replyTo, sesIdentity, sesRegion`,
			pre + `email.from = "no-reply@example": ` + limits.EmailAddressAllowed + `; required`,
			pre + `email.fromName = "Ex\n<evil>": must be at most 64 characters without line breaks, '<', '>' or '"': the sender's name, e.g. "Example App"`,
			pre + `email.replyTo = "a b@example.com": ` + limits.EmailAddressAllowed,
			pre + `email.sesIdentity = "Example.com": ` + limits.SESIdentityAllowed + `; required`,
			pre + `email.sesRegion = "ap-east-1": must be a region where Amazon SES sends email: ` + sesRegionList,
		}},
		{"email from another domain or address", `{` + ok + `, "email": {"from": "no-reply@example.org", "sesIdentity": "example.com"}}`, []string{
			pre + `email.from = "no-reply@example.org": must be an address at the verified domain example.com (sesIdentity)`,
		}},
		{"email from another address", `{` + ok + `, "email": {"from": "a@example.com", "sesIdentity": "b@example.com"}}`, []string{
			pre + `email.from = "a@example.com": must be the verified address b@example.com (sesIdentity), or make example.com the verified domain`,
		}},
		{"email through a region the user pool cannot use", `{` + ok + `, "region": "eu-north-1", "email": {"from": "a@example.com", "sesIdentity": "example.com", "sesRegion": "us-west-2"}}`, []string{
			pre + `email.sesRegion = "us-west-2": a user pool in eu-north-1 can send through SES only in eu-north-1`,
		}},
		{"email required fields", `{` + ok + `, "email": {}}`, []string{
			pre + `email.from = "": ` + limits.EmailAddressAllowed + `; required`,
			pre + `email.sesIdentity = "": ` + limits.SESIdentityAllowed + `; required`,
		}},
		{"amplify token without repository", `{` + ok + `, "amplify": {"appName": "web", "accessTokenSecret": "x"}}`, []string{
			pre + `amplify.accessTokenSecret = "x": is only used with repository`,
		}},
		{"not an object", `["dev"]`, []string{`invalid cdk.json context: environments.dev = ["dev"]: must be an object`,
			pre + `allowedOrigins: at least one origin is required (e.g. ["http://localhost:3000"]); ` + origin}},
		{"several at once", `{"allowedOrigins": ["*"], "region": "moon-1", "mfa": "no"}`, []string{
			pre + `region = "moon-1": must be an AWS region name such as "ap-southeast-1" or "us-east-1"`,
			pre + `allowedOrigins[0] = "*": has a wildcard: list each origin instead (an origin is "scheme://host[:port]", e.g. "https://app.example.com" or "http://localhost:3000")`,
			pre + `mfa = "no": must be one of "off", "optional", "required"`,
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := config.Parse("dev", []byte(c.entry))
			if err == nil {
				t.Fatalf("%s: accepted", c.entry)
			}
			if got := strings.Split(err.Error(), "\n"); !slices.Equal(got, c.want) {
				t.Errorf("%s:\n got:\n  %s\nwant:\n  %s", c.entry, strings.Join(got, "\n  "), strings.Join(c.want, "\n  "))
			}
		})
	}
}

func TestBadEnvSelection(t *testing.T) {
	envs := map[string]any{"dev": map[string]any{"allowedOrigins": []any{"http://localhost:3000"}}, "prod": map[string]any{}}
	for _, c := range []struct {
		name         string
		env, entries any
		want         string
	}{
		{"unknown env", "staging", envs, `invalid cdk.json context: env = "staging": is not an entry of ` + "`environments`" + `; have dev, prod`},
		{"env not a string", 3.0, envs, "invalid cdk.json context: env = 3: must be the name of an entry of `environments`, e.g. -c env=prod"},
		{"no environments", "dev", nil, "invalid cdk.json context: environments: is missing: cdk.json's context must hold an `environments` object (see docs/configuration.md)"},
		{"environments not an object", "dev", []any{"dev"}, `invalid cdk.json context: environments = ["dev"]: must be an object of environment names to settings`},
	} {
		_, err := config.FromContext(c.env, c.entries)
		if err == nil || err.Error() != c.want {
			t.Errorf("%s: got %v\nwant %s", c.name, err, c.want)
		}
	}
}

// sesRegionList is how messages list the regions where SES sends email.
var sesRegionList = strings.Join(limits.SESRegions(), ", ")

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

func equalJSON(a, b any) bool {
	ja, errA := json.Marshal(a)
	jb, errB := json.Marshal(b)
	return errA == nil && errB == nil && string(ja) == string(jb)
}

// keys is the folder of the test public keys, relative to this package.
const keys = "../../test/testdata/cdn-keys/"

// TestDelivery: public keys are read (relative to the directory given) and checked; the other
// settings get their defaults.
func TestDelivery(t *testing.T) {
	env, err := config.ParseIn("../../test/testdata", "dev", []byte(`{`+ok+`, "delivery": {"publicKeys": ["cdn-keys/key-1.pem", "cdn-keys/key-2.pem"]}}`))
	if err != nil {
		t.Fatal(err)
	}
	d := env.Delivery
	if len(d.PublicKeyPEMs) != 2 || !strings.HasPrefix(d.PublicKeyPEMs[1], "-----BEGIN PUBLIC KEY-----") {
		t.Errorf("keys not read: %+v", d)
	}
	if d.PriceClass != "PriceClass_100" || d.SignatureTTLSeconds != 900 || d.LogExpirationDays != 365 || d.DomainName != "" {
		t.Errorf("defaults: %+v", d)
	}
	env, err = config.Parse("dev", []byte(`{`+ok+`, "delivery": {"publicKeys": ["`+keys+`key-1.pem"], "priceClass": "PriceClass_All",
		"signatureTtlSeconds": 3600, "domainName": "images.example.com", "certificateArn": "arn:aws:acm:us-east-1:123456789012:certificate/12345678-1234-1234-1234-123456789012", "logExpirationDays": 30}}`))
	if err != nil {
		t.Fatal(err)
	}
	if d := env.Delivery; d.PriceClass != "PriceClass_All" || d.SignatureTTLSeconds != 3600 || d.LogExpirationDays != 30 || d.DomainName != "images.example.com" {
		t.Errorf("settings: %+v", d)
	}
}

// TestBadDelivery: one line per problem, naming the field, the value and what is allowed.
func TestBadDelivery(t *testing.T) {
	dir := t.TempDir()
	must(0, os.WriteFile(filepath.Join(dir, "private.pem"), pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: []byte{1}}), 0o600))
	must(0, os.WriteFile(filepath.Join(dir, "unreadable.pem"), nil, 0o000))
	pre := "invalid cdk.json context: environments.dev.delivery."
	cert := "arn:aws:acm:us-east-1:123456789012:certificate/12345678-1234-1234-1234-123456789012"
	cases := []struct {
		name, delivery string
		want           []string
	}{
		{"no keys", `{}`, []string{pre + `publicKeys = [0 paths]: must list 1 or 2 PEM files of public keys (the first is the one make cdn-key writes and the signer uses; a second only while rotating)`}},
		{"three keys", `{"publicKeys": ["a.pem", "b.pem", "c.pem"]}`, []string{pre + `publicKeys = [3 paths]: must list 1 or 2 PEM files of public keys (the first is the one make cdn-key writes and the signer uses; a second only while rotating)`}},
		{"missing file", `{"publicKeys": ["keys/none.pem"]}`, []string{pre + `publicKeys[0] = "keys/none.pem": does not exist: run ` + "`make cdn-key ENV=dev`" + ` to make a key pair, or fix the path (relative to cdk.json)`}},
		{"not keys", `{"publicKeys": ["` + keys + `not-pem.txt", "` + filepath.Join(dir, "private.pem") + `"]}`, []string{
			pre + `publicKeys[0] = "` + keys + `not-pem.txt": is not PEM: expected a "-----BEGIN PUBLIC KEY-----" block (make cdn-key writes one)`,
			pre + `publicKeys[1] = "` + filepath.Join(dir, "private.pem") + `": is a PRIVATE key: name the public key here, and keep the private one out of the repository`}},
		{"not RSA 2048", `{"publicKeys": ["` + keys + `ec.pem", "` + keys + `rsa-1024.pem"]}`, []string{
			pre + `publicKeys[0] = "` + keys + `ec.pem": is a *ecdsa.PublicKey key; CloudFront takes only RSA keys`,
			pre + `publicKeys[1] = "` + keys + `rsa-1024.pem": is an RSA key of 1024 bits; CloudFront takes 2048-bit keys`}},
		{"the same key twice", `{"publicKeys": ["` + keys + `key-1.pem", "` + keys + `../cdn-keys/key-1.pem"]}`, []string{
			pre + `publicKeys[1] = "` + keys + `../cdn-keys/key-1.pem": is the same key as environments.dev.delivery.publicKeys[0]; rotation needs two different keys`}},
		{"settings", `{"publicKeys": ["` + keys + `key-1.pem"], "priceClass": "All", "signatureTtlSeconds": 7200, "logExpirationDays": -1, "domainName": "Images.Example.com", "certificateArn": "arn:aws:acm:eu-west-1:123456789012:certificate/12345678-1234-1234-1234-123456789012"}`, []string{
			pre + `priceClass = "All": must be one of "PriceClass_100", "PriceClass_200", "PriceClass_All"`,
			pre + `signatureTtlSeconds = 7200: must be a whole number of seconds from 60 to 3600`,
			pre + `logExpirationDays = -1: must be a whole number of days from 1 to 3650`,
			pre + `domainName = "Images.Example.com": ` + limits.DomainName.Allowed,
			pre + `certificateArn = "arn:aws:acm:eu-west-1:123456789012:certificate/12345678-1234-1234-1234-123456789012": ` + limits.CertificateArn.Allowed}},
		{"a domain without a certificate", `{"publicKeys": ["` + keys + `key-1.pem"], "domainName": "images.example.com"}`, []string{
			pre + `certificateArn: is required with domainName (images.example.com): CloudFront serves a custom domain only with an ACM certificate for it in us-east-1`}},
		{"a certificate without a domain", `{"publicKeys": ["` + keys + `key-1.pem"], "certificateArn": "` + cert + `"}`, []string{
			pre + `domainName: is required with certificateArn: the certificate is only used for a custom domain`}},
	}
	if os.Getuid() != 0 { // root reads a file of mode 000
		cases = append(cases, struct {
			name, delivery string
			want           []string
		}{"unreadable", `{"publicKeys": ["` + filepath.Join(dir, "unreadable.pem") + `"]}`, []string{
			pre + `publicKeys[0] = "` + filepath.Join(dir, "unreadable.pem") + `": cannot be read: open ` + filepath.Join(dir, "unreadable.pem") + `: permission denied`}})
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := config.Parse("dev", []byte(`{`+ok+`, "delivery": `+c.delivery+`}`))
			if err == nil {
				t.Fatalf("%s: accepted", c.delivery)
			}
			if got := strings.Split(err.Error(), "\n"); !slices.Equal(got, c.want) {
				t.Errorf("%s:\n got:\n  %s\nwant:\n  %s", c.delivery, strings.Join(got, "\n  "), strings.Join(c.want, "\n  "))
			}
		})
	}
}

func TestAPISettings(t *testing.T) {
	env, err := config.Parse("dev", []byte(`{`+ok+`, "api": {}}`))
	if err != nil {
		t.Fatal(err)
	}
	if a := env.API; a.ThrottleRateLimit != 50 || a.ThrottleBurstLimit != 100 || *a.AuthorizerCacheSeconds != 60 || a.MaxActiveTokensPerOwner != 20 ||
		strings.Join(a.Scopes, ",") != "read,write" || a.ExecutionLogging || len(a.AllowedOrigins) != 0 {
		t.Errorf("defaults: %+v", a)
	}
	env, err = config.Parse("dev", []byte(`{`+ok+`, "api": {"authorizerCacheSeconds": 0}}`))
	if err != nil || *env.API.AuthorizerCacheSeconds != 0 {
		t.Errorf("a cache of 0 (off) is allowed: %v, %v", err, env.API)
	}
}

func TestBadAPI(t *testing.T) {
	pre := "invalid cdk.json context: environments.dev.api."
	_, err := config.Parse("dev", []byte(`{`+ok+`, "api": {"throttleRateLimit": 20000, "throttleBurstLimit": -1, "authorizerCacheSeconds": 7200,
		"maxActiveTokensPerOwner": 1001, "allowedOrigins": ["https://app.example.com/path"], "scopes": ["read", "Write Items", "read"], "apiKeys": true}}`))
	want := []string{
		pre + `apiKeys = true: unknown field; allowed: throttleRateLimit, throttleBurstLimit, authorizerCacheSeconds, maxActiveTokensPerOwner, allowedOrigins, scopes, executionLogging`,
		pre + `throttleRateLimit = 20000: must be a whole number of requests per second from 1 to 10000`,
		pre + `throttleBurstLimit = -1: must be a whole number of requests from 1 to 5000`,
		pre + `authorizerCacheSeconds = 7200: must be a whole number of seconds (API Gateway caches an authorizer's answer at most an hour; 0 turns the cache off) from 0 to 3600`,
		pre + `maxActiveTokensPerOwner = 1001: must be a whole number of tokens from 1 to 1000`,
		pre + `allowedOrigins[0] = "https://app.example.com/path": must not have a path (/path): "https://app.example.com"`,
		pre + `scopes[1] = "Write Items": ` + limits.Scope.Allowed,
		pre + `scopes[2] = "read": is listed twice`,
	}
	if err == nil {
		t.Fatal("accepted")
	}
	if got := strings.Split(err.Error(), "\n"); !slices.Equal(got, want) {
		t.Errorf("\n got:\n  %s\nwant:\n  %s", strings.Join(got, "\n  "), strings.Join(want, "\n  "))
	}
}

func TestBuiltLine(t *testing.T) {
	got := config.BuiltLine("prod", map[string]any{"prod": nil, "dev": nil})
	if want := `gatehouse: synthesized environment "prod" (stacks prod/*); another: -c env=<dev|prod>`; got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
}

// TestSyntaxErrorsSayWhere: a cdk.json that is not JSON is reported as such, with the line and
// column, not as a missing field.
func TestSyntaxErrorsSayWhere(t *testing.T) {
	path := filepath.Join(t.TempDir(), "cdk.json")
	must(0, os.WriteFile(path, []byte("{\n  \"context\": {\n    \"env\": \"dev\",\n  }\n}\n"), 0o600))
	_, err := config.ContextFromFile(path)
	if want := path + ":4:3: not valid JSON: invalid character '}' looking for beginning of object key string"; err == nil || err.Error() != want {
		t.Errorf("err = %v\nwant %s", err, want)
	}
	if _, err := config.FromFile(path, "dev"); err == nil || !strings.Contains(err.Error(), ":4:3: not valid JSON") {
		t.Errorf("FromFile: %v", err)
	}
}

// TestPlaceholders: the shipped stand-ins are found, one line each, naming the field and what to
// do; a real configuration has none.
func TestPlaceholders(t *testing.T) {
	prod := must(config.FromFile(filepath.Join("..", "..", "cdk.json"), "prod"))
	want := []string{
		`environments.prod.allowedOrigins[0] = "https://app.example.com": is a documentation domain, a placeholder: set your site's origin`,
		`environments.prod.delivery.publicKeys[0] = "app/keys/prod-cdn.pem": is the example key shipped as app/keys/prod-cdn.pem, whose private half nobody has: run ` + "`make cdn-key ENV=prod`",
	}
	if got := prod.Placeholders(); !slices.Equal(got, want) {
		t.Errorf("prod:\n  %s\nwant:\n  %s", strings.Join(got, "\n  "), strings.Join(want, "\n  "))
	}
	dev := must(config.FromFile(filepath.Join("..", "..", "cdk.json"), "dev"))
	if got := dev.Placeholders(); len(got) != 1 || !strings.Contains(got[0], "delivery.publicKeys[0] = \"app/keys/dev-cdn.pem\": is the example key") {
		t.Errorf("dev: %q", got)
	}
	env, err := config.Parse("dev", []byte(`{`+ok+`, "developerRoleArns": ["arn:aws:iam::123456789012:role/Dev"],
		"email": {"from": "no-reply@mail.example.com", "sesIdentity": "mail.example.com"},
		"crossAccount": {"trustedAccountId": "123456789012", "externalId": "a-long-enough-external-id-1234"}}`))
	if err != nil {
		t.Fatal(err)
	}
	got := strings.Join(env.Placeholders(), "\n")
	for _, field := range []string{"developerRoleArns[0]", "email.from", "email.sesIdentity", "crossAccount.trustedAccountId"} {
		if !strings.Contains(got, "environments.dev."+field+" = ") {
			t.Errorf("no line for %s in:\n%s", field, got)
		}
	}
	real, err := config.Parse("dev", []byte(`{"region": "eu-west-1", "allowedOrigins": ["https://photos.acme.io"]}`))
	if err != nil || len(real.Placeholders()) != 0 {
		t.Errorf("a real configuration: %v %q", err, real.Placeholders())
	}
}
