// Package accessrules describes who may do what under which key prefix of an upload bucket, as
// data (path -> who -> actions, in the spirit of Amplify Gen 2's defineStorage): the rules are
// validated here, and turned here into the IAM statements (package storage binds them to a
// bucket) and into the storage paths of amplify_outputs.json (package webconfig). It imports no
// CDK package.
package accessrules

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/gatehouse-cdk/gatehouse/limits"
)

// EntityID is the path segment that stands for the caller's own owner key: its identity-pool
// identity id, or its user-pool sub (OwnerVariable).
const EntityID = "{entity_id}"

// IdentityVariable is the IAM policy variable that EntityID becomes in policies with the
// identity-id owner key: the identity-pool identity id (e.g. "ap-southeast-1:1b2c…"), not the
// user pool's `sub`.
const IdentityVariable = "${cognito-identity.amazonaws.com:sub}"

// SubVariable is the IAM policy variable that EntityID becomes with the sub owner key: the
// session tag the identity pool sets from the ID token's sub claim. A session without the tag
// (a guest, or a token of a provider the pool maps no tags for) matches no statement naming it.
const SubVariable = "${aws:PrincipalTag/" + limits.OwnerTag + "}"

// OwnerVariable is the policy variable naming the caller's owner key ownerKey (one of
// limits.OwnerKeys; "" is limits.DefaultOwnerKey).
func OwnerVariable(ownerKey string) string {
	if ownerKey == limits.OwnerKeySub {
		return SubVariable
	}
	return IdentityVariable
}

// Action is what a rule allows on a path, in Amplify Gen 2's terms.
type Action string

// The actions of an access rule, and the S3 permissions each becomes.
const (
	// Get reads objects: s3:GetObject.
	Get Action = "get"
	// List lists the path's keys: s3:ListBucket, only with an s3:prefix inside the path.
	List Action = "list"
	// Write uploads objects, multipart included: s3:PutObject, s3:AbortMultipartUpload,
	// s3:ListMultipartUploadParts.
	Write Action = "write"
	// Delete deletes objects: s3:DeleteObject.
	Delete Action = "delete"
)

var objectActions = map[Action][]string{
	Get:    {"s3:GetObject"},
	Write:  {"s3:PutObject", "s3:AbortMultipartUpload", "s3:ListMultipartUploadParts"},
	Delete: {"s3:DeleteObject"},
}

// actionOrder is the canonical order of actions in policies and outputs.
var actionOrder = []Action{Get, List, Write, Delete}

// Who is the principal a rule applies to. Use Owner, Authenticated, Guest or Group(name).
type Who struct {
	kind  string
	group string
}

var (
	// Owner is the signed-in identity whose owner key fills the path's {entity_id} segment. Granted to the
	// authenticated role and to every group role, so joining a group never takes a user's own
	// folder away (the Amplify Gen 2 bug amplify-backend#1771).
	Owner = Who{kind: "owner"}
	// Authenticated is every signed-in identity (the authenticated role and every group role).
	Authenticated = Who{kind: "authenticated"}
	// Guest is an unauthenticated identity of the identity pool (needs guests enabled).
	Guest = Who{kind: "guest"}
)

// Group is the signed-in members of the named user pool group (that group's role only).
func Group(name string) Who { return Who{kind: "group", group: name} }

func (w Who) String() string {
	if w.kind == "group" {
		return "group:" + w.group
	}
	if w.kind == "" {
		return "(unset)"
	}
	return w.kind
}

// AccessRule allows Who the Actions on the objects under Path.
type AccessRule struct {
	// Path is a key prefix ending in "/*", e.g. "protected/{entity_id}/*" or "public/*".
	// {entity_id} may appear once, as the whole segment right before the final "/*".
	Path string
	// Who the rule is for.
	Who Who
	// Actions allowed; at least one.
	Actions []Action
}

// Reference are the reference app's rules: each signed-in identity owns protected/<owner key>/
// (its identity id, or its user-pool sub); nothing for other identities, nothing for guests.
func Reference() []AccessRule { return []AccessRule{OwnerProtectedRule()} }

