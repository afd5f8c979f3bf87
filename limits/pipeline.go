package limits

import "regexp"

// The delivery pipeline's settings (config.Pipeline).
var (
	// ConnectionArn is a CodeConnections connection (or its older CodeStar Connections name).
	ConnectionArn = Pattern{re: regexp.MustCompile(`^arn:aws[a-z-]*:(codeconnections|codestar-connections):[a-z0-9-]+:[0-9]{12}:connection/[0-9a-f-]{36}$`),
		Allowed: `must be a CodeConnections connection ARN, e.g. "arn:aws:codeconnections:ap-southeast-1:111122223333:connection/0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d" (Developer Tools > Settings > Connections)`}
	// Repository is a repository on the connection's host, as owner/name.
	Repository = Pattern{re: regexp.MustCompile(`^[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+$`), max: 200,
		Allowed: `must be the repository as "owner/name", e.g. "my-org/gatehouse"`}
	// GitBranch is a git branch name (git check-ref-format, narrowed).
	GitBranch = Pattern{re: regexp.MustCompile(`^[A-Za-z0-9]([A-Za-z0-9._/-]{0,198}[A-Za-z0-9])?$`),
		Allowed: "must be a git branch name: letters, digits and ._/-, starting and ending with a letter or digit"}
)
