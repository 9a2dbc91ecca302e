"""Run every schemathesis phase (examples, coverage, fuzzing, stateful) of one contract against the emulator.

Used by ``test_contract_*.py``. One run drives the same engine as ``schemathesis run``, with:

* both generation modes (requests that fit the contract and requests that do not), so that what the
  emulator does with a value the contract forbids (a ``null`` where a string goes) is checked too;
* a fixed seed, one worker, no example database and no run cache, so two runs send the same generated
  requests;
* the response checks of the contract tests (status codes, content types, response schemas and headers
  declared, no 5xx); what a check finds is a failure, and so is an engine error;
* ``adjust``: the test's hook that makes a generated request authenticate and reach real objects, called
  before each request is sent;
* every response's status recorded per operation, so a test can assert that each operation was reached
  past authentication.
"""

from __future__ import annotations

import copy
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import schemathesis
import yaml
from schemathesis import engine
from schemathesis.config import SchemathesisConfig
from schemathesis.engine import events
from schemathesis.hooks import GLOBAL_HOOK_DISPATCHER

CHECKS = ("not_a_server_error", "status_code_conformance", "content_type_conformance",
          "response_schema_conformance", "response_headers_conformance")
# Checks of the engine this run leaves off: they judge whether the emulator refuses every request the
# schema forbids and accepts every one it allows, or the API's design, not whether an answer fits the contract.
OTHER_CHECKS = ("negative_data_rejection", "positive_data_acceptance", "missing_required_header",
                "unsupported_method", "allow_header_conformance", "use_after_free",
                "ensure_resource_availability", "ignored_auth")
PHASES = ("examples", "coverage", "fuzzing", "stateful")
SEED = 20261204
MAX_EXAMPLES = 30

Adjust = Callable[[Any, dict[str, Any]], None]


@dataclass
class FuzzRun:
    failures: list[str] = field(default_factory=list)
    statuses: dict[str, set[int]] = field(default_factory=dict)  # operation label -> statuses answered
    phases: dict[str, str] = field(default_factory=dict)  # phase -> engine status
    seconds: float = 0.0

    def phases_not_run(self) -> list[str]:
        """Phases the engine skipped (an examples phase skips when the contract has no examples)."""
        return [phase for phase in PHASES if self.phases.get(phase, "skip") == "skip"]

    def unreached(self, labels: list[str]) -> dict[str, list[int]]:
        """Operations that never got an answer other than 401 or 403."""
        return {label: sorted(self.statuses.get(label, set())) for label in labels
                if not self.statuses.get(label, set()) - {401, 403}}


def load(contract: Path, base_url: str, examples: Mapping[str, Any]) -> Any:
    """The contract, with ``examples`` (operationId -> a request body from the vendors' documentation) as
    its operations' examples, so that the examples phase sends them."""
    config = SchemathesisConfig.from_dict({
        "seed": SEED,
        "cache": {"enabled": False},  # no state kept between runs (and none written into the checkout)
        "workers": 1,
        "base-url": base_url,
        "checks": {name: {"enabled": name in CHECKS} for name in CHECKS + OTHER_CHECKS},
        "generation": {"mode": "all", "max-examples": MAX_EXAMPLES, "with-security-parameters": False,
                       "allow-x00": False, "database": "none", "deterministic": True},
    })
    raw = yaml.safe_load(contract.read_text(encoding="utf-8"))
    for path_item in raw["paths"].values():
        for operation in path_item.values():
            if isinstance(operation, dict) and operation.get("operationId") in examples:
                _add_example(raw, operation, examples[operation["operationId"]])
    return schemathesis.openapi.from_dict(raw, config=config)


def _add_example(raw: dict[str, Any], operation: dict[str, Any], body: Any) -> None:
    request_body = operation["requestBody"]
    if "$ref" in request_body:  # a shared request body: this operation gets a copy of its own
        request_body = copy.deepcopy(raw["components"]["requestBodies"][request_body["$ref"].rsplit("/", 1)[-1]])
        operation["requestBody"] = request_body
    request_body["content"]["application/json"]["examples"] = {"documented": {"value": body}}


def operation_labels(schema: Any) -> list[str]:
    return [result.ok().label for result in schema.get_all_operations()]


def run_all_phases(schema: Any, adjust: Adjust) -> FuzzRun:
    run = FuzzRun()

    def before_call(context: Any, case: Any, kwargs: dict[str, Any]) -> None:
        adjust(case, kwargs)

    def after_call(context: Any, case: Any, response: Any) -> None:
        run.statuses.setdefault(case.operation.label, set()).add(response.status_code)

    # The engine calls `before_call` hooks of the global dispatcher only: registered for this run alone.
    GLOBAL_HOOK_DISPATCHER.register_hook_with_name(before_call, "before_call")
    GLOBAL_HOOK_DISPATCHER.register_hook_with_name(after_call, "after_call")
    started = time.monotonic()
    try:
        for event in engine.from_schema(schema).execute():
            _record(run, event)
    finally:
        GLOBAL_HOOK_DISPATCHER.unregister(before_call)
        GLOBAL_HOOK_DISPATCHER.unregister(after_call)
    run.seconds = time.monotonic() - started
    return run


def _record(run: FuzzRun, event: Any) -> None:
    if isinstance(event, (events.ScenarioFinished, events.FuzzScenarioFinished)):
        run.failures.extend(_failures(event.recorder))
    elif isinstance(event, events.PhaseFinished):
        run.phases[event.phase.name.value] = event.status.value
    elif isinstance(event, events.NonFatalError):
        run.failures.append(f"{event.label}: engine error {event.info.title}: {event.info.message}")
    elif isinstance(event, events.FatalError):
        run.failures.append(f"fatal engine error: {event.exception!r}")


def _failures(recorder: Any) -> list[str]:
    found = []
    for case_id, nodes in recorder.checks.items():
        for node in nodes:
            if node.failure_info is None:
                continue
            case = recorder.cases[case_id].value
            failure = node.failure_info.failure
            body = case.body if isinstance(case.body, (dict, list, str, int, float, bool)) else None
            found.append(f"{case.operation.label} [{case.meta.phase.name.value if case.meta else '?'}] "
                         f"{node.name}: {failure.title}: {str(failure.message)[:600]} -- request body {body!r:.400}")
    return found
