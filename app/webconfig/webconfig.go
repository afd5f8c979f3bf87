// Package webconfig turns a deploy's outputs (the file `cdk deploy --outputs-file` writes) into
// the web app's configuration: amplify_outputs.json for Amplify JS / Amplify UI in the browser,
// and .env.local for the Next.js server.
//
// Every value comes from an output key the stacks declare (package contract);
// the storage paths come from the same access rules the bucket policies are generated from, so
// the two cannot disagree. Problems are reported all at once, one line each, naming the stack,
// the output key and what is wrong; files are written to a temporary name and renamed, so a
// failed run leaves nothing half-written. The command, its flags and where it reads from are
// app/cmd/web-config's.
package webconfig

import (
	"cmp"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/gatehouse-cdk/gatehouse/accessrules"
	"github.com/gatehouse-cdk/gatehouse/app/contract"
	"github.com/gatehouse-cdk/gatehouse/limits"
)

// Outputs are a deploy's outputs: stack name -> output key -> value.
type Outputs map[string]map[string]string

// ReadOutputs reads the file `cdk deploy --outputs-file` writes.
func ReadOutputs(path string) (Outputs, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		if os.IsNotExist(err) {
			return nil, fmt.Errorf("%s does not exist: deploy first with `make deploy ENV=<env> PROFILE=<profile>`, which writes it (cdk deploy --outputs-file)", path)
		}
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	var generic map[string]map[string]any
	if err := json.Unmarshal(raw, &generic); err != nil {
		return nil, fmt.Errorf("%s is not a cdk deploy outputs file ({\"<stack>\": {\"<output>\": \"<value>\"}}): %v", path, err)
	}
	out := Outputs{}
	for stack, values := range generic {
		out[stack] = map[string]string{}
		for k, v := range values {
			out[stack][k] = fmt.Sprint(v)
		}
	}
	return out, nil
}

// SourceStacks are the stacks of environment env whose outputs the web app's configuration is
// written from; all are in the environment's account and region, so a hosted build can read them
// (the Amplify build role may DescribeStacks these and no other). The cross-account stack, whose
// role the web app does not use and which may live in another account, is read only from an
// outputs file.
func SourceStacks(env string) []string {
	parts := []string{contract.Auth, contract.Uploads, contract.Server, contract.Hosting, contract.Delivery, contract.API}
	names := make([]string, len(parts))
	for i, part := range parts {
		names[i] = contract.StackName(env, part)
	}
	return names
}

// Files are the generated files' contents.
type Files struct {
	AmplifyOutputs []byte // amplify_outputs.json
	EnvLocal       []byte // .env.local
}

// reader looks up outputs and collects problems.
type reader struct {
	file     string
	deployed Outputs
	problems []string
	missing  map[string]bool // stacks already reported missing
}

func (r *reader) get(stack, key string, required bool) string {
	values, ok := r.deployed[stack]
	if !ok {
		if required && !r.missing[stack] {
			r.missing[stack] = true
			r.problems = append(r.problems, fmt.Sprintf("%s: no stack %q: deploy it (make deploy ENV=<env>) so that its outputs are written", r.file, stack))
		}
		return ""
	}
	v, ok := values[key]
	if !ok {
		if required {
			r.problems = append(r.problems, fmt.Sprintf("%s: stack %q has no output %q: redeploy it with this version of gatehouse", r.file, stack, key))
		}
		return ""
	}
	if why := contract.Check(key, v); why != "" {
		r.problems = append(r.problems, fmt.Sprintf("%s: stack %q output %q = %q: %s", r.file, stack, key, v, why))
	}
	return v
}

