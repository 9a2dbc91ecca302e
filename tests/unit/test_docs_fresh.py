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
