package config_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/gatehouse-cdk/gatehouse/app/config"
)

func TestSandbox(t *testing.T) {
	dev := must(config.Parse("dev", []byte(`{`+ok+`}`)))
	sb, err := config.Sandbox(dev, "alice", nil)
	if err != nil || sb.Name != "sandbox-alice" || sb.SandboxOf != "dev" || sb.DestroyData || !slices.Equal(sb.AllowedOrigins, dev.AllowedOrigins) {
		t.Errorf("sandbox %+v, %v", sb, err)
	}
	if sb, err := config.Sandbox(dev, "alice", "true"); err != nil || !sb.DestroyData {
		t.Errorf("destroyData: %+v, %v", sb, err)
	}
	// Without a sandbox, an environment is returned as it is.
	if same, err := config.Sandbox(dev, nil, nil); err != nil || same.Name != "dev" || same.DestroyData {
		t.Errorf("no sandbox: %+v, %v", same, err)
	}
}

// TestBadSandbox: one line per problem; destroying data is refused anywhere but a sandbox.
func TestBadSandbox(t *testing.T) {
	dev := must(config.Parse("dev", []byte(`{`+ok+`}`)))
	prod := must(config.Parse("prod", []byte(`{`+ok+`, "production": true}`)))
	name := `must be the developer's name: 1 to 16 lower-case letters and digits, starting with a letter (it goes into stack names)`
	for _, c := range []struct {
		name               string
		env                config.Environment
		developer, destroy any
		want               []string
	}{
		{"destroy without a sandbox", dev, nil, "true", []string{`sandbox:destroyData = "true": only a sandbox (-c sandbox=<name>, make sandbox NAME=<name>) may delete its data with its stacks; every other environment retains its user pool, buckets, tables, keys and secret`}},
		{"a production environment", prod, "alice", nil, []string{`sandbox = "alice": a sandbox copies a development environment; prod is production (production: true): choose one with -c env=<name>`}},
		{"a bad name", dev, "Alice Smith", "yes", []string{`sandbox:destroyData = "yes": must be true or false`, `sandbox = "Alice Smith": ` + name}},
		{"a name too long", dev, "averyveryverylongname", nil, []string{`sandbox = "averyveryverylongname": ` + name}},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := config.Sandbox(c.env, c.developer, c.destroy)
			var want []string
			for _, w := range c.want {
				want = append(want, "invalid cdk.json context: "+w)
			}
			if err == nil || !slices.Equal(strings.Split(err.Error(), "\n"), want) {
				t.Errorf("error:\n  %v\nwant:\n  %s", err, strings.Join(want, "\n  "))
			}
		})
	}
}

// TestSandboxPlaceholdersNameTheEnvironment: a sandbox's placeholders are its environment's
// settings, named as such.
func TestSandboxPlaceholdersNameTheEnvironment(t *testing.T) {
	dev := must(config.Parse("dev", []byte(`{"allowedOrigins": ["https://app.example.com"]}`)))
	sb := must(config.Sandbox(dev, "alice", nil))
	if got := sb.Placeholders(); len(got) != 1 || !strings.HasPrefix(got[0], `environments.dev.allowedOrigins[0] = "https://app.example.com"`) {
		t.Errorf("placeholders %q", got)
	}
}

// TestMisspeltSandboxKey: a key near `sandbox` is refused (it would build the environment
// itself, not a sandbox); `sandbox` and `pipeline` are read.
func TestMisspeltSandboxKey(t *testing.T) {
	err := config.CheckContextKeys(map[string]any{"sandbx": "alice", "sandbox": "bob", "pipeline": map[string]any{}, "Sandboxes": "x"})
	want := []string{
		`invalid cdk.json context: Sandboxes = "x": is not a context key the app reads (did you mean "sandbox"?): a developer's sandbox is -c sandbox=<name>`,
		`invalid cdk.json context: sandbx = "alice": is not a context key the app reads (did you mean "sandbox"?): a developer's sandbox is -c sandbox=<name>`,
	}
	if err == nil || !slices.Equal(strings.Split(err.Error(), "\n"), want) {
		t.Errorf("error:\n  %v\nwant:\n  %s", err, strings.Join(want, "\n  "))
	}
}
