"""Every document the repository cites can be followed from a fresh clone.

Fails when a tracked file holds an absolute path of some machine (or a reference to the fact sheets
outside the repository, which a clone does not have), when a relative Markdown link points at a
missing file or heading, and when code or docs cite ``docs/<file>#<anchor>`` that does not exist.
The facts the code relies on live in ``docs/facts/`` (see ``docs/internals.md``).
"""

from __future__ import annotations

import re
import subprocess
from functools import cache
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]

# Written in pieces so that this file does not match its own patterns.
_FORBIDDEN = {
    "/" + "work/": "an absolute path of a build machine",
    "/" + "home/": "an absolute path of a home directory",
    "/" + "root/": "an absolute path of root's home directory",
    "/" + "Users/": "an absolute path of a macOS home directory",
    "C:" + "\\": "an absolute Windows path",
    "/" + "tmp/": "a fixed temporary path (tests use pytest's tmp_path)",
    "../" + "shared": "the fact sheets outside the repository (cite docs/facts/ instead)",
    "shared/" + "reference": "the fact sheets outside the repository (cite docs/facts/ instead)",
    "pulumi-" + "notes.md": "the Pulumi notes outside the repository (cite docs/facts/pulumi.md instead)",
}

# A Markdown link or image target: [text](target) with no scheme.
_MD_LINK = re.compile(r"!?\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)")
# A repository path under docs/ cited anywhere (code, comments, YAML, Markdown), optionally with an anchor.
_DOCS_REF = re.compile(r"(?<![\w/.\-])(docs/[A-Za-z0-9_./\-]*[A-Za-z0-9_\-])(#[A-Za-z0-9_\-]+)?")
_FENCE = re.compile(r"^(```|~~~).*?^\1", re.MULTILINE | re.DOTALL)
_HEADING = re.compile(r"^#{1,6}\s+(.+?)\s*#*\s*$", re.MULTILINE)
_EXPLICIT_ANCHOR = re.compile(r"<a\s+(?:id|name)=\"([^\"]+)\"")


@cache
def tracked_files() -> tuple[Path, ...]:
    """The files git tracks (what a clone gets), as paths inside the repository."""
    out = subprocess.run(["git", "ls-files", "-z"], cwd=REPO, capture_output=True, check=True).stdout
    names = [name for name in out.decode().split("\0") if name]
    return tuple(REPO / name for name in names if (REPO / name).is_file())


@cache
def text_of(path: Path) -> str | None:
    try:
        return path.read_text(encoding="utf-8")
    except (UnicodeDecodeError, OSError):
        return None  # binary: nothing to follow


def slug(heading: str) -> str:
    """GitHub's anchor of a heading: lower case, punctuation dropped, spaces to hyphens."""
    text = re.sub(r"<[^>]+>", "", heading)  # inline HTML (an explicit anchor) is not part of it
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", text).lower()
    text = re.sub(r"[^\w\- ]", "", text)
    return text.replace(" ", "-")


@cache
def anchors(path: Path) -> frozenset[str]:
    """The anchors a Markdown file offers: heading slugs (with GitHub's -1, -2 for repeats) and
    explicit ``<a id="...">`` targets."""
    text = text_of(path) or ""
    found: set[str] = set(_EXPLICIT_ANCHOR.findall(text))
    seen: dict[str, int] = {}
    for heading in _HEADING.findall(_FENCE.sub("", text)):
        base = slug(heading)
        count = seen.get(base, 0)
        seen[base] = count + 1
        found.add(base if count == 0 else f"{base}-{count}")
    return frozenset(found)


def _missing_target(target: Path, anchor: str | None) -> str | None:
    """Why ``target#anchor`` cannot be followed, or None when it can."""
    if not target.exists():
        return "no such file"
    if anchor and target.suffix == ".md" and anchor not in anchors(target):
        return f"no heading or anchor #{anchor} in {target.relative_to(REPO)}"
    return None


def _markdown_files() -> list[Path]:
    return [p for p in tracked_files() if p.suffix == ".md"]


def test_the_repository_has_files_to_check() -> None:
    assert len(tracked_files()) > 50
    assert REPO / "docs" / "facts" / "contentstack.md" in tracked_files()


@pytest.mark.parametrize("pattern", sorted(_FORBIDDEN))
def test_no_tracked_file_points_outside_the_repository(pattern: str) -> None:
    hits = []
    for path in tracked_files():
        text = text_of(path)
        if text is None or pattern not in text:
            continue
        for number, line in enumerate(text.splitlines(), 1):
            if pattern in line:
                hits.append(f"{path.relative_to(REPO)}:{number}: {line.strip()[:120]}")
    assert not hits, f"{_FORBIDDEN[pattern]} ({pattern!r}):\n" + "\n".join(hits)


def test_relative_markdown_links_resolve() -> None:
    broken = []
    for path in _markdown_files():
        for target in _MD_LINK.findall(_FENCE.sub("", text_of(path) or "")):
            if re.match(r"^[a-z][a-z0-9+.\-]*:", target):  # https:, mailto: ...
                continue
            file_part, _, anchor = target.partition("#")
            resolved = (path.parent / file_part).resolve() if file_part else path
            why = _missing_target(resolved, anchor or None)
            if why:
                broken.append(f"{path.relative_to(REPO)}: ({target}): {why}")
    assert not broken, "broken links:\n" + "\n".join(broken)


def test_cited_docs_and_anchors_exist() -> None:
    broken = []
    for path in tracked_files():
        text = text_of(path)
        if text is None or "docs/" not in text:
            continue
        for number, line in enumerate(text.splitlines(), 1):
            for ref, anchor in _DOCS_REF.findall(line):
                why = _missing_target(REPO / ref, anchor.lstrip("#") or None)
                if why:
                    broken.append(f"{path.relative_to(REPO)}:{number}: {ref}{anchor}: {why}")
    assert not broken, "citations of docs/ that lead nowhere:\n" + "\n".join(broken)


def test_the_checker_sees_a_broken_anchor_and_a_good_one() -> None:
    page = REPO / "docs" / "facts" / "pulumi.md"
    assert "configure" in anchors(page)
    assert _missing_target(page, "configure") is None
    assert _missing_target(page, "no-such-heading") is not None
    assert _missing_target(REPO / "docs" / "no-such-page.md", None) == "no such file"


def test_slug_follows_github() -> None:
    assert slug("4. Moving a stack to another tenant") == "4-moving-a-stack-to-another-tenant"
    assert slug("An update: an audience's description and a template's CSS") == (
        "an-update-an-audiences-description-and-a-templates-css")
    assert slug("`_cms` and CMS variant groups") == "_cms-and-cms-variant-groups"