// OwnerProtectedRule is the reference app's rule: each signed-in identity may get, list, write
// and delete under protected/<its owner key>/, and nobody else gets anything there.
func OwnerProtectedRule() AccessRule {
	return AccessRule{Path: "protected/" + EntityID + "/*", Who: Owner, Actions: []Action{Get, List, Write, Delete}}
}

var segmentPattern = regexp.MustCompile(`^[A-Za-z0-9._-]+$`)

// PathRule describes valid rule paths.
const PathRule = `must be segments of letters, digits, '.', '_' or '-' separated by '/', ending in "/*", ` +
	`with {entity_id} at most once as the whole segment before "/*" and not first (e.g. "protected/{entity_id}/*", "public/*")`

// checkPath reports why path is not a valid rule path, or "".
func checkPath(path string) string {
	if !strings.HasSuffix(path, "/*") {
		return PathRule
	}
	segments := strings.Split(strings.TrimSuffix(path, "/*"), "/")
	for i, s := range segments {
		switch {
		case s == EntityID:
			if i != len(segments)-1 || i == 0 {
				return PathRule
			}
		case !segmentPattern.MatchString(s), s == "." || s == "..":
			return PathRule
		}
	}
	return ""
}

// Check checks rules against each other and against the roles that exist. groups are the names
// of groups that have roles; guests says whether a guest role exists.
func Check(ps *limits.Problems, field string, rules []AccessRule, guests bool, groups map[string]bool) {
	type key struct{ path, who string }
	seen := map[key]bool{}
	var paths []string
	for i, r := range rules {
		f := fmt.Sprintf("%s[%d]", field, i)
		if why := checkPath(r.Path); why != "" {
			ps.Add(f+".Path", r.Path, why)
		}
		switch r.Who.kind {
		case "owner":
			if !strings.Contains(r.Path, EntityID) {
				ps.Add(f+".Path", r.Path, "an Owner rule needs the {entity_id} segment, e.g. \"protected/{entity_id}/*\"")
			}
		case "authenticated":
		case "guest":
			if !guests {
				ps.Add(f+".Who", r.Who.String(), "guest rules need a guest role: enable guests (allowGuests) or drop the rule")
			}
		case "group":
			if !groups[r.Who.group] {
				ps.Add(f+".Who", r.Who.String(), "names no group with a role; define the group or fix the name")
			}
		default:
			ps.Add(f+".Who", r.Who.String(), "must be storage.Owner, storage.Authenticated, storage.Guest or storage.Group(name)")
		}
		if len(r.Actions) == 0 {
			ps.Add(f+".Actions", "[]", `must list at least one of "get", "list", "write", "delete"`)
		}
		dup := map[Action]bool{}
		for j, a := range r.Actions {
			if _, known := objectActions[a]; !known && a != List {
				ps.Add(fmt.Sprintf("%s.Actions[%d]", f, j), string(a), `must be one of "get", "list", "write", "delete"`)
			} else if dup[a] {
				ps.Add(fmt.Sprintf("%s.Actions[%d]", f, j), string(a), "is listed twice")
			}
			dup[a] = true
		}
		k := key{r.Path, r.Who.String()}
		if seen[k] {
			ps.Add(f, r.Path+" for "+r.Who.String(), "duplicates an earlier rule for the same path and principal; merge their actions")
		}
		seen[k] = true
		paths = append(paths, r.Path)
	}
	for i, a := range paths {
		for _, b := range paths[:i] {
			if a != b && (strings.HasPrefix(prefixOf(a), prefixOf(b)) || strings.HasPrefix(prefixOf(b), prefixOf(a))) {
				ps.Add(fmt.Sprintf("%s[%d].Path", field, i), a, fmt.Sprintf("overlaps %q: nested paths are ambiguous "+
					"(which rule wins inside the inner one?); use disjoint paths", b))
			}
		}
	}
}

