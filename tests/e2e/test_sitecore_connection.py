"""Connections: credentials never in clear (state, export, debug output, errors); verify=True."""

from __future__ import annotations

from typing import Any

import pulumi
import pytest
from pulumi import automation as auto

from pulumi_personalize import sitecore
from tests.e2e.conftest import StackFactory
from tests.e2e.test_sitecore_lifecycle import Sitecore

CLIENT_SECRET = "conn-client-secret-" + "7c1e" * 5


@pytest.fixture
def sc(emulator: Any) -> Sitecore:
    return Sitecore(emulator)


def oauth_program(desired: dict[str, Any]) -> Any:
    def program() -> None:
        conn = sitecore.Connection(
            "weather",
            name=desired.get("name", "Weather OAuth"),
            connection_url=desired.get("url", "https://weather.example.com/forecast"),
            auth_type="OAUTH",
            client_id="weather-client",
            client_secret=CLIENT_SECRET,
            access_token_url="https://weather.example.com/oauth/token",
            verify=desired.get("verify", True),
        )
        pulumi.export("ref", conn.ref)
        if desired.get("export_secret"):
            pulumi.export("client_secret", conn.client_secret)
    return program


def test_the_client_secret_never_appears_in_clear(stack_factory: StackFactory, sc: Sitecore) -> None:
    desired: dict[str, Any] = {"export_secret": True}
    stack = stack_factory(oauth_program(desired))
    up = stack.up()
    ref = up.outputs["ref"].value
    assert up.outputs["client_secret"].secret
    # Not exported from here on: the Pulumi SDK itself logs stack outputs in clear at debug level
    # ("register resource outputs prepared: props=..."), whatever the provider does.
    desired["export_secret"] = False
    stack.output.clear()
    stack.up(debug=True)
    # It reached the service ...
    assert sc.get("connections", ref)["auth"]["clientSecret"] == CLIENT_SECRET
    # ... and is secret in the resource's inputs and outputs (ciphertext in the export).
    [resource] = stack.resources(":Connection")
    for section in ("inputs", "outputs"):
        assert resource[section]["client_secret"]["4dabf18193072939515e22adb298388d"] == "1b47061264138c4ac30d75fd1eb44270"
    stack.refresh(debug=True)  # read brings the secret back from the service: still secret
    [resource] = stack.resources(":Connection")
    assert "ciphertext" in resource["outputs"]["client_secret"]
    stack.assert_no_changes()

    # A failing update (the service rejects the URL) must not echo the secret either.
    desired["url"] = "not a url"
    with pytest.raises(auto.CommandError) as failure:
        stack.up(debug=True)
    assert "connection_url" in str(failure.value)
    assert CLIENT_SECRET not in str(failure.value)

    assert CLIENT_SECRET not in stack.export_text()
    assert CLIENT_SECRET not in stack.state_text()
    joined = "".join(stack.output)
    i = joined.find(CLIENT_SECRET)
    assert i < 0, joined[max(0, i - 1500): i + 300]


def test_verify_failure_on_create_archives_the_new_connection(stack_factory: StackFactory, sc: Sitecore) -> None:
    # The emulator's stand-in external system fails every URL containing "fail".
    desired: dict[str, Any] = {"url": "https://weather.example.com/fail", "name": "Failing weather"}
    stack = stack_factory(oauth_program(desired))
    with pytest.raises(auto.CommandError) as failure:
        stack.up()
    message = str(failure.value)
    assert "connection test failed: Connection test failed: https://weather.example.com/fail responded with HTTP 500" in message
    assert "was archived, nothing else was created" in message
    assert CLIENT_SECRET not in message
    made = [c for c in sc.all("connections") if c["name"] == "Failing weather"]
    assert len(made) == 1 and made[0]["archived"] is True
    assert stack.resources(":Connection") == []

    # Fixing the URL adopts and unarchives that same connection instead of making a second one.
    desired["url"] = "https://weather.example.com/ok"
    ref = stack.up().outputs["ref"].value
    assert ref == made[0]["ref"]
    assert sc.get("connections", ref)["archived"] is False


def test_verify_failure_on_update_restores_the_previous_configuration(
    stack_factory: StackFactory, sc: Sitecore
) -> None:
    desired: dict[str, Any] = {}
    stack = stack_factory(oauth_program(desired))
    ref = stack.up().outputs["ref"].value
    desired["url"] = "https://weather.example.com/now-fails"
    with pytest.raises(auto.CommandError) as failure:
        stack.up()
    assert "put back to its previous configuration" in str(failure.value)
    assert sc.get("connections", ref)["connectionUrl"] == "https://weather.example.com/forecast"
    # Nothing half-made: the state still says the old URL, so the next preview still wants the change.
    assert stack.changes(stack.preview()) == {"update": 1}


def test_check_names_the_missing_credential(stack_factory: StackFactory) -> None:
    def program() -> None:
        sitecore.Connection("c", name="x", connection_url="https://x.example.com", auth_type="OAUTH",
                            client_id="id", access_token_url="http://insecure.example.com/token")

    stack = stack_factory(program)
    with pytest.raises(auto.CommandError) as failure:
        stack.preview()
    message = str(failure.value)
    assert "access_token_url must be an absolute https:// URL" in message
