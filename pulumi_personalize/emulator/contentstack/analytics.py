"""An experience version's analytics summary (``docs/facts/contentstack.md#analytics``), and the
emulator control that sets its numbers.

``GET /experiences/{uid}/analytics/summary?version=<versionUid>`` (default: the live version) answers
``{experienceUid, versionUid, variants: [{shortUid, name, impressions, conversions?, conversionRate?,
probabilityToBeBest?}], leadingVariant}``; conversions and what follows from them, and the leading
variant, for A/B tests only (the vendor's page). The live body is undocumented: this shape is the
emulator's choice, and the client reads others too. A version never activated (DRAFT) answers 400:
the service keeps analytics for activated experiences only.

The numbers are the emulator's, deterministic: every variant starts at 0 impressions and 0 conversions;
``PUT /_emulator/contentstack/projects/{project}/experiences/{uid}/analytics`` with
``{"version"?: uid, "variants": {"<shortUid>": {"impressions": n, "conversions": n}}}`` sets them (a
test asserts what it set). The probability to be best is computed from them (each variant's conversion
rate as a Beta(1 + conversions, 1 + impressions - conversions) posterior, integrated numerically), and
the leading variant is the likeliest to be best once every variant has ``ENOUGH_IMPRESSIONS``.
"""

from __future__ import annotations

import math
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from ..common import ApiError, Json, read_json
from . import experiences as ex
from .handlers import backend, project_scope

ANALYTICS = "analytics"  # per project: experience uid -> version uid -> short uid -> counts
ENOUGH_IMPRESSIONS = 100  # the emulator's threshold of "sufficient data"; the live one is not documented
GRID = 2000


def _version(project: Json, uid: str, version_uid: str | None) -> Json:
    versions: list[Json] = project["versions"].get(uid, [])
    if version_uid:
        return ex.find_version(project, uid, version_uid)
    for status in ("ACTIVE", "PAUSED", "ARCHIVED"):
        ran = [v for v in versions if v.get("status") == status]
        if ran:
            return ran[-1]
    raise ApiError(400, "Analytics is only available for activated experiences", field_errors={
        "version": ["the experience has no activated version"]})


def _best_probabilities(counts: list[tuple[int, int]]) -> list[float]:
    """P(each variant's conversion rate is the highest), Beta posteriors on a shared grid."""
    if len(counts) < 2:
        return [1.0] * len(counts)
    params = [(1 + c, 1 + max(i - c, 0)) for i, c in counts]
    spread = [(a / (a + b), math.sqrt(a * b / ((a + b) ** 2 * (a + b + 1)))) for a, b in params]
    low = max(0.0, min(m - 10 * s for m, s in spread))
    high = min(1.0, max(m + 10 * s for m, s in spread))
    step = (high - low) / GRID
    xs = [min(max(low + (k + 0.5) * step, 1e-12), 1 - 1e-12) for k in range(GRID)]
    pdfs = []
    for a, b in params:
        norm = math.lgamma(a + b) - math.lgamma(a) - math.lgamma(b)
        pdfs.append([math.exp(norm + (a - 1) * math.log(x) + (b - 1) * math.log(1 - x)) * step for x in xs])
    cdfs = []
    for pdf in pdfs:
        total, running = sum(pdf) or 1.0, []
        acc = 0.0
        for p in pdf:
            running.append((acc + p / 2) / total)  # the mass below the cell's middle
            acc += p
        cdfs.append(running)
    out = []
    for i, pdf in enumerate(pdfs):
        mass = sum(pdf) or 1.0
        out.append(sum(p / mass * math.prod(cdfs[j][k] for j in range(len(pdfs)) if j != i)
                       for k, p in enumerate(pdf)))
    total = sum(out) or 1.0
    return [round(p / total, 4) for p in out]