// prefixOf is the key prefix of a rule path for overlap checks ({entity_id} matches anything).
func prefixOf(path string) string {
	p := strings.TrimSuffix(path, "*")
	if i := strings.Index(p, EntityID); i >= 0 {
		p = p[:i]
	}
	return p
}

// Statement is one IAM statement a rule produces, before it is bound to a bucket.
type Statement struct {
	Sid        string
	Actions    []string
	OnBucket   bool    // resource is the bucket ARN (ListBucket), else objects under Prefix
	Prefix     string  // key prefix with {entity_id} resolved, ending in "/"
	Resource   *string // set instead of OnBucket/Prefix for statements on other resources
	Conditions map[string]map[string]any
}

// Statements are the IAM statements of rule r, with statement ids naming the rule; an Owner
// rule's {entity_id} becomes ownerVariable (OwnerVariable of the owner key in force).
func (r AccessRule) Statements(ownerVariable string) []Statement {
	return StatementsFor(Sid(r.Who.kind, r.Who.group, r.Path), r.Path, r.Entity(ownerVariable), r.Actions)
}

// Entity is what the path's {entity_id} stands for in r's statements: ownerVariable for an
// Owner rule, any id ("*") for every other principal.
func (r AccessRule) Entity(ownerVariable string) string {
	if r.Who == Owner {
		return ownerVariable
	}
	return AnyEntity
}

// AnyEntity is what {entity_id} becomes in a rule for any caller: every owner's folder.
const AnyEntity = "*"

// StatementsFor turns one path and set of actions into IAM statements, with {entity_id}
// replaced by entity (a policy variable for the caller's own folder, or AnyEntity).
func StatementsFor(sidPrefix, path, entity string, actions []Action) []Statement {
	prefix := strings.ReplaceAll(strings.TrimSuffix(path, "*"), EntityID, entity)
	has := map[Action]bool{}
	for _, a := range actions {
		has[a] = true
	}
	var objects []string
	for _, a := range actionOrder {
		if has[a] {
			objects = append(objects, objectActions[a]...)
		}
	}
	var out []Statement
	if len(objects) > 0 {
		out = append(out, Statement{Sid: sidPrefix + "Objects", Actions: objects, Prefix: prefix})
	}
	if has[List] {
		out = append(out, Statement{
			Sid: sidPrefix + "List", Actions: []string{"s3:ListBucket"}, OnBucket: true,
			Conditions: map[string]map[string]any{"StringLike": {"s3:prefix": []string{prefix, prefix + "*"}}},
		})
	}
	return out
}

var notSidChars = regexp.MustCompile(`[^A-Za-z0-9]+`)

// Sid makes an IAM statement id from words: letters and digits only.
func Sid(words ...string) string {
	var b strings.Builder
	for _, w := range words {
		for _, part := range notSidChars.Split(w, -1) {
			if part != "" {
				b.WriteString(strings.ToUpper(part[:1]) + part[1:])
			}
		}
	}
	return b.String()
}

// AmplifyPaths renders rules the way Amplify Gen 2's outputs (amplify_outputs.json, storage
// paths) describe access, so Amplify JS knows what each caller may do: path -> who -> actions.
// Who is "entityidentity" (Owner), "authenticated", "guest" or "groups<name>".
func AmplifyPaths(rules []AccessRule) map[string]map[string][]string {
	out := map[string]map[string][]string{}
	for _, r := range rules {
		var who string
		switch r.Who.kind {
		case "owner":
			who = "entityidentity"
		case "group":
			who = "groups" + r.Who.group
		default:
			who = r.Who.kind
		}
		has := map[Action]bool{}
		for _, a := range r.Actions {
			has[a] = true
		}
		var actions []string
		for _, a := range actionOrder {
			if has[a] {
				actions = append(actions, string(a))
			}
		}
		if out[r.Path] == nil {
			out[r.Path] = map[string][]string{}
		}
		out[r.Path][who] = actions
	}
	return out
}
