package calls

import (
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gatehouse-cdk/gatehouse/access"
)

// runtimeGrant is a grant a function's role holds for the Lambda runtime, not for its code: no
// call of the code can use it, so the unused-grant check needs a reason to keep it.
type runtimeGrant struct {
	actions []string
	// resource is the one resource the grant may name for f ("" when f has none).
	resource func(f *function) string
	reason   string
}

// runtimeGrants is the allowlist of the unused-grant check: every grant of a function's role
// that its recorded calls do not use must be one of these, on exactly its resource.
var runtimeGrants = []runtimeGrant{{
	actions:  []string{"logs:CreateLogStream", "logs:PutLogEvents"},
	resource: func(f *function) string { return f.logGroupARN },
	reason:   "the Lambda runtime writes the function's logs to its own log group (LoggingConfig) with the function's role; the code never calls CloudWatch Logs",
}}

// reasonFor is the allowlist's reason for f's grant of action on resource, or "".
func reasonFor(f *function, action, resource string) string {
	for _, g := range runtimeGrants {
		if slices.Contains(g.actions, action) && g.resource(f) != "" && g.resource(f) == resource {
			return g.reason
		}
	}
	return ""
}

// grant is one (action, resource) of an Allow statement of a function's role.
type grant struct {
	fn               *function
	action, resource string
	statement        access.Statement // the statement narrowed to this action and resource
	policy           access.Source
	used             int // how many recorded calls it allowed
}

func (g grant) String() string {
	id := fmt.Sprintf("statement %d", g.statement.Index)
	if g.statement.Sid != "" {
		id += " (" + g.statement.Sid + ")"
	}
	return fmt.Sprintf("%s on %s (%s of %s)", g.action, g.resource, id, g.policy)
}

// report is what the checker found: one line per problem.
type report struct {
	denied   []string // calls a function's role does not allow
	unused   []string // grants no call used and no reason covers
	shapes   []string // calls that do not fit the resources the templates define
	problems []string // calls the harness could not attribute or derive
	reasoned []string // grants the allowlist covers (reported, not failures)
	grants   map[*function][]grant
}

// check evaluates every recorded call against its function's role in a's model, every grant of
// each function's role against the calls, and each call against the templates' resources. The
// calls may come from another app of the same assembly (the mutation tests): their functions
// are found again in a by stack and logical id.
func check(a *app, calls []*call) report {
	r := report{grants: map[*function][]grant{}}
	byFunction := map[*function][]*call{}
	for _, c := range calls {
		for _, p := range c.problems {
			r.problems = append(r.problems, c.String()+": "+p)
		}
		if c.fn == nil {
			continue
		}
		f := a.functionAt(c.fn.stack, c.fn.logicalID)
		if f == nil {
			r.problems = append(r.problems, c.String()+": the function is not in the assembly")
			continue
		}
		byFunction[f] = append(byFunction[f], c)
		r.shapes = append(r.shapes, a.shapeProblems(f, c)...)
		if c.action == "" {
			continue // unsigned: AWS serves it without credentials, no policy applies
		}
		for _, resource := range c.resources {
			result, err := a.model.Evaluate(access.Request{Principal: f.session(), Action: c.action, Resource: resource})
			switch {
			case err != nil:
				r.denied = append(r.denied, fmt.Sprintf("%s: %s on %s: the evaluator failed: %v", f.label(), c.action, resource, err))
			case result.Decision != access.Allow:
				r.denied = append(r.denied, fmt.Sprintf("%s: %s on %s is %s by its role %s (%s) — during %s",
					f.label(), c.action, resource, result.Decision, f.role.LogicalID, result.Reason, c.during))
			}
		}
	}
	for _, f := range a.functions {
		grants, err := grantsOf(a.model, f, byFunction[f])
		if err != nil {
			r.problems = append(r.problems, fmt.Sprintf("%s: %v", f.label(), err))
			continue
		}
		r.grants[f] = grants
		for _, g := range grants {
			if g.used > 0 {
				continue
			}
			if reason := reasonFor(f, g.action, g.resource); reason != "" {
				r.reasoned = append(r.reasoned, fmt.Sprintf("%s: %s: %s", f.label(), g, reason))
				continue
			}
			r.unused = append(r.unused, fmt.Sprintf("%s: its role %s grants %s, which no call of its code used and no reason of runtimeGrants covers: remove it from the construct (%s)",
				f.label(), f.role.LogicalID, g, g.policy.Path))
		}
	}
	return r
}

