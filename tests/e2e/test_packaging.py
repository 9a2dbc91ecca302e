"""The package as a user installs it: built, installed (not editable) beside other Pulumi packages.

`python -m build` makes the sdist and, from the sdist, the wheel, so a wheel at all proves the sdist
holds what a build needs. The wheel goes into a fresh virtual environment with the newest `pulumi`
SDK (the one `make setup` pins in .venv) and another published provider SDK, `pulumi-random`. The
stack-reference example then runs from that environment under the real engine against the emulator:
program, language host and dynamic provider all import the installed wheel, never this checkout.

`pulumi-random`'s provider plugin is a binary the engine would download from GitHub, which is not
reachable here; no `random` resource is created. The program imports `pulumi_random` beside
`pulumi_personalize`, which is what a project using both needs from the two packages' SDK sides
(one resolvable set of requirements, one `pulumi` module for both).
"""

from __future__ import annotations

import importlib.metadata
import json
import os
import shutil
import subprocess
import sys
import tarfile
import zipfile
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.test_examples import EXAMPLES, REPO, Project, contentstack

pytestmark = pytest.mark.e2e

PACKAGE = REPO / "pulumi_personalize"
OTHER_PROVIDER = "pulumi-random"


def _run(*args: str | Path, cwd: Path | None = None, env: dict[str, str] | None = None) -> str:
    result = subprocess.run([str(a) for a in args], cwd=cwd, env=env, capture_output=True, text=True,
                            timeout=900)
    assert result.returncode == 0, f"{' '.join(map(str, args))} failed:\n{result.stdout}\n{result.stderr}"
    return result.stdout


def _package_files() -> set[str]:
    """What the built distributions must carry: every module, py.typed and the emulator's data."""
    files = {p for p in PACKAGE.rglob("*") if p.is_file() and "__pycache__" not in p.parts}
    wanted = {p for p in files if p.suffix == ".py" or p.parent.name == "data" or p.name == "py.typed"}
    return {str(p.relative_to(REPO)) for p in wanted}


@pytest.fixture(scope="module")
def distributions(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    out = tmp_path_factory.mktemp("dist")
    _run(sys.executable, "-m", "build", "--outdir", out, REPO)
    (sdist,) = out.glob("pulumi_personalize-*.tar.gz")
    (wheel,) = out.glob("pulumi_personalize-*.whl")
    return {"sdist": sdist, "wheel": wheel}


def test_sdist_holds_what_a_build_needs_and_the_wheel_holds_no_tests(distributions: dict[str, Path]) -> None:
    with tarfile.open(distributions["sdist"]) as sdist:
        names = sdist.getnames()
    root = names[0].split("/")[0]
    in_sdist = {n.removeprefix(f"{root}/") for n in names}
    assert {"pyproject.toml", "README.md"} <= in_sdist
    assert _package_files() <= in_sdist, sorted(_package_files() - in_sdist)
    assert any(n.startswith("pulumi_personalize/emulator/data/") for n in in_sdist)

    with zipfile.ZipFile(distributions["wheel"]) as wheel:
        in_wheel = set(wheel.namelist())
        (metadata,) = [n for n in in_wheel if n.endswith(".dist-info/METADATA")]
        requires = [line for line in wheel.read(metadata).decode().splitlines() if line.startswith("Requires-Dist: pulumi")]
    assert _package_files() <= in_wheel, sorted(_package_files() - in_wheel)
    assert not [n for n in in_wheel if n.startswith(("tests/", "benchmarks/", "scripts/", "examples/"))]
    assert {n.split("/")[0] for n in in_wheel} == {"pulumi_personalize", metadata.split("/")[0]}
    # The range users get: a floor and the next major, as published Pulumi packages declare.
    (pulumi_requirement,) = [r for r in requires if r.split()[1].startswith(("pulumi<", "pulumi>"))]
    assert "<4.0.0" in pulumi_requirement and ">=3." in pulumi_requirement


def test_installed_wheel_runs_beside_the_newest_sdk_and_another_provider(
    distributions: dict[str, Path], emulator: Any, tmp_path: Path
) -> None:
    newest = importlib.metadata.version("pulumi")  # .venv: exactly the SDK that make setup pins
    venv = tmp_path / "venv"
    _run(sys.executable, "-m", "venv", venv)
    python = venv / "bin" / "python"
    _run(python, "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
         distributions["wheel"], f"pulumi=={newest}", OTHER_PROVIDER)
    _run(python, "-m", "pip", "check")

    # Nothing of this checkout on the path: the copies of the projects live in tmp_path, the
    # language host's own folder is scripts/, and PYTHONPATH is emptied.
    clean = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    located = _run(python, "-c", "import pulumi, pulumi_personalize, pulumi_random; "
                   "print(pulumi.__file__); print(pulumi_personalize.__file__)", cwd=tmp_path, env=clean)
    site_packages = str(venv / "lib")
    assert all(line.startswith(site_packages) for line in located.split()), located
    assert _run(python, "-c", "import importlib.metadata as m; print(m.version('pulumi'))").strip() == newest

    source = EXAMPLES / "stack-reference"
    infra = Project(source / "infra", tmp_path)
    site = Project(source / "personalization", tmp_path)
    program = site.dir / "__main__.py"
    program.write_text("import pulumi_random  # a second provider SDK in the same project\n" + program.read_text())
    for project in (infra, site):
        project.env.update({"PULUMI_PYTHON_CMD": str(python), "PYTHONPATH": ""})
        shutil.rmtree(project.dir / "venv", ignore_errors=True)

    infra.pulumi("stack", "init", "dev")
    infra.up("dev")
    site.init("dev", emulator.base_url)
    site.up("dev")
    site.assert_no_changes("dev")
    uids = site.outputs("dev")["audience_uids"]
    assert set(contentstack(emulator)["audiences"]) == {uids["offer_visitors"], uids["us_visitors"]}
    assert contentstack(emulator)["audiences"][uids["us_visitors"]]["name"] == "Visitors in the US (dev)"

    site.destroy("dev")
    infra.destroy("dev")
    assert not contentstack(emulator).get("audiences")
    assert not json.loads(site.export_text("dev"))["deployment"].get("resources")
