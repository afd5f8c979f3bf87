package test

import (
	"maps"
	"slices"
	"testing"

	"github.com/gatehouse-cdk/gatehouse/internal/logicalids"
)

// pinnedLogicalIDs are the logical ids of every stateful resource. CloudFormation replaces a
// resource whose logical id changes: a new, empty user pool (every user must sign up again, and
// identity ids change) or a new bucket (uploads left behind in the retained old one).
var pinnedLogicalIDs = []struct {
	envs                      []string
	stack, resourceType, what string
	ids                       []string
}{
	{allEnvs, "Auth", "AWS::Cognito::UserPool", "the user pool (all user accounts)", []string{logicalids.UserPool}},
	{allEnvs, "Auth", "AWS::Cognito::IdentityPool", "the identity pool (every identity id, i.e. every upload folder name)", []string{logicalids.IdentityPool}},
	{allEnvs, "Uploads", "AWS::S3::Bucket", "the upload and access-log buckets (all uploads and logs)", []string{logicalids.UploadBucket, logicalids.UploadLogBucket}},
	{allEnvs, "Server", "AWS::DynamoDB::GlobalTable", "the items table (every item)", []string{logicalids.ItemsTable}},
	{[]string{"full"}, "CrossAccount", "AWS::S3::Bucket", "the exchange and its access-log buckets", []string{logicalids.ExchangeBucket, logicalids.ExchangeLogBucket}},
	{allEnvs, "Delivery", "AWS::SecretsManager::Secret", "the secret of the private signing key (stored by hand)", []string{logicalids.SigningKeySecret}},
	{allEnvs, "API", "AWS::DynamoDB::GlobalTable", "the token table (every API token)", []string{logicalids.TokenTable}},
	{allEnvs, "DeliveryLogs", "AWS::S3::Bucket", "the image distribution's access-log bucket", []string{logicalids.DeliveryLogBucket}},
	{[]string{"full"}, "Uploads", "AWS::KMS::Key", "the uploads' KMS key (every encrypted upload becomes unreadable)", []string{logicalids.UploadKey}},
}

var allEnvs = []string{"dev", "prod", "full"}

func TestStatefulLogicalIDsArePinned(t *testing.T) {
	r := referenceApp()
	for _, pin := range pinnedLogicalIDs {
		for _, env := range pin.envs {
			got := slices.Sorted(maps.Keys(resourcesOfType(r.json[env+"/"+pin.stack], pin.resourceType)))
			if !slices.Equal(got, pin.ids) {
				t.Errorf("%s/%s: logical ids of %s are %v, pinned %v.\n"+
					"A changed logical id makes CloudFormation REPLACE the resource, and the data of %s would be lost. "+
					"Restore the construct ids, or plan a data migration before changing this pin.",
					env, pin.stack, pin.resourceType, got, pin.ids, pin.what)
			}
		}
	}
}
