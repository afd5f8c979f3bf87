package identitytest

import "testing"

// TestKeysAreDistinctRSA2048: the published test keys are eight different RSA 2048 keys, so a
// forger's pool (another n) never signs with the real pool's key.
func TestKeysAreDistinctRSA2048(t *testing.T) {
	keys := rsaKeys()
	if len(keys) != 3+otherKeys {
		t.Fatalf("testdata/test-keys.pem holds %d keys, want %d", len(keys), 3+otherKeys)
	}
	seen := map[string]int{}
	for i, k := range keys {
		if k.N.BitLen() != 2048 {
			t.Errorf("key %d: %d bits", i, k.N.BitLen())
		}
		if j, dup := seen[k.N.String()]; dup {
			t.Errorf("keys %d and %d are the same", j, i)
		}
		seen[k.N.String()] = i
	}
}
