package main

import (
	"slices"
	"strings"
	"testing"

	"github.com/gatehouse-cdk/gatehouse/limits"
)

func TestConfigFromEnv(t *testing.T) {
	env := map[string]string{limits.EnvTokenAPIID: "a1b2c3d4e5", limits.EnvTokenAPIStage: "v1", limits.EnvMaxActiveTokens: "20",
		limits.EnvAuthorizerCacheSeconds: "0"}
	cfg, err := configFromEnv(func(k string) string { return env[k] })
	if err != nil || cfg.APIID != "a1b2c3d4e5" || cfg.Stage != "v1" || cfg.MaxActive != 20 || cfg.CacheSeconds != 0 || !slices.Equal(cfg.Scopes, []string{"read", "write"}) {
		t.Errorf("cfg = %+v, %v", cfg, err)
	}
	env["TOKEN_SCOPES"] = "read"
	if cfg, _ := configFromEnv(func(k string) string { return env[k] }); !slices.Equal(cfg.Scopes, []string{"read"}) {
		t.Errorf("scopes = %v", cfg.Scopes)
	}
	// Every missing or bad variable is named, in one error.
	for _, bad := range []map[string]string{
		{},
		{limits.EnvTokenAPIID: "", limits.EnvTokenAPIStage: "", limits.EnvMaxActiveTokens: "0", limits.EnvAuthorizerCacheSeconds: "3601"},
		{limits.EnvTokenAPIID: "", limits.EnvTokenAPIStage: "", limits.EnvMaxActiveTokens: "many", limits.EnvAuthorizerCacheSeconds: "-1"},
		{limits.EnvTokenAPIID: "", limits.EnvTokenAPIStage: "", limits.EnvMaxActiveTokens: "1001", limits.EnvAuthorizerCacheSeconds: "60s"},
	} {
		_, err := configFromEnv(func(k string) string { return bad[k] })
		if err == nil {
			t.Fatalf("%v: no error", bad)
		}
		for _, name := range []string{limits.EnvTokenAPIID, limits.EnvTokenAPIStage, limits.EnvMaxActiveTokens, limits.EnvAuthorizerCacheSeconds} {
			if !strings.Contains(err.Error(), name) {
				t.Errorf("%v: the error does not name %s:\n%v", bad, name, err)
			}
		}
		if !strings.Contains(err.Error(), "from 1 to 1000") || !strings.Contains(err.Error(), "from 0 to 3600") {
			t.Errorf("%v: the error does not say the ranges:\n%v", bad, err)
		}
	}
}
