"""Connections under the real engine: the auth object never in clear, and ``verify=True`` testing
the connection before anything is saved (a failing test creates nothing, changes nothing)."""

from __future__ import annotations

from typing import Any

import pulumi
import pytest
from pulumi import automation as auto

from pulumi_personalize import sitecore
from tests.e2e.conftest import StackFactory
from tests.e2e.test_sitecore_lifecycle import Api

pytestmark = pytest.mark.e2e

CLIENT_SECRET = "loyalty-oauth-secret-e2e-a71f"


def connection_program(url: dict[str, str]) -> Any:
    def program() -> None:
        conn = sitecore.Connection(
            "loyalty", name="Loyalty", system_type="DATA_SYSTEM", verify=True,
            request=sitecore.ConnectionRequestArgs(connection_url=url["value"]),
            auth=sitecore.ConnectionAuthArgs(auth_type="OAUTH", client_id="personalize", client_secret=CLIENT_SECRET,
                                             access_token_url="https://loyalty.example.com/oauth/token"),
        )
        pulumi.export("ref", conn.ref)
        pulumi.export("auth", conn.auth)

    return program


def live_connections(emulator: Any) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = Api(emulator.base_url).get("/v2/connections?limit=100")["items"]
    return items


def test_verify_tests_before_saving_and_the_secret_stays_secret(stack_factory: StackFactory, emulator: Any) -> None:
    url = {"value": "https://loyalty.example.com/fail/balance"}  # the emulator's external system answers 500
    stack = stack_factory(connection_program(url))
    with pytest.raises(auto.CommandError) as failure:
        stack.up()
    assert "the external system answered 500" in str(failure.value) and "nothing was created" in str(failure.value)
    assert CLIENT_SECRET not in str(failure.value)
    assert live_connections(emulator) == []  # nothing created
    assert any(e["path"] == "/v2/connections/testConnection" for e in emulator.requests(method="POST"))

    url["value"] = "https://loyalty.example.com/v2/balance"
    up = stack.up()
    ref = up.outputs["ref"].value
    assert up.outputs["auth"].secret
    stack.assert_no_changes()
    assert CLIENT_SECRET not in stack.export_text() and CLIENT_SECRET not in "\n".join(stack.output)

    url["value"] = "https://loyalty.example.com/fail/v3"
    with pytest.raises(auto.CommandError, match="the connection was left as it was"):
        stack.up()
    live = Api(emulator.base_url).get(f"/v2/connections/{ref}")
    assert live["request"]["connectionUrl"] == "https://loyalty.example.com/v2/balance" and live["revision"] == 1


def test_check_names_the_missing_credential(stack_factory: StackFactory) -> None:
    def program() -> None:
        sitecore.Connection("w", name="w", system_type="DATA_SYSTEM",
                            request=sitecore.ConnectionRequestArgs(connection_url="https://w.example.com"),
                            auth=sitecore.ConnectionAuthArgs(auth_type="OAUTH", client_secret=CLIENT_SECRET))

    stack = stack_factory(program)
    with pytest.raises(auto.CommandError) as failure:
        stack.preview()
    assert "auth_type OAUTH needs client_id, access_token_url" in str(failure.value)
    assert CLIENT_SECRET not in str(failure.value)
