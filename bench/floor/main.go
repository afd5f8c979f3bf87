// Command floor is the smallest Go CDK app on gatehouse's modules: one stack with one bucket.
// `make bench` synthesizes it beside gatehouse, with the same feature flags and Node, to
// measure what gatehouse costs above what any Go CDK app costs.
package main

import (
	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awss3"
	"github.com/aws/jsii-runtime-go"

	"github.com/gatehouse-cdk/gatehouse/internal/cdkapp"
)

func main() {
	defer cdkapp.Close()
	app := awscdk.NewApp(nil)
	stack := awscdk.NewStack(app, jsii.String("Floor"), nil)
	awss3.NewBucket(stack, jsii.String("Bucket"), nil)
	app.Synth(nil)
}
