"""Bad input, property-based: every resource provider's check and diff, called directly.

The resources are discovered by importing `pulumi_personalize.contentstack` and
`pulumi_personalize.sitecore`; a resource class without a baseline below fails the suite (so a new
resource cannot slip past this test). For each one:

- check() of a valid baseline has no failures (the guard that makes the other properties mean
  something);
- check() of a malformed input (an unknown argument, a required argument missing, a value of the
  wrong shape, random junk in every argument) returns check failures, each with a property and a
  message that a person can act on, and never raises;
- check() and diff() of arbitrary property bags never raise.
"""

from __future__ import annotations

import importlib
import inspect
import math
from typing import Any

import pulumi
import pulumi.dynamic
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pulumi.dynamic import CheckResult, DiffResult, ResourceProvider

UNKNOWN = pulumi.runtime.rpc.UNKNOWN
PACKAGES = ("pulumi_personalize.contentstack", "pulumi_personalize.sitecore")

# A valid input per resource class (snake_case, as the resource classes pass them).
BASELINES: dict[str, dict[str, Any]] = {
    "contentstack.Attribute": {"name": "Plan", "key": "plan", "description": "the plan"},
    "contentstack.Event": {"key": "signup", "description": "Sign-up"},
    "contentstack.Audience": {
        "name": "Mobile",
        "definition": {
            "type": "RuleCombination",
            "combination_type": "AND",
            "rules": [
                {
                    "type": "Rule",
                    "attribute": {"type": "PresetAttributeReference", "ref": "DEVICE_TYPE"},
                    "attribute_match_condition": "STRING_EQUALS",
                    "attribute_match_options": {"type": "StringMatchOptions", "value": "mobile"},
                    "invert_condition": False,
                }
            ],
        },
    },
    "contentstack.Experience": {"name": "Hero", "type": "SEGMENTED",
                                "variants": [{"name": "A", "audiences": ["0123456789abcdef01234568"]}]},
    "contentstack.ExperiencePriority": {"experiences": ["0123456789abcdef01234567"]},
    "contentstack.VariantGroupContentTypes": {"experience": "0123456789abcdef01234567",
                                              "content_types": ["page", "product"]},
    "sitecore.Connection": {
        "name": "Weather",
        "system_type": "DATA_SYSTEM",
        "request": {"connection_url": "https://weather.example.com/v1", "request_type": "GET"},
        "auth": {"auth_type": "OAUTH", "client_id": "svc", "client_secret": "pw-123456",
                 "access_token_url": "https://weather.example.com/token"},
    },
    "sitecore.DecisionModel": {"name": "Next best offer"},
    "sitecore.DecisionModelVariant": {"name": "Baseline", "decision_model": "m1",
                                      "definition": "<definitions id='d'/>"},
    "sitecore.DecisionModelDeployment": {"decision_model": "m1", "variants": [
        {"variant_ref": "v1", "split": 100, "status": "PRODUCTION", "variant_revision": 1}]},
    "sitecore.FlowDefinition": {
        "name": "Hero banner",
        "friendly_id": "hero_banner",
        "type": "INTERACTIVE_WEB_FLOW",
        "schedule": {"start_date": "2025-01-01T00:00:00.000Z"},
        "variants": [{"name": "Hero", "assets": {"html": "<p/>"}}],
    },
    "sitecore.Template": {"name": "Banner", "friendly_id": "banner", "type": "WEB",
                          "template_elements": [{"id": "html", "template": "<div></div>"}]},
}


def _discover() -> dict[str, tuple[type[pulumi.dynamic.Resource], ResourceProvider, tuple[str, ...]]]:
    """{"contentstack.Attribute": (class, provider, input field names), ...}"""
    found: dict[str, tuple[type[pulumi.dynamic.Resource], ResourceProvider, tuple[str, ...]]] = {}
    for package in PACKAGES:
        module = importlib.import_module(package)
        product = package.rsplit(".", 1)[1]
        for name in getattr(module, "__all__", dir(module)):
            cls = getattr(module, name)
            if not (inspect.isclass(cls) and issubclass(cls, pulumi.dynamic.Resource)):
                continue
            provider, fields = _provider_of(cls)
            found[f"{product}.{cls.__name__}"] = (cls, provider, fields)
    return found


