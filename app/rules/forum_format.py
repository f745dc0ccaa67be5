"""The forum's text formatting: what a user types (plain text) becomes a little HTML.

A blank line starts a paragraph; lines starting with "- " or "* " make a bulleted list, lines
"1. " a numbered one; ``**bold**`` is bold; bare http(s) addresses become links. Everything typed is
escaped first, then the HTML is built, then nh3 keeps only paragraphs, lists, bold, line breaks and
links (http/https, ``rel="noopener nofollow ugc"``): a ``<script>`` or an ``onerror=`` stays text.
"""

from __future__ import annotations

import re

import nh3
from markupsafe import escape

ALLOWED_TAGS = {"p", "ul", "ol", "li", "strong", "a", "br"}
ALLOWED_ATTRIBUTES = {"a": {"href"}}
URL_SCHEMES = {"http", "https"}
LINK_REL = "noopener nofollow ugc"

_BULLET = re.compile(r"^\s*[-*]\s+(.*)$")
_NUMBERED = re.compile(r"^\s*\d{1,3}[.)]\s+(.*)$")
_BOLD = re.compile(r"\*\*(?=\S)(.+?)(?<=\S)\*\*")
# On escaped text: "&amp;" may sit in an address, any other entity (a quote) or "<" ends it.
_URL = re.compile(r"https?://[^\s<>&]+(?:&amp;[^\s<>&]+)*")
_TRAILING = ".,;:!?)"


def sanitise(html: str) -> str:
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel=LINK_REL,
    )


def _link(match: re.Match) -> str:
    url = match.group(0)
    tail = ""
    while url and url[-1] in _TRAILING:
        url, tail = url[:-1], url[-1] + tail
    return f'<a href="{url}">{url}</a>{tail}'


def _inline(line: str) -> str:
    text = str(escape(line.strip()))
    text = _BOLD.sub(r"<strong>\1</strong>", text)
    return _URL.sub(_link, text)


def _block(lines: list[str]) -> list[str]:
    """A block of consecutive lines: lists and paragraphs (lines joined by ``<br>``)."""
    out: list[str] = []
    paragraph: list[str] = []
    items: list[str] = []
    kind = ""

    def flush_paragraph() -> None:
        if paragraph:
            out.append("<p>" + "<br>".join(paragraph) + "</p>")
            paragraph.clear()

    def flush_list() -> None:
        nonlocal kind
        if items:
            out.append(f"<{kind}>" + "".join(f"<li>{item}</li>" for item in items) + f"</{kind}>")
            items.clear()
        kind = ""

    for line in lines:
        bullet, numbered = _BULLET.match(line), _NUMBERED.match(line)
        if bullet or numbered:
            flush_paragraph()
            this = "ul" if bullet else "ol"
            if kind and kind != this:
                flush_list()
            kind = this
            items.append(_inline((bullet or numbered).group(1)))
        else:
            flush_list()
            paragraph.append(_inline(line))
    flush_paragraph()
    flush_list()
    return out


def normalise(text: str) -> str:
    """The plain text kept (``body_text``): Windows line ends and surrounding blanks removed."""
    return (text or "").replace("\r\n", "\n").replace("\r", "\n").strip()


def to_html(text: str) -> str:
    """The sanitised HTML of what the user typed."""
    blocks: list[list[str]] = [[]]
    for line in normalise(text).split("\n"):
        if line.strip():
            blocks[-1].append(line)
        elif blocks[-1]:
            blocks.append([])
    html = "".join(part for block in blocks if block for part in _block(block))
    return sanitise(html)
