"""A decision model variant whose create answer was lost (5xx, dropped connection) is found among its
model's variants, or posted again: never a second variant, never a failed create when the service
made it. respx stands in for the service at the HTTP boundary.
"""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest
import respx
from pulumi.dynamic import Config, ConfigureRequest

from pulumi_personalize.engine import EngineProvider
from pulumi_personalize.sitecore.resources import DECISION_MODEL_VARIANT

SC_URL = "https://sc.test"
CONFIG = {"personalize:sitecoreBaseUrl": SC_URL, "personalize:sitecoreAccessToken": "static-token-unit"}
MODEL = "11111111-1111-4111-8111-111111111111"
DMN = '<definitions xmlns="https://www.omg.org/spec/DMN/20151101/dmn.xsd" id="d"/>'


class Model:
    """One decision model's variants; ``answers`` says what each POST's answer does:
    ``ok``, ``lost`` (stored, then 500), ``drop`` (stored, then the connection closes), ``before``
    (503 before anything is stored)."""

    def __init__(self, answers: list[str]) -> None:
        self.answers = answers
        self.variants: dict[str, dict[str, Any]] = {}
        self.posts = 0

    def route(self, request: httpx.Request) -> httpx.Response:
        path = request.url.path
        if request.method == "GET" and path == f"/v2/decisionModelDefinitions/{MODEL}/variants":
            items = list(self.variants.values())
            limit, offset = int(request.url.params["limit"]), int(request.url.params["offset"])
            return httpx.Response(200, json={"href": str(request.url), "items": items[offset:offset + limit]})
        if request.method == "POST" and path == f"/v2/decisionModelDefinitions/{MODEL}/variants":
            answer = self.answers[self.posts]
            self.posts += 1
            if answer == "before":
                return httpx.Response(503, json={"status": 503, "message": "busy"})
            ref = f"00000000-0000-4000-8000-{len(self.variants) + 1:012d}"
            self.variants[ref] = {**json.loads(request.content), "ref": ref, "revision": 1, "archived": False,
                                  "decisionModelDefinitionRef": MODEL}
            if answer == "lost":
                return httpx.Response(500, json={"status": 500, "message": "oops"})
            if answer == "drop":
                raise httpx.RemoteProtocolError("Server disconnected without sending a response.")
            return httpx.Response(201, json=self.variants[ref])
        if request.method == "GET" and path.startswith("/v2/decisionModelVariants/"):
            found = self.variants.get(path.rsplit("/", 1)[1])
            return httpx.Response(200, json=found) if found else httpx.Response(404, json={"status": 404})
        return httpx.Response(404, json={"status": 404})


def create(model: Model) -> Any:
    provider = EngineProvider(DECISION_MODEL_VARIANT.name, DECISION_MODEL_VARIANT.module)
    provider.configure(ConfigureRequest(config=Config(CONFIG, "proj")))
    with respx.mock(base_url=SC_URL, assert_all_called=False) as router:
        router.route().mock(side_effect=model.route)
        return provider.create({"name": "Baseline", "decision_model": MODEL, "definition": DMN})


@pytest.mark.parametrize("answer", ["lost", "drop"])
def test_a_variant_the_service_made_is_taken_not_posted_again(answer: str) -> None:
    model = Model([answer])
    result = create(model)
    assert model.posts == 1
    assert list(model.variants) == [result.id]
    assert result.outs["name"] == "Baseline" and result.outs["revision"] == 1


def test_a_variant_the_service_did_not_make_is_posted_again() -> None:
    model = Model(["before", "ok"])
    result = create(model)
    assert model.posts == 2
    assert list(model.variants) == [result.id]


def test_two_namesakes_after_a_lost_answer_fail_naming_them() -> None:
    model = Model(["lost"])
    model.variants["00000000-0000-4000-8000-0000000000aa"] = {
        "name": "Baseline", "definition": DMN, "ref": "00000000-0000-4000-8000-0000000000aa", "archived": False}
    with pytest.raises(Exception, match="several variants named 'Baseline'") as raised:
        create(model)
    assert "00000000-0000-4000-8000-0000000000aa" in str(raised.value)
    assert model.posts == 1
