"""No credential reaches an exception's text, its traceback, or a log record, for every error type."""

from __future__ import annotations

import logging
import traceback
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest
import respx

from pulumi_personalize.config import ContentstackSettings, SitecoreSettings, load_contentstack_settings
from pulumi_personalize.contentstack._wire import new_client as new_contentstack_client
from pulumi_personalize.errors import (
    REDACTED,
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
    get_logger,
    redact,
    redact_data,
    register_secret,
)
from pulumi_personalize.http import ApiClient, RetryPolicy
from pulumi_personalize.sitecore._wire import new_client as new_sitecore_client

CS_URL = "https://cs.test"
SC_URL = "https://sc.test"
TOKEN_URL = "https://auth.test/oauth/token"

AUTHTOKEN = "blt-authtoken-7f3a9c"
OAUTH = "cs-oauth-77e1d0b2"
CLIENT_SECRET = "sc-secret-4b2e8f"
ACCESS_TOKEN = "sc-access-9d4c1a"
STATIC_TOKEN = "sc-static-2c7e55"
SECRETS = (AUTHTOKEN, OAUTH, CLIENT_SECRET, ACCESS_TOKEN, STATIC_TOKEN, "never-registered-5e6f")


UNREGISTERED = "never-registered-5e6f"  # only recognisable by the key it sits under


def _echo_body(status: int, secret: str) -> dict[str, object]:
    """An error body that (badly) echoes the caller's credential back, everywhere a service might.

    ``secret`` is the credential this client sent (registered when its settings were loaded);
    ``UNREGISTERED`` stands for a credential nobody told us about, recognisable only by its key.
    """
    return {
        "error_code": 99,
        "error_message": f"denied for {secret}, authtoken {secret}",
        "message": f"client_secret={UNREGISTERED}",
        "errors": {
            "authorization": [f"Bearer {UNREGISTERED}"],
            "name": [f"value {secret} is not allowed here", f'{{"password": "{UNREGISTERED}"}}'],
        },
        "request": {"headers": {"authtoken": UNREGISTERED, "Authorization": f"Bearer {secret}"}},
        "status": status,
    }


@pytest.fixture
def captured(caplog: pytest.LogCaptureFixture) -> Iterator[pytest.LogCaptureFixture]:
    caplog.set_level(logging.DEBUG, logger="pulumi_personalize")
    yield caplog


def _assert_clean(err: BaseException, caplog: pytest.LogCaptureFixture) -> None:
    texts = [str(err), repr(err), "".join(traceback.format_exception(err))]
    if isinstance(err, PersonalizeError):
        texts += [str(err.service_message), repr(vars(err))]
    if isinstance(err, ValidationError):
        texts.append(repr(err.field_errors))
    for record in caplog.records:
        texts.append(record.getMessage())
        texts.append(logging.Formatter("%(message)s %(exc_text)s").format(record))
    joined = "\n".join(texts)
    for secret in SECRETS:
        assert secret not in joined, f"{secret} leaked"


@pytest.fixture
def cs(cs_settings: Callable[..., ContentstackSettings], policy: RetryPolicy) -> ApiClient:
    return new_contentstack_client(cs_settings(contentstackAuthtoken=AUTHTOKEN), retry_policy=policy)


@pytest.fixture
def cs_oauth(cs_settings: Callable[..., ContentstackSettings], policy: RetryPolicy) -> ApiClient:
    settings = cs_settings(contentstackAuthtoken="", contentstackOauthToken=OAUTH)
    return new_contentstack_client(settings, retry_policy=policy)


@pytest.fixture
def sc(sc_settings: Callable[..., SitecoreSettings], policy: RetryPolicy) -> ApiClient:
    return new_sitecore_client(sc_settings(sitecoreClientSecret=CLIENT_SECRET), retry_policy=policy)


@respx.mock
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
@pytest.mark.parametrize("which", ["authtoken", "oauth"])
def test_contentstack_errors_never_show_credentials(
    status: int,
    cls: type[ApiError],
    which: str,
    cs: ApiClient,
    cs_oauth: ApiClient,
    captured: pytest.LogCaptureFixture,
) -> None:
    client, secret = (cs, AUTHTOKEN) if which == "authtoken" else (cs_oauth, OAUTH)
    route = respx.get(f"{CS_URL}/audiences").mock(
        return_value=httpx.Response(status, json=_echo_body(status, secret), headers={"x-request-id": "rid"})
    )
    with pytest.raises(cls) as info:
        client.get("/audiences")
    assert route.called
    sent = route.calls.last.request.headers
    assert AUTHTOKEN in sent.values() or f"Bearer {OAUTH}" in sent.values()  # the secret really was used
    assert REDACTED in str(info.value)
    _assert_clean(info.value, captured)


@respx.mock
def test_sitecore_token_and_api_errors_never_show_credentials(
    sc: ApiClient, captured: pytest.LogCaptureFixture
) -> None:
    respx.post(TOKEN_URL).mock(
        return_value=httpx.Response(200, json={"access_token": ACCESS_TOKEN, "expires_in": 3600})
    )
    respx.get(f"{SC_URL}/v1/flows").mock(return_value=httpx.Response(401, json=_echo_body(401, ACCESS_TOKEN)))
    with pytest.raises(AuthenticationError) as info:
        sc.get("/v1/flows")
    _assert_clean(info.value, captured)


