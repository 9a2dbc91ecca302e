"""What every part of the provider shares: the spec it serves, the configuration, the clients."""

from __future__ import annotations

import contextlib
import logging
import sys
import threading
from collections.abc import Mapping
from typing import Any

import pulumi
import pulumi.dynamic
from pulumi.dynamic import ConfigureRequest, ResourceProvider
from pydantic import BaseModel

from .._values import Lookup
from ..config import DEFAULT_NAMESPACE
from ..errors import RedactingFilter, get_logger
from ._diagnostics import warn_engine
from ._errors import ResourceOperationError
from ._spec import ResourceSpec, lookup_spec
from ._values import CONFIG_NAMESPACE, Json, drop_none

log = get_logger("pulumi_personalize.engine")


class PulumiLogBridge(logging.Handler):
    """Hands the package's warnings to the Pulumi log, where the person running Pulumi sees them.

    The layers below the engine log with ``logging`` only (they never import pulumi); this handler,
    on the package logger, is the one place their warnings cross over. In the dynamic provider host
    they go to the engine, attached to the resource being served (``_diagnostics``); elsewhere
    ``pulumi.log`` takes them (outside a Pulumi engine, it writes to stderr).
    """

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.addFilter(RedactingFilter())  # also for a logger made without errors.get_logger

    def emit(self, record: logging.LogRecord) -> None:
        with contextlib.suppress(Exception):  # logging must never fail an operation
            message = record.getMessage()
            if not warn_engine(message):
                pulumi.log.warn(message)


def _bridge_to_pulumi_log() -> None:
    logger = get_logger()
    if not any(isinstance(h, PulumiLogBridge) for h in logger.handlers):
        logger.addHandler(PulumiLogBridge())


_bridge_to_pulumi_log()


def _one_line_errors_in_provider_host() -> None:
    """From SDK 3.260 on, the dynamic provider host reports every failed operation as
    ``traceback.format_exc()``: eight lines of the host's own frames before the line a user needs.
    With ``sys.tracebacklimit = 0`` that is the exception line alone
    (``pulumi_personalize.engine.ResourceOperationError: create ... failed: ...``). Nothing is lost:
    every operation already turns any exception into that error, message included (``from None``).
    Only in the host process (``python -m pulumi.dynamic``), never in a program or a test run.
    """
    main = sys.modules.get("__main__")
    spec = getattr(main, "__spec__", None)
    if getattr(spec, "name", None) == "pulumi.dynamic.__main__":
        sys.tracebacklimit = 0

_LAZY_LOCK = threading.Lock()


class ProviderBase(ResourceProvider):
    """The state of a provider instance and the helpers every operation uses."""

    spec_name: str
    spec_module: str
    _config: dict[str, object]

    @property
    def spec(self) -> ResourceSpec[Any]:
        return lookup_spec(self.spec_name, self.spec_module)

    # -- configuration ------------------------------------------------------------------------------

    def configure(self, req: ConfigureRequest) -> None:
        # The whole stack configuration, secrets decrypted: kept on the instance in the provider
        # process only (configure runs after unpickling; __getstate__ excludes it anyway).
        raw = getattr(req.config, "_props", None)
        self.use_config(raw if isinstance(raw, Mapping) else {})
        _one_line_errors_in_provider_host()

    def use_config(self, config: Mapping[str, object]) -> None:
        """Serve with this flat configuration (``namespace:key`` -> value, secrets in clear): the
        dynamic host's ``configure``, or a native provider instance's own inputs."""
        self._config: dict[str, object] = dict(config)
        self._lock = threading.Lock()
        self._clients: dict[str, Any] = {}

    def _client(self, props: Mapping[str, Any]) -> Any:
        if getattr(self, "_lock", None) is None:
            with _LAZY_LOCK:  # configure() was not called: settings come from the environment
                if getattr(self, "_lock", None) is None:
                    self.configure(ConfigureRequest(pulumi.dynamic.Config({}, "")))
        namespace = str(props.get(CONFIG_NAMESPACE) or DEFAULT_NAMESPACE)
        with self._lock:
            client = self._clients.get(namespace)
            if client is None:
                client = self._clients[namespace] = self.spec.connect(self._config, namespace)
            return client

    def _fetch(self, client: Any, id_: str) -> Lookup:
        """One object read by its id now: the endpoints' ``fetch`` where their ``get`` may answer
        from a listing (``Endpoints.get``), else ``get``."""
        endpoints = self.spec.endpoints
        fetch = getattr(endpoints, "fetch", None)
        found: Lookup = fetch(client, id_) if fetch is not None else endpoints.get(client, id_)
        return found

    @staticmethod
    def _normal(model: BaseModel) -> Json:
        normal: Json = drop_none(model.model_dump(mode="json", exclude_none=True))
        return normal

    def _model(self, props: Mapping[str, Any]) -> BaseModel:
        spec = self.spec
        return spec.inputs.model_validate(
            {k: v for k, v in props.items() if k in spec.input_fields and v is not None}
        )

    def _fail(self, operation: str, id_: str | None, props: Mapping[str, Any], exc: BaseException) -> ResourceOperationError:
        spec = self.spec
        title = spec.title(id_, props)
        if isinstance(exc, ResourceOperationError):
            return exc
        log.debug("%s %s failed: %s", operation, title, exc)
        return ResourceOperationError(title, operation, exc)
