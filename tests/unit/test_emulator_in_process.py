"""The in-process emulator of tests/conftest.py is the emulator: the provider's requests reach its
application (which keeps state and checks credentials), and nothing else answers them."""

from __future__ import annotations

import httpx
import pytest

from pulumi_personalize.contentstack.resources import ATTRIBUTE
from pulumi_personalize.engine import ResourceOperationError
from pulumi_personalize.sitecore.resources import DECISION_MODEL
from tests.conftest import PROVIDER_CONFIG, InProcessEmulator, ProviderFactory


def test_both_services_keep_what_the_providers_write(emulator_in_process: InProcessEmulator,
                                                     provider: ProviderFactory) -> None:
    attribute = provider(ATTRIBUTE)
    created = attribute.create({"name": "Plan", "key": "plan"})
    read = attribute.read(created.id, {"name": "Plan", "key": "plan"})
    assert read.id == created.id and read.outs is not None and read.outs["name"] == "Plan"
    model = provider(DECISION_MODEL).create({"name": "Next best offer"})
    assert provider(DECISION_MODEL).read(model.id, {"name": "Next best offer"}).id == model.id
    seen = [(r["method"], r["path"]) for r in emulator_in_process.requests(method="POST")]
    assert seen == [("POST", "/attributes"), ("POST", "/v2/decisionModelDefinitions")]


def test_a_credential_the_emulator_does_not_know_is_refused(emulator_in_process: InProcessEmulator,
                                                            provider: ProviderFactory) -> None:
    config = {**PROVIDER_CONFIG, "personalize:contentstackAuthtoken": "not-the-emulators-token"}
    with pytest.raises(ResourceOperationError, match="HTTP 401 Unauthorized"):
        provider(ATTRIBUTE, config).create({"name": "Plan", "key": "plan"})
    assert [r["status"] for r in emulator_in_process.requests(method="POST", path="/attributes")] == [401]


def test_a_host_the_emulator_does_not_serve_is_not_answered(emulator_in_process: InProcessEmulator) -> None:
    with pytest.raises(Exception, match="not mocked"), httpx.Client() as client:
        client.get("https://elsewhere.test/attributes")
