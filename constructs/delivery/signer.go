package delivery

import (
	"fmt"
	"slices"
	"strings"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslambda"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssecretsmanager"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"

	"github.com/gatehouse-cdk/gatehouse/constructs/assetfn"
	"github.com/gatehouse-cdk/gatehouse/internal/guard"
	"github.com/gatehouse-cdk/gatehouse/internal/nag"
	"github.com/gatehouse-cdk/gatehouse/limits"
)

// SignerProps configure NewSigner.
type SignerProps struct {
	// Code is the signer function's code (functions/signer built for linux/arm64: make build).
	// Required.
	Code awslambda.Code
	// Distribution is the distribution whose keys sign and whose domain the signatures name.
	// Required.
	Distribution *ImageDistribution
	// SignIn is the sign-in whose users get signatures: the user pool whose ID tokens the signer
	// accepts, the web client they must be for, and the identity pool whose identity ids name
	// the folders (*auth.UserAuth). Required.
	SignIn assetfn.SignIn
	// SignatureTTLSeconds: how long a signature stays valid. Default 900; 60 to 3600
	// (limits.SignatureTTLSeconds).
	SignatureTTLSeconds int
	// Folder is the delivered path whose <identity id>/ subfolders the signatures open; one of
	// the distribution's Paths. Default the first of them.
	Folder string
}

// SignerPropsScope names SignerProps in errors of Validate.
const SignerPropsScope = "delivery.SignerProps"

func (p *SignerProps) withDefaults() SignerProps {
	q := guard.Copy(p)
	q.SignatureTTLSeconds = limits.SignatureTTLSeconds.Or(q.SignatureTTLSeconds)
	if q.Folder == "" && q.Distribution != nil {
		q.Folder = q.Distribution.paths[0]
	}
	return q
}

// Validate reports every problem of p as a *limits.Error.
func (p *SignerProps) Validate() error {
	q := p.withDefaults()
	ps := limits.NewProblems(SignerPropsScope)
	if q.Code == nil {
		ps.Add("Code", nil, "is required: a directory with the signer's linux/arm64 `bootstrap` (make build puts it in build/functions/signer)")
	}
	if q.Distribution == nil {
		ps.Add("Distribution", nil, "is required: the ImageDistribution whose keys sign")
	} else if !slices.Contains(q.Distribution.paths, q.Folder) {
		ps.Add("Folder", q.Folder, "must be one of the distribution's Paths: "+strings.Join(q.Distribution.paths, ", "))
	}
	if q.SignIn == nil {
		ps.Add("SignIn", nil, "is required: the sign-in construct (*auth.UserAuth) whose users get signatures")
	}
	limits.SignatureTTLSeconds.Check(ps, "SignatureTTLSeconds", q.SignatureTTLSeconds)
	return ps.Err()
}

// Signer is the signer asset function and the secret holding the private signing key.
type Signer struct {
	constructs.Construct
	function *assetfn.AssetFunction
	secret   awssecretsmanager.Secret
}

// NewSigner builds the signer: an asset function (see package assetfn) whose role alone may read
// the signing key's secret. The secret is created with a random placeholder (the key never
// appears in a template, an output or a log; `make cdn-key` prints the command that stores it)
// and retained. A resource policy on the secret denies reading it to every principal but the
// function's role, whatever their own policies allow. Invoke it through the trust role
// (rolechain.TrustRole.GrantInvoke).
func NewSigner(scope constructs.Construct, id *string, props *SignerProps) *Signer {
	guard.Check(scope, id, props.Validate())
	p := props.withDefaults()
	s := &Signer{}
	constructs.NewConstruct_Override(s, scope, id)

	s.secret = awssecretsmanager.NewSecret(s, jsii.String("SigningKey"), &awssecretsmanager.SecretProps{
		Description: jsii.String("Private CloudFront signing key (PEM) of " + *s.Node().Path() + ": store it with the command make cdn-key prints"),
		// A random placeholder until the key is stored: the signer answers not_configured.
		GenerateSecretString: &awssecretsmanager.SecretStringGenerator{PasswordLength: jsii.Number(32), ExcludePunctuation: jsii.Bool(true)},
		RemovalPolicy:        awscdk.RemovalPolicy_RETAIN,
	})
	nag.Suppress(s.secret.Node().DefaultChild(), nag.Suppression{ID: "AwsSolutions-SMG4",
		Reason: "The key is rotated together with the distribution's trusted public keys (make cdn-key, docs/image-delivery.md); a scheduled Secrets Manager rotation cannot change those, and would break every signature."})
	ids, order := map[string]string{}, []string{}
	for _, k := range p.Distribution.keys {
		ids[k.Fingerprint] = *k.ID
		order = append(order, k.Fingerprint)
	}
	s.function = assetfn.NewAssetFunction(s, jsii.String("Function"), &assetfn.AssetFunctionProps{
		Code:            p.Code,
		Description:     "gatehouse signer: a CloudFront signature for the caller's own " + p.Folder + "<identity id>/ folder",
		VerifiesUsersOf: p.SignIn,
		Environment: map[string]string{
			"DISTRIBUTION_DOMAIN":    *p.Distribution.ViewerDomain(),
			"DELIVERED_FOLDER":       p.Folder,
			"TRUSTED_KEYS":           limits.TrustedKeys(ids, order),
			"SIGNING_KEY_SECRET_ARN": *s.secret.SecretArn(),
			"SIGNATURE_TTL_SECONDS":  fmt.Sprint(p.SignatureTTLSeconds),
		},
	})
	role := s.function.Role()
	role.AddToPrincipalPolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Sid:       jsii.String("ReadSigningKey"),
		Actions:   jsii.Strings("secretsmanager:GetSecretValue"),
		Resources: &[]*string{s.secret.SecretArn()},
	}))
	s.secret.AddToResourcePolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Sid:        jsii.String("OnlyTheSignerReadsTheKey"),
		Effect:     awsiam.Effect_DENY,
		Principals: &[]awsiam.IPrincipal{awsiam.NewAnyPrincipal()},
		Actions:    jsii.Strings("secretsmanager:GetSecretValue"),
		Resources:  jsii.Strings("*"),
		Conditions: &map[string]any{"ArnNotEquals": map[string]any{"aws:PrincipalArn": role.RoleArn()}},
	}))
	return s
}

// Function is the signer function.
func (s *Signer) Function() awslambda.IFunction { return s.function.Function() }

// Role is the signer function's execution role: the only principal that may read the key.
func (s *Signer) Role() awsiam.IRole { return s.function.Role() }

// Secret is the secret holding the private signing key.
func (s *Signer) Secret() awssecretsmanager.ISecret { return s.secret }
