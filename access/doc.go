// Package access evaluates a synthesized CDK app's IAM policies offline, so tests can prove who
// can do what before anything is deployed.
//
// LoadModel (a cloud assembly directory, nested stages included) or NewModel (templates, e.g.
// assertions.Template's JSON) resolves the intrinsics policies use (Ref, Fn::GetAtt, Fn::Join,
// Fn::Sub, Fn::Select, Fn::Split, Fn::ImportValue, CDK's Fn::GetStackOutput, Fn::If and
// conditions, Fn::FindInMap, pseudo parameters) to deterministic fake values — one fake account
// (FakeAccount) unless the stack fixes one, and the stack's region — and gathers every role (trust
// policy, inline, attached and customer managed policies, permissions boundary), every resource
// policy (bucket, topic, queue, KMS key, Lambda permission) and every identity pool.
//
// Model.Evaluate decides a request as IAM does within one account: an applicable Deny anywhere
// wins; an Allow from the caller's identity policies (within its boundary) or from a resource
// policy naming the caller allows; a role's trust policy and a KMS key policy must allow on their
// own (naming the account delegates to identity policies); otherwise the request is implicitly
// denied. Result says which statement decided. AWS managed policies, which the model cannot see,
// make a decision Unknown rather than silently empty. Model.SignIn follows an identity pool to its
// role for one identity id and returns the session to make requests with.
//
// Anything the model cannot understand — an unknown intrinsic, an unresolvable reference, an
// unsupported condition operator — is an error naming the stack, logical id and element, never
// a silent allow or deny.
//
// Not modelled: SCPs and RCPs, session policies, cross-account requests, and S3 ACLs (gatehouse
// buckets disable them).
package access
