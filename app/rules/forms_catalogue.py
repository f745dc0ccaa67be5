"""The catalogue of Assurance Maladie forms, read from ``data/formulaires.csv`` (see ``SOURCES.md``).

Pure: no Flask, no database. S-numbers and cerfa numbers are those a source confirmed; an empty
one stays empty (the pages say "référence non communiquée") rather than being guessed.
"""

from __future__ import annotations

import csv
import functools
import unicodedata
from dataclasses import dataclass
from pathlib import Path

DATA = Path(__file__).resolve().parent / "data" / "formulaires.csv"

AUDIENCE_LABELS = {
    "assure": "assuré",
    "professionnel": "professionnel",
    "employeur": "employeur",
}


@dataclass(frozen=True)
class Form:
    """One form of the catalogue, as the CSV row holds it."""

    slug: str
    s_number: str
    cerfa: str
    title: str
    audience: str
    category: str
    description: str
    online_alternative: str
    source_url: str
    confidence: str

    @property
    def audience_label(self) -> str:
        """The audience in French (``assuré``), or the raw value when it has no label."""
        return AUDIENCE_LABELS.get(self.audience, self.audience)

    @property
    def references(self) -> str:
        """``S3704 · cerfa 12485*03``, one of them, or an empty string when neither is known."""
        parts = [self.s_number] if self.s_number else []
        if self.cerfa:
            parts.append(f"cerfa {self.cerfa}")
        return " · ".join(parts)


@functools.cache
def forms() -> tuple[Form, ...]:
    """Every form, in the CSV's order (read once)."""
    with DATA.open(encoding="utf-8", newline="") as handle:
        return tuple(
            Form(**{key: value.strip() for key, value in row.items()}) for row in csv.DictReader(handle)
        )


def form_by_slug(slug: str) -> Form | None:
    """The form with this slug, or None."""
    return _by_slug().get(slug)


@functools.cache
def _by_slug() -> dict[str, Form]:
    return {form.slug: form for form in forms()}


def audiences() -> list[tuple[str, str]]:
    """``(value, French label)`` of every audience in the catalogue, sorted by value."""
    return [(value, AUDIENCE_LABELS.get(value, value)) for value in sorted({f.audience for f in forms()})]


def categories() -> list[str]:
    """Every category in the catalogue, sorted alphabetically whatever the accents and case."""
    return sorted({f.category for f in forms()}, key=lambda c: (fold(c), c))


def fold(text: str) -> str:
    """Lower case without accents: ``Médecin`` → ``medecin``."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def _haystack(form: Form) -> str:
    return fold(" ".join((form.title, form.description, form.s_number, form.cerfa, form.category)))


def search(text: str, audience: str | None = None, category: str | None = None) -> list[Form]:
    """Forms whose title, description, S-number, cerfa or category hold every word of ``text``
    (accents and case ignored), restricted to ``audience`` and ``category`` when given."""
    words = fold(text or "").split()
    return [
        form
        for form in forms()
        if (not audience or form.audience == audience)
        and (not category or form.category == category)
        and all(word in _haystack(form) for word in words)
    ]
