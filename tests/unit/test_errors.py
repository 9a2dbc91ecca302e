"""The error ladder and tolerant parsing of both services' error bodies (through real HTTP via respx)."""

from __future__ import annotations

import pickle
from collections.abc import Callable

import httpx
import pytest
import respx

from pulumi_personalize.config import ContentstackSettings, SitecoreSettings
from pulumi_personalize.contentstack._wire import new_client as new_contentstack_client
from pulumi_personalize.errors import (
    ApiError,
    AuthenticationError,
    ConfigurationError,
    ConflictError,
    NotFoundError,
    PersonalizeError,
    RateLimitedError,
    ServerError,
    TransportError,
    ValidationError,
    error_class_for_status,
)
from pulumi_personalize.http import ApiClient, RetryPolicy, parse_error_body
from pulumi_personalize.sitecore._wire import new_client as new_sitecore_client

CS_URL = "https://cs.test"
SC_URL = "https://sc.test"


def test_ladder_shape() -> None:
    for cls in (AuthenticationError, NotFoundError, ConflictError, ValidationError, RateLimitedError, ServerError):
        assert issubclass(cls, ApiError)
    for base in (ApiError, ConfigurationError, TransportError):
        assert issubclass(base, PersonalizeError)
    assert not issubclass(TransportError, ApiError)


@pytest.mark.parametrize(
    ("status", "cls"),
    [
        (400, ValidationError),
        (401, AuthenticationError),
        (403, AuthenticationError),
        (404, NotFoundError),
        (405, ApiError),
        (409, ConflictError),
        (422, ValidationError),
        (429, RateLimitedError),
        (500, ServerError),
        (503, ServerError),
    ],
)
def test_status_mapping(status: int, cls: type[ApiError]) -> None:
    assert error_class_for_status(status) is cls


def test_parse_contentstack_shape() -> None:
    message, fields, code = parse_error_body(
        {"error_code": 141, "error_message": "Validation failed", "errors": {"name": ["is required", "too short"]}}
    )
    assert message == "Validation failed"
    assert fields == {"name": ["is required", "too short"]}
    assert code == "141"


def test_parse_contentstack_message_variant_and_string_field_errors() -> None:
    message, fields, _ = parse_error_body({"message": "Bad key", "errors": {"key": "must be unique"}})
    assert message == "Bad key"
    assert fields == {"key": ["must be unique"]}


def test_parse_sitecore_shape() -> None:
    message, fields, code = parse_error_body(
        {
            "status": 400,
            "developerMessage": "Invalid connection",
            "errors": [
                {"field": "connectionUrl", "message": "must use https"},
                "name must not be blank",
            ],
        }
    )
    assert message is not None and message.startswith("Invalid connection")
    assert "name must not be blank" in message
    assert fields == {"connectionUrl": ["must use https"]}
    assert code is None


def test_parse_sitecore_message_only_and_list_of_strings() -> None:
    message, fields, _ = parse_error_body({"statusCode": 404, "errors": ["flow not found"]})
    assert message == "flow not found"
    assert fields == {}


def test_parse_oauth_error() -> None:
    message, _, code = parse_error_body({"error": "invalid_client", "error_description": "Unknown client"})
    assert message is not None and "Unknown client" in message
    assert code == "invalid_client"


@pytest.mark.parametrize(
    ("body", "message"),
    [(None, None), ("", None), ("plain text", "plain text"), ([], None), (["a", "b"], "a; b"), (42, "42"),
     ({"weird": {"nested": 1}}, None)],
)
def test_parse_is_tolerant(body: object, message: str | None) -> None:
    # never raises, and takes from an unknown shape what reads as a message and nothing else
    assert parse_error_body(body) == (message, {}, None)


def test_parse_never_returns_credentials_from_unknown_shapes() -> None:
    message, _, _ = parse_error_body({"errors": [{"client_secret": "s3cr3t-value"}]})
    assert message is None or "s3cr3t-value" not in message


def _cs(settings: ContentstackSettings, policy: RetryPolicy) -> ApiClient:
    return new_contentstack_client(settings, retry_policy=policy)


