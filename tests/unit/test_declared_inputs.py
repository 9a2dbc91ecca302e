"""The state's inputs are what the program declares (engine/_declared.py): check leaves out every
top-level input at its default, and everything that works on inputs puts the defaults back, exactly.

For every resource (the baselines of test_properties.py), with the provider called directly."""

from __future__ import annotations

from typing import Any

import pytest

from pulumi_personalize.engine import EngineProvider
from pulumi_personalize.engine._declared import declared, input_defaults, with_defaults
from pulumi_personalize.engine._values import drop_none
from pulumi_personalize.sitecore.resources import CONNECTION
from tests.conftest import InProcessEmulator, ProviderFactory
from tests.unit.test_properties import BASELINES, IDS, RESOURCES


def provider_of(key: str) -> EngineProvider:
    provider = RESOURCES[key][1]
    assert isinstance(provider, EngineProvider)
    return provider


def normal_form(provider: EngineProvider, inputs: dict[str, Any]) -> dict[str, Any]:
    """The model's normal form of ``inputs``, defaults filled: what check returned before."""
    spec = provider.spec
    model = spec.inputs.model_validate({k: v for k, v in inputs.items() if k in spec.input_fields})
    found: dict[str, Any] = drop_none(model.model_dump(mode="json", exclude_none=True))
    return found


@pytest.mark.parametrize("key", IDS)
def test_putting_the_defaults_back_gives_the_normal_form_exactly(key: str) -> None:
    provider = provider_of(key)
    checked = provider.check({}, dict(BASELINES[key]))
    assert checked.failures == []
    normal = normal_form(provider, BASELINES[key])
    engine_args = {k: v for k, v in checked.inputs.items() if k in provider.spec.engine_inputs}
    assert provider.full_inputs(checked.inputs) == {**normal, **engine_args}
    defaults = input_defaults(provider.spec.inputs)
    assert not any(checked.inputs.get(k) == v for k, v in defaults.items()), "a default was kept"


@pytest.mark.parametrize("key", IDS)
def test_a_state_written_with_the_defaults_is_no_change(key: str) -> None:
    """Stacks made before the declared inputs hold every default in their inputs and outputs: the same
    program previews no change against them, and their old inputs check as before."""
    provider = provider_of(key)
    checked = dict(provider.check({}, dict(BASELINES[key])).inputs)
    old_state = provider.full_inputs(checked)
    assert provider.diff("some-id", old_state, checked).changes is False
    again = provider.check(old_state, dict(BASELINES[key]))
    assert again.failures == [] and again.inputs == checked


def test_an_input_taken_back_to_its_default_is_a_change() -> None:
    provider = provider_of("sitecore.Connection")
    five = dict(provider.check({}, {**BASELINES["sitecore.Connection"], "connection_timeout": 5000}).inputs)
    left_out = dict(provider.check({}, dict(BASELINES["sitecore.Connection"])).inputs)
    assert five["connection_timeout"] == 5000 and "connection_timeout" not in left_out
    outputs = provider.full_inputs(five)  # what the create answered, as the state's outputs hold it
    result = provider.diff("some-id", outputs, left_out)
    assert result.changes is True
    changed, _ = provider.changes(outputs, left_out)
    assert changed == ["connection_timeout"]


def test_an_input_set_to_its_default_is_stored_as_left_out() -> None:
    """Setting an input to its default and leaving it out send the same thing: they store the same."""
    provider = provider_of("sitecore.Template")
    base = BASELINES["sitecore.Template"]
    assert provider.check({}, {**base, "status": "draft"}).inputs == provider.check({}, dict(base)).inputs


def test_unknown_and_nested_values_are_left_as_they_are() -> None:
    provider = provider_of("sitecore.Connection")
    model = provider.spec.inputs
    unknown = "04da6b54-80e4-46f7-96ec-b56ff0331ba9"  # the engine's unknown sentinel
    filled = with_defaults(model, {"name": unknown, "connection_timeout": unknown})
    assert filled["name"] == unknown and filled["connection_timeout"] == unknown
    assert filled["socket_timeout"] == input_defaults(model)["socket_timeout"]
    # a nested default is part of its top-level value: left as the normal form has it
    request = {"connection_url": "https://w.example.com", "request_type": "GET"}
    assert declared(model, {"request": request})["request"] == request


def test_the_defaults_are_copies() -> None:
    model = provider_of("sitecore.Connection").spec.inputs
    first = with_defaults(model, {})
    first["custom_headers"].append({"key": "x"})
    assert with_defaults(model, {})["custom_headers"] == []


def test_a_refresh_keeps_every_default_in_the_outputs_and_leaves_them_out_of_the_inputs(
        emulator_in_process: InProcessEmulator, provider: ProviderFactory) -> None:
    """Against the emulator in process: a connection created from its declared inputs, then read back."""
    connections = provider(CONNECTION)
    inputs = dict(connections.check({}, {"name": "Weather", "system_type": "DATA_SYSTEM",
                                         "request": {"connection_url": "https://w.example.com"}}).inputs)
    created = connections.create(inputs)
    read = connections.read(str(created.id), dict(created.outs or {}))
    assert read.outs is not None and read.inputs is not None
    assert read.outs["connection_timeout"] == 1000 and read.outs["custom_headers"] == []
    assert "connection_timeout" not in read.inputs and read.inputs["name"] == "Weather"
    assert read.outs == created.outs  # nothing moved: the outputs the create answered
    assert connections.diff(str(created.id), read.outs, inputs).changes is False
