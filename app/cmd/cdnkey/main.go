// Command cdnkey (make cdn-key ENV=<env>) makes the RSA 2048 key pair an environment's image
// distribution trusts: the public key goes where the environment's delivery.publicKeys[0] points
// (it is deployed as a CloudFront public key), the private key beside it as <name>.private.pem
// with mode 0600 (git-ignored), and it prints the one command that stores the private key in the
// delivery stack's secret. Keys come from the Go standard library (crypto/rsa).
//
// It never overwrites a private key unless -force: a public key without its private key beside
// it (such as the example keys committed for dev and prod) is one nobody here can sign for, and
// is replaced.
package main

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/gatehouse-cdk/gatehouse/app/config"
	"github.com/gatehouse-cdk/gatehouse/app/contract"
	"github.com/gatehouse-cdk/gatehouse/limits"
)

func main() {
	env := flag.String("env", config.DefaultEnv, "the environment whose key to make")
	cdkJSON := flag.String("cdk-json", "cdk.json", "the cdk.json whose context names the key files")
	force := flag.Bool("force", false, "replace an existing private key (you must then store the new one before the old stops working)")
	profile := flag.String("profile", "", "the AWS profile the printed command uses")
	flag.Parse()
	if err := run(*cdkJSON, *env, *force, *profile); err != nil {
		fmt.Fprintln(os.Stderr, "cdn-key:", err)
		os.Exit(1)
	}
}

func run(cdkJSON, env string, force bool, profile string) error {
	context, err := config.ContextFromFile(cdkJSON)
	if err != nil {
		return err
	}
	// Only the settings this needs: the full check would refuse a key file that does not exist yet.
	var settings struct {
		Region   string `json:"region"`
		Delivery *struct {
			PublicKeys []string `json:"publicKeys"`
		} `json:"delivery"`
	}
	environments, _ := context["environments"].(map[string]any)
	raw, _ := json.Marshal(environments[env])
	if err := json.Unmarshal(raw, &settings); err != nil || string(raw) == "null" {
		return fmt.Errorf("%s has no environment %q under context.environments", cdkJSON, env)
	}
	if settings.Delivery == nil || len(settings.Delivery.PublicKeys) == 0 {
		return fmt.Errorf(`environments.%s.delivery.publicKeys: is not set: add "delivery": {"publicKeys": ["app/keys/%s-cdn.pem"]} to the environment in %s`, env, env, cdkJSON)
	}
	region := settings.Region
	if region == "" {
		region = limits.DefaultRegion
	}
	dir := filepath.Dir(cdkJSON)
	public := settings.Delivery.PublicKeys[0]
	private := PrivateKeyPath(public)
	if _, err := os.Stat(filepath.Join(dir, private)); err == nil && !force {
		return fmt.Errorf("%s exists: its key may be the one the distribution uses. To rotate, put a new path first in environments.%s.delivery.publicKeys (keep the old one second) and run this again; to replace it anyway, FORCE=1", private, env)
	}
	key, err := rsa.GenerateKey(rand.Reader, limits.PublicKeyBits)
	if err != nil {
		return err
	}
	privateDER, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return err
	}
	publicDER, err := x509.MarshalPKIXPublicKey(&key.PublicKey)
	if err != nil {
		return err
	}
	if err := writeFiles(dir, []file{
		{private, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: privateDER}), 0o600},
		{public, pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: publicDER}), 0o644},
	}); err != nil {
		return err
	}
	profileFlag := ""
	if profile != "" {
		profileFlag = " --profile " + profile
	}
	stack := contract.StackName(env, contract.Delivery)
	fmt.Printf("wrote %s (public; commit it) and %s (private, mode 0600, git-ignored; never commit it)\n", public, private)
	fmt.Printf("key fingerprint (sha256): %s\n\n", limits.KeyFingerprint(&key.PublicKey))
	fmt.Printf("Deploy (make deploy ENV=%s), then store the private key in the signer's secret:\n\n", env)
	fmt.Printf("  aws secretsmanager put-secret-value%s --region %s --secret-id \"$(aws cloudformation describe-stacks%s --region %s --stack-name %s --query \"Stacks[0].Outputs[?OutputKey=='%s'].OutputValue\" --output text)\" --secret-string file://%s\n",
		profileFlag, region, profileFlag, region, stack, contract.SigningKeySecretArn, filepath.ToSlash(private))
	return nil
}

// PrivateKeyPath is where the private key of the public key file at public is written.
func PrivateKeyPath(public string) string {
	return strings.TrimSuffix(public, filepath.Ext(public)) + ".private.pem"
}

type file struct {
	path string
	data []byte
	mode os.FileMode
}

// writeFiles writes every file or none: each goes to a temporary file first, and only when all
// are written are they renamed into place.
func writeFiles(dir string, files []file) error {
	var temps []string
	defer func() {
		for _, t := range temps {
			os.Remove(t)
		}
	}()
	for _, f := range files {
		target := filepath.Join(dir, f.path)
		if err := os.MkdirAll(filepath.Dir(target), 0o755); err != nil {
			return err
		}
		tmp, err := os.CreateTemp(filepath.Dir(target), ".cdn-key-*")
		if err != nil {
			return err
		}
		temps = append(temps, tmp.Name())
		if err := errors.Join(tmp.Chmod(f.mode), write(tmp, f.data), tmp.Close()); err != nil {
			return fmt.Errorf("%s: %w", f.path, err)
		}
	}
	for i, f := range files {
		if err := os.Rename(temps[i], filepath.Join(dir, f.path)); err != nil {
			return err
		}
	}
	temps = nil
	return nil
}

func write(f *os.File, data []byte) error {
	_, err := f.Write(data)
	return err
}
