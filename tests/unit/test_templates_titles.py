"""The "Erreur : " prefix of a page title comes from ``base.html`` (a form with errors, or
``errors`` in the context) and from ``app.htmx.render`` for fragments: a page's own title block
never adds it, or the title would read "Erreur : Erreur : …"."""

from __future__ import annotations

import re
from pathlib import Path

TEMPLATES = Path(__file__).parents[2] / "app" / "templates"
TITLE = re.compile(r"{%\s*block title\s*%}(.*?){%\s*endblock\s*%}", re.S)


def test_no_title_block_adds_the_error_prefix():
    offenders = [
        str(path.relative_to(TEMPLATES))
        for path in TEMPLATES.rglob("*.html")
        if path.name != "base.html"
        for title in TITLE.findall(path.read_text(encoding="utf-8"))
        if "Erreur" in title
    ]
    assert offenders == []
