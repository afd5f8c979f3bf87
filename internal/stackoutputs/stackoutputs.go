// Package stackoutputs reads deployed stacks' outputs from CloudFormation (DescribeStacks), in
// the shape of the file `cdk deploy --outputs-file` writes. A hosted build has no such file: it
// writes the web app's configuration from these (app/cmd/web-config -from-stacks), with the build role,
// which may DescribeStacks exactly those stacks.
package stackoutputs

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation/types"
	"github.com/aws/smithy-go"

	"github.com/gatehouse-cdk/gatehouse/app/webconfig"
)

// DescribeStacksAPI is the one CloudFormation call this package makes.
type DescribeStacksAPI interface {
	DescribeStacks(ctx context.Context, in *cloudformation.DescribeStacksInput, opts ...func(*cloudformation.Options)) (*cloudformation.DescribeStacksOutput, error)
}

// unusable are the statuses of a stack that never deployed successfully, or is going away: its
// outputs (if any) are not a deployment's.
var unusable = map[types.StackStatus]bool{
	types.StackStatusCreateInProgress: true, types.StackStatusCreateFailed: true,
	types.StackStatusRollbackInProgress: true, types.StackStatusRollbackFailed: true, types.StackStatusRollbackComplete: true,
	types.StackStatusReviewInProgress: true, types.StackStatusDeleteInProgress: true, types.StackStatusDeleteFailed: true,
	types.StackStatusDeleteComplete: true,
}

// Read returns the outputs of the named stacks (source labels them in messages). A stack that
// does not exist is left out, for webconfig.Generate to report if it is required; every other
// problem is one line of a *webconfig.Error.
func Read(ctx context.Context, api DescribeStacksAPI, source string, stacks []string) (webconfig.Outputs, error) {
	deployed := webconfig.Outputs{}
	var problems []string
	for _, name := range stacks {
		out, err := api.DescribeStacks(ctx, &cloudformation.DescribeStacksInput{StackName: aws.String(name)})
		var apiErr smithy.APIError
		switch {
		case errors.As(err, &apiErr) && apiErr.ErrorCode() == "ValidationError" && strings.Contains(apiErr.ErrorMessage(), "does not exist"):
			continue
		case errors.As(err, &apiErr) && (apiErr.ErrorCode() == "AccessDenied" || apiErr.ErrorCode() == "AccessDeniedException"):
			problems = append(problems, fmt.Sprintf("%s: stack %q: not allowed to read it (%s): run with the build role (the hosting stack's BuildRoleArn, the Amplify app's service role), which may DescribeStacks it", source, name, apiErr.ErrorMessage()))
			continue
		case err != nil:
			problems = append(problems, fmt.Sprintf("%s: stack %q: %v", source, name, err))
			continue
		case len(out.Stacks) != 1:
			problems = append(problems, fmt.Sprintf("%s: stack %q: CloudFormation described %d stacks, want 1", source, name, len(out.Stacks)))
			continue
		}
		stack := out.Stacks[0]
		if unusable[stack.StackStatus] {
			problems = append(problems, fmt.Sprintf("%s: stack %q is %s: its outputs are not a deployment's; deploy it (make deploy ENV=<env>) and build again", source, name, stack.StackStatus))
			continue
		}
		values := map[string]string{}
		for _, o := range stack.Outputs {
			values[aws.ToString(o.OutputKey)] = aws.ToString(o.OutputValue)
		}
		deployed[name] = values
	}
	if len(problems) > 0 {
		return nil, &webconfig.Error{Problems: problems}
	}
	return deployed, nil
}
