"""Templates from files, and what a one-line change in a 2,000-line template looks like in a preview."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pulumi
import pytest

from pulumi_personalize import sitecore
from tests.e2e.conftest import StackFactory
from tests.e2e.test_sitecore_lifecycle import Sitecore


@pytest.fixture
def sc(emulator: Any) -> Sitecore:
    return Sitecore(emulator)


def test_one_line_change_in_a_large_file_template_previews_as_one_line(
    stack_factory: StackFactory, sc: Sitecore, tmp_path: Path
) -> None:
    site = tmp_path / "site"
    site.mkdir()
    lines = [f'<div class="row-{i}">offer {i}</div>' for i in range(2000)]
    (site / "banner.html").write_text("\n".join(lines))
    (site / "banner.css").write_text(".row-1 { color: teal }\n")
    (site / "banner.js").write_text("console.log('banner');\n")

    def program() -> None:
        template = sitecore.Template.from_files(
            "banner", name="Banner", type="WEB", html="banner.html", css="banner.css",
            javascript="banner.js", base_dir=site,
        )
        pulumi.export("ref", template.ref)
        pulumi.export("revision", template.revision)

    stack = stack_factory(program)
    up = stack.up()
    ref = up.outputs["ref"].value
    live = sc.get("templates", ref)
    assert live["html"] == "\n".join(lines)
    assert live["css"] == ".row-1 { color: teal }\n"
    stack.assert_no_changes()

    lines[1234] = '<div class="row-1234">offer 1234, now 10% off</div>'
    (site / "banner.html").write_text("\n".join(lines))
    preview = stack.preview()
    assert stack.changes(preview) == {"update": 1}
    text = preview.stdout
    # The preview marks the changed field only (unchanged ones are listed unmarked), and shows the
    # changed line with a little context ...
    marked = [line.strip() for line in text.splitlines() if line.strip().startswith("~ ")
              and not re.match(r"~ \d+ to update", line.strip())]
    assert len(marked) == 2, text
    assert marked[0].startswith("~ pulumi-python:dynamic/sitecore:Template: (update)")
    assert re.match(r"~ html\s*:$", marked[1])
    assert '- <div class="row-1234">offer 1234</div>' in text
    assert '+ <div class="row-1234">offer 1234, now 10% off</div>' in text
    # ... not the 2,000 lines (the whole preview stays a screenful).
    assert "row-1000" not in text and "row-1500" not in text
    assert len(text.splitlines()) < 40, text

    up = stack.up()
    assert up.outputs["ref"].value == ref
    assert up.outputs["revision"].value == live["revision"] + 1
    assert sc.get("templates", ref)["html"] == "\n".join(lines)
    stack.assert_no_changes()


def test_a_template_argument_given_twice_is_refused(tmp_path: Path) -> None:
    (tmp_path / "a.html").write_text("<p/>")
    with pytest.raises(TypeError, match="either html= or html_file="):
        sitecore.Template("t", name="t", type="WEB", html="<p/>", html_file="a.html", base_dir=tmp_path)