def _provider_of(cls: type[Any]) -> tuple[ResourceProvider, tuple[str, ...]]:
    """The provider object the resource class hands to the engine, built the way the class builds it
    and configured as the engine configures it (check loads the settings a resource will use)."""
    spec = getattr(cls, "_spec", None)
    if spec is not None:  # every resource is a declaration over the generic engine
        from pulumi.dynamic import Config, ConfigureRequest

        from pulumi_personalize.engine import EngineProvider
        from tests.conftest import PROVIDER_CONFIG

        provider = EngineProvider(spec.name, spec.module)
        provider.configure(ConfigureRequest(Config(dict(PROVIDER_CONFIG), "proj")))
        return provider, tuple(spec.input_fields)
    raise AssertionError(f"{cls.__module__}.{cls.__name__}: no _spec or _declaration; teach this test its provider")


RESOURCES = _discover()
IDS = sorted(RESOURCES)


def test_every_resource_is_covered() -> None:
    assert set(RESOURCES) == set(BASELINES), "every discovered resource needs a baseline here (and no stale ones)"
    assert len(RESOURCES) >= 9


def _check(key: str, news: dict[str, Any], olds: dict[str, Any] | None = None) -> CheckResult:
    _cls, provider, _fields = RESOURCES[key]
    return provider.check(olds or {}, {"__provider": "opaque-pickle", **news})


def _assert_actionable(result: CheckResult) -> None:
    assert isinstance(result, CheckResult)
    assert result.failures, "a malformed input must give at least one check failure"
    for failure in result.failures:
        assert isinstance(failure.property, str)
        assert isinstance(failure.reason, str) and len(failure.reason.strip()) >= 8, failure.reason
        assert "Traceback" not in failure.reason
        assert "pydantic" not in failure.reason.lower(), failure.reason  # no library internals
        assert "https://errors.pydantic.dev" not in failure.reason


@pytest.mark.parametrize("key", IDS)
def test_the_baseline_is_valid(key: str) -> None:
    result = _check(key, BASELINES[key])
    assert result.failures == [], [(f.property, f.reason) for f in result.failures]


# --------------------------------------------------------------------------------------------------
# Strategies
# --------------------------------------------------------------------------------------------------

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**63), max_value=2**63),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=40),
    st.just(UNKNOWN),
    st.just(""),
    st.just("http://not-https.example.com"),
    st.just("a" * 5000),
)
json_values = st.recursive(
    scalars,
    lambda children: st.one_of(
        st.lists(children, max_size=4), st.dictionaries(st.text(max_size=12), children, max_size=4)
    ),
    max_leaves=12,
)
# Values that are never a valid string (the type of every name/key/url argument).
not_strings = st.one_of(
    st.integers(),
    st.floats(allow_nan=False),
    st.lists(st.text(max_size=5), min_size=1, max_size=3),
    st.dictionaries(st.text(min_size=1, max_size=5), st.integers(), min_size=1, max_size=3),
)
# Values that are never a valid list or object (the type of definition/variants/experiences).
not_containers = st.one_of(st.integers(), st.floats(allow_nan=False), st.text(min_size=1, max_size=10).filter(
    lambda s: s != UNKNOWN))


def _bad_value_for(baseline_value: Any) -> st.SearchStrategy[Any]:
    if isinstance(baseline_value, str):
        return not_strings
    if isinstance(baseline_value, list | dict):
        return not_containers
    return st.text(min_size=1, max_size=10).filter(lambda s: s != UNKNOWN)


FAST = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


# --------------------------------------------------------------------------------------------------
# Properties
# --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("key", IDS)
@FAST
@given(data=st.data())
def test_an_unknown_argument_is_a_check_failure(key: str, data: st.DataObject) -> None:
    _cls, _provider, fields = RESOURCES[key]
    reserved = {*fields, "config_namespace", "adopt_uid", "adopt_existing", "adopt_ref", "uid", "ref"}
    name = data.draw(
        st.from_regex(r"\A[a-z][a-z_]{0,15}\Z").filter(lambda n: n not in reserved and not n.startswith("__")),
        label="argument",
    )
    value = data.draw(json_values.filter(lambda v: v is not None), label="value")
    result = _check(key, {**BASELINES[key], name: value})
    _assert_actionable(result)
    assert any(name in f.property or name in f.reason for f in result.failures), result.failures


