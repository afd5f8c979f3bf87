package access

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"sort"
)

// Request is one API call to evaluate.
type Request struct {
	Principal string // caller ARN, service principal such as "ecs-tasks.amazonaws.com", or "*" for anonymous
	Action    string // e.g. "s3:GetObject"
	Resource  string // ARN, e.g. "arn:aws:s3:::bucket/key"
	Context   Context
}

// Statement is one parsed policy statement. Single strings in the JSON become one-element lists.
type Statement struct {
	Sid          string
	Effect       string              // "Allow" or "Deny" exactly (anything else is a parse error)
	Principal    map[string][]string // nil when absent; "Principal": "*" becomes {"*": ["*"]}; e.g. {"AWS": [...], "Service": [...], "Federated": [...]}
	NotPrincipal map[string][]string
	Action       []string
	NotAction    []string
	Resource     []string
	NotResource  []string
	Condition    []Condition // in a deterministic order (sort by operator, then key)
	Index        int         // position in its document, from 0

	// literalVariables is set by ParseDocument when the document's Version predates
	// 2012-10-17, so that ${...} is plain text. The zero value substitutes variables.
	literalVariables bool
}

// Document is a parsed policy document.
type Document struct {
	Version   string
	Statement []Statement
}

// policyVersionVariables is the policy language version that introduced policy variables.
const policyVersionVariables = "2012-10-17"

