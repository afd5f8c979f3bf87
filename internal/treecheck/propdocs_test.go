package treecheck

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/gatehouse-cdk/gatehouse/limits"
)

// ranges are the limits package's ranges by name. TestPropDocsStateTheirDefaults reads its source to check
// that none is missing here.
var ranges = map[string]limits.Range{
	"SignatureTTLSeconds": limits.SignatureTTLSeconds, "AccessTokenValidityMinutes": limits.AccessTokenValidityMinutes,
	"IDTokenValidityMinutes": limits.IDTokenValidityMinutes, "RefreshTokenValidityDays": limits.RefreshTokenValidityDays,
	"NoncurrentVersionExpirationDays": limits.NoncurrentVersionExpirationDays, "AccessLogExpirationDays": limits.AccessLogExpirationDays,
	"CorsMaxAgeSeconds": limits.CorsMaxAgeSeconds, "SessionDurationSeconds": limits.SessionDurationSeconds,
	"CrossAccountSessionSeconds": limits.CrossAccountSessionSeconds, "FunctionMemoryMB": limits.FunctionMemoryMB,
	"FunctionTimeoutSeconds": limits.FunctionTimeoutSeconds, "TokenLifetimeDays": limits.TokenLifetimeDays,
	"MaxActiveTokens": limits.MaxActiveTokens, "TokenListPage": limits.TokenListPage,
	"APIThrottleRateLimit": limits.APIThrottleRateLimit, "APIThrottleBurstLimit": limits.APIThrottleBurstLimit,
	"AuthorizerCacheSeconds": limits.AuthorizerCacheSeconds,
}

var rangeRef = regexp.MustCompile(`limits\.([A-Za-z]+)`)

// TestPropDocsStateTheirDefaults: every field of a construct's props says beside it what leaving
// it out does ("Default ...") or that it is required; one whose values are a limits.Range states
// that range's default and bounds as limits defines them (so the doc cannot drift from the limit).
func TestPropDocsStateTheirDefaults(t *testing.T) {
	fset := token.NewFileSet()
	limitsFiles, _ := filepath.Glob(filepath.Join(root, "limits", "*.go"))
	if len(limitsFiles) == 0 {
		t.Fatalf("no Go files in %s", filepath.Join(root, "limits"))
	}
	for _, f := range limitsFiles {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		file, err := parser.ParseFile(fset, f, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		ast.Inspect(file, func(n ast.Node) bool {
			spec, ok := n.(*ast.ValueSpec)
			if !ok {
				return true
			}
			for i, name := range spec.Names {
				if i < len(spec.Values) {
					if lit, ok := spec.Values[i].(*ast.CompositeLit); ok && fmt.Sprint(lit.Type) == "Range" {
						if _, known := ranges[name.Name]; !known {
							t.Errorf("limits.%s is a Range this test does not know: add it to ranges", name.Name)
						}
					}
				}
			}
			return true
		})
	}
	files, _ := filepath.Glob(filepath.Join(root, "constructs", "*", "*.go"))
	checked := 0
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		file, err := parser.ParseFile(fset, f, nil, parser.ParseComments)
		if err != nil {
			t.Fatal(err)
		}
		for _, decl := range file.Decls {
			gen, ok := decl.(*ast.GenDecl)
			if !ok {
				continue
			}
			for _, spec := range gen.Specs {
				ts, ok := spec.(*ast.TypeSpec)
				if !ok {
					continue
				}
				st, isStruct := ts.Type.(*ast.StructType)
				if !isStruct || !strings.HasSuffix(ts.Name.Name, "Props") || !ts.Name.IsExported() {
					continue
				}
				for _, field := range st.Fields.List {
					if len(field.Names) == 0 {
						continue
					}
					where := fmt.Sprintf("%s: %s.%s", filepath.ToSlash(strings.TrimPrefix(f, root+string(filepath.Separator))), ts.Name.Name, field.Names[0].Name)
					doc := strings.Join(strings.Fields(field.Doc.Text()), " ")
					checked++
					if !strings.Contains(doc, "Default") && !strings.Contains(doc, "Required") {
						t.Errorf("%s: its doc says neither its default nor that it is required: %q", where, doc)
					}
					for _, m := range rangeRef.FindAllStringSubmatch(doc, -1) {
						r, ok := ranges[m[1]]
						if !ok {
							continue
						}
						for _, want := range []string{fmt.Sprintf("Default %d", r.Default), fmt.Sprintf("%d to %d", r.Min, r.Max)} {
							if !strings.Contains(doc, want) {
								t.Errorf("%s: names limits.%s but does not say %q: %q", where, m[1], want, doc)
							}
						}
					}
				}
			}
		}
	}
	if checked < 50 {
		t.Errorf("checked %d props fields: the walk over constructs/*/*.go found too few", checked)
	}
}
