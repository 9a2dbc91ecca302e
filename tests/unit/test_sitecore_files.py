"""``*_file=`` arguments: a file that cannot be read stops the program with a message that names the
resource, the argument, the path given and the path tried."""

from __future__ import annotations

from pathlib import Path

import pulumi
import pytest

from pulumi_personalize import sitecore as sc
from pulumi_personalize.sitecore.resources import FileArgumentError


def test_missing_template_file_names_resource_argument_and_path(tmp_path: Path) -> None:
    (tmp_path / "banner.html").write_text("<div/>", encoding="utf-8")
    with pytest.raises(FileArgumentError) as raised:
        sc.Template("banner", name="Banner", friendly_id="banner", type="WEB",
                    html_file="banner.html", css_file="missing.css", base_dir=tmp_path)
    assert str(raised.value) == (
        f"sc.Template 'banner': css_file='missing.css' cannot be read from {tmp_path / 'missing.css'}: "
        "No such file or directory"
    )
    # A RunError: the Pulumi program stops with the message alone, no traceback.
    assert isinstance(raised.value, pulumi.RunError)


def test_directory_as_variant_definition_file_is_named(tmp_path: Path) -> None:
    (tmp_path / "decisions").mkdir()
    with pytest.raises(FileArgumentError) as raised:
        sc.DecisionModelVariant("baseline", name="Baseline", decision_model="ref",
                                definition_file="decisions", base_dir=tmp_path)
    assert str(raised.value) == (
        f"sc.DecisionModelVariant 'baseline': definition_file='decisions' cannot be read from "
        f"{tmp_path / 'decisions'}: Is a directory"
    )


def test_file_that_is_not_utf8_is_named(tmp_path: Path) -> None:
    (tmp_path / "banner.js").write_bytes(b"\xff\xfe")
    with pytest.raises(FileArgumentError, match=r"^sc.Template 'banner': js_file='banner.js' cannot be read from "):
        sc.Template("banner", name="Banner", friendly_id="banner", type="WEB", js_file="banner.js", base_dir=tmp_path)