// ParseDocument parses a policy document given as decoded JSON (what encoding/json produces into
// `any`: map[string]any, []any, string, float64, bool) or as raw JSON bytes/string. Other Go
// values are converted through encoding/json first. Version, when present, must be
// "2012-10-17" or "2008-10-17"; unknown elements, a missing or invalid Effect, Action together
// with NotAction, and similar structural faults are errors. Condition operators and values are
// checked by Statement.Applies.
func ParseDocument(doc any) (Document, error) {
	var data []byte
	switch d := doc.(type) {
	case []byte:
		data = d
	case json.RawMessage:
		data = d
	case string:
		data = []byte(d)
	default:
		b, err := json.Marshal(doc)
		if err != nil {
			return Document{}, fmt.Errorf("policy document: %w", err)
		}
		data = b
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return Document{}, fmt.Errorf("policy document: invalid JSON: %w", err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return Document{}, errors.New("policy document: invalid JSON: data after the document")
	}
	top, ok := v.(map[string]any)
	if !ok {
		return Document{}, fmt.Errorf("policy document: must be a JSON object, got %s", docJSONKind(v))
	}

	var out Document
	for _, name := range docSortedKeys(top) {
		switch name {
		case "Version", "Id", "Statement":
		default:
			return Document{}, fmt.Errorf("policy document: unknown element %q", name)
		}
	}
	if raw, ok := top["Version"]; ok {
		s, ok := raw.(string)
		if !ok || (s != policyVersionVariables && s != "2008-10-17") {
			return Document{}, fmt.Errorf("policy document: Version: must be \"2012-10-17\" or \"2008-10-17\", got %s", docJSONText(raw))
		}
		out.Version = s
	}
	if raw, ok := top["Id"]; ok {
		if _, ok := raw.(string); !ok {
			return Document{}, fmt.Errorf("policy document: Id: must be a string, got %s", docJSONKind(raw))
		}
	}
	raw, ok := top["Statement"]
	if !ok {
		return Document{}, errors.New("policy document: Statement: missing")
	}
	var items []any
	switch s := raw.(type) {
	case map[string]any:
		items = []any{s}
	case []any:
		items = s
	default:
		return Document{}, fmt.Errorf("policy document: Statement: must be an object or a list, got %s", docJSONKind(raw))
	}
	for i, item := range items {
		m, ok := item.(map[string]any)
		if !ok {
			return Document{}, fmt.Errorf("statement %d: must be an object, got %s", i, docJSONKind(item))
		}
		st, err := parseStmtObject(m, i, out.Version != policyVersionVariables)
		if err != nil {
			return Document{}, err
		}
		out.Statement = append(out.Statement, st)
	}
	return out, nil
}

// parseStmtObject parses one statement object.
func parseStmtObject(m map[string]any, index int, literalVariables bool) (Statement, error) {
	st := Statement{Index: index, literalVariables: literalVariables}
	if raw, ok := m["Sid"]; ok {
		s, ok := raw.(string)
		if !ok {
			return st, st.stmtErr("Sid", "must be a string, got %s", docJSONKind(raw))
		}
		st.Sid = s
	}
	var err error
	for _, name := range docSortedKeys(m) {
		raw := m[name]
		switch name {
		case "Sid":
		case "Effect":
			s, ok := raw.(string)
			if !ok || (s != "Allow" && s != "Deny") {
				return st, st.stmtErr("Effect", "must be \"Allow\" or \"Deny\", got %s", docJSONText(raw))
			}
			st.Effect = s
		case "Principal":
			st.Principal, err = parseStmtPrincipal(st, name, raw)
		case "NotPrincipal":
			st.NotPrincipal, err = parseStmtPrincipal(st, name, raw)
		case "Action":
			st.Action, err = parseStmtStrings(st, name, raw)
		case "NotAction":
			st.NotAction, err = parseStmtStrings(st, name, raw)
		case "Resource":
			st.Resource, err = parseStmtStrings(st, name, raw)
		case "NotResource":
			st.NotResource, err = parseStmtStrings(st, name, raw)
		case "Condition":
			st.Condition, err = parseConditionBlock(st, raw)
		default:
			err = st.stmtErr(name, "unknown element")
		}
		if err != nil {
			return st, err
		}
	}
	switch {
	case st.Effect == "":
		return st, st.stmtErr("Effect", "missing")
	case st.Action == nil && st.NotAction == nil:
		return st, st.stmtErr("Action", "missing (need Action or NotAction)")
	case st.Action != nil && st.NotAction != nil:
		return st, st.stmtErr("Action", "Action and NotAction cannot both be present")
	case st.Resource != nil && st.NotResource != nil:
		return st, st.stmtErr("Resource", "Resource and NotResource cannot both be present")
	case st.Principal != nil && st.NotPrincipal != nil:
		return st, st.stmtErr("Principal", "Principal and NotPrincipal cannot both be present")
	}
	return st, nil
}

// parseStmtStrings parses a string or a non-empty list of strings.
func parseStmtStrings(st Statement, element string, raw any) ([]string, error) {
	switch v := raw.(type) {
	case string:
		return []string{v}, nil
	case []any:
		if len(v) == 0 {
			return nil, st.stmtErr(element, "empty list")
		}
		out := make([]string, 0, len(v))
		for _, item := range v {
			s, ok := item.(string)
			if !ok {
				return nil, st.stmtErr(element, "list items must be strings, got %s", docJSONKind(item))
			}
			out = append(out, s)
		}
		return out, nil
	}
	return nil, st.stmtErr(element, "must be a string or a list of strings, got %s", docJSONKind(raw))
}

// parseStmtPrincipal parses "*" or an object such as {"AWS": [...], "Service": "..."}.
func parseStmtPrincipal(st Statement, element string, raw any) (map[string][]string, error) {
	switch v := raw.(type) {
	case string:
		if v != "*" {
			return nil, st.stmtErr(element, "must be \"*\" or an object, got %q", v)
		}
		return map[string][]string{"*": {"*"}}, nil
	case map[string]any:
		out := make(map[string][]string, len(v))
		for _, kind := range docSortedKeys(v) {
			list, err := parseStmtStrings(st, element+"."+kind, v[kind])
			if err != nil {
				return nil, err
			}
			out[kind] = list
		}
		return out, nil
	}
	return nil, st.stmtErr(element, "must be \"*\" or an object, got %s", docJSONKind(raw))
}

// parseConditionBlock parses {"Operator": {"key": value-or-list}}, sorted by operator then key.
func parseConditionBlock(st Statement, raw any) ([]Condition, error) {
	block, ok := raw.(map[string]any)
	if !ok {
		return nil, st.stmtErr("Condition", "must be an object, got %s", docJSONKind(raw))
	}
	var out []Condition
	for _, op := range docSortedKeys(block) {
		keys, ok := block[op].(map[string]any)
		if !ok {
			return nil, st.stmtErr("Condition", "%s: must be an object of condition keys, got %s", op, docJSONKind(block[op]))
		}
		for _, key := range docSortedKeys(keys) {
			var items []any
			if list, ok := keys[key].([]any); ok {
				items = list
			} else {
				items = []any{keys[key]}
			}
			values := make([]string, 0, len(items))
			for _, item := range items {
				s, ok := conditionScalar(item)
				if !ok {
					return nil, st.stmtErr("Condition", "%s %q: values must be strings, numbers or booleans, got %s", op, key, docJSONKind(item))
				}
				values = append(values, s)
			}
			out = append(out, Condition{Operator: op, Key: key, Values: values})
		}
	}
	return out, nil
}

// conditionScalar converts a JSON string, number or boolean to its string form.
func conditionScalar(v any) (string, bool) {
	switch s := v.(type) {
	case string:
		return s, true
	case json.Number:
		return s.String(), true
	case bool:
		if s {
			return "true", true
		}
		return "false", true
	}
	return "", false
}

func docSortedKeys(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// docJSONKind names the JSON type of a decoded value for error messages.
func docJSONKind(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case string:
		return "a string"
	case json.Number, float64:
		return "a number"
	case bool:
		return "a boolean"
	case []any:
		return "a list"
	case map[string]any:
		return "an object"
	}
	return fmt.Sprintf("%T", v)
}

// docJSONText shows a decoded scalar as JSON, or its kind for lists and objects.
func docJSONText(v any) string {
	switch s := v.(type) {
	case string:
		return fmt.Sprintf("%q", s)
	case json.Number:
		return s.String()
	case bool:
		return fmt.Sprintf("%t", s)
	}
	return docJSONKind(v)
}