@pytest.mark.parametrize("key", IDS)
@FAST
@given(data=st.data())
def test_a_value_of_the_wrong_shape_is_a_check_failure(key: str, data: st.DataObject) -> None:
    baseline = BASELINES[key]
    name = data.draw(st.sampled_from(sorted(baseline)), label="argument")
    bad = data.draw(_bad_value_for(baseline[name]), label="value")
    result = _check(key, {**baseline, name: bad})
    # A container for a string, or a scalar for a container, is always refused with a message; a
    # scalar for a scalar may be coerced losslessly (the number 5 for a name is refused or kept).
    container_for_string = isinstance(baseline[name], str) and isinstance(bad, list | dict)
    scalar_for_container = isinstance(baseline[name], list | dict)
    if container_for_string or scalar_for_container or result.failures:
        _assert_actionable(result)
    else:
        # Passed: only a lossless coercion may explain it, so the value is kept, not dropped or mangled.
        assert name in result.inputs, f"{name}={bad!r} passed check but was dropped"
        kept = result.inputs[name]
        assert kept == bad or str(kept) == str(bad), f"{name}={bad!r} passed check as {kept!r}"


@pytest.mark.parametrize("key", IDS)
def test_a_missing_required_argument_is_a_check_failure(key: str) -> None:
    cls, _provider, _fields = RESOURCES[key]
    baseline = BASELINES[key]
    required = [n for n in ("name", "key", "connection_url", "type") if n in baseline]
    if key in ("contentstack.Experience", "contentstack.Event"):
        required = [n for n in required if n != "type" and not (key.endswith("Event") and n == "name")]
    if key == "contentstack.ExperiencePriority":
        required = []  # its one argument has a default (an empty order)
    for name in required:
        result = _check(key, {k: v for k, v in baseline.items() if k != name})
        _assert_actionable(result)
        assert any(name in f.property or name in f.reason for f in result.failures), (cls, name, result.failures)


@pytest.mark.parametrize("key", IDS)
@FAST
@given(news=st.dictionaries(st.text(max_size=20), json_values, max_size=8))
def test_check_of_random_properties_never_raises(key: str, news: dict[str, Any]) -> None:
    _cls, provider, _fields = RESOURCES[key]
    result = provider.check({}, news)
    assert isinstance(result, CheckResult)
    for failure in result.failures:
        assert isinstance(failure.reason, str) and failure.reason.strip()
        assert "Traceback" not in failure.reason


@pytest.mark.parametrize("key", IDS)
@FAST
@given(data=st.data())
def test_junk_in_every_declared_argument_is_refused_or_normalised(key: str, data: st.DataObject) -> None:
    _cls, provider, fields = RESOURCES[key]
    news = {name: data.draw(json_values, label=name) for name in fields}
    result = provider.check({}, news)
    assert isinstance(result, CheckResult)
    if result.failures:
        for failure in result.failures:
            assert isinstance(failure.reason, str) and len(failure.reason.strip()) >= 8
    else:
        # Accepted: then the normalised inputs must be accepted again unchanged (check is idempotent)
        again = provider.check({}, dict(result.inputs))
        assert again.failures == [], again.failures
        assert dict(again.inputs) == dict(result.inputs)


@pytest.mark.parametrize("key", IDS)
@FAST
@given(
    olds=st.dictionaries(st.text(max_size=20), json_values, max_size=8),
    news=st.dictionaries(st.text(max_size=20), json_values, max_size=8),
)
def test_diff_of_random_properties_never_raises(key: str, olds: dict[str, Any], news: dict[str, Any]) -> None:
    _cls, provider, _fields = RESOURCES[key]
    result = provider.diff("some-id", olds, news)
    assert isinstance(result, DiffResult)
    assert result.changes in (True, False, None)
    assert all(isinstance(r, str) for r in result.replaces or [])


@pytest.mark.parametrize("key", IDS)
@FAST
@given(data=st.data())
def test_diff_of_a_checked_input_against_junk_never_raises(key: str, data: st.DataObject) -> None:
    _cls, provider, fields = RESOURCES[key]
    checked = dict(provider.check({}, dict(BASELINES[key])).inputs)
    junk = {name: data.draw(json_values, label=name) for name in fields}
    for olds, news in ((checked, junk), (junk, checked)):
        result = provider.diff("some-id", olds, news)
        assert isinstance(result, DiffResult)
    same = provider.diff("some-id", checked, checked)
    assert same.changes is False, "a checked input compared with itself must not be a change"


def test_floats_that_json_cannot_carry_are_refused_not_raised() -> None:
    for key in IDS:
        _cls, provider, fields = RESOURCES[key]
        for bad in (math.nan, math.inf):
            result = provider.check({}, {**BASELINES[key], fields[0]: bad})
            assert isinstance(result, CheckResult)