@respx.mock
def test_sitecore_token_endpoint_echoing_the_form(sc: ApiClient, captured: pytest.LogCaptureFixture) -> None:
    respx.post(TOKEN_URL).mock(
        return_value=httpx.Response(
            400,
            json={
                "error": "invalid_client",
                "error_description": f"bad client_secret {CLIENT_SECRET} for grant_type=client_credentials"
                f"&client_secret={CLIENT_SECRET}",
            },
        )
    )
    with pytest.raises(AuthenticationError) as info:
        sc.get("/v1/flows")
    _assert_clean(info.value, captured)


@respx.mock
def test_sitecore_static_token(
    sc_settings: Callable[..., SitecoreSettings], policy: RetryPolicy, captured: pytest.LogCaptureFixture
) -> None:
    settings = sc_settings(sitecoreClientId="", sitecoreClientSecret="", sitecoreAccessToken=STATIC_TOKEN)
    respx.get(f"{SC_URL}/v1/flows").mock(return_value=httpx.Response(403, text=f"token {STATIC_TOKEN} forbidden"))
    with pytest.raises(AuthenticationError) as info:
        new_sitecore_client(settings, retry_policy=policy).get("/v1/flows")
    _assert_clean(info.value, captured)


@respx.mock
@pytest.mark.parametrize(
    "exc",
    [
        httpx.ConnectError(f"cannot connect, authtoken={AUTHTOKEN}"),
        httpx.ReadTimeout(f"timed out reading; Authorization: Bearer {OAUTH}"),
        httpx.LocalProtocolError(f"Illegal header value b'{AUTHTOKEN}\\n'"),
    ],
)
def test_transport_errors_never_show_credentials(
    exc: Exception, cs: ApiClient, captured: pytest.LogCaptureFixture
) -> None:
    respx.post(f"{CS_URL}/events").mock(side_effect=exc)
    with pytest.raises(TransportError) as info:
        cs.post("/events", {"key": "k"})
    _assert_clean(info.value, captured)


@respx.mock
def test_rate_limited_after_retries_with_echo(cs: ApiClient, captured: pytest.LogCaptureFixture) -> None:
    respx.get(f"{CS_URL}/events").mock(
        return_value=httpx.Response(429, json=_echo_body(429, AUTHTOKEN), headers={"Retry-After": "1"})
    )
    with pytest.raises(RateLimitedError) as info:
        cs.get("/events")
    assert info.value.attempts == 5
    _assert_clean(info.value, captured)


def test_configuration_errors_never_show_credentials(captured: pytest.LogCaptureFixture) -> None:
    with pytest.raises(ConfigurationError) as info:
        load_contentstack_settings(
            {
                "personalize:contentstackProjectUid": "p",
                "personalize:contentstackAuthtoken": AUTHTOKEN,
                "personalize:contentstackOauthToken": OAUTH,
            },
            environ={},
        )
    _assert_clean(info.value, captured)


def test_log_filter_scrubs_messages_args_and_exceptions(captured: pytest.LogCaptureFixture) -> None:
    register_secret(AUTHTOKEN)
    log = get_logger("engine")  # what other modules of the package use
    log.debug("headers %s", {"authtoken": AUTHTOKEN})
    log.info("client_secret=%s", "never-registered-secret")
    try:
        raise RuntimeError(f"boom {AUTHTOKEN}")
    except RuntimeError:
        log.exception("failed")
    joined = "\n".join(r.getMessage() + str(r.exc_text) for r in captured.records)
    assert len(captured.records) == 3
    assert AUTHTOKEN not in joined and "never-registered-secret" not in joined


# --- the redact function itself --------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        'authtoken: "unregistered-1a"',
        "{'client_secret': 'unregistered-1a'}",
        '{"accessToken":"unregistered-1a"}',
        "password=unregistered-1a&user=x",
        "Authorization: Bearer unregistered-1a",
        "x-api-key: unregistered-1a",
        '"apiKey" : "unregistered-1a"',
        "refresh_token=unregistered-1a",
        "sent Basic unregistered-1a",
    ],
)
def test_redact_secret_looking_values(text: str) -> None:
    out = redact(text)
    assert "unregistered-1a" not in out
    assert REDACTED in out


def test_redact_keeps_ordinary_text() -> None:
    text = 'name "Black Friday" must be unique; token_type=Bearer; expires_in=3600'
    assert redact("name must be unique") == "name must be unique"
    assert "Black Friday" in redact(text) and "3600" in redact(text)


def test_redact_registered_and_explicit_values() -> None:
    register_secret("registered-value-xyz")
    assert redact("got registered-value-xyz back") == f"got {REDACTED} back"
    assert redact("abc explicit-one", ["explicit-one"]) == f"abc {REDACTED}"
    register_secret("ab")  # too short to redact safely: ignored
    assert redact("about") == "about"


def test_redact_data_masks_credential_keys() -> None:
    data: dict[str, Any] = {
        "name": "c1",
        "auth": {"authType": "OAUTH", "clientId": "id", "clientSecret": "s3", "password": "p"},
        "customHeaders": [{"key": "x", "value": "Bearer abcdef123"}],
    }
    out = redact_data(data)
    assert out["auth"]["clientSecret"] == REDACTED and out["auth"]["password"] == REDACTED
    assert out["auth"]["authType"] == "OAUTH" and out["auth"]["clientId"] == "id"
    assert "abcdef123" not in str(out)
    assert data["auth"]["clientSecret"] == "s3"  # a copy, not in place
