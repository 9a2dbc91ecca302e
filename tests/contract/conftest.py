"""Fixtures of the contract tests: the vendors' published npm packages, installed once per machine."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tempfile
from collections.abc import Callable
from pathlib import Path

import pytest

# Outside the clone, so every checkout (and every CI run with a cached home) reuses one install.
NPM_CACHE = Path.home() / ".cache" / "pulumi-personalize" / "npm"

NpmInstall = Callable[[str, str, str], Path]


def npm_install(package: str, version: str, folder: str) -> Path:
    """``package@version`` installed with npm (pinned, with its own dependencies) into ``NPM_CACHE/folder``.

    Made once and reused while the installed manifest names the pinned version; returns the folder
    that holds ``node_modules``.
    """
    cache = NPM_CACHE / folder
    manifest = cache / "node_modules" / package / "package.json"
    if manifest.exists() and json.loads(manifest.read_text())["version"] == version:
        return cache
    npm = shutil.which("npm")
    assert npm is not None, f"npm is needed to install {package} (apt-get install nodejs npm)"
    cache.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=cache.name + ".", dir=cache.parent))
    (staging / "package.json").write_text(json.dumps({"name": f"{folder}-peer", "private": True}))
    # --ignore-scripts: the packages ship their built code; nothing needs an install script
    subprocess.run([npm, "install", "--no-audit", "--no-fund", "--ignore-scripts", "--save-exact",
                    f"{package}@{version}"], cwd=staging, check=True, capture_output=True, timeout=600)
    shutil.rmtree(cache, ignore_errors=True)
    os.replace(staging, cache)  # whole or not at all: an interrupted install is never reused
    return cache


@pytest.fixture(scope="session")
def npm_package() -> NpmInstall:
    """``npm_package(package, version, folder)``: the cached install of a pinned npm package."""
    return npm_install
