"""Day-to-day flows through hvac against an unsealed server (VAULT_ADDR, VAULT_TOKEN = root).

Run by test/clients/hvac.test.ts; prints one JSON object: check name -> "ok" or what went wrong.
hvac lists with the LIST verb, so these checks also prove that verb works end to end.
"""
import json
import os

import hvac
import hvac.exceptions

checks = {}


def check(name):
    def wrap(fn):
        try:
            fn()
            checks[name] = "ok"
        except Exception as error:  # the check's failure is its result
            checks[name] = f"{type(error).__name__}: {error}"
        return fn
    return wrap


def expect(what, got, want):
    if got != want:
        raise AssertionError(f"{what}: got {got!r}, want {want!r}")


client = hvac.Client(url=os.environ["VAULT_ADDR"], token=os.environ["VAULT_TOKEN"])


@check("mount kv v2 and v1")
def _():
    client.sys.enable_secrets_engine("kv", path="py-kv", options={"version": "2"})
    client.sys.enable_secrets_engine("kv", path="py-kv1")
    mounts = client.sys.list_mounted_secrets_engines()
    expect("v2 options", mounts["py-kv/"]["options"], {"version": "2"})


@check("kv v2 write, read, list, patch")
def _():
    kv = client.secrets.kv.v2
    kv.create_or_update_secret(path="team/api", secret={"key": "v1"}, mount_point="py-kv")
    kv.create_or_update_secret(path="team/api", secret={"key": "v2", "other": "x"}, mount_point="py-kv", cas=1)
    read = kv.read_secret_version(path="team/api", mount_point="py-kv", raise_on_deleted_version=True)
    expect("data", read["data"]["data"], {"key": "v2", "other": "x"})
    expect("list", kv.list_secrets(path="team", mount_point="py-kv")["data"]["keys"], ["api"])
    kv.patch(path="team/api", secret={"new": "y"}, mount_point="py-kv")
    read = kv.read_secret_version(path="team/api", mount_point="py-kv", raise_on_deleted_version=True)
    expect("patched", read["data"]["data"], {"key": "v2", "other": "x", "new": "y"})
    expect("version", read["data"]["metadata"]["version"], 3)


@check("kv v2 cas mismatch is refused")
def _():
    try:
        client.secrets.kv.v2.create_or_update_secret(path="team/api", secret={"a": "b"}, mount_point="py-kv", cas=1)
    except hvac.exceptions.InvalidRequest as error:
        expect("message", "check-and-set parameter did not match the current version" in str(error), True)
        return
    raise AssertionError("cas mismatch accepted")


@check("kv v2 delete, undelete, destroy, metadata")
def _():
    kv = client.secrets.kv.v2
    kv.delete_latest_version_of_secret(path="team/api", mount_point="py-kv")
    try:
        kv.read_secret_version(path="team/api", mount_point="py-kv", raise_on_deleted_version=True)
        raise AssertionError("deleted version readable")
    except hvac.exceptions.InvalidPath:
        pass
    kv.undelete_secret_versions(path="team/api", versions=[3], mount_point="py-kv")
    expect("undeleted", kv.read_secret_version(path="team/api", mount_point="py-kv", raise_on_deleted_version=True)["data"]["data"]["new"], "y")
    kv.destroy_secret_versions(path="team/api", versions=[1], mount_point="py-kv")
    meta = kv.read_secret_metadata(path="team/api", mount_point="py-kv")["data"]
    expect("current", meta["current_version"], 3)
    expect("destroyed", meta["versions"]["1"]["destroyed"], True)
    kv.delete_metadata_and_all_versions(path="team/api", mount_point="py-kv")
    try:
        kv.read_secret_metadata(path="team/api", mount_point="py-kv")
        raise AssertionError("metadata survived")
    except hvac.exceptions.InvalidPath:
        pass


