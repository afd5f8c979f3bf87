// The Amplify Hosting roles' rows.

package matrix

import (
	"strings"

	"github.com/gatehouse-cdk/gatehouse/access"
	"github.com/gatehouse-cdk/gatehouse/app/config"
	"github.com/gatehouse-cdk/gatehouse/app/contract"
	"github.com/gatehouse-cdk/gatehouse/app/webconfig"
)

// hostingRows: the Amplify SSR compute roles (the app's, and the branches' own, as amplify
// configures them), the build role and the feedback topic.
func hostingRows(m *access.Model, env, uploads string, amplify *config.Amplify) ([]Row, error) {
	stack := env + "/Hosting"
	look := &lookup{m: m}
	compute := look.role(stack + "/ComputeRole/Resource")
	hosted := look.outputs(stack)
	server := look.outputs(env + "/Server")
	table := look.attr(env+"/Server", itemsTableID, "Arn")
	build := look.role(stack + "/BuildRole/Resource")
	if look.err != nil {
		return nil, look.err
	}
	topic := hosted["FeedbackTopicArn"]
	account := strings.SplitN(compute.ARN, ":", 6)[4]
	region := strings.SplitN(topic, ":", 6)[3]
	book := newBook(compute.ARN, "<compute role>", build.ARN, "<build role>", topic, "<feedback topic>", server["TrustRoleArn"], "<trust role>",
		table, "<items table>", "arn:aws:s3:::"+uploads, "<uploads>", IdentityA, "<A>", account, "<this account>",
		"arn:aws:cloudformation:"+region+":"+account+":stack/", "stack ")
	add := book.add
	// What Amplify sends when it assumes a role for a branch of an app (decisive only where the
	// trust has the confused-deputy conditions).
	amplifyContext := func(app, branch string) access.Context {
		return access.Context{"aws:SourceAccount": {account}, "aws:SourceArn": {"arn:aws:amplify:" + region + ":" + account + ":apps/" + app + "/branches/" + branch}}
	}
	restricted := amplify.RestrictTrust
	// The app: the managed one's id, the console app's configured id, else any id.
	app := "d1a2b3c4d5e6f7"
	if v, ok := hosted["AmplifyAppId"]; ok {
		app = v
	} else if amplify.AppID != "" {
		app = amplify.AppID
	}
	assume := func(principal, role string, ctx access.Context) access.Request {
		return access.Request{Principal: principal, Action: "sts:AssumeRole", Resource: role, Context: ctx}
	}
	add("Amplify Hosting", access.Allow, assume("amplify.amazonaws.com", compute.ARN, amplifyContext(app, "main")))
	if restricted {
		// Only a console app's configured id can be named: a managed app's id does not exist
		// before the app, which needs the role, so its trust takes any app of this account.
		otherApp := access.Allow
		if amplify.AppID != "" {
			otherApp = access.ImplicitDeny
		}
		add("Amplify Hosting, for another app of this account", otherApp, assume("amplify.amazonaws.com", compute.ARN, amplifyContext("dotherapp0000", "main")))
		add("Amplify Hosting, for another account", access.ImplicitDeny, assume("amplify.amazonaws.com", compute.ARN,
			access.Context{"aws:SourceAccount": {"999999999999"}, "aws:SourceArn": {"arn:aws:amplify:" + region + ":999999999999:apps/" + app + "/branches/main"}}))
	}
	add("ECS task", access.ImplicitDeny, assume("ecs-tasks.amazonaws.com", compute.ARN, access.Context{"aws:SourceAccount": {account}}))
	add("Lambda", access.ImplicitDeny, assume("lambda.amazonaws.com", compute.ARN, access.Context{"aws:SourceAccount": {account}}))
	ssr := SessionFor(compute, "amplify-ssr")
	req := func(action, resource string, ctx access.Context) access.Request {
		return access.Request{Principal: ssr, Action: action, Resource: resource, Context: ctx}
	}
	add("compute role", access.Allow, req("sns:Publish", topic, nil))
	add("compute role", access.ExplicitDeny, req("sns:Publish", topic, access.Context{"aws:SecureTransport": {"false"}}))
	add("compute role", access.ImplicitDeny, req("sns:Publish", "arn:aws:sns:"+region+":"+account+":another-topic", nil))
	for _, action := range []string{"sns:Subscribe", "sns:DeleteTopic", "sns:SetTopicAttributes"} {
		add("compute role", access.ImplicitDeny, req(action, topic, nil))
	}
	add("compute role", access.ImplicitDeny, req("s3:GetObject", "arn:aws:s3:::"+uploads+"/protected/"+IdentityA+"/photo.jpg", nil))
	add("compute role", access.ImplicitDeny, req("dynamodb:GetItem", table, nil))
	// The web app's server on ECS publishes feedback as the compute role does, with its
	// runtime's credentials: the webpage role's.
	webpage := look.role(env + "/Server/WebpageRole/Resource")
	if look.err != nil {
		return nil, look.err
	}
	ecs := SessionFor(webpage, "ecs-task")
	add("webpage role", access.Allow, access.Request{Principal: ecs, Action: "sns:Publish", Resource: topic})
	add("webpage role", access.ExplicitDeny, access.Request{Principal: ecs, Action: "sns:Publish", Resource: topic, Context: access.Context{"aws:SecureTransport": {"false"}}})
	add("webpage role", access.ImplicitDeny, access.Request{Principal: ecs, Action: "sns:Publish", Resource: "arn:aws:sns:" + region + ":" + account + ":another-topic"})
	add("webpage role", access.ImplicitDeny, access.Request{Principal: ecs, Action: "sns:Subscribe", Resource: topic})
	// A compute role reaches the asset functions through the trust role only when it opted in
	// (amplify.assumeTrustRole for the app's role, a branch's assumeTrustRole for its own), and
	// then only with the session name.
	withSession := func(name string) access.Context { return access.Context{"sts:RoleSessionName": {name}} }
	trustRole := func(who, session string, optedIn bool) {
		if optedIn {
			add(who, access.Allow, assume(session, server["TrustRoleArn"], withSession(server["RoleSessionName"])))
			add(who, access.ImplicitDeny, assume(session, server["TrustRoleArn"], withSession("other-session")))
		} else {
			add(who, access.ImplicitDeny, assume(session, server["TrustRoleArn"], withSession(server["RoleSessionName"])))
		}
	}
	trustRole("compute role", ssr, amplify.AssumeTrustRole)
	add("compute role", access.ImplicitDeny, access.Request{Principal: ssr, Action: "lambda:InvokeFunction", Resource: server["AssetFunctionArn"]})
	// A branch with a role of its own has only what that branch was given.
	for _, b := range amplify.Branches {
		if amplify.RoleOnly || !b.OwnRole {
			continue
		}
		// The construct id stacks.addHosting gives the branch's role.
		role := look.role(stack + "/ComputeRole" + contract.BranchID(b.Name) + "/Resource")
		if look.err != nil {
			return nil, look.err
		}
		who, session := "branch role "+b.Name, SessionFor(role, "amplify-ssr")
		add("Amplify Hosting", access.Allow, assume("amplify.amazonaws.com", role.ARN, amplifyContext(app, b.Name)))
		if restricted {
			add("Amplify Hosting, for another branch", access.ImplicitDeny, assume("amplify.amazonaws.com", role.ARN, amplifyContext(app, b.Name+"-other")))
		}
		publish := access.ImplicitDeny
		if b.PublishFeedback {
			publish = access.Allow
		}
		add(who, publish, access.Request{Principal: session, Action: "sns:Publish", Resource: topic})
		add(who, access.ImplicitDeny, access.Request{Principal: session, Action: "s3:GetObject", Resource: "arn:aws:s3:::" + uploads + "/protected/" + IdentityA + "/photo.jpg"})
		trustRole(who, session, b.AssumeTrustRole)
	}

	// The build role: Amplify's builds of this account's apps assume it; it reads the web app's
	// stacks' outputs (webconfig.SourceStacks) and nothing else.
	appArn := func(acct, app string) access.Context {
		return access.Context{"aws:SourceAccount": {acct}, "aws:SourceArn": {"arn:aws:amplify:" + region + ":" + acct + ":apps/" + app}}
	}
	add("Amplify build", access.Allow, assume("amplify.amazonaws.com", build.ARN, appArn(account, app)))
	add("Amplify build, for another account", access.ImplicitDeny, assume("amplify.amazonaws.com", build.ARN, appArn("999999999999", app)))
	add("Amplify, without its source", access.ImplicitDeny, assume("amplify.amazonaws.com", build.ARN, nil))
	add("ECS task", access.ImplicitDeny, assume("ecs-tasks.amazonaws.com", build.ARN, access.Context{"aws:SourceAccount": {account}}))
	builder := SessionFor(build, "amplify-build")
	stackArn := func(name string) string {
		return "arn:aws:cloudformation:" + region + ":" + account + ":stack/" + name + "/0b1c2d3e-4f50-6172-8394-a5b6c7d8e9f0"
	}
	for _, name := range webconfig.SourceStacks(env) {
		add("build role", access.Allow, requestOf(builder, "cloudformation:DescribeStacks", stackArn(name)))
	}
	for _, name := range []string{contract.StackName(env, contract.CrossAccount), contract.StackName(env+"x", contract.Auth), "CDKToolkit"} {
		add("build role", access.ImplicitDeny, requestOf(builder, "cloudformation:DescribeStacks", stackArn(name)))
	}
	auth := stackArn(contract.StackName(env, contract.Auth))
	for _, action := range []string{"cloudformation:GetTemplate", "cloudformation:UpdateStack", "cloudformation:DeleteStack", "cloudformation:DescribeStackResources"} {
		add("build role", access.ImplicitDeny, requestOf(builder, action, auth))
	}
	add("build role", access.ImplicitDeny, requestOf(builder, "s3:GetObject", "arn:aws:s3:::"+uploads+"/protected/"+IdentityA+"/photo.jpg"))
	add("build role", access.ImplicitDeny, requestOf(builder, "dynamodb:GetItem", table))
	add("build role", access.ImplicitDeny, requestOf(builder, "sns:Publish", topic))
	add("build role", access.ImplicitDeny, access.Request{Principal: builder, Action: "sts:AssumeRole", Resource: server["TrustRoleArn"],
		Context: access.Context{"sts:RoleSessionName": {server["RoleSessionName"]}}})
	add("build role", access.ImplicitDeny, access.Request{Principal: builder, Action: "sts:AssumeRole", Resource: compute.ARN})
	return book.rows, nil
}

// requestOf is a request with no context.
func requestOf(principal, action, resource string) access.Request {
	return access.Request{Principal: principal, Action: action, Resource: resource}
}

// hostingRole is a role of an environment's hosting stack, named as the matrix shows it.
type hostingRole struct {
	role    *access.Role
	who     string
	session string
}

// hostingRoles are the roles of env's hosting stack in ARN order: the compute roles ("compute
// role ComputeRole…", session amplify-ssr) and the build role ("build role", amplify-build).
func hostingRoles(m *access.Model, env string) []hostingRole {
	var out []hostingRole
	for _, arn := range sortedRoleARNs(m) {
		r := m.Roles[arn]
		if r.Stack != env+"/Hosting" {
			continue
		}
		if i := strings.LastIndex(r.Name, "ComputeRole"); i >= 0 && strings.Contains(r.Path, "/ComputeRole") {
			out = append(out, hostingRole{r, "compute role " + r.Name[i:], SessionFor(r, "amplify-ssr")})
		} else if strings.Contains(r.Path, "/BuildRole/") {
			out = append(out, hostingRole{r, "build role", SessionFor(r, "amplify-build")})
		}
	}
	return out
}
