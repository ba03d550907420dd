// Command go-vault-ops drives Sealbox's key operations with HashiCorp's Go client, github.com/hashicorp/vault/api,
// and decodes the generated root token with the vault CLI's own decoder (sdk/helper/roottoken), as
// `vault operator generate-root -decode` does. It expects VAULT_ADDR, VAULT_TOKEN (the root token) and
// UNSEAL_KEYS (the five hex shares of a 5/3 init) and prints one JSON object: step name -> "ok" or what
// went wrong. The steps run in order and build on each other: rekey 5/3 -> 3/2, seal and unseal with the
// new shares only, rotate, generate a root token, revoke the old one.
package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"reflect"
	"strings"

	vault "github.com/hashicorp/vault/api"
	"github.com/hashicorp/vault/sdk/helper/roottoken"
)

type step struct {
	Name   string `json:"name"`
	Result string `json:"result"`
}

type steps []step

func (s *steps) run(name string, fn func() error) {
	result := "ok"
	if err := fn(); err != nil {
		result = err.Error()
	}
	*s = append(*s, step{name, result})
}

func expect(what string, got, want any) error {
	if !reflect.DeepEqual(got, want) {
		return fmt.Errorf("%s: got %#v, want %#v", what, got, want)
	}
	return nil
}

// expectError checks that err is the server's answer with this status and a message containing text.
func expectError(err error, status int, text string) error {
	var response *vault.ResponseError
	if !errors.As(err, &response) {
		return fmt.Errorf("want a %d containing %q, got %v", status, text, err)
	}
	if response.StatusCode != status || !strings.Contains(strings.Join(response.Errors, "\n"), text) {
		return fmt.Errorf("want a %d containing %q, got %d %v", status, text, response.StatusCode, response.Errors)
	}
	return nil
}

