"""The README's settings table lists exactly the regions the settings accept, and every alias with
the region it stands for (``pulumi_personalize/config.py``): a region or alias added or removed in
the code fails here until the README says so."""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path

import pytest

from pulumi_personalize import config

README = (Path(__file__).resolve().parents[2] / "README.md").read_text()


def _row(key: str) -> str:
    rows = [line for line in README.splitlines() if line.startswith("|") and f"`personalize:{key}`:" in line]
    assert len(rows) == 1, f"one settings row for personalize:{key}"
    return rows[0].split("|")[2]


@pytest.mark.parametrize(("key", "regions", "aliases"), [
    ("contentstackRegion", config.CONTENTSTACK_REGIONS, config._CONTENTSTACK_ALIASES),
    ("sitecoreRegion", config.SITECORE_REGIONS, config._SITECORE_ALIASES),
])
def test_the_readme_lists_every_region_and_alias(key: str, regions: Mapping[str, str],
                                                aliases: Mapping[str, str]) -> None:
    named, also = _row(key).split(f"`personalize:{key}`:", 1)[1].split("also accepted:")
    assert [r for r in re.findall(r"`([a-z-]+)`", named) if not r.startswith("api-")] == list(regions)
    listed = {alias: target for group, target in re.findall(r"((?:`[a-z-]+`,? ?)+) for `([a-z-]+)`", also)
              for alias in re.findall(r"`([a-z-]+)`", group)}
    assert listed == dict(aliases)

