"""A decision model variant whose create answer was lost (5xx, dropped connection) is found among its
model's variants, or posted again: never a second variant, never a failed create when the service
made it.

The emulator, in process, is the service. It refuses a POST before acting with its own fault
injection; an answer lost after the service acted is a fault it cannot give, so the test intercepts
the POST, hands it to the emulator (which stores the variant) and then loses its answer.
"""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from pulumi.dynamic import CreateResult

from pulumi_personalize.sitecore.resources import DECISION_MODEL, DECISION_MODEL_VARIANT
from tests.conftest import SITECORE_ACCESS_TOKEN, InProcessEmulator, ProviderFactory

DMN = '<definitions xmlns="https://www.omg.org/spec/DMN/20151101/dmn.xsd" id="d"/>'


class Model:
    """One decision model of the emulated tenant, and how the answers to its variants' POSTs go."""

    def __init__(self, emulator: InProcessEmulator, provider: ProviderFactory) -> None:
        self.emulator = emulator
        self.provider = provider
        self.ref = provider(DECISION_MODEL).create({"name": "Next best offer"}).id
        self.path = f"/v2/decisionModelDefinitions/{self.ref}/variants"

    def answers(self, answer: str) -> None:
        """``lost``: stored, then 500; ``drop``: stored, then the connection closes; ``before``: 503
        before anything is stored (the emulator's own fault), once each."""
        if answer == "before":
            self.emulator.set_faults([{"path": f"^{self.path}$", "method": "POST", "status": 503,
                                       "retry_after": 0, "times": 1}])
            return
        lose = iter([answer])

        def after_the_service_acted(request: httpx.Request) -> httpx.Response:
            response = self.emulator.transport.handle_request(request)
            fault = next(lose, None)
            if fault == "lost":
                return httpx.Response(500, json={"status": 500, "message": "oops"})
            if fault == "drop":
                raise httpx.RemoteProtocolError("Server disconnected without sending a response.")
            return response

        self.emulator.intercept("POST", self.path, after_the_service_acted)

    @property
    def posts(self) -> int:
        return len(self.emulator.requests(method="POST", path=self.path))

    @property
    def variants(self) -> list[str]:
        """The refs of the model's variants, as the service lists them."""
        listed = self.emulator.control.get(self.path, params={"limit": 100, "offset": 0},
                                           headers={"authorization": f"Bearer {SITECORE_ACCESS_TOKEN}"})
        listed.raise_for_status()
        return [str(item["ref"]) for item in listed.json()["items"]]

    def create(self) -> CreateResult:
        variant = self.provider(DECISION_MODEL_VARIANT)
        return variant.create({"name": "Baseline", "decision_model": self.ref, "definition": DMN})


@pytest.fixture
def model(emulator_in_process: InProcessEmulator, provider: ProviderFactory) -> Model:
    return Model(emulator_in_process, provider)


@pytest.mark.parametrize("answer", ["lost", "drop"])
def test_a_variant_the_service_made_is_taken_not_posted_again(model: Model, answer: str) -> None:
    model.answers(answer)
    result = model.create()
    assert model.posts == 1
    assert model.variants == [result.id]
    assert result.outs is not None
    assert result.outs["name"] == "Baseline" and result.outs["revision"] == 1


def test_a_variant_the_service_did_not_make_is_posted_again(model: Model) -> None:
    model.answers("before")
    result = model.create()
    assert model.posts == 2
    assert model.variants == [result.id]


def test_two_namesakes_after_a_lost_answer_fail_naming_them(model: Model) -> None:
    namesake: Any = model.create()
    model.answers("lost")
    with pytest.raises(Exception, match="several variants named 'Baseline'") as raised:
        model.create()
    assert namesake.id in str(raised.value)
    assert model.posts == 2  # the namesake's, then the one whose answer was lost
