"""The fiches pratiques: catalogue, themes and search (no database).

Why: the information space is a set of small HTML templates, one per fiche
(``templates/informations/fiches/<slug>.html``), each opening with TOML front matter inside a Jinja
comment (``{#--- … ---#}``): title, theme, summary, date, keywords, sources. This module reads them
once per process, checks them (a malformed fiche is a programming error: ``ValueError`` naming the
file, caught by the unit test over all fiches) and searches them.

Search looks in the title, summary, keywords and the **rendered** text of the body: the worked
examples print today's figures, so the body text is rendered once per process and per day.
"""

from __future__ import annotations

import datetime as dt
import html
import re
import threading
import tomllib
import unicodedata
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any, Final

from flask import render_template

from app.services import fiches_figures

FICHES_DIR: Final = Path(__file__).resolve().parent.parent / "templates" / "informations" / "fiches"
TEMPLATE_DIR: Final = "informations/fiches"
OPEN: Final = "{#---"
CLOSE: Final = "---#}"
SLUG_RE: Final = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
SUMMARY_MAX: Final = 200
QUERY_MAX: Final = 100
EXCERPT_CHARS: Final = 80

THEMES: Final = {
    "droits-demarches": "Droits et démarches selon votre situation",
    "cent-pour-cent-sante": "100 % Santé",
    "remboursements": "Remboursements",
    "participations-franchises": "Participation forfaitaire et franchises",
    "parcours-de-soins": "Médecin traitant et parcours de soins",
    "arret-travail": "Arrêt de travail",
    "maternite-paternite": "Maternité et paternité",
    "c2s": "C2S",
    "etranger": "À l'étranger",
    "prevention": "Prévention",
}
REQUIRED: Final = ("title", "theme", "summary", "updated", "sources")
ALLOWED: Final = {*REQUIRED, "keywords"}


@dataclass(frozen=True, slots=True)
class Source:
    title: str
    url: str


@dataclass(frozen=True, slots=True)
class Fiche:
    """One fiche's front matter; ``template`` is the Jinja name of the file (rendered as the body)."""

    slug: str
    title: str
    theme: str
    summary: str
    updated: dt.date
    keywords: tuple[str, ...]
    sources: tuple[Source, ...]
    template: str

    @property
    def theme_label(self) -> str:
        return THEMES[self.theme]


@dataclass(frozen=True, slots=True)
class Result:
    """A search hit: the fiche and a short excerpt of its body around the first match ('' if none)."""

    fiche: Fiche
    excerpt: str
    in_title: bool


def parse(path: Path) -> Fiche:
    """Read and check one fiche file; ``ValueError`` naming the file for anything malformed."""
    name = path.name
    slug = path.stem
    if not SLUG_RE.match(slug):
        raise ValueError(f"{name}: the slug must be lowercase ASCII words joined by hyphens")
    text = path.read_text(encoding="utf-8")
    if not text.startswith(OPEN) or CLOSE not in text:
        raise ValueError(f"{name}: the file must start with the front matter {OPEN} … {CLOSE}")
    raw_toml = text[len(OPEN) : text.index(CLOSE)]
    try:
        meta: dict[str, Any] = tomllib.loads(raw_toml)
    except tomllib.TOMLDecodeError as error:
        raise ValueError(f"{name}: invalid TOML front matter ({error})") from error
    missing = [key for key in REQUIRED if key not in meta]
    if missing:
        raise ValueError(f"{name}: missing key(s) {', '.join(missing)}")
    unknown = set(meta) - ALLOWED
    if unknown:
        raise ValueError(f"{name}: unknown key(s) {', '.join(sorted(unknown))}")
    for key in ("title", "summary"):
        if not isinstance(meta[key], str) or not meta[key].strip():
            raise ValueError(f"{name}: {key} must be a non-empty string")
    if len(meta["summary"]) > SUMMARY_MAX:
        raise ValueError(f"{name}: the summary has more than {SUMMARY_MAX} characters")
    if meta["theme"] not in THEMES:
        raise ValueError(f"{name}: unknown theme {meta['theme']!r} (expected one of {', '.join(THEMES)})")
    updated = meta["updated"]
    if isinstance(updated, dt.datetime) or not isinstance(updated, dt.date):
        raise ValueError(f"{name}: updated must be a date (2026-11-24)")
    keywords = meta.get("keywords", [])
    if not isinstance(keywords, list) or not all(isinstance(word, str) for word in keywords):
        raise ValueError(f"{name}: keywords must be a list of strings")
    sources = meta["sources"]
    if not isinstance(sources, list) or not sources:
        raise ValueError(f"{name}: at least one [[sources]] is required")
    checked = []
    for index, source in enumerate(sources):
        if not isinstance(source, dict) or not source.get("title") or not source.get("url"):
            raise ValueError(f"{name}: sources[{index}] needs a title and a url")
        if not str(source["url"]).startswith("https://"):
            raise ValueError(f"{name}: sources[{index}] url must start with https://")
        checked.append(Source(title=str(source["title"]), url=str(source["url"])))
    return Fiche(
        slug=slug,
        title=meta["title"].strip(),
        theme=meta["theme"],
        summary=meta["summary"].strip(),
        updated=updated,
        keywords=tuple(keywords),
        sources=tuple(checked),
        template=f"{TEMPLATE_DIR}/{path.name}",
    )


