"""The geolocation look-ups (``/geolocation/countries``, ``regions``, ``cities``): read-only data shipped
with the emulator (``data/geolocation.json``)."""

from __future__ import annotations

import json
from functools import cache
from importlib import resources

from starlette.datastructures import QueryParams
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from ..common import Json
from .handlers import authenticate


@cache
def geodata() -> Json:
    text = resources.files("pulumi_personalize.emulator").joinpath("data/geolocation.json").read_text("utf-8")
    loaded: Json = json.loads(text)
    return loaded


def _matching(items: list[Json], params: QueryParams,
             filters: dict[str, tuple[str, ...]]) -> list[Json]:
    needle = (params.get("search") or params.get("name") or "").strip().lower()
    if needle:
        items = [i for i in items if needle in i["name"].lower()]
    codes = {c.strip().upper() for c in (params.get("code") or params.get("codes") or "").split(",") if c.strip()}
    if codes:
        items = [i for i in items if i["code"].upper() in codes or i.get("regionCode", "").upper() in codes]
    for field, aliases in filters.items():
        raw = next((params[a] for a in aliases if params.get(a)), None)
        if raw:
            wanted = {c.strip().upper() for c in raw.split(",")}
            items = [i for i in items if str(i.get(field, "")).upper() in wanted
                     or str(i.get(field, "")).upper().split("-")[-1] in wanted]
    return items


async def _geo(request: Request, kind: str, filters: dict[str, tuple[str, ...]]) -> Response:
    """Geolocation takes the credentials with or without ``x-project-uid`` (whether live needs the header
    is unconfirmed). Filters (all optional, names unconfirmed, case-insensitive): ``search`` / ``name``
    (substring of the name), ``code`` (comma-separated codes), per kind ``countryCode`` / ``regionCode``,
    ``limit`` (default 100) and ``skip``."""
    await authenticate(request)
    params = request.query_params
    items = _matching(list(geodata()[kind]), params, filters)
    try:
        skip = max(0, int(params.get("skip", "0")))
        limit = max(0, int(params.get("limit", "100")))
    except ValueError:
        skip, limit = 0, 100
    return JSONResponse(items[skip:skip + limit])


async def geo_countries(request: Request) -> Response:
    return await _geo(request, "countries", {})


async def geo_regions(request: Request) -> Response:
    return await _geo(request, "regions", {"countryCode": ("countryCode", "country")})


async def geo_cities(request: Request) -> Response:
    return await _geo(request, "cities", {"countryCode": ("countryCode", "country"),
                                          "regionCode": ("regionCode", "region")})
