"""The committed reference pages (docs/reference/) are what scripts/gen_docs.py generates from the
resource declarations: a changed argument, docstring, default, secret or replace rule fails here until the
pages are regenerated (`.venv/bin/python scripts/gen_docs.py`)."""

from __future__ import annotations

import difflib
import re
from pathlib import Path
from types import ModuleType

import pytest

from ._scripts import load_script

REPO = Path(__file__).resolve().parents[2]
REFERENCE = REPO / "docs" / "reference"


def _gen_docs() -> ModuleType:
    return load_script("gen_docs")


@pytest.fixture(scope="module")
def generated() -> dict[str, str]:
    pages: dict[str, str] = _gen_docs().render_all()
    return pages


def test_every_generated_page_is_committed_and_current(generated: dict[str, str]) -> None:
    stale = []
    for name, text in sorted(generated.items()):
        path = REFERENCE / name
        committed = path.read_text() if path.exists() else ""
        if committed != text:
            diff = "\n".join(list(difflib.unified_diff(
                committed.splitlines(), text.splitlines(), f"committed {name}", f"generated {name}", lineterm=""))[:30])
            stale.append(diff)
    assert not stale, "docs/reference is stale; run `.venv/bin/python scripts/gen_docs.py`:\n" + "\n".join(stale)


def test_no_page_is_left_over(generated: dict[str, str]) -> None:
    committed = {p.name for p in REFERENCE.glob("*.md")}
    assert committed - set(generated) == set(), "pages no resource generates any more: delete them"


def test_every_public_resource_has_a_page(generated: dict[str, str]) -> None:
    import pulumi

    from pulumi_personalize import contentstack, sitecore

    for module in (contentstack, sitecore):
        for name in module.__all__:
            cls = getattr(module, name)
            if isinstance(cls, type) and issubclass(cls, pulumi.Resource):
                assert any(f"# {'cs' if module is contentstack else 'sc'}.{name}\n" in text
                           for text in generated.values()), name


def test_pages_link_to_each_other(generated: dict[str, str]) -> None:
    index = generated["README.md"]
    for link in re.findall(r"\]\(([^)]+\.md)\)", index):
        assert link in generated, link


def test_check_mode_passes_on_the_committed_pages() -> None:
    assert _gen_docs().main(["--check"]) == 0


def test_a_nested_object_is_tabled_once(generated: dict[str, str]) -> None:
    """A nested ``*Args`` class and the model it becomes hold the same fields: the page tables the
    ``*Args`` (what a program writes) and not the model again; models no ``*Args`` covers keep a table."""
    connection = generated["sitecore-connection.md"]
    assert connection.count("| `client_secret` |") == 1
    assert "### `ConnectionAuthArgs`" in connection and "### `auth: ConnectionAuth`" not in connection
    assert "### `schedule: Schedule`" in generated["sitecore-flow-definition.md"]


def test_the_rules_page_names_every_builder_condition_and_preset(generated: dict[str, str]) -> None:
    from pulumi_personalize.contentstack import rules
    from pulumi_personalize.facts.contentstack import MATCH_CONDITIONS, PRESET_ATTRIBUTE_KEYS

    page = generated["contentstack-rules.md"]
    assert "[contentstack-rules.md](contentstack-rules.md)" in generated["README.md"]
    for name in rules.__all__:
        assert f"### `cs.rules.{name}`\n" in page, name
    for condition, _ in MATCH_CONDITIONS:
        assert re.search(rf"^\| `{condition}` \| [^|]+ \| `?[A-Za-z]", page, re.MULTILINE), condition
    assert "| `STRING_EQUALS` | vendor API docs | `StringMatch` |" in page  # what check accepts, not a list
    for key in PRESET_ATTRIBUTE_KEYS:
        assert f"| `{key}` |" in page, key


def test_every_match_condition_of_the_facts_is_in_the_fact_sheet() -> None:
    from pulumi_personalize.facts.contentstack import MATCH_CONDITIONS

    sheet = (REPO / "docs" / "facts" / "contentstack.md").read_text()
    listed = sheet[sheet.index("- Match conditions documented"):].split("\n- ", 1)[0]
    assert sorted(re.findall(r"`([A-Z_]+)`", listed)) == sorted(c for c, _ in MATCH_CONDITIONS)


def test_the_flows_page_describes_every_builder_argument(generated: dict[str, str]) -> None:
    import inspect

    from pulumi_personalize.sitecore import flows

    page = generated["sitecore-flows.md"]
    assert "[sitecore-flows.md](sitecore-flows.md)" in generated["README.md"]
    for name in flows.__all__:
        assert f"### `sc.flows.{name}`\n" in page, name
        function = getattr(flows, name)
        if inspect.isfunction(function):
            for param in inspect.signature(function).parameters:
                row = re.search(rf"^\| `\**{param}` \|.*\| ([^|]*) \|$", page[page.index(f"`sc.flows.{name}`"):],
                                re.MULTILINE)
                assert row and row.group(1).strip(), f"{name}({param}) has no description"