func main() {
	config := vault.DefaultConfig()
	// The client retries 5xx answers, and a retried unseal with a wrong share would start a new
	// attempt instead of showing the 500 the first one got.
	config.MaxRetries = 0
	client, err := vault.NewClient(config)
	if err != nil {
		fmt.Println(`[{"name":"client","result":` + fmt.Sprintf("%q", err.Error()) + `}]`)
		os.Exit(1)
	}
	sys := client.Sys()
	oldRoot := client.Token()
	oldShares := strings.Split(os.Getenv("UNSEAL_KEYS"), ",")
	var newShares []string
	var s steps

	s.run("rekey refuses bad input and a second init", func() error {
		_, err := sys.RekeyInit(&vault.RekeyInitRequest{SecretShares: 3, SecretThreshold: 2, Backup: true})
		if err := expectError(err, 400, "cannot request a backup of the new keys without providing PGP keys"); err != nil {
			return err
		}
		status, err := sys.RekeyInit(&vault.RekeyInitRequest{SecretShares: 3, SecretThreshold: 2})
		if err != nil {
			return err
		}
		if err := expect("status", []any{status.Started, status.T, status.N, status.Required, status.Progress}, []any{true, 2, 3, 3, 0}); err != nil {
			return err
		}
		_, err = sys.RekeyInit(&vault.RekeyInitRequest{SecretShares: 4, SecretThreshold: 2})
		if err := expectError(err, 400, "rekey already in progress"); err != nil {
			return err
		}
		_, err = sys.RekeyUpdate(oldShares[0], "not-the-nonce")
		if err := expectError(err, 400, fmt.Sprintf("incorrect nonce supplied; nonce for this rekey operation is %q", status.Nonce)); err != nil {
			return err
		}
		first, err := sys.RekeyUpdate(oldShares[0], status.Nonce)
		if err != nil {
			return err
		}
		if err := expect("complete after one share", first.Complete, false); err != nil {
			return err
		}
		_, err = sys.RekeyUpdate(oldShares[0], status.Nonce)
		return expectError(err, 400, "given key has already been provided")
	})

	s.run("rekey 5/3 to 3/2", func() error {
		status, err := sys.RekeyStatus()
		if err != nil {
			return err
		}
		if err := expect("progress", status.Progress, 1); err != nil {
			return err
		}
		if _, err := sys.RekeyUpdate(oldShares[3], status.Nonce); err != nil {
			return err
		}
		done, err := sys.RekeyUpdate(oldShares[4], status.Nonce)
		if err != nil {
			return err
		}
		if !done.Complete || len(done.Keys) != 3 || len(done.KeysB64) != 3 {
			return fmt.Errorf("rekey did not complete with three keys: %+v", done)
		}
		newShares = done.Keys
		after, err := sys.RekeyStatus()
		if err != nil {
			return err
		}
		sealStatus, err := sys.SealStatus()
		if err != nil {
			return err
		}
		return expect("after", []any{after.Started, after.Required, sealStatus.T, sealStatus.N}, []any{false, 2, 2, 3})
	})

	s.run("no rekey backup without PGP", func() error {
		_, err := sys.RekeyRetrieveBackup()
		return expectError(err, 400, "no backed-up keys found")
	})

	s.run("seal; the old shares no longer unseal, the new ones do", func() error {
		if err := sys.Seal(); err != nil {
			return err
		}
		if _, err := sys.Unseal(oldShares[0]); err != nil {
			return err
		}
		_, err := sys.Unseal(oldShares[1])
		if err := expectError(err, 500, "message authentication failed"); err != nil {
			return err
		}
		if status, err := sys.SealStatus(); err != nil || !status.Sealed || status.Progress != 0 {
			return fmt.Errorf("old shares changed the seal: %+v %v", status, err)
		}
		if _, err := sys.Unseal(newShares[2]); err != nil {
			return err
		}
		status, err := sys.Unseal(newShares[0])
		if err != nil {
			return err
		}
		return expect("sealed", status.Sealed, false)
	})

	s.run("rotate moves the term; data written before still reads", func() error {
		if err := sys.Mount("go-ops", &vault.MountInput{Type: "kv"}); err != nil {
			return err
		}
		if _, err := client.Logical().Write("go-ops/before", map[string]any{"v": "term one"}); err != nil {
			return err
		}
		before, err := sys.KeyStatus()
		if err != nil {
			return err
		}
		if err := sys.Rotate(); err != nil {
			return err
		}
		after, err := sys.KeyStatus()
		if err != nil {
			return err
		}
		if after.Term != before.Term+1 || after.InstallTime.Before(before.InstallTime) {
			return fmt.Errorf("key status did not move: %+v -> %+v", before, after)
		}
		secret, err := client.Logical().Read("go-ops/before")
		if err != nil || secret == nil {
			return fmt.Errorf("old data unreadable: %v", err)
		}
		return expect("old data", secret.Data["v"], "term one")
	})

	s.run("rotate needs sudo", func() error {
		if err := sys.PutPolicy("go-rotate-no-sudo", `path "sys/rotate" { capabilities = ["update"] }
path "sys/key-status" { capabilities = ["read"] }`); err != nil {
			return err
		}
		token, err := client.Auth().Token().Create(&vault.TokenCreateRequest{Policies: []string{"go-rotate-no-sudo"}, TTL: "10m"})
		if err != nil {
			return err
		}
		limited, err := client.Clone()
		if err != nil {
			return err
		}
		limited.SetToken(token.Auth.ClientToken)
		before, err := limited.Sys().KeyStatus()
		if err != nil {
			return err
		}
		if err := expectError(limited.Sys().Rotate(), 403, "permission denied"); err != nil {
			return err
		}
		after, err := sys.KeyStatus()
		if err != nil {
			return err
		}
		return expect("term", after.Term, before.Term)
	})

	s.run("rotate config", func() error {
		_, err := client.Logical().Write("sys/rotate/config", map[string]any{"interval": "1h"})
		if err := expectError(err, 400, "interval must be greater or equal to 24h0m0s"); err != nil {
			return err
		}
		if _, err := client.Logical().Write("sys/rotate/config", map[string]any{"interval": "720h", "max_operations": 5000000}); err != nil {
			return err
		}
		config, err := client.Logical().Read("sys/rotate/config")
		if err != nil {
			return err
		}
		return expect("config", []any{config.Data["interval"], config.Data["enabled"], fmt.Sprint(config.Data["max_operations"])}, []any{"720h0m0s", true, "5000000"})
	})

	var newRoot string
	s.run("generate-root with an OTP, decoded as the CLI decodes", func() error {
		status, err := sys.GenerateRootStatus()
		if err != nil {
			return err
		}
		if err := expect("before", []any{status.Started, status.OTPLength, status.Required}, []any{false, 28, 2}); err != nil {
			return err
		}
		otp, err := roottoken.GenerateOTP(status.OTPLength)
		if err != nil {
			return err
		}
		_, err = sys.GenerateRootInit("short", "")
		if err := expectError(err, 400, "OTP string is wrong length"); err != nil {
			return err
		}
		started, err := sys.GenerateRootInit(otp, "")
		if err != nil {
			return err
		}
		if err := expect("started", []any{started.Started, started.OTP}, []any{true, ""}); err != nil {
			return err
		}
		_, err = sys.GenerateRootInit("", "")
		if err := expectError(err, 400, "root generation already in progress"); err != nil {
			return err
		}
		_, err = sys.GenerateRootUpdate(newShares[1], "not-the-nonce")
		if err := expectError(err, 400, "incorrect nonce supplied"); err != nil {
			return err
		}
		if _, err := sys.GenerateRootUpdate(newShares[1], started.Nonce); err != nil {
			return err
		}
		done, err := sys.GenerateRootUpdate(newShares[2], started.Nonce)
		if err != nil {
			return err
		}
		if !done.Complete || done.EncodedToken == "" || done.EncodedRootToken != done.EncodedToken {
			return fmt.Errorf("not complete: %+v", done)
		}
		// What `vault operator generate-root -decode` does: GET the attempt for otp_length, then decode.
		current, err := sys.GenerateRootStatus()
		if err != nil {
			return err
		}
		newRoot, err = roottoken.DecodeToken(done.EncodedToken, otp, current.OTPLength)
		return err
	})

	s.run("log in with the new root token and revoke the old one", func() error {
		fresh, err := client.Clone()
		if err != nil {
			return err
		}
		fresh.SetToken(newRoot)
		self, err := fresh.Auth().Token().LookupSelf()
		if err != nil {
			return err
		}
		policies, err := self.TokenPolicies()
		if err != nil {
			return err
		}
		if err := expect("policies", policies, []string{"root"}); err != nil {
			return err
		}
		if err := fresh.Auth().Token().RevokeTree(oldRoot); err != nil {
			return err
		}
		_, err = client.Auth().Token().LookupSelf()
		if err := expectError(err, 403, "permission denied"); err != nil {
			return err
		}
		client.SetToken(newRoot)
		_, err = fresh.Logical().Read("go-ops/before")
		return err
	})

	s.run("generate-root with a server OTP, then cancel", func() error {
		started, err := sys.GenerateRootInit("", "")
		if err != nil {
			return err
		}
		if len(started.OTP) != 28 || started.OTPLength != 28 {
			return fmt.Errorf("server OTP: %+v", started)
		}
		if err := sys.GenerateRootCancel(); err != nil {
			return err
		}
		status, err := sys.GenerateRootStatus()
		if err != nil {
			return err
		}
		return expect("started", status.Started, false)
	})

	s.run("rekey with verification commits only after the new shares come back", func() error {
		status, err := sys.RekeyInit(&vault.RekeyInitRequest{SecretShares: 2, SecretThreshold: 2, RequireVerification: true})
		if err != nil {
			return err
		}
		if _, err := sys.RekeyUpdate(newShares[0], status.Nonce); err != nil {
			return err
		}
		done, err := sys.RekeyUpdate(newShares[1], status.Nonce)
		if err != nil {
			return err
		}
		if !done.VerificationRequired || done.VerificationNonce == "" || len(done.Keys) != 2 {
			return fmt.Errorf("no verification asked for: %+v", done)
		}
		verification, err := sys.RekeyVerificationStatus()
		if err != nil {
			return err
		}
		if err := expect("verification", []any{verification.Started, verification.Nonce, verification.T}, []any{true, done.VerificationNonce, 2}); err != nil {
			return err
		}
		if sealStatus, err := sys.SealStatus(); err != nil || sealStatus.N != 3 {
			return fmt.Errorf("the rekey applied before verification: %+v %v", sealStatus, err)
		}
		if _, err := sys.RekeyVerificationUpdate(done.Keys[1], done.VerificationNonce); err != nil {
			return err
		}
		verified, err := sys.RekeyVerificationUpdate(done.Keys[0], done.VerificationNonce)
		if err != nil {
			return err
		}
		if !verified.Complete {
			return fmt.Errorf("verification did not complete: %+v", verified)
		}
		if err := sys.Seal(); err != nil {
			return err
		}
		for _, share := range done.Keys {
			if _, err := sys.Unseal(share); err != nil {
				return err
			}
		}
		sealStatus, err := sys.SealStatus()
		if err != nil {
			return err
		}
		return expect("after verification", []any{sealStatus.Sealed, sealStatus.T, sealStatus.N}, []any{false, 2, 2})
	})

	out, _ := json.Marshal(s)
	fmt.Println(string(out))
}
