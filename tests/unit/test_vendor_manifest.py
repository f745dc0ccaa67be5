"""Vendored assets match their manifests, so nobody edits them by hand.

The files are written by ``python -m app.devtools.vendor``; these tests recompute each
SRI hash and size, and pin htmx to the 2.0 line by reading the version both from the
manifest and from inside the minified file (htmx 4 changes behaviour the app relies on).
The test does not import ``app.devtools`` so it stays a check on the committed files.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]
MANIFESTS = {
    "app": REPO_ROOT / "app" / "static" / "vendor" / "manifest.json",
    "tests": REPO_ROOT / "tests" / "e2e" / "vendor" / "manifest.json",
}
EXPECTED_PACKAGES = {"app": {"htmx.org"}, "tests": {"axe-core"}}
SRI_RE = re.compile(r"^sha384-[A-Za-z0-9+/]{64}$")


def _load(manifest: Path) -> dict:
    """Read a manifest and return its ``packages`` mapping."""
    return json.loads(manifest.read_text(encoding="utf-8"))["packages"]


def _all_files() -> list[tuple[str, str, dict]]:
    """List (package, file name, entry) for every file of both manifests."""
    rows = []
    for manifest in MANIFESTS.values():
        for name, package in _load(manifest).items():
            rows.extend((name, file_name, meta) for file_name, meta in package["files"].items())
    return rows


@pytest.mark.parametrize("which", sorted(MANIFESTS))
def test_manifest_lists_expected_packages(which: str) -> None:
    """Each manifest holds exactly its pinned packages, with version, licence and a script."""
    packages = _load(MANIFESTS[which])
    assert set(packages) == EXPECTED_PACKAGES[which]
    for name, package in packages.items():
        assert re.fullmatch(r"\d+\.\d+\.\d+", package["version"]), name
        assert package["license"], name
        assert any(f.endswith(".min.js") for f in package["files"]), name
        assert any(f.upper().startswith("LICENSE") for f in package["files"]), name


@pytest.mark.parametrize(
    ("package", "file_name", "meta"),
    _all_files(),
    ids=[f"{p}/{f}" for p, f, _ in _all_files()],
)
def test_vendored_file_matches_manifest(package: str, file_name: str, meta: dict) -> None:
    """The file on disk has the manifest's size and sha384 SRI hash."""
    assert SRI_RE.fullmatch(meta["integrity"]), meta["integrity"]
    path = REPO_ROOT / meta["path"]
    assert path.resolve().is_relative_to(REPO_ROOT), meta["path"]
    data = path.read_bytes()
    digest = base64.b64encode(hashlib.sha384(data).digest()).decode("ascii")
    assert len(data) == meta["size"], f"{package}/{file_name}: size changed"
    assert f"sha384-{digest}" == meta["integrity"], (
        f"{package}/{file_name} differs from the manifest: re-run python -m app.devtools.vendor"
    )


def test_vendored_paths_carry_the_version() -> None:
    """Files live under ``<name>/<version>/`` so a version bump changes every URL."""
    for manifest in MANIFESTS.values():
        for name, package in _load(manifest).items():
            for meta in package["files"].values():
                assert f"/{name}/{package['version']}/" in meta["path"], meta["path"]


def test_htmx_is_the_2_0_line() -> None:
    """htmx is pinned to 2.0.x in the manifest and in the shipped file itself, never 4.x."""
    htmx = _load(MANIFESTS["app"])["htmx.org"]
    assert htmx["version"].startswith("2.0."), htmx["version"]
    assert htmx["license"] == "0BSD"
    source = (REPO_ROOT / htmx["files"]["htmx.min.js"]["path"]).read_text(encoding="utf-8")
    found = re.findall(r"""\bversion\s*:\s*["'](\d+\.\d+\.\d+[^"']*)["']""", source)
    assert found, "no version string found inside htmx.min.js"
    assert set(found) == {htmx["version"]}, found
