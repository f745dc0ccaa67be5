"""Browser tests: the app on a real socket, browsed as http://localhost:PORT in Debian's Chromium."""

from __future__ import annotations

import email
import json
import os
import re
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from email import policy
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from app.extensions import db

CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
VENDOR = Path(__file__).parent / "vendor"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "tests/e2e/" in str(item.fspath).replace(os.sep, "/"):
            item.add_marker(pytest.mark.e2e)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict) -> dict:
    """Debian's Chromium with the flags that work on these machines (TESTING.md)."""
    executable = "/usr/lib/chromium/chromium"
    if not os.path.exists(executable):
        executable = "/usr/bin/chromium"
    return {**browser_type_launch_args, "executable_path": executable, "args": CHROMIUM_ARGS}


@dataclass
class LiveServer:
    url: str
    app: object


@pytest.fixture(scope="session")
def live_server(tmp_path_factory) -> Iterator[LiveServer]:
    """The app served by a real HTTP server in a thread, on a free port, with demo data."""
    from app import create_app
    from app.config import TestingConfig
    from app.services.demo import load_demo

    tmp = tmp_path_factory.mktemp("live")
    os.environ["MACAISSE_INSTANCE_PATH"] = str(tmp / "instance")
    port_holder = make_server("127.0.0.1", 0, lambda *a: None)
    port = port_holder.server_port
    port_holder.server_close()

    class LiveConfig(TestingConfig):
        SQLALCHEMY_DATABASE_URI = f"sqlite:///{tmp / 'live.sqlite3'}"
        PUBLIC_BASE_URL = f"http://localhost:{port}"

    app = create_app(LiveConfig)
    with app.app_context():
        db.create_all()
        load_demo(people=60, practitioners=400)
    server = make_server("127.0.0.1", port, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield LiveServer(url=f"http://localhost:{port}", app=app)
    server.shutdown()
    thread.join(5)
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def axe_source() -> str:
    manifest = json.loads((VENDOR / "manifest.json").read_text())
    entry = manifest["packages"]["axe-core"]["files"]["axe.min.js"]
    return (Path(__file__).parents[2] / entry["path"]).read_text(encoding="utf-8")


def assert_accessible(page) -> None:
    """Run axe-core (WCAG 2.0/2.1/2.2 A and AA, best practices) and fail on serious or critical."""
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.evaluate(axe_source())  # through DevTools, so our strict CSP does not block it
    result = page.evaluate(
        """async () => {
            const run = axe.run(document, {runOnly: {type: "tag",
                values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]}});
            const timeout = new Promise(
                (_, reject) => setTimeout(() => reject(new Error("axe timeout")), 20000));
            const results = await Promise.race([run, timeout]);
            return results.violations
              .filter((v) => v.impact === "serious" || v.impact === "critical")
              .map((v) => ({id: v.id, impact: v.impact, help: v.help,
                            nodes: v.nodes.slice(0, 3).map((n) => n.target.join(" "))}));
        }"""
    )
    assert result == [], f"{page.url}: {json.dumps(result, ensure_ascii=False, indent=1)}"


def newest_login_code(live_server) -> str:
    """The 6-digit code of the newest sign-in e-mail in the live app's ``instance/outbox`` (codes
    are stored hashed: the e-mail is the only place to read one, as the user does)."""
    outbox = Path(live_server.app.instance_path) / "outbox"
    files = sorted(outbox.glob("*login*code*.eml"), key=lambda path: path.stat().st_mtime_ns)
    assert files, f"no sign-in code e-mail in {outbox}"
    message = email.message_from_bytes(files[-1].read_bytes(), policy=policy.default)
    match = re.search(r"\b(\d{6})\b", message.get_body(preferencelist=("plain",)).get_content())
    assert match, files[-1].name
    return match.group(1)