@respx.mock
@pytest.mark.parametrize(
    ("status", "cls"),
    [(400, ValidationError), (401, AuthenticationError), (403, AuthenticationError), (404, NotFoundError),
     (409, ConflictError), (422, ValidationError), (500, ServerError)],
)
def test_api_errors_carry_status_message_method_path_request_id(
    status: int, cls: type[ApiError], cs_settings: Callable[..., ContentstackSettings], policy: RetryPolicy
) -> None:
    respx.post(f"{CS_URL}/audiences").mock(
        return_value=httpx.Response(
            status,
            json={"error_code": 7, "error_message": f"service says {status}", "errors": {"name": ["taken"]}},
            headers={"x-request-id": "req-123"},
        )
    )
    with pytest.raises(cls) as info:
        _cs(cs_settings(), policy).post("/audiences", {"name": "n"})
    err = info.value
    assert type(err) is cls
    assert err.status == status
    assert err.method == "POST"
    assert err.path == "/audiences"
    assert err.request_id == "req-123"
    assert err.service_message == f"service says {status}"
    assert err.error_code == "7"
    text = str(err)
    assert f"HTTP {status}" in text and f"service says {status}" in text and "req-123" in text
    assert "POST /audiences" in text
    if isinstance(err, ValidationError):
        assert err.field_errors == {"name": ["taken"]}
        assert "name: taken" in text


@respx.mock
def test_path_in_error_has_no_query_values(
    cs_settings: Callable[..., ContentstackSettings], policy: RetryPolicy
) -> None:
    respx.get(f"{CS_URL}/geo/cities").mock(return_value=httpx.Response(404, json={"message": "nope"}))
    with pytest.raises(NotFoundError) as info:
        _cs(cs_settings(), policy).get("/geo/cities?apiKey=abc123xyz", params={"q": "private-query"})
    assert info.value.path == "/geo/cities"
    assert "abc123xyz" not in str(info.value) and "private-query" not in str(info.value)


@respx.mock
def test_html_error_page_is_not_echoed(cs_settings: Callable[..., ContentstackSettings], policy: RetryPolicy) -> None:
    respx.get(f"{CS_URL}/events").mock(
        return_value=httpx.Response(500, text="<html><body>" + "x" * 5000 + "</body></html>")
    )
    with pytest.raises(ServerError) as info:
        _cs(cs_settings(), policy).get("/events")
    assert "<html" not in str(info.value)
    assert info.value.status == 500


@respx.mock
def test_long_service_message_is_clipped(cs_settings: Callable[..., ContentstackSettings], policy: RetryPolicy) -> None:
    respx.get(f"{CS_URL}/events").mock(return_value=httpx.Response(400, json={"message": "y" * 10_000}))
    with pytest.raises(ValidationError) as info:
        _cs(cs_settings(), policy).get("/events")
    assert info.value.service_message is not None and len(info.value.service_message) <= 500


@respx.mock
def test_sitecore_error_shape_through_http(
    sc_settings: Callable[..., SitecoreSettings], policy: RetryPolicy
) -> None:
    respx.post("https://auth.test/oauth/token").mock(
        return_value=httpx.Response(200, json={"access_token": "at-0001", "expires_in": 86400})
    )
    respx.post(f"{SC_URL}/v1/connections").mock(
        return_value=httpx.Response(
            400,
            json={"status": 400, "message": "Bad connection", "errors": [{"field": "name", "message": "blank"}]},
        )
    )
    client = new_sitecore_client(sc_settings(), retry_policy=policy)
    with pytest.raises(ValidationError) as info:
        client.post("/v1/connections", {})
    assert info.value.service_message == "Bad connection"
    assert info.value.field_errors == {"name": ["blank"]}


def test_errors_pickle_round_trip() -> None:
    err = ValidationError("boom", status=400, method="PUT", path="/x", field_errors={"a": ["b"]})
    copy = pickle.loads(pickle.dumps(err))
    assert str(copy) == "boom" and copy.status == 400 and copy.field_errors == {"a": ["b"]}


def test_repr_is_informative() -> None:
    err = NotFoundError("GET /x failed", status=404, method="GET", path="/x", request_id="r1")
    assert repr(err) == "NotFoundError('GET /x failed', status=404, method='GET', path='/x', request_id='r1')"


def test_parse_sitecore_field_prefixed_strings() -> None:
    message, fields, _ = parse_error_body(
        {"message": "Validation failed", "statusCode": 400, "errors": ["name: must not be blank", "plain words here"]}
    )
    assert fields == {"name": ["must not be blank"]}
    assert message == "Validation failed (plain words here)"
    # With no message of its own, the strings are the message too.
    message, fields, _ = parse_error_body({"errors": ["Error: upstream down"]})
    assert message == "Error: upstream down"
    assert fields == {"Error": ["upstream down"]}
