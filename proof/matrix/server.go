// The server-side role chain's rows.

package matrix

import (
	"strings"

	"github.com/gatehouse-cdk/gatehouse/access"
)

// serverRows: the role chain webpage role -> trust role -> items function -> items table.
func serverRows(m *access.Model, env string, pool *access.IdentityPool, uploads string, a access.Session, developers []string) ([]Row, error) {
	stack := env + "/Server"
	look := &lookup{m: m}
	webpage := look.role(stack + "/WebpageRole/Resource")
	trust := look.role(stack + "/TrustRole/Resource")
	fnRole := look.role(stack + "/ItemsFunction/Role/Resource")
	fn := look.attr(stack, itemsFunctionID, "Arn")
	table := look.attr(stack, itemsTableID, "Arn")
	logGroup := look.attr(stack, itemsLogGroupID, "Arn")
	outputs := look.outputs(stack)
	if look.err != nil {
		return nil, look.err
	}
	sessionName := outputs["RoleSessionName"]
	account := strings.SplitN(webpage.ARN, ":", 6)[4]
	book := newBook(webpage.ARN, "<webpage role>", trust.ARN, "<trust role>", fnRole.ARN, "<items function role>",
		fn, "<items function>", table, "<items table>", strings.TrimSuffix(logGroup, "*"), "<items logs>:", "arn:aws:s3:::"+uploads, "<uploads>", account, "<this account>",
		IdentityA, "<A>")
	add := book.add
	ctx := func(kv ...string) access.Context {
		c := access.Context{}
		for i := 0; i+1 < len(kv); i += 2 {
			c[kv[i]] = []string{kv[i+1]}
		}
		return c
	}
	assume := func(principal, role string, c access.Context) access.Request {
		return access.Request{Principal: principal, Action: "sts:AssumeRole", Resource: role, Context: c}
	}
	web := SessionFor(webpage, "ecs-task")
	trustSession := SessionFor(trust, sessionName)
	fnSession := SessionFor(fnRole, "items")

	// Who gets the webpage role: ECS tasks of this account only.
	add("ECS task of this account", access.Allow, assume("ecs-tasks.amazonaws.com", webpage.ARN, ctx("aws:SourceAccount", account)))
	add("ECS task of another account", access.ImplicitDeny, assume("ecs-tasks.amazonaws.com", webpage.ARN, ctx("aws:SourceAccount", "999999999999")))
	add("Lambda", access.ImplicitDeny, assume("lambda.amazonaws.com", webpage.ARN, ctx("aws:SourceAccount", account)))
	// Who gets the trust role: the webpage role, with the session name, and nobody else.
	add("webpage role", access.Allow, assume(web, trust.ARN, ctx("sts:RoleSessionName", sessionName)))
	add("webpage role", access.ImplicitDeny, assume(web, trust.ARN, ctx("sts:RoleSessionName", "other-session")))
	add("webpage role", access.ImplicitDeny, assume(web, trust.ARN, nil))
	add("items function role", access.ImplicitDeny, assume(fnSession, trust.ARN, ctx("sts:RoleSessionName", sessionName)))
	add("signed-in A", access.ImplicitDeny, assume(a.Principal, trust.ARN, ctx("sts:RoleSessionName", sessionName)))
	add("a role of another account", access.ImplicitDeny, assume("arn:aws:iam::999999999999:role/"+webpage.Name, trust.ARN, ctx("sts:RoleSessionName", sessionName)))
	add("ECS task", access.ImplicitDeny, assume("ecs-tasks.amazonaws.com", trust.ARN, ctx("aws:SourceAccount", account)))
	// Developers' roles (developerRoleArns) get the trust role as the webpage role does, for the
	// server on their machines (make web), and nothing else from gatehouse; a role beside one of
	// them does not. (The caller is the role itself: IAM matches its sessions by the role's id.)
	for _, developer := range developers {
		add("developer role", access.Allow, assume(developer, trust.ARN, ctx("sts:RoleSessionName", sessionName)))
		add("developer role", access.ImplicitDeny, assume(developer, trust.ARN, ctx("sts:RoleSessionName", "other-session")))
		add("developer role", access.ImplicitDeny, access.Request{Principal: developer, Action: "lambda:InvokeFunction", Resource: fn})
		add("developer role", access.ImplicitDeny, access.Request{Principal: developer, Action: "dynamodb:GetItem", Resource: table})
		add("a role beside the developer role", access.ImplicitDeny, assume(developer+"-other", trust.ARN, ctx("sts:RoleSessionName", sessionName)))
	}
	// The webpage role reaches nothing but the trust role.
	add("webpage role", access.ImplicitDeny, access.Request{Principal: web, Action: "lambda:InvokeFunction", Resource: fn})
	add("webpage role", access.ImplicitDeny, access.Request{Principal: web, Action: "dynamodb:GetItem", Resource: table})
	add("webpage role", access.ImplicitDeny, access.Request{Principal: web, Action: "s3:GetObject", Resource: "arn:aws:s3:::" + uploads + "/protected/" + IdentityA + "/photo.jpg"})
	add("webpage role", access.ImplicitDeny, assume(web, fnRole.ARN, nil))
	// The trust role invokes the items function, and nothing else.
	add("trust role", access.Allow, access.Request{Principal: trustSession, Action: "lambda:InvokeFunction", Resource: fn})
	add("trust role", access.Allow, access.Request{Principal: trustSession, Action: "lambda:InvokeFunction", Resource: fn + ":live"})
	add("trust role", access.ImplicitDeny, access.Request{Principal: trustSession, Action: "lambda:InvokeFunction",
		Resource: strings.TrimSuffix(fn, fn[strings.LastIndex(fn, ":")+1:]) + "another-function"})
	for _, action := range []string{"lambda:UpdateFunctionCode", "lambda:UpdateFunctionConfiguration", "lambda:GetFunction", "lambda:AddPermission"} {
		add("trust role", access.ImplicitDeny, access.Request{Principal: trustSession, Action: action, Resource: fn})
	}
	add("trust role", access.ImplicitDeny, access.Request{Principal: trustSession, Action: "dynamodb:GetItem", Resource: table})
	// Every IAM action: denied by the permissions boundary, whatever a policy of the role says.
	add("trust role", access.ExplicitDeny, access.Request{Principal: trustSession, Action: "iam:PassRole", Resource: fnRole.ARN})
	add("trust role", access.ImplicitDeny, assume(trustSession, fnRole.ARN, nil))
	// The function's role makes exactly the calls its code makes on its table's items (GetItem,
	// PutItem, Query), and nothing else: not the item-level calls nearest to them.
	add("Lambda", access.Allow, assume("lambda.amazonaws.com", fnRole.ARN, ctx("aws:SourceAccount", account)))
	add("ECS task", access.ImplicitDeny, assume("ecs-tasks.amazonaws.com", fnRole.ARN, ctx("aws:SourceAccount", account)))
	for _, action := range []string{"dynamodb:PutItem", "dynamodb:GetItem", "dynamodb:Query"} {
		add("items function role", access.Allow, access.Request{Principal: fnSession, Action: action, Resource: table})
	}
	for _, action := range []string{"dynamodb:DeleteItem", "dynamodb:UpdateItem", "dynamodb:BatchGetItem", "dynamodb:BatchWriteItem",
		"dynamodb:Scan", "dynamodb:DeleteTable", "dynamodb:UpdateTable"} {
		add("items function role", access.ImplicitDeny, access.Request{Principal: fnSession, Action: action, Resource: table})
	}
	add("items function role", access.ImplicitDeny, access.Request{Principal: fnSession, Action: "dynamodb:GetItem",
		Resource: strings.TrimSuffix(table, table[strings.LastIndex(table, "/")+1:]) + "another-table"})
	add("items function role", access.ImplicitDeny, access.Request{Principal: fnSession, Action: "s3:GetObject",
		Resource: "arn:aws:s3:::" + uploads + "/protected/" + IdentityA + "/photo.jpg"})
	stream := strings.TrimSuffix(logGroup, "*") + "log-stream:2026/11/22/[$LATEST]0123456789abcdef"
	add("items function role", access.Allow, access.Request{Principal: fnSession, Action: "logs:PutLogEvents", Resource: stream})
	_ = pool
	return book.rows, nil
}