// Generate builds the files for environment env from deployed outputs (file names where they came from,
// for messages).
func Generate(file string, deployed Outputs, env string) (Files, error) {
	r := &reader{file: file, deployed: deployed, missing: map[string]bool{}}
	authStack, uploadsStack := contract.StackName(env, contract.Auth), contract.StackName(env, contract.Uploads)
	serverStack, hostingStack, crossStack := contract.StackName(env, contract.Server), contract.StackName(env, contract.Hosting), contract.StackName(env, contract.CrossAccount)

	region := r.get(authStack, contract.Region, true)
	userPool := r.get(authStack, contract.UserPoolID, true)
	client := r.get(authStack, contract.UserPoolClientID, true)
	identityPool := r.get(authStack, contract.IdentityPoolID, true)
	guests := r.get(authStack, contract.GuestsEnabled, true)
	selfSignUp := r.get(authStack, contract.SelfSignUp, true)
	mfa := r.get(authStack, contract.MfaConfiguration, true)
	// Deployed before owner keys existed: the identity id, which is all there was.
	ownerKey := cmp.Or(r.get(authStack, contract.OwnerKey, false), limits.DefaultOwnerKey)
	bucket := r.get(uploadsStack, contract.UploadBucketName, true)
	trustRole := r.get(serverStack, contract.TrustRoleArn, true)
	sessionName := r.get(serverStack, contract.SessionName, true)
	duration := r.get(serverStack, contract.SessionDurationSeconds, true)
	fnName := r.get(serverStack, contract.AssetFunctionName, true)
	fnArn := r.get(serverStack, contract.AssetFunctionArn, true)
	feedback := r.get(hostingStack, contract.FeedbackTopicArn, false)
	crossRole := r.get(crossStack, contract.CrossAccountRoleArn, false)
	// Image delivery: the distribution is in the uploads stack, the signer in the delivery stack.
	deliveryStack := contract.StackName(env, contract.Delivery)
	cdn := r.get(uploadsStack, contract.CdnDomain, false)
	signer := r.get(deliveryStack, contract.SignerFunctionName, false)
	apiStack := contract.StackName(env, contract.API)
	apiURL := r.get(apiStack, contract.APIURL, false)
	tokenService := r.get(apiStack, contract.TokenServiceFunctionName, apiURL != "")
	if (cdn == "") != (signer == "") {
		r.problems = append(r.problems, fmt.Sprintf("%s: image delivery is half deployed (%q %s, %q %s): deploy every stack of the environment (make deploy ENV=%s)",
			file, uploadsStack, has(cdn, contract.CdnDomain), deliveryStack, has(signer, contract.SignerFunctionName), env))
	}
	if len(r.problems) > 0 {
		return Files{}, &Error{Problems: r.problems}
	}

	amplifyMFA := map[string]string{"off": "NONE", "optional": "OPTIONAL", "required": "REQUIRED"}[mfa]
	authSection := map[string]any{
		"aws_region":                         region,
		"user_pool_id":                       userPool,
		"user_pool_client_id":                client,
		"identity_pool_id":                   identityPool,
		"unauthenticated_identities_enabled": guests == "true",
		"username_attributes":                []string{"email"},
		"standard_required_attributes":       []string{"email"},
		"user_verification_types":            []string{"email"},
		"password_policy": map[string]any{
			"min_length": limits.PasswordMinLength, "require_lowercase": true, "require_uppercase": true,
			"require_numbers": true, "require_symbols": true,
		},
		"mfa_configuration": amplifyMFA,
		"mfa_methods":       []string{},
	}
	if mfa != "off" {
		authSection["mfa_methods"] = []string{"TOTP"}
	}
	paths := accessrules.AmplifyPaths(accessrules.Reference())
	document := map[string]any{
		"$schema": "https://raw.githubusercontent.com/aws-amplify/amplify-backend/main/packages/client-config/src/client-config-schema/schema_v1.4.json",
		"version": "1.4",
		"auth":    authSection,
		"storage": map[string]any{
			"aws_region":  region,
			"bucket_name": bucket,
			"buckets": []any{map[string]any{
				"name": "uploads", "bucket_name": bucket, "aws_region": region, "paths": paths,
			}},
		},
		// Amplify's place for an app's own outputs: what the sign-in page shows.
		// owner_key says what {entity_id} in the storage paths stands for: the identity id, as
		// Amplify assumes, or the user pool's sub (the app builds the folder from the user's id).
		"custom": map[string]any{"self_sign_up_enabled": selfSignUp == "true", "owner_key": ownerKey},
	}
	amplifyJSON, err := json.MarshalIndent(document, "", "  ")
	if err != nil {
		return Files{}, err
	}

	var dotenv strings.Builder
	fmt.Fprintf(&dotenv, "# Generated by app/cmd/web-config (make web-config) from %s (environment %s). Do not edit: regenerate after each deploy.\n", file, env)
	line := func(key, value string) { fmt.Fprintf(&dotenv, "%s=%s\n", key, value) }
	line("AWS_REGION", region)
	line("TRUST_ROLE_ARN", trustRole)
	line("ROLE_SESSION_NAME", sessionName)
	line("SESSION_DURATION_SECONDS", duration)
	line("ASSET_FUNCTION_NAME", fnName)
	line("ASSET_FUNCTION_ARN", fnArn)
	if feedback != "" {
		line("FEEDBACK_TOPIC_ARN", feedback)
	}
	if crossRole != "" {
		line("CROSS_ACCOUNT_ROLE_ARN", crossRole)
	}
	if cdn != "" {
		line("CDN_DOMAIN", cdn)
		line("SIGNER_FUNCTION_NAME", signer)
	}
	if apiURL != "" {
		line("API_URL", apiURL)
		line("TOKEN_SERVICE_FUNCTION_NAME", tokenService)
	}
	return Files{AmplifyOutputs: append(amplifyJSON, '\n'), EnvLocal: []byte(dotenv.String())}, nil
}

func has(value, key string) string {
	if value == "" {
		return "has no " + key
	}
	return "has " + key
}

// Error lists every problem found in the outputs.
type Error struct{ Problems []string }

func (e *Error) Error() string { return strings.Join(e.Problems, "\n") }

// Write writes amplify_outputs.json and the server's env file (dotenv, one of DotenvNames) into
// dir atomically: each is written to a temporary file in dir and renamed, and nothing is renamed
// unless both were written.
func (f Files) Write(dir, dotenv string) error {
	targets := []struct {
		name string
		data []byte
	}{{"amplify_outputs.json", f.AmplifyOutputs}, {dotenv, f.EnvLocal}}
	var temps []string
	cleanup := func() {
		for _, t := range temps {
			os.Remove(t)
		}
	}
	for _, t := range targets {
		tmp, err := os.CreateTemp(dir, "."+t.name+".tmp-*")
		if err != nil {
			cleanup()
			return err
		}
		temps = append(temps, tmp.Name())
		if _, err := tmp.Write(t.data); err != nil {
			tmp.Close()
			cleanup()
			return err
		}
		if err := tmp.Close(); err != nil {
			cleanup()
			return err
		}
	}
	for i, t := range targets {
		if err := os.Rename(temps[i], filepath.Join(dir, t.name)); err != nil {
			cleanup()
			return err
		}
	}
	return nil
}
