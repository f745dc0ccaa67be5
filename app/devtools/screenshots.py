"""Take the screenshots that the web app manifest shows in the browser's install dialog.

Runs the app with demo data on a free local port (a throw-away instance folder and database),
opens each page of ``SCREENSHOTS`` (``app/web/main/routes.py``) in Debian's Chromium through
Playwright, at the viewport and pixel ratio the manifest declares, and writes the PNGs under
``app/static/``. Public pages only: a screenshot never shows anyone's account.

Usage::

    python -m app.devtools.screenshots   # needs Debian's chromium and the test dependencies
"""

from __future__ import annotations

import logging
import os
import tempfile
import threading
from pathlib import Path

from PIL import Image
from werkzeug.serving import make_server

STATIC_DIR = Path(__file__).resolve().parents[1] / "static"
CHROMIUM = ("/usr/lib/chromium/chromium", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-sync"]


def _app(folder: Path, port: int):
    """The app on a throw-away SQLite database with a small demo world."""
    from app import create_app
    from app.config import TestingConfig
    from app.extensions import db
    from app.services.demo import load_demo

    os.environ["MACAISSE_INSTANCE_PATH"] = str(folder / "instance")

    class ScreenshotConfig(TestingConfig):
        SQLALCHEMY_DATABASE_URI = f"sqlite:///{folder / 'screenshots.sqlite3'}"
        PUBLIC_BASE_URL = f"http://localhost:{port}"

    app = create_app(ScreenshotConfig)
    with app.app_context():
        db.create_all()
        load_demo(people=20, practitioners=200)
    return app


def take(base_url: str, app) -> list[Path]:
    """Shoot every screenshot of the manifest from the app served at ``base_url``."""
    from flask import url_for
    from playwright.sync_api import sync_playwright

    from app.web.main.routes import SCREENSHOTS

    with app.test_request_context():
        targets = [(shot, url_for(shot.endpoint, **dict(shot.query))) for shot in SCREENSHOTS]
    executable = next(path for path in CHROMIUM if Path(path).exists())
    written = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        for shot, path in targets:
            context = browser.new_context(
                viewport={"width": shot.width, "height": shot.height},
                device_scale_factor=shot.scale,
                locale="fr-FR",
                color_scheme="light",
                service_workers="block",  # the page as served, without the worker's first-visit work
            )
            page = context.new_page()
            page.goto(base_url + path, wait_until="networkidle")
            target = STATIC_DIR / shot.file
            target.parent.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(target))
            context.close()
            with Image.open(target) as image:
                size = f"{image.width}x{image.height}"
                if size != shot.sizes:
                    raise RuntimeError(f"{shot.file}: {size}, the manifest says {shot.sizes}")
                image.convert("RGB").save(target, format="PNG", optimize=True)
            written.append(target)
        browser.close()
    return written


def main() -> int:
    """Serve the app on a free port, take the screenshots, stop."""
    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # no line per request
    with tempfile.TemporaryDirectory(prefix="macaisse-screenshots-") as folder:
        server = make_server("127.0.0.1", 0, lambda *args: None)
        port = server.server_port
        server.server_close()
        app = _app(Path(folder), port)
        server = make_server("127.0.0.1", port, app, threaded=True)
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        try:
            written = take(f"http://localhost:{port}", app)
        finally:
            server.shutdown()
            thread.join(5)
    for path in written:
        print(f"screenshots: wrote {path.relative_to(STATIC_DIR.parent.parent)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