// grantsOf splits the Allow statements of f's role into (action, resource) grants and counts the
// calls each allows. A statement with NotAction or NotResource is one grant (it grants more than
// it names: it is reported whole).
func grantsOf(m *access.Model, f *function, calls []*call) ([]grant, error) {
	var grants []grant
	for _, p := range f.role.Policies {
		for _, st := range p.Document.Statement {
			if st.Effect != "Allow" {
				continue
			}
			if len(st.NotAction) > 0 || len(st.NotResource) > 0 {
				grants = append(grants, grant{fn: f, action: strings.Join(append(st.Action, prefixed("not ", st.NotAction)...), ","),
					resource: strings.Join(append(st.Resource, prefixed("not ", st.NotResource)...), ","), statement: st, policy: p.Source})
				continue
			}
			resources := st.Resource
			if len(resources) == 0 {
				resources = []string{"*"}
			}
			for _, action := range st.Action {
				for _, resource := range resources {
					one := st
					one.Action, one.Resource = []string{action}, []string{resource}
					grants = append(grants, grant{fn: f, action: action, resource: resource, statement: one, policy: p.Source})
				}
			}
		}
	}
	for i := range grants {
		for _, c := range calls {
			if c.action == "" {
				continue
			}
			for _, resource := range c.resources {
				req := access.Request{Principal: f.session(), Action: c.action, Resource: resource}
				ctx, err := m.ContextFor(req)
				if err != nil {
					return nil, err
				}
				req.Context = ctx
				ok, err := grants[i].statement.Applies(req)
				if err != nil {
					return nil, fmt.Errorf("%s: %w", grants[i], err)
				}
				if ok {
					grants[i].used++
				}
			}
		}
	}
	return grants, nil
}

func prefixed(prefix string, values []string) []string {
	out := make([]string, len(values))
	for i, v := range values {
		out[i] = prefix + v
	}
	return out
}

// shapeProblems checks a call against the resources of the templates: a DynamoDB call names a
// table of the assembly and, with an index, one of its indexes; a PutItem to a table with TTL
// carries the TTL attribute as a Number of epoch seconds (else DynamoDB never expires the item);
// the secret and the API stage exist; no call was refused as malformed.
func (a *app) shapeProblems(f *function, c *call) []string {
	var out []string
	bad := func(format string, args ...any) {
		out = append(out, fmt.Sprintf("%s: %s: ", f.label(), c.action)+fmt.Sprintf(format, args...)+" — during "+c.during)
	}
	switch c.service {
	case "dynamodb":
		for _, use := range c.tables {
			tb := a.tableNamed(use.name)
			if tb == nil {
				bad("table %q is no table of the assembly", use.name)
				continue
			}
			if use.index != "" && !slices.Contains(tb.indexes, use.index) {
				bad("index %q of %s (%s), which has no such index (its indexes: %v): the code and the table's definition disagree", use.index, tb.name, tb.resource, tb.indexes)
			}
			if c.operation == "PutItem" && tb.ttl != "" {
				if problem := ttlProblem(c.item, tb.ttl); problem != "" {
					bad("an item of %s (%s), whose TTL attribute is %s: %s", tb.name, tb.resource, tb.ttl, problem)
				}
			}
		}
	case "secretsmanager":
		for _, arn := range c.resources {
			if a.secrets[arn] == nil {
				bad("%s is no secret of the assembly", arn)
			}
		}
	case "apigateway":
		if c.operation == "FlushStageAuthorizersCache" {
			path := c.resources[0][strings.Index(c.resources[0], "::")+2:]
			if a.stages[strings.TrimSuffix(path, "/cache/authorizers")] == nil {
				bad("%s is the cache of no stage of the assembly", path)
			}
		}
	}
	switch c.errorType {
	case "ValidationException", "SerializationException", "UnknownOperationException", "InvalidParameterException":
		bad("the stand-in refused it as malformed (%s)", c.errorType)
	}
	return out
}

