"""The seal lifecycle through hvac, against an uninitialized server at VAULT_ADDR.

Run by test/clients/hvac.test.ts; prints one JSON line with what it saw.
"""
import json
import os
import sys

import hvac
import hvac.exceptions


def main() -> None:
    client = hvac.Client(url=os.environ["VAULT_ADDR"])
    seen = {"initialized_before": client.sys.is_initialized()}

    result = client.sys.initialize(secret_shares=5, secret_threshold=3)
    keys = result["keys"]
    client.token = result["root_token"]
    seen["initialized_after"] = client.sys.is_initialized()
    seen["sealed_after_init"] = client.sys.is_sealed()

    try:
        client.sys.initialize(secret_shares=1, secret_threshold=1)
        seen["init_twice"] = "accepted"
    except hvac.exceptions.InvalidRequest as error:
        seen["init_twice"] = str(error)

    try:
        client.sys.submit_unseal_key(key="not a key")
        seen["bad_key"] = "accepted"
    except hvac.exceptions.InvalidRequest as error:
        seen["bad_key"] = str(error)

    progress = client.sys.submit_unseal_key(key=keys[0])
    seen["progress_after_one"] = progress["progress"]
    client.sys.submit_unseal_key(reset=True)
    seen["progress_after_reset"] = client.sys.read_seal_status()["progress"]

    status = client.sys.submit_unseal_keys(keys=keys[1:4])
    seen["sealed_after_unseal"] = status["sealed"]
    seen["health_head"] = client.sys.read_health_status().status_code
    seen["health_get"] = client.sys.read_health_status(method="GET")["sealed"]
    seen["leader_ha"] = client.sys.read_leader_status()["ha_enabled"]

    try:
        client.sys.read_mount_configuration("does-not-exist")
        seen["unknown_path"] = "accepted"
    except hvac.exceptions.VaultError as error:
        seen["unknown_path"] = type(error).__name__

    seal_response = client.sys.seal()
    seen["seal_status_code"] = seal_response.status_code
    seen["sealed_at_end"] = client.sys.is_sealed()

    try:
        client.sys.read_mount_configuration("secret")
        seen["sealed_request"] = "accepted"
    except hvac.exceptions.VaultDown as error:
        seen["sealed_request"] = str(error)

    print(json.dumps(seen))


if __name__ == "__main__":
    try:
        main()
    except Exception as error:  # report, so the test shows what hvac raised
        print(json.dumps({"error": f"{type(error).__name__}: {error}"}))
        sys.exit(1)
