"""Key operations through hvac against an unsealed 5/3 server (VAULT_ADDR, VAULT_TOKEN = root, UNSEAL_KEYS).

Run by test/clients/ops-hvac.test.ts; prints one JSON list of [step, "ok" or what went wrong]. The steps
run in order and build on each other: rekey 5/3 -> 3/2, seal and unseal with the new shares only,
rotate, generate a root token with an OTP, log in with it and revoke the old root token.
"""
import base64
import json
import os

import hvac
import hvac.exceptions

steps = []
state = {}


def step(name):
    def wrap(fn):
        try:
            fn()
            steps.append([name, "ok"])
        except Exception as error:  # the step's failure is its result
            steps.append([name, f"{type(error).__name__}: {error}"])
        return fn
    return wrap


def expect(what, got, want):
    if got != want:
        raise AssertionError(f"{what}: got {got!r}, want {want!r}")


def refused(exception, text, fn, *args, **kwargs):
    try:
        fn(*args, **kwargs)
    except exception as error:
        if text not in str(error):
            raise AssertionError(f"{exception.__name__} without {text!r}: {error}")
        return
    raise AssertionError(f"not refused with {exception.__name__}: {text}")


address = os.environ["VAULT_ADDR"]
old_root = os.environ["VAULT_TOKEN"]
old_shares = os.environ["UNSEAL_KEYS"].split(",")
client = hvac.Client(url=address, token=old_root)


@step("rekey refuses a second init, a wrong nonce and a repeated share")
def _():
    expect("idle", client.sys.read_rekey_progress()["started"], False)
    started = client.sys.start_rekey(secret_shares=3, secret_threshold=2)
    expect("started", [started["started"], started["t"], started["n"], started["required"]], [True, 2, 3, 3])
    refused(hvac.exceptions.InvalidRequest, "rekey already in progress", client.sys.start_rekey, secret_shares=4, secret_threshold=2)
    refused(hvac.exceptions.InvalidRequest, "incorrect nonce supplied", client.sys.rekey, old_shares[0], nonce="wrong")
    expect("progress", client.sys.rekey(old_shares[0], nonce=started["nonce"])["progress"], 1)
    refused(hvac.exceptions.InvalidRequest, "given key has already been provided", client.sys.rekey, old_shares[0], nonce=started["nonce"])
    state["nonce"] = started["nonce"]


@step("a wrong share fails the quorum and keeps the old keys; cancel and start over")
def _():
    wrong = bytearray(bytes.fromhex(old_shares[2]))
    wrong[0] ^= 0xFF
    client.sys.rekey(old_shares[1], nonce=state["nonce"])
    refused(hvac.exceptions.InvalidRequest, "message authentication failed", client.sys.rekey, wrong.hex(), nonce=state["nonce"])
    progress = client.sys.read_rekey_progress()
    expect("after the failed quorum", [progress["started"], progress["progress"]], [True, 0])
    client.sys.cancel_rekey()
    expect("cancelled", client.sys.read_rekey_progress()["started"], False)
    expect("seal config unchanged", client.sys.read_seal_status()["n"], 5)


@step("rekey 5/3 to 3/2")
def _():
    started = client.sys.start_rekey(secret_shares=3, secret_threshold=2)
    done = client.sys.rekey_multi(old_shares[2:5], nonce=started["nonce"])
    expect("complete", [done["complete"], len(done["keys"]), len(done["keys_base64"])], [True, 3, 3])
    state["shares"] = done["keys_base64"]
    status = client.sys.read_seal_status()
    expect("seal config", [status["t"], status["n"]], [2, 3])


@step("seal; the old shares no longer unseal, the new ones do")
def _():
    client.sys.enable_secrets_engine("kv", path="py-ops")
    client.secrets.kv.v1.create_or_update_secret(path="kept", secret={"v": "before"}, mount_point="py-ops")
    client.sys.seal()
    client.sys.submit_unseal_key(old_shares[0])
    refused(hvac.exceptions.InternalServerError, "message authentication failed", client.sys.submit_unseal_key, old_shares[1])
    expect("still sealed", client.sys.read_seal_status()["sealed"], True)
    client.sys.submit_unseal_key(state["shares"][1])
    expect("unsealed", client.sys.submit_unseal_key(state["shares"][2])["sealed"], False)
    expect("data", client.secrets.kv.v1.read_secret(path="kept", mount_point="py-ops")["data"], {"v": "before"})


@step("rotate moves the term; old data still reads; no sudo, no rotate")
def _():
    before = client.sys.get_encryption_key_status()
    expect("top level", before["term"], before["data"]["term"])
    client.sys.rotate_encryption_key()
    after = client.sys.get_encryption_key_status()["data"]
    expect("term", after["term"], before["data"]["term"] + 1)
    expect("data", client.secrets.kv.v1.read_secret(path="kept", mount_point="py-ops")["data"], {"v": "before"})
    client.sys.create_or_update_acl_policy(name="py-rotate", policy='path "sys/rotate" { capabilities = ["update", "create"] }')
    token = client.auth.token.create(policies=["py-rotate"], ttl="10m")["auth"]["client_token"]
    limited = hvac.Client(url=address, token=token)
    refused(hvac.exceptions.Forbidden, "permission denied", limited.sys.rotate_encryption_key)
    expect("term unchanged", client.sys.get_encryption_key_status()["data"]["term"], after["term"])


@step("generate-root with an OTP; log in with the new root token; revoke the old one")
def _():
    status = client.sys.read_root_generation_progress()
    expect("idle", [status["started"], status["otp_length"], status["required"]], [False, 28, 2])
    started = client.sys.start_root_token_generation()
    otp = started["otp"]
    expect("server OTP", len(otp), status["otp_length"])
    refused(hvac.exceptions.InvalidRequest, "root generation already in progress", client.sys.start_root_token_generation)
    refused(hvac.exceptions.InvalidRequest, "incorrect nonce supplied", client.sys.generate_root, state["shares"][0], "wrong")
    client.sys.generate_root(state["shares"][0], started["nonce"])
    done = client.sys.generate_root(state["shares"][2], started["nonce"])
    expect("complete", done["complete"], True)
    # `vault operator generate-root -decode`: raw standard base64, XOR with the OTP.
    encoded = done["encoded_token"]
    raw = base64.b64decode(encoded + "=" * (-len(encoded) % 4))
    new_root = bytes(a ^ b for a, b in zip(raw, otp.encode())).decode()
    fresh = hvac.Client(url=address, token=new_root)
    expect("policies", fresh.auth.token.lookup_self()["data"]["policies"], ["root"])
    fresh.auth.token.revoke(old_root)
    refused(hvac.exceptions.Forbidden, "permission denied", client.auth.token.lookup_self)
    expect("new root works", fresh.secrets.kv.v1.read_secret(path="kept", mount_point="py-ops")["data"], {"v": "before"})
    refused(hvac.exceptions.InvalidPath, "", fresh.secrets.kv.v1.read_secret, path="missing", mount_point="py-ops")
    client.token = new_root


@step("generate-root cancel, and refused on a sealed node")
def _():
    client.sys.start_root_token_generation(otp="abcdefghijklmnopqrstuvwxyz01")
    client.sys.cancel_root_generation()
    expect("cancelled", client.sys.read_root_generation_progress()["started"], False)
    client.sys.seal()
    refused(hvac.exceptions.VaultDown, "Vault is sealed", client.sys.read_root_generation_progress)
    refused(hvac.exceptions.VaultDown, "Vault is sealed", client.sys.read_rekey_progress)


print(json.dumps(steps))