// ttlProblem says what is wrong with an item's TTL attribute, or "".
func ttlProblem(item map[string]map[string]any, attribute string) string {
	value, ok := item[attribute]
	if !ok {
		return "the item has none, so DynamoDB never deletes it"
	}
	n, isNumber := value["N"].(string)
	seconds, err := strconv.ParseInt(n, 10, 64)
	if !isNumber || err != nil {
		return fmt.Sprintf("it is %v, not a Number of whole seconds (DynamoDB ignores it)", value)
	}
	if at := time.Unix(seconds, 0); at.Before(time.Now().AddDate(-1, 0, 0)) || at.After(time.Now().AddDate(5, 0, 0)) {
		return fmt.Sprintf("%d is not a time in epoch seconds near now (milliseconds?)", seconds)
	}
	return ""
}

// tableNamed is the assembly's table with a name (or ARN).
func (a *app) tableNamed(name string) *table {
	if tb := a.tables[name]; tb != nil {
		return tb
	}
	for _, tb := range a.tables {
		if tb.name == name {
			return tb
		}
	}
	return nil
}

// functionAt is the function of stack with logical id.
func (a *app) functionAt(stack, logicalID string) *function {
	for _, f := range a.functions {
		if f.stack == stack && f.logicalID == logicalID {
			return f
		}
	}
	return nil
}

// summary is a table of each function: its role, the calls it made (distinct), the grants its
// role holds and those unused (the README's table).
func (r report) summary(a *app, calls []*call) string {
	var b strings.Builder
	b.WriteString("| function | role | calls made | grants held | unused grants |\n|---|---|---|---|---|\n")
	for _, f := range a.functions {
		made := map[string]bool{}
		for _, c := range calls {
			if c.fn != nil && c.fn.stack == f.stack && c.fn.logicalID == f.logicalID {
				what := c.action
				if what == "" {
					what = c.service + ":" + c.operation + " (unsigned)"
				}
				made[what+" "+describe(a, c.resources)] = true
			}
		}
		var held, unused []string
		for _, g := range r.grants[f] {
			held = append(held, g.action+" "+describe(a, []string{g.resource}))
			if g.used == 0 {
				note := "runtime"
				if reasonFor(f, g.action, g.resource) == "" {
					note = "UNUSED"
				}
				unused = append(unused, g.action+" ("+note+")")
			}
		}
		fmt.Fprintf(&b, "| %s (functions/%s) | %s | %s | %s | %s |\n", f.logicalID, f.kind, f.role.LogicalID,
			strings.Join(slices.Sorted(maps.Keys(made)), "; "), strings.Join(held, "; "), strings.Join(unused, "; "))
	}
	for _, g := range runtimeGrants {
		fmt.Fprintf(&b, "\n(runtime) %s on the function's own: %s\n", strings.Join(g.actions, ", "), g.reason)
	}
	return b.String()
}

// describe names ARNs by the assembly's resources (table, index, secret, stage, log group).
func describe(a *app, arns []string) string {
	var out []string
	for _, arn := range arns {
		name := arn
		for _, tb := range a.tables {
			if arn == tb.arn {
				name = "table " + tb.logicalID
			} else if index, ok := strings.CutPrefix(arn, tb.arn+"/index/"); ok {
				name = "table " + tb.logicalID + " index " + index
			}
		}
		if s := a.secrets[arn]; s != nil {
			name = "secret " + s.logicalID
		}
		for path, s := range a.stages {
			if strings.HasSuffix(arn, "::"+path+"/cache/authorizers") {
				name = "stage " + s.logicalID + " authorizer cache"
			}
		}
		if strings.Contains(arn, ":log-group:") {
			name = "its log group"
		}
		if strings.HasSuffix(arn, ":identitypool/"+a.identityPoolID) {
			name = "the identity pool"
		}
		out = append(out, name)
	}
	return strings.Join(out, ", ")
}
