"""Refresh the vendored front-end assets from pinned npm packages, and verify them.

Vendored files are never edited by hand: this script fetches each pinned package with
``npm pack``, extracts the tarball with :mod:`tarfile` (rejecting unsafe members), copies
the files we serve or inject plus the package's licence files, and writes a manifest with
a Subresource Integrity hash (``sha384-<base64>``) for each file. The app reads
``app/static/vendor/manifest.json`` to emit ``integrity=`` attributes; the unit tests
recompute the hashes so a hand edit is caught.

Usage::

    python -m app.devtools.vendor          # fetch pinned versions, rewrite files and manifests
    python -m app.devtools.vendor --check  # verify files against manifests, no network

Manifest shape (one per destination directory)::

    {"packages": {"htmx.org": {"name": "htmx.org", "version": "2.0.11", "license": "0BSD",
      "files": {"htmx.min.js": {"path": "app/static/vendor/htmx.org/2.0.11/htmx.min.js",
                                "integrity": "sha384-...", "size": 12345}}}}}
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import json
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path, PurePosixPath

# The single source of truth for vendored versions. ``files`` maps the name written in the
# destination to the path inside the npm tarball (below its top-level ``package/`` folder).
# ``dest`` is relative to the repository root; files land in ``<dest>/<name>/<version>/``
# and the manifest is ``<dest>/manifest.json``.
PINS: dict[str, dict] = {
    "htmx.org": {
        "version": "2.0.11",
        "dest": "app/static/vendor",
        "files": {"htmx.min.js": "dist/htmx.min.js"},
    },
    "axe-core": {
        "version": "4.14.1",
        "dest": "tests/e2e/vendor",
        "files": {"axe.min.js": "axe.min.js"},
    },
}

REPO_ROOT = Path(__file__).resolve().parents[2]
MANIFEST_NAME = "manifest.json"
# Top-level files of a package that carry its licence (LICENSE, LICENSE.txt, LICENCE.md,
# LICENSE-3RD-PARTY.txt, ...): all are copied so the notices travel with the code.
_LICENSE_RE = re.compile(r"^(LICEN[CS]E|COPYING)([-.][\w.-]+)?$", re.IGNORECASE)
_NPM_TIMEOUT_S = 180


class VendorError(RuntimeError):
    """Raised when a package cannot be fetched, extracted or verified."""


def sri_sha384(data: bytes) -> str:
    """Return the Subresource Integrity string (``sha384-<base64>``) of ``data``."""
    digest = hashlib.sha384(data).digest()
    return "sha384-" + base64.b64encode(digest).decode("ascii")


def _npm_pack(spec: str, workdir: Path) -> Path:
    """Download the tarball of ``spec`` (``name@version``) into ``workdir`` with ``npm pack``.

    ``--ignore-scripts`` keeps the package's lifecycle scripts from running on this machine.
    """
    npm = shutil.which("npm")
    if npm is None:
        raise VendorError("npm is not installed: it is needed to fetch vendored packages")
    proc = subprocess.run(
        [npm, "pack", spec, "--json", "--ignore-scripts", "--pack-destination", str(workdir)],
        cwd=workdir,
        capture_output=True,
        text=True,
        timeout=_NPM_TIMEOUT_S,
        check=False,
    )
    if proc.returncode != 0:
        raise VendorError(f"npm pack {spec} failed:\n{proc.stderr.strip()}")
    try:
        filename = json.loads(proc.stdout)[0]["filename"]
    except (ValueError, LookupError, TypeError) as exc:
        raise VendorError(f"npm pack {spec}: unexpected output {proc.stdout[:200]!r}") from exc
    # Scoped packages are packed as "scope-name-x.y.z.tgz"; npm reports that exact name.
    tarball = workdir / PurePosixPath(filename).name
    if not tarball.is_file():
        raise VendorError(f"npm pack {spec}: tarball {tarball.name} not found")
    return tarball


def _safe_extract(tarball: Path, target: Path) -> Path:
    """Extract ``tarball`` into ``target`` and return the package root folder.

    Every member is checked before anything is written: only regular files and folders,
    relative paths that stay inside ``target``. The ``data`` extraction filter then also
    strips permissions and ownership that a tarball should not impose.
    """
    target = target.resolve()
    with tarfile.open(tarball, mode="r:gz") as tar:
        members = tar.getmembers()
        for member in members:
            path = PurePosixPath(member.name)
            if path.is_absolute() or ".." in path.parts:
                raise VendorError(f"{tarball.name}: unsafe member path {member.name!r}")
            if not (member.isfile() or member.isdir()):
                raise VendorError(f"{tarball.name}: unsupported member type {member.name!r}")
            if not (target / path).resolve().is_relative_to(target):
                raise VendorError(f"{tarball.name}: member escapes target {member.name!r}")
        tar.extractall(target, members=members, filter="data")
    roots = {PurePosixPath(m.name).parts[0] for m in members if PurePosixPath(m.name).parts}
    if len(roots) != 1:
        raise VendorError(f"{tarball.name}: expected one top-level folder, got {sorted(roots)}")
    return target / roots.pop()


def _licence_of(package_json: dict) -> str:
    """Return the SPDX licence expression declared in ``package.json``."""
    licence = package_json.get("license")
    if isinstance(licence, dict):  # legacy {"type": "MIT", "url": ...} form
        licence = licence.get("type")
    if not isinstance(licence, str) or not licence.strip():
        raise VendorError(f"{package_json.get('name')}: no licence declared in package.json")
    return licence.strip()


def _file_entry(path: Path) -> dict:
    """Return the manifest entry (repo-relative path, SRI hash, size) for one file."""
    data = path.read_bytes()
    return {
        "path": path.relative_to(REPO_ROOT).as_posix(),
        "integrity": sri_sha384(data),
        "size": len(data),
    }


def vendor_package(name: str, pin: dict, workdir: Path) -> dict:
    """Fetch one pinned package, copy its files into place and return its manifest entry."""
    version = pin["version"]
    spec = f"{name}@{version}"
    tarball = _npm_pack(spec, workdir)
    root = _safe_extract(tarball, workdir / f"extract-{name.replace('/', '-')}")
    package_json = json.loads((root / "package.json").read_text(encoding="utf-8"))
    if package_json.get("name") != name or package_json.get("version") != version:
        raise VendorError(f"{spec}: tarball holds {package_json.get('name')}@{package_json.get('version')}")
    licence_files = sorted(p.name for p in root.iterdir() if p.is_file() and _LICENSE_RE.match(p.name))
    if not licence_files:
        raise VendorError(f"{spec}: no LICENSE file in the package")

    copies: dict[str, Path] = {}
    for dest_name, source in pin["files"].items():
        copies[dest_name] = root / PurePosixPath(source)
    for licence_name in licence_files:
        copies.setdefault(licence_name, root / licence_name)

    for source_path in copies.values():
        if not source_path.is_file():
            raise VendorError(f"{spec}: {source_path.relative_to(root)} missing in tarball")

    package_dir = REPO_ROOT / pin["dest"] / name
    version_dir = package_dir / version
    # Drop previously vendored versions so an upgrade never leaves stale copies behind.
    if package_dir.is_dir():
        for old in package_dir.iterdir():
            if old.name == version:
                continue
            if old.is_dir():
                shutil.rmtree(old)
            else:
                old.unlink()
    if version_dir.exists():
        shutil.rmtree(version_dir)
    version_dir.mkdir(parents=True)

    files: dict[str, dict] = {}
    for dest_name, source_path in copies.items():
        out = version_dir / dest_name
        shutil.copyfile(source_path, out)
        files[dest_name] = _file_entry(out)
    return {
        "name": name,
        "version": version,
        "license": _licence_of(package_json),
        "files": dict(sorted(files.items())),
    }


def _manifests_by_dest(pins: dict[str, dict]) -> dict[str, list[str]]:
    """Group package names by destination directory (one manifest per destination)."""
    grouped: dict[str, list[str]] = {}
    for name, pin in pins.items():
        grouped.setdefault(pin["dest"], []).append(name)
    return grouped


def _write_manifest(dest: str, packages: dict[str, dict]) -> Path:
    """Write ``<dest>/manifest.json`` with stable key order so diffs stay readable."""
    path = REPO_ROOT / dest / MANIFEST_NAME
    path.parent.mkdir(parents=True, exist_ok=True)
    body = {"packages": dict(sorted(packages.items()))}
    path.write_text(json.dumps(body, indent=2, sort_keys=False) + "\n", encoding="utf-8")
    return path


def refresh(pins: dict[str, dict] = PINS) -> list[Path]:
    """Fetch every pinned package and rewrite its files and manifests; return the manifests."""
    written: list[Path] = []
    with tempfile.TemporaryDirectory(prefix="macaisse-vendor-") as tmp:
        workdir = Path(tmp)
        for dest, names in _manifests_by_dest(pins).items():
            packages = {name: vendor_package(name, pins[name], workdir) for name in names}
            written.append(_write_manifest(dest, packages))
    return written


def check(pins: dict[str, dict] = PINS) -> list[str]:
    """Verify vendored files against the manifests and the pins, offline; return problems."""
    problems: list[str] = []
    for dest, names in _manifests_by_dest(pins).items():
        manifest_path = REPO_ROOT / dest / MANIFEST_NAME
        if not manifest_path.is_file():
            problems.append(f"{manifest_path.relative_to(REPO_ROOT)}: missing")
            continue
        packages = json.loads(manifest_path.read_text(encoding="utf-8")).get("packages", {})
        for extra in sorted(set(packages) - set(names)):
            problems.append(f"{dest}: package {extra} is in the manifest but not pinned")
        for name in names:
            entry = packages.get(name)
            if entry is None:
                problems.append(f"{dest}: pinned package {name} missing from manifest")
                continue
            if entry.get("version") != pins[name]["version"]:
                problems.append(
                    f"{name}: manifest has {entry.get('version')}, pin is {pins[name]['version']}"
                )
            for wanted in pins[name]["files"]:
                if wanted not in entry.get("files", {}):
                    problems.append(f"{name}: {wanted} missing from manifest")
            for file_name, meta in entry.get("files", {}).items():
                path = REPO_ROOT / meta["path"]
                if not path.is_file():
                    problems.append(f"{name}: {meta['path']} missing")
                    continue
                data = path.read_bytes()
                if sri_sha384(data) != meta["integrity"] or len(data) != meta["size"]:
                    problems.append(f"{name}: {file_name} differs from manifest (edited by hand?)")
    return problems


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point: refresh by default, verify only with ``--check``."""
    parser = argparse.ArgumentParser(prog="python -m app.devtools.vendor", description=__doc__)
    parser.add_argument("--check", action="store_true", help="verify files against manifests (no network)")
    args = parser.parse_args(argv)
    if args.check:
        problems = check()
        for problem in problems:
            print(f"vendor: {problem}", file=sys.stderr)
        print(f"vendor check: {'FAILED' if problems else 'ok'} ({len(PINS)} packages)")
        return 1 if problems else 0
    try:
        manifests = refresh()
    except VendorError as exc:
        print(f"vendor: {exc}", file=sys.stderr)
        return 1
    pins = ", ".join(f"{name}@{pin['version']}" for name, pin in PINS.items())
    print(f"vendored {pins} into {len(manifests)} manifests")
    return 0


if __name__ == "__main__":
    sys.exit(main())
