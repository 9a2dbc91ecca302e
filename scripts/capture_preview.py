"""Regenerates the captured `pulumi preview --diff` in docs/preview-in-review.md.

    .venv/bin/python scripts/capture_preview.py            # rewrite the captures in the page
    .venv/bin/python scripts/capture_preview.py --print    # print them only

What it does: starts the emulator, `pulumi up` of a small program (BEFORE below) on a throw-away file
backend, then changes the program the way a pull request would (AFTER) and runs the real
`pulumi preview --diff` on it, once per kind of change (update, replace, delete) and once for all of
them together, plus the summary of the `pulumi up` that applies the update. Ids and addresses that differ on every run are replaced by stable placeholders, so a
refreshed capture only differs where the output itself changed. Needs `make setup` (the CLI in
.tools/bin and the package in .venv).
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
PAGE = REPO / "docs" / "preview-in-review.md"
PULUMI = REPO / ".tools" / "bin" / "pulumi"

PROJECT_YAML = """\
name: personalize-review
runtime: python
"""

# One program, four states: the base and one change each. Placeholders are filled per state.
PROGRAM = '''\
import pulumi

from pulumi_personalize import contentstack as cs
from pulumi_personalize import sitecore as sc
from pulumi_personalize.contentstack import rules

purchase = cs.Event("purchase", key="purchase", description="Order placed")
{newsletter}
returning = cs.Audience(
    "returning-visitors",
    name="Returning visitors",
    description={audience_description!r},
    definition=rules.all_of(
        rules.Rule(rules.preset("COUNTRY"), "STRING_EQUALS", rules.StringMatch("US")),
    ),
)
homepage = cs.Experience(
    "homepage-hero",
    name="Homepage hero",
    type={experience_type!r},
    variants=[
        cs.ExperienceVariantArgs(name="Default hero"{variant_audiences}),
        cs.ExperienceVariantArgs(name="Returning visitor hero"{variant_audiences}),
    ],
)
banner = sc.Template(
    "sale-banner",
    name="Sale banner",
    friendly_id="sale_banner",
    type="WEB",
    html='<div class="sale">Spring sale</div>',
    css={css!r},
)
'''

BASE = {
    "newsletter": 'cs.Event("newsletter", key="newsletter_signup", description="Newsletter sign-up")',
    "audience_description": "Visitors from the US",
    "experience_type": "SEGMENTED",
    "variant_audiences": ", audiences=[returning.uid]",
    "css": ".sale { color: #c00; }",
}
CHANGES: dict[str, dict[str, str]] = {
    # An audience's description and a template's CSS change: both are updated in place.
    "update": {"audience_description": "Visitors from the US who came back within 30 days",
               "css": ".sale { color: #c00; font-weight: bold; }"},
    # An experience's type cannot change in place: the experience is replaced.
    "replace": {"experience_type": "AB_TEST", "variant_audiences": ""},
    # An event removed from the program is deleted.
    "delete": {"newsletter": "# the newsletter event is no longer used"},
}
CHANGES["all"] = {k: v for change in ("update", "replace", "delete") for k, v in CHANGES[change].items()}

ENV = {
    "PATH": f"{REPO / '.tools' / 'bin'}{os.pathsep}{os.environ.get('PATH', '')}",
    "PYTHONPATH": str(REPO),
    "PULUMI_CONFIG_PASSPHRASE": "capture-passphrase",
    "PULUMI_SKIP_UPDATE_CHECK": "true",
    "PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION": "true",
    "NO_COLOR": "1",
}


def pulumi(args: list[str], cwd: Path, env: dict[str, str]) -> str:
    result = subprocess.run([str(PULUMI), *args, "--non-interactive"], cwd=cwd, env={**os.environ, **env},
                            capture_output=True, text=True, timeout=600)
    if result.returncode != 0:
        sys.exit(f"pulumi {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}")
    return result.stdout


def stable(text: str, base_url: str, workdir: Path) -> str:
    """Placeholders for what differs on every run, and no trailing spaces."""
    names: dict[str, str] = {}

    def placeholder(kind: str) -> Callable[[re.Match[str]], str]:
        def replace(match: re.Match[str]) -> str:
            value = match.group(0)
            if value not in names:
                names[value] = f"<{kind}-{sum(1 for v in names.values() if v.startswith('<' + kind)) + 1}>"
            return names[value]
        return replace

    host = base_url.split("://", 1)[1]  # the tenant record holds the host without the scheme
    text = text.replace(base_url, "https://<service>").replace(host, "<service>").replace(str(workdir), "<project>")
    text = re.sub(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", placeholder("ref"), text)
    text = re.sub(r"\b[0-9a-f]{24}\b", placeholder("uid"), text)
    text = re.sub(r"\bcs[0-9a-f]{16}\b", placeholder("cms"), text)
    text = re.sub(r"Duration: [0-9.]+m?s", "Duration: 1s", text)
    text = re.sub(r"\([0-9.]+m?s\)", "", text)
    lines = [line.rstrip() for line in text.splitlines()]
    return "\n".join(lines).strip("\n") + "\n"


def capture() -> dict[str, str]:
    from pulumi_personalize.emulator.testing import running_emulator

    captures: dict[str, str] = {}
    with tempfile.TemporaryDirectory(prefix="capture-preview-") as tmp, running_emulator() as emu:
        root = Path(tmp)
        workdir = root / "infra"
        workdir.mkdir()
        (workdir / "Pulumi.yaml").write_text(PROJECT_YAML)
        env = {**ENV, "PULUMI_BACKEND_URL": f"file://{root / 'backend'}", "PULUMI_HOME": str(root / "home")}
        (root / "backend").mkdir()
        base_url = emu.base_url
        pulumi(["stack", "init", "dev"], workdir, env)
        pulumi(["config", "set-all",
                "--plaintext", f"personalize:baseUrl={base_url}",
                "--plaintext", "personalize:contentstackProjectUid=review0project00000000001",
                "--secret", "personalize:contentstackAuthtoken=emulator-authtoken",
                "--plaintext", f"personalize:sitecoreTokenUrl={base_url}/oauth/token",
                "--plaintext", "personalize:sitecoreClientId=emulator-client",
                "--secret", "personalize:sitecoreClientSecret=emulator-secret"], workdir, env)
        (workdir / "__main__.py").write_text(PROGRAM.format(**BASE))
        pulumi(["up", "--yes", "--skip-preview"], workdir, env)
        for name, change in CHANGES.items():
            (workdir / "__main__.py").write_text(PROGRAM.format(**{**BASE, **change}))
            out = pulumi(["preview", "--diff", "--color", "never"], workdir, env)
            captures[name] = stable(out, base_url, workdir)
            if name == "update":
                # What `pulumi up` then does: the summary only (the docs compare it with the preview).
                out = pulumi(["up", "--yes", "--skip-preview", "--color", "never"], workdir, env)
                summary = out[out.index("Resources:"):].split("\n\n")[0]
                captures["update-up"] = stable(summary, base_url, workdir)
                (workdir / "__main__.py").write_text(PROGRAM.format(**BASE))
                pulumi(["up", "--yes", "--skip-preview"], workdir, env)
        (workdir / "__main__.py").write_text(PROGRAM.format(**BASE))
        pulumi(["destroy", "--yes", "--skip-preview"], workdir, env)
    return captures


def render(page: str, captures: dict[str, str]) -> str:
    for name, text in captures.items():
        begin, end = f"<!-- capture:{name}:begin -->", f"<!-- capture:{name}:end -->"
        pattern = re.compile(re.escape(begin) + r".*?" + re.escape(end), re.S)
        if not pattern.search(page):
            sys.exit(f"{PAGE}: no {begin} ... {end} markers")
        block = f"{begin}\n```diff\n{text}```\n{end}"
        match = pattern.search(page)
        assert match is not None
        page = page[:match.start()] + block + page[match.end():]  # spliced: the text is not a pattern
    return page


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--print", action="store_true", help="print the captures, leave the page alone")
    args = parser.parse_args(argv)
    if not PULUMI.exists():
        sys.exit("the Pulumi CLI is not installed: run `make setup`")
    captures = capture()
    if args.print:
        for name, text in captures.items():
            print(f"--- {name}\n{text}")
        return 0
    PAGE.write_text(render(PAGE.read_text(), captures))
    print(f"wrote {PAGE.relative_to(REPO)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