def summary(project: Json, uid: str, version_uid: str | None) -> Json:
    experience: Json | None = project["experiences"].get(uid)
    if experience is None:
        raise ApiError(404, f"Experience with uid {uid} was not found")
    version = _version(project, uid, version_uid)
    if version.get("status") == "DRAFT":
        raise ApiError(400, "Analytics is only available for activated experiences", field_errors={
            "version": [f"version {version['uid']} was never activated"]})
    stored = project.get(ANALYTICS, {}).get(uid, {}).get(version["uid"], {})
    variants: list[Json] = []
    for variant in version.get("variants") or []:
        counts = stored.get(str(variant.get("shortUid")), {})
        variants.append({"shortUid": str(variant.get("shortUid")), "name": variant.get("name"),
                         "impressions": int(counts.get("impressions", 0)),
                         "conversions": int(counts.get("conversions", 0))})
    body: Json = {"experienceUid": uid, "versionUid": version["uid"], "variants": variants, "leadingVariant": None}
    if experience.get("__type") != "AB_TEST":
        for item in variants:
            del item["conversions"]  # conversions and the leader are A/B test information only
        return body
    chances = _best_probabilities([(v["impressions"], v["conversions"]) for v in variants])
    for item, chance in zip(variants, chances, strict=True):
        item["conversionRate"] = round(item["conversions"] / item["impressions"], 4) if item["impressions"] else 0
        item["probabilityToBeBest"] = chance
    if variants and all(v["impressions"] >= ENOUGH_IMPRESSIONS for v in variants):
        leader = max(variants, key=lambda v: v["probabilityToBeBest"])
        body["leadingVariant"] = {"shortUid": leader["shortUid"], "name": leader["name"]}
    return body


async def get_summary(request: Request) -> Response:
    project_uid = await project_scope(request)
    uid, version_uid = request.path_params["uid"], request.query_params.get("version") or None
    with backend(request).project(project_uid, write=False) as project:
        return JSONResponse(summary(project, uid, version_uid))


def _counts(body: Any) -> dict[str, dict[str, int]]:
    variants = body.get("variants") if isinstance(body, dict) else None
    if not isinstance(variants, dict):
        raise ApiError(400, "Send {\"variants\": {\"<shortUid>\": {\"impressions\": n, \"conversions\": n}}}",
                       field_errors={"variants": ["must be an object keyed by short uid"]})
    out: dict[str, dict[str, int]] = {}
    for short, counts in variants.items():
        numbers = {k: counts.get(k, 0) for k in ("impressions", "conversions")} if isinstance(counts, dict) else {}
        if not numbers or any(isinstance(n, bool) or not isinstance(n, int) or n < 0 for n in numbers.values()) \
                or numbers["conversions"] > numbers["impressions"]:
            raise ApiError(400, "Invalid analytics counts", field_errors={
                f"variants.{short}": ["impressions and conversions: whole numbers, conversions <= impressions"]})
        out[str(short)] = numbers
    return out


async def set_counts(request: Request) -> Response:
    """The control: sets a version's counts (the others stay) and answers the summary served now."""
    project_uid, uid = request.path_params["project"], request.path_params["uid"]
    body = await read_json(request)
    counts = _counts(body)
    with backend(request).project(project_uid, write=True) as project:
        if uid not in project["experiences"]:
            raise ApiError(404, f"Experience with uid {uid} was not found")
        version = _version(project, uid, body.get("version") or None)
        shorts = {str(v.get("shortUid")) for v in version.get("variants") or []}
        unknown = sorted(set(counts) - shorts)
        if unknown:
            raise ApiError(400, "Unknown variants", field_errors={"variants": [
                f"{', '.join(unknown)}: not short uids of version {version['uid']} ({', '.join(sorted(shorts))})"]})
        if version.get("status") == "DRAFT":
            raise ApiError(400, "Analytics is only available for activated experiences", field_errors={
                "version": [f"version {version['uid']} was never activated"]})
        project.setdefault(ANALYTICS, {}).setdefault(uid, {}).setdefault(version["uid"], {}).update(counts)
        return JSONResponse(summary(project, uid, version["uid"]))


URLS = [
    ("/experiences/{uid}/analytics/summary", "GET", get_summary),
    ("/_emulator/contentstack/projects/{project}/experiences/{uid}/analytics", "PUT", set_counts),
]
