// Command go-vault-api drives a Sealbox server with HashiCorp's Go client, github.com/hashicorp/vault/api,
// the library behind the vault CLI, Terraform's provider and most Go tools. It expects VAULT_ADDR and
// VAULT_TOKEN (a root token) and prints one JSON object: check name -> "ok" or what went wrong.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"reflect"
	"sort"

	vault "github.com/hashicorp/vault/api"
)

type checks map[string]string

func (c checks) run(name string, fn func() error) {
	if err := fn(); err != nil {
		c[name] = err.Error()
		return
	}
	c[name] = "ok"
}

func expect(what string, got, want any) error {
	if !reflect.DeepEqual(got, want) {
		return fmt.Errorf("%s: got %#v, want %#v", what, got, want)
	}
	return nil
}

func main() {
	client, err := vault.NewClient(vault.DefaultConfig())
	if err != nil {
		fmt.Println(`{"client":"` + err.Error() + `"}`)
		os.Exit(1)
	}
	ctx := context.Background()
	c := checks{}

	c.run("health", func() error {
		health, err := client.Sys().Health()
		if err != nil {
			return err
		}
		return expect("sealed", health.Sealed, false)
	})
	expectHA := os.Getenv("EXPECT_HA") == "1"
	c.run("leader", func() error {
		leader, err := client.Sys().Leader()
		if err != nil {
			return err
		}
		return expect("ha_enabled", leader.HAEnabled, expectHA)
	})
	c.run("seal-status", func() error {
		status, err := client.Sys().SealStatus()
		if err != nil {
			return err
		}
		return expect("initialized", status.Initialized, true)
	})
	c.run("mount kv-v2", func() error {
		return client.Sys().MountWithContext(ctx, "go-kv", &vault.MountInput{Type: "kv", Options: map[string]string{"version": "2"}})
	})
	c.run("list mounts", func() error {
		mounts, err := client.Sys().ListMounts()
		if err != nil {
			return err
		}
		mount, ok := mounts["go-kv/"]
		if !ok {
			return errors.New("go-kv/ missing from sys/mounts")
		}
		return expect("options", mount.Options["version"], "2")
	})
	c.run("kv v2 put and get", func() error {
		kv := client.KVv2("go-kv")
		if _, err := kv.Put(ctx, "app/db", map[string]any{"password": "one"}); err != nil {
			return err
		}
		if _, err := kv.Put(ctx, "app/db", map[string]any{"password": "two"}); err != nil {
			return err
		}
		latest, err := kv.Get(ctx, "app/db")
		if err != nil {
			return err
		}
		if err := expect("latest", latest.Data["password"], "two"); err != nil {
			return err
		}
		first, err := kv.GetVersion(ctx, "app/db", 1)
		if err != nil {
			return err
		}
		return expect("version 1", first.Data["password"], "one")
	})
	c.run("kv v2 delete, undelete, destroy, metadata", func() error {
		kv := client.KVv2("go-kv")
		if err := kv.DeleteVersions(ctx, "app/db", []int{2}); err != nil {
			return err
		}
		// A deleted version reads as metadata without data, as Vault's 404 envelope carries it.
		deleted, err := kv.Get(ctx, "app/db")
		if err != nil {
			return err
		}
		if deleted.Data != nil || deleted.VersionMetadata == nil || deleted.VersionMetadata.DeletionTime.IsZero() {
			return fmt.Errorf("deleted version still readable: %#v", deleted)
		}
		if err := kv.Undelete(ctx, "app/db", []int{2}); err != nil {
			return err
		}
		if err := kv.Destroy(ctx, "app/db", []int{1}); err != nil {
			return err
		}
		meta, err := kv.GetMetadata(ctx, "app/db")
		if err != nil {
			return err
		}
		if err := expect("current version", meta.CurrentVersion, 2); err != nil {
			return err
		}
		return expect("version 1 destroyed", meta.Versions["1"].Destroyed, true)
	})
	c.run("kv v2 list", func() error {
		secret, err := client.Logical().List("go-kv/metadata/app")
		if err != nil {
			return err
		}
		if secret == nil {
			return errors.New("no list result")
		}
		return expect("keys", secret.Data["keys"], []any{"db"})
	})
	c.run("kv v1", func() error {
		if err := client.Sys().Mount("go-kv1", &vault.MountInput{Type: "kv"}); err != nil {
			return err
		}
		kv := client.KVv1("go-kv1")
		if err := kv.Put(ctx, "x", map[string]any{"a": "b"}); err != nil {
			return err
		}
		got, err := kv.Get(ctx, "x")
		if err != nil {
			return err
		}
		return expect("value", got.Data["a"], "b")
	})
	c.run("policies", func() error {
		rules := `path "go-kv/data/app/*" { capabilities = ["read"] }`
		if err := client.Sys().PutPolicy("go-reader", rules); err != nil {
			return err
		}
		got, err := client.Sys().GetPolicy("go-reader")
		if err != nil {
			return err
		}
		if err := expect("policy", got, rules); err != nil {
			return err
		}
		list, err := client.Sys().ListPolicies()
		if err != nil {
			return err
		}
		sort.Strings(list)
		return expect("policies", list, []string{"default", "go-reader", "root"})
	})
	c.run("token limited by policy", func() error {
		secret, err := client.Auth().Token().Create(&vault.TokenCreateRequest{Policies: []string{"go-reader"}, TTL: "1h"})
		if err != nil {
			return err
		}
		limited, err := client.Clone()
		if err != nil {
			return err
		}
		limited.SetToken(secret.Auth.ClientToken)
		if _, err := limited.KVv2("go-kv").Get(ctx, "app/db"); err != nil {
			return fmt.Errorf("allowed read refused: %w", err)
		}
		_, err = limited.KVv2("go-kv").Put(ctx, "app/db", map[string]any{"x": "y"})
		var responseError *vault.ResponseError
		if !errors.As(err, &responseError) || responseError.StatusCode != 403 {
			return fmt.Errorf("write was not refused with 403: %v", err)
		}
		caps, err := limited.Sys().CapabilitiesSelf("go-kv/data/app/db")
		if err != nil {
			return err
		}
		return expect("capabilities", caps, []string{"read"})
	})
	c.run("token lookup, renew, revoke tree", func() error {
		// The default policy does not allow creating tokens, as in Vault.
		if err := client.Sys().PutPolicy("go-creator", `path "auth/token/create" { capabilities = ["update"] }`); err != nil {
			return err
		}
		parent, err := client.Auth().Token().Create(&vault.TokenCreateRequest{Policies: []string{"go-creator"}, TTL: "1h"})
		if err != nil {
			return err
		}
		parentClient, _ := client.Clone()
		parentClient.SetToken(parent.Auth.ClientToken)
		child, err := parentClient.Auth().Token().Create(&vault.TokenCreateRequest{TTL: "30m"})
		if err != nil {
			return err
		}
		lookup, err := client.Auth().Token().Lookup(child.Auth.ClientToken)
		if err != nil {
			return err
		}
		ttl, err := lookup.TokenTTL()
		if err != nil || ttl.Seconds() < 1700 {
			return fmt.Errorf("child ttl %v %v", ttl, err)
		}
		if _, err := client.Auth().Token().Renew(parent.Auth.ClientToken, 600); err != nil {
			return err
		}
		if err := client.Auth().Token().RevokeTree(parent.Auth.ClientToken); err != nil {
			return err
		}
		if _, err := client.Auth().Token().Lookup(child.Auth.ClientToken); err == nil {
			return errors.New("child outlived its parent")
		}
		return nil
	})
	c.run("userpass login", func() error {
		if err := client.Sys().EnableAuthWithOptions("userpass", &vault.EnableAuthOptions{Type: "userpass"}); err != nil {
			return err
		}
		if _, err := client.Logical().Write("auth/userpass/users/alice", map[string]any{"password": "wonderland", "token_policies": "go-reader"}); err != nil {
			return err
		}
		login, err := client.Logical().Write("auth/userpass/login/alice", map[string]any{"password": "wonderland"})
		if err != nil {
			return err
		}
		return expect("policies", login.Auth.Policies, []string{"default", "go-reader"})
	})
	c.run("approle login", func() error {
		if err := client.Sys().EnableAuthWithOptions("approle", &vault.EnableAuthOptions{Type: "approle"}); err != nil {
			return err
		}
		if _, err := client.Logical().Write("auth/approle/role/ci", map[string]any{"token_policies": "go-reader", "token_ttl": "20m"}); err != nil {
			return err
		}
		roleID, err := client.Logical().Read("auth/approle/role/ci/role-id")
		if err != nil {
			return err
		}
		secretID, err := client.Logical().Write("auth/approle/role/ci/secret-id", nil)
		if err != nil {
			return err
		}
		login, err := client.Logical().Write("auth/approle/login", map[string]any{"role_id": roleID.Data["role_id"], "secret_id": secretID.Data["secret_id"]})
		if err != nil {
			return err
		}
		return expect("lease", login.Auth.LeaseDuration, 1200)
	})
	c.run("auth list", func() error {
		auths, err := client.Sys().ListAuth()
		if err != nil {
			return err
		}
		for _, path := range []string{"token/", "userpass/", "approle/"} {
			if _, ok := auths[path]; !ok {
				return fmt.Errorf("%s missing from sys/auth", path)
			}
		}
		return nil
	})

	// Last, since with HA it hands the active role to another node.
	c.run("step-down", func() error {
		return client.Sys().StepDown()
	})

	out, _ := json.Marshal(c)
	fmt.Println(string(out))
}
