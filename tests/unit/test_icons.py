"""The committed icons exist at their declared sizes and the SVG sprite is CSP-safe.

The PNGs are referenced by the web app manifest and the page head, and the sprite by the
bottom widget: a wrong size or a missing symbol would only show up on a phone. The sprite
must carry no ``style`` attribute or element, because the strict CSP blocks inline styles.
"""

from __future__ import annotations

import math
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from PIL import Image

from app.devtools import icons

ICONS_DIR = Path(__file__).resolve().parents[2] / "app" / "static" / "icons"
SVG_NS = "{http://www.w3.org/2000/svg}"
BRAND = (0x0B, 0x5F, 0xA5)
SHORTCUTS = ("compte", "dmp", "adresses", "formulaires", "annuaire", "forum")
PNG_SIZES = {
    "icon-192.png": 192,
    "icon-512.png": 512,
    "icon-maskable-512.png": 512,
    "apple-touch-icon.png": 180,
    "favicon-32.png": 32,
    **{f"shortcut-{name}.png": 96 for name in SHORTCUTS},
}
FULL_BLEED = ["icon-maskable-512.png", "apple-touch-icon.png"] + [
    f"shortcut-{name}.png" for name in SHORTCUTS
]
SYMBOL_IDS = {
    *SHORTCUTS,
    "bell",
    "offline",
    "download",
    "search",
    "external",
    "check",
    "alert",
}


def _close(colour: tuple[int, ...], expected: tuple[int, int, int], tolerance: int = 6) -> bool:
    """Tell whether an RGB(A) colour is within ``tolerance`` of ``expected`` per channel."""
    return all(abs(a - b) <= tolerance for a, b in zip(colour[:3], expected, strict=True))


@pytest.mark.parametrize(("name", "size"), sorted(PNG_SIZES.items()))
def test_png_has_declared_size(name: str, size: int) -> None:
    """Each PNG opens with Pillow as a square of its declared size."""
    with Image.open(ICONS_DIR / name) as image:
        assert image.format == "PNG"
        assert image.size == (size, size)


@pytest.mark.parametrize("name", FULL_BLEED)
def test_full_bleed_icons_are_opaque_brand_at_the_corners(name: str) -> None:
    """Maskable, Apple and shortcut icons fill the square: platforms apply their own mask."""
    with Image.open(ICONS_DIR / name) as image:
        rgba = image.convert("RGBA")
    last = rgba.width - 1
    for corner in ((0, 0), (last, 0), (0, last), (last, last)):
        pixel = rgba.getpixel(corner)
        assert pixel[3] == 255, f"{name}: transparent corner {corner}"
        assert _close(pixel, BRAND), f"{name}: corner {corner} is {pixel}"


def test_maskable_icon_keeps_the_mark_inside_the_safe_zone() -> None:
    """Outside the central circle of radius 40 % there is only background colour."""
    with Image.open(ICONS_DIR / "icon-maskable-512.png") as image:
        rgb = image.convert("RGB")
    centre, radius = rgb.width / 2, 0.4 * rgb.width
    for y in range(0, rgb.height, 2):
        for x in range(0, rgb.width, 2):
            if math.hypot(x + 0.5 - centre, y + 0.5 - centre) > radius:
                assert _close(rgb.getpixel((x, y)), BRAND), (x, y)


@pytest.mark.parametrize("name", SHORTCUTS)
def test_shortcut_icon_shows_a_white_pictogram(name: str) -> None:
    """A shortcut icon is not a plain tile: part of it is the white pictogram."""
    with Image.open(ICONS_DIR / f"shortcut-{name}.png") as image:
        grey = image.convert("L")
    white = sum(grey.histogram()[240:])
    assert white > 0.02 * grey.width * grey.height, f"{name}: only {white} white pixels"


def _sprite() -> ET.Element:
    """Parse the committed sprite."""
    return ET.parse(ICONS_DIR / "widget.svg").getroot()


def test_sprite_has_every_symbol_with_a_24_grid() -> None:
    """Every id the widget and pages use is a ``<symbol>`` with ``viewBox="0 0 24 24"``."""
    root = _sprite()
    assert root.tag == f"{SVG_NS}svg"
    symbols = {s.get("id"): s for s in root.iter(f"{SVG_NS}symbol")}
    assert set(symbols) >= SYMBOL_IDS
    for symbol_id, symbol in symbols.items():
        assert symbol.get("viewBox") == "0 0 24 24", symbol_id
        shapes = [
            e
            for e in symbol.iter()
            if e.tag.removeprefix(SVG_NS) in {"path", "circle", "rect", "line", "polyline", "polygon"}
        ]
        assert shapes, f"{symbol_id} draws nothing"


def test_sprite_is_csp_safe_and_themable() -> None:
    """No ``style`` attribute or element; strokes follow ``currentColor``, nothing is filled."""
    root = _sprite()
    for element in root.iter():
        assert "style" not in element.attrib, element.tag
        assert element.tag != f"{SVG_NS}style"
        assert element.tag != f"{SVG_NS}script"
        if "stroke" in element.attrib:
            assert element.get("stroke") == "currentColor", element.tag
        if "fill" in element.attrib:
            assert element.get("fill") == "none", element.tag
    assert "style=" not in (ICONS_DIR / "widget.svg").read_text(encoding="utf-8")


def test_sprite_matches_the_generator() -> None:
    """widget.svg is the output of ``python -m app.devtools.icons``, not edited by hand."""
    committed = (ICONS_DIR / "widget.svg").read_text(encoding="utf-8")
    assert committed == icons.build_sprite(), "re-run python -m app.devtools.icons"
