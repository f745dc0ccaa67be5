"""Static asset URLs: content-hashed for our files, SRI-checked for vendored ones."""

from __future__ import annotations

import functools
import hashlib
import json
from pathlib import Path

from flask import Flask, current_app, url_for

ROOT = Path(__file__).resolve().parent.parent


@functools.cache
def _file_version(path: str, mtime: float) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()[:12]


def static_url(filename: str) -> str:
    """URL of an app/static file with ``?v=<content hash>`` so it can be cached forever."""
    path = Path(current_app.static_folder or "") / filename
    version = _file_version(str(path), path.stat().st_mtime)
    return url_for("static", filename=filename, v=version)


@functools.cache
def _vendor_manifest(path: str) -> dict:
    return json.loads(Path(path).read_text(encoding="utf-8"))


def vendor_asset(package: str, file: str) -> dict[str, str]:
    """``{"url", "integrity"}`` of a vendored file, from ``static/vendor/manifest.json``."""
    manifest_path = Path(current_app.static_folder or "") / "vendor" / "manifest.json"
    entry = _vendor_manifest(str(manifest_path))["packages"][package]
    info = entry["files"][file]
    relative = Path(info["path"]).relative_to("app/static").as_posix()
    return {"url": url_for("static", filename=relative), "integrity": info["integrity"]}


def init_assets(app: Flask) -> None:
    app.jinja_env.globals.update(static_url=static_url, vendor_asset=vendor_asset)
