// Command floor is the smallest Go CDK app on gatehouse's modules: one stack holding one
// resource that needs nothing beyond aws-cdk-lib's core (a CfnWaitConditionHandle), so that it
// loads no service module. `make bench` synthesizes it beside gatehouse, with the same feature
// flags, Node options and launch (a prebuilt binary), to measure what gatehouse costs above what
// any Go CDK app costs.
package main

import (
	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/jsii-runtime-go"

	"github.com/gatehouse-cdk/gatehouse/internal/cdkapp"
)

func main() {
	defer cdkapp.Close()
	app := awscdk.NewApp(nil)
	stack := awscdk.NewStack(app, jsii.String("Floor"), nil)
	awscdk.NewCfnWaitConditionHandle(stack, jsii.String("Handle"), nil)
	app.Synth(nil)
}