@check("kv v1 write, read, list, delete")
def _():
    kv = client.secrets.kv.v1
    kv.create_or_update_secret(path="svc/a", secret={"user": "u"}, mount_point="py-kv1")
    expect("read", kv.read_secret(path="svc/a", mount_point="py-kv1")["data"], {"user": "u"})
    expect("list", kv.list_secrets(path="svc", mount_point="py-kv1")["data"]["keys"], ["a"])
    kv.delete_secret(path="svc/a", mount_point="py-kv1")
    try:
        kv.read_secret(path="svc/a", mount_point="py-kv1")
        raise AssertionError("deleted secret readable")
    except hvac.exceptions.InvalidPath:
        pass


@check("policies")
def _():
    client.sys.create_or_update_acl_policy(name="py-reader", policy='path "py-kv/data/*" { capabilities = ["read", "list"] }')
    expect("listed", "py-reader" in client.sys.list_acl_policies()["data"]["keys"], True)
    expect("read", "py-kv/data/*" in client.sys.read_acl_policy("py-reader")["data"]["policy"], True)
    try:
        client.sys.create_or_update_acl_policy(name="broken", policy='path "x" { capabilities = ["fly"] }')
        raise AssertionError("bad policy accepted")
    except hvac.exceptions.InvalidRequest:
        pass


@check("tokens with hierarchy")
def _():
    client.sys.create_or_update_acl_policy(name="py-creator", policy='path "auth/token/create" { capabilities = ["update"] }')
    parent = client.auth.token.create(policies=["py-creator", "py-reader"], ttl="1h")["auth"]["client_token"]
    parent_client = hvac.Client(url=os.environ["VAULT_ADDR"], token=parent)
    child = parent_client.auth.token.create(ttl="10m")["auth"]["client_token"]
    expect("child policies", client.auth.token.lookup(child)["data"]["policies"], ["default", "py-creator", "py-reader"])
    try:
        parent_client.auth.token.create(policies=["root"])
        raise AssertionError("a child escalated to root")
    except hvac.exceptions.InvalidRequest:
        pass
    client.auth.token.renew(token=parent, increment="30m")
    client.auth.token.revoke(parent)
    try:
        client.auth.token.lookup(child)
        raise AssertionError("child outlived its parent")
    except hvac.exceptions.Forbidden:
        pass


@check("policy is enforced")
def _():
    token = client.auth.token.create(policies=["py-reader"], ttl="1h")["auth"]["client_token"]
    limited = hvac.Client(url=os.environ["VAULT_ADDR"], token=token)
    client.secrets.kv.v2.create_or_update_secret(path="shared", secret={"k": "v"}, mount_point="py-kv")
    expect("read", limited.secrets.kv.v2.read_secret_version(path="shared", mount_point="py-kv", raise_on_deleted_version=True)["data"]["data"], {"k": "v"})
    try:
        limited.secrets.kv.v2.create_or_update_secret(path="shared", secret={"k": "w"}, mount_point="py-kv")
        raise AssertionError("write allowed")
    except hvac.exceptions.Forbidden:
        pass


@check("userpass and approle logins")
def _():
    client.sys.enable_auth_method("userpass")
    client.auth.userpass.create_or_update_user(username="bob", password="builder", policies=["py-reader"])
    login = hvac.Client(url=os.environ["VAULT_ADDR"]).auth.userpass.login(username="bob", password="builder")
    expect("metadata", login["auth"]["metadata"], {"username": "bob"})
    try:
        hvac.Client(url=os.environ["VAULT_ADDR"]).auth.userpass.login(username="bob", password="wrong")
        raise AssertionError("wrong password accepted")
    except hvac.exceptions.InvalidRequest:
        pass
    client.sys.enable_auth_method("approle")
    client.auth.approle.create_or_update_approle(role_name="worker", token_policies=["py-reader"])
    role_id = client.auth.approle.read_role_id(role_name="worker")["data"]["role_id"]
    secret_id = client.auth.approle.generate_secret_id(role_name="worker")["data"]["secret_id"]
    login = hvac.Client(url=os.environ["VAULT_ADDR"]).auth.approle.login(role_id=role_id, secret_id=secret_id)
    expect("policies", login["auth"]["policies"], ["default", "py-reader"])


print(json.dumps(checks))
