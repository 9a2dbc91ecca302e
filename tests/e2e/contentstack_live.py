"""Helpers of the Contentstack end-to-end tests: direct calls to the emulator (out-of-band edits, as a
person in the UI would make them) and the check that the provider used only live operations."""

from __future__ import annotations

import re
from typing import Any

import httpx

from tests.e2e.conftest import CONTENTSTACK_AUTHTOKEN, CONTENTSTACK_PROJECT_UID

HEADERS = {"authtoken": CONTENTSTACK_AUTHTOKEN, "x-project-uid": CONTENTSTACK_PROJECT_UID}

_ID = r"[^/]+"
# The endpoint inventory (docs/facts/contentstack.md#endpoints), without the single-version GET it marks as
# not served by the live service (404 "Cannot GET").
LIVE_OPERATIONS: tuple[tuple[str, str], ...] = (
    ("GET|POST", "/projects"),
    ("GET|POST", "/attributes"), ("PUT|DELETE", f"/attributes/{_ID}"),
    ("GET|POST", "/audiences"), ("PUT|DELETE", f"/audiences/{_ID}"),
    ("GET|POST", "/events"), ("PUT|DELETE", f"/events/{_ID}"),
    ("GET|POST", "/experiences"), ("GET|PUT|DELETE", f"/experiences/{_ID}"),
    ("GET|POST", f"/experiences/{_ID}/versions"), ("PUT|DELETE", f"/experiences/{_ID}/versions/{_ID}"),
    ("GET|PUT", "/experiences-priority"),
    ("GET", f"/experiences/{_ID}/analytics/(summary|time-series)"),
    ("GET", "/geolocation/(countries|regions|cities)"),
    ("GET|POST", f"/experiences/{_ID}/cms-integration/variant-group"),
    # the stack's Content Management API (docs/facts/contentstack.md#cma), another host live
    ("GET", "/v3/variant_groups"), ("PUT", f"/v3/variant_groups/{_ID}"),
)
_LIVE = [(re.compile(f"^({methods})$"), re.compile(f"^{path}$")) for methods, path in LIVE_OPERATIONS]


def not_live(emulator: Any) -> list[str]:
    """The method/path pairs of the emulator's request log that docs/facts/contentstack.md does not list."""
    seen = {(e["method"], e["path"]) for e in emulator.requests()}
    return sorted(f"{m} {p}" for m, p in seen
                  if not any(mr.match(m) and pr.match(p) for mr, pr in _LIVE))


def client(emulator: Any, project_uid: str = CONTENTSTACK_PROJECT_UID) -> httpx.Client:
    return httpx.Client(base_url=emulator.base_url, timeout=10,
                        headers={**HEADERS, "x-project-uid": project_uid})


def get(emulator: Any, path: str, project_uid: str = CONTENTSTACK_PROJECT_UID) -> Any:
    with client(emulator, project_uid) as c:
        response = c.get(path)
        response.raise_for_status()
        return response.json()


def customs(emulator: Any, path: str, project_uid: str = CONTENTSTACK_PROJECT_UID) -> list[dict[str, Any]]:
    """A bare-array listing without the built-in presets."""
    listed = get(emulator, path, project_uid)
    assert isinstance(listed, list), f"GET {path}: not a bare array: {listed!r}"
    return [item for item in listed if item.get("__type") != "PRESET"]


def versions(emulator: Any, uid: str) -> list[dict[str, Any]]:
    listed = get(emulator, f"/experiences/{uid}/versions")
    assert isinstance(listed, list)
    return sorted(listed, key=lambda v: str(v.get("createdAt")))


def managed_version_body(version: dict[str, Any], status: str) -> dict[str, Any]:
    """What a person's PUT of a version sends: the status and the whole configuration."""
    body = {"status": status, "variants": version["variants"]}
    for key in ("variantSplit", "metrics", "targeting"):
        if version.get(key) is not None:
            body[key] = version[key]
    return body
