"""The forum's formatting: plain text becomes paragraphs, lists, bold and safe links; anything
else typed stays text."""

from __future__ import annotations

import pytest

from app.rules.forum_format import normalise, sanitise, to_html


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("<script>alert(1)</script>", "<p>&lt;script&gt;alert(1)&lt;/script&gt;</p>"),
        ("<img src=x onerror=alert(1)>", "<p>&lt;img src=x onerror=alert(1)&gt;</p>"),
        ('<a href="javascript:alert(1)">x</a>', '<p>&lt;a href="javascript:alert(1)"&gt;x&lt;/a&gt;</p>'),
        ("javascript:alert(1)", "<p>javascript:alert(1)</p>"),
        ("un **mot** en gras", "<p>un <strong>mot</strong> en gras</p>"),
        ("deux ** étoiles ** seules", "<p>deux ** étoiles ** seules</p>"),
        ("- un\n- deux", "<ul><li>un</li><li>deux</li></ul>"),
        ("* un\n* deux", "<ul><li>un</li><li>deux</li></ul>"),
        ("1. un\n2. deux", "<ol><li>un</li><li>deux</li></ol>"),
        ("Bonjour\n\nMerci", "<p>Bonjour</p><p>Merci</p>"),
        ("ligne 1\r\nligne 2", "<p>ligne 1<br>ligne 2</p>"),
        ("Avant :\n- a\n- b\nAprès", "<p>Avant :</p><ul><li>a</li><li>b</li></ul><p>Après</p>"),
        (
            "Voir https://www.ameli.fr/page?a=1&b=2.",
            '<p>Voir <a href="https://www.ameli.fr/page?a=1&amp;b=2" rel="noopener nofollow ugc">'
            "https://www.ameli.fr/page?a=1&amp;b=2</a>.</p>",
        ),
        ("ftp://exemple.fr", "<p>ftp://exemple.fr</p>"),
        ("", ""),
    ],
)
def test_to_html(typed, expected):
    assert to_html(typed) == expected


@pytest.mark.parametrize(
    ("html", "expected"),
    [
        ('<p onclick="x()">a</p>', "<p>a</p>"),
        ('<a href="javascript:alert(1)">x</a>', '<a rel="noopener nofollow ugc">x</a>'),
        ("<script>alert(1)</script><strong>b</strong>", "<strong>b</strong>"),
        ('<img src="x" onerror="alert(1)">', ""),
    ],
)
def test_sanitise_keeps_only_the_allowed_html(html, expected):
    assert sanitise(html) == expected


def test_plain_text_kept():
    assert normalise("  a\r\nb  ") == "a\nb"