def load_dir(directory: Path) -> tuple[Fiche, ...]:
    """Every fiche of ``directory``, checked, sorted by theme (``THEMES`` order) then title."""
    fiches = [parse(path) for path in sorted(directory.glob("*.html"))]
    order = list(THEMES)
    return tuple(sorted(fiches, key=lambda fiche: (order.index(fiche.theme), normalize(fiche.title))))


@cache
def _catalogue() -> tuple[Fiche, ...]:
    return load_dir(FICHES_DIR)


def all_fiches() -> tuple[Fiche, ...]:
    """The catalogue, read once per process."""
    return _catalogue()


def fiche(slug: str) -> Fiche | None:
    """The fiche ``slug``, None if unknown."""
    return next((item for item in all_fiches() if item.slug == slug), None)


def by_theme() -> list[tuple[str, str, list[Fiche]]]:
    """``(theme, label, fiches)`` for every theme that has fiches, in ``THEMES`` order."""
    groups: dict[str, list[Fiche]] = {}
    for item in all_fiches():
        groups.setdefault(item.theme, []).append(item)
    return [(theme, label, groups[theme]) for theme, label in THEMES.items() if theme in groups]


def same_theme(item: Fiche) -> list[Fiche]:
    """The other fiches of ``item``'s theme (« Voir aussi »)."""
    return [other for other in all_fiches() if other.theme == item.theme and other.slug != item.slug]


def normalize(text: str) -> str:
    """Lowercase without accents: ``Arrêt`` → ``arret``; one character in, one character out."""
    return "".join(_fold(char)[:1] or " " for char in text)


def _fold(char: str) -> str:
    decomposed = unicodedata.normalize("NFKD", char)
    return "".join(part for part in decomposed if not unicodedata.combining(part)).casefold()


_TAG_RE: Final = re.compile(r"<[^>]+>")
_SPACE_RE: Final = re.compile(r"\s+")
_WORD_RE: Final = re.compile(r"\w+")
_text_lock = threading.Lock()
_text_cache: dict[str, Any] = {"day": None, "texts": {}}


def html_to_text(markup: str) -> str:
    """The visible text of an HTML fragment, on one line."""
    return _SPACE_RE.sub(" ", html.unescape(_TAG_RE.sub(" ", markup))).strip()


def body_text(item: Fiche) -> str:
    """The rendered body of ``item`` as plain text, cached per process for today (needs an app context)."""
    return _texts(item)[0]


def _texts(item: Fiche) -> tuple[str, str, str, str]:
    """The body text, its normalized form, the normalized title and everything searchable (title,
    summary, keywords, body), cached per process for today: normalizing character by character is
    the costly part of a search."""
    day = fiches_figures.today()
    with _text_lock:
        if _text_cache["day"] != day:
            _text_cache["day"], _text_cache["texts"] = day, {}
        texts: dict[str, tuple[str, str, str, str]] = _text_cache["texts"]
        if item.slug not in texts:
            body = html_to_text(render_template(item.template))
            folded, title = normalize(body), normalize(item.title)
            haystack = " ".join((title, normalize(item.summary), normalize(" ".join(item.keywords)), folded))
            texts[item.slug] = (body, folded, title, haystack)
        return texts[item.slug]


def clear_caches() -> None:
    """Forget the catalogue and the rendered texts (tests that change fiches or rules data)."""
    _catalogue.cache_clear()
    with _text_lock:
        _text_cache["day"], _text_cache["texts"] = None, {}


def query_words(query: str) -> list[str]:
    """The normalized words of a query, duplicates removed."""
    words: list[str] = []
    for word in _WORD_RE.findall(normalize(query)):
        if word not in words:
            words.append(word)
    return words


def search(query: str) -> list[Result]:
    """Fiches where every word of ``query`` appears (accents and case ignored) in the title, summary,
    keywords or body text; title matches first. An empty query finds nothing."""
    words = query_words(query)
    if not words:
        return []
    results = []
    for item in all_fiches():
        body, folded_body, title, haystack = _texts(item)
        if not all(word in haystack for word in words):
            continue
        in_title = sum(word in title for word in words)
        excerpt = _excerpt(body, folded_body, words)
        results.append((in_title, Result(fiche=item, excerpt=excerpt, in_title=bool(in_title))))
    results.sort(key=lambda pair: -pair[0])
    return [result for _score, result in results]


def _excerpt(body: str, folded: str, words: list[str]) -> str:
    """About ``2 × EXCERPT_CHARS`` characters of ``body`` around the first match of any word."""
    positions = [position for word in words if (position := folded.find(word)) >= 0]
    if not positions:
        return ""
    first = min(positions)
    start, end = max(0, first - EXCERPT_CHARS), min(len(body), first + EXCERPT_CHARS)
    if start > 0:
        space = body.find(" ", start)
        start = space + 1 if 0 <= space < first else start
    if end < len(body):
        space = body.rfind(" ", first, end)
        end = space if space > first else end
    return ("… " if start > 0 else "") + body[start:end].strip() + (" …" if end < len(body) else "")
