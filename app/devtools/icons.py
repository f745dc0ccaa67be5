"""Draw the macaisse icons: the PWA app icons, the shortcut icons, the notification badge
and the SVG sprite.

Everything is our own drawing, made from shapes in code: no external image and no
government brand asset. The mark is a white shield carrying a plus, on the brand blue
(#0b5fa5, white on it has a contrast ratio above 6:1).

The pictograms are defined once, in ``SYMBOLS``, as plain SVG stroke elements on a
24 × 24 grid. The same definitions are written to ``app/static/icons/widget.svg`` (the
sprite used by the bottom "télécommande" widget) and rasterised here for the shortcut
PNGs, so the manifest shortcuts and the widget always show the same drawings. The sprite
uses presentation attributes only, since the strict CSP forbids ``style`` attributes.

Usage::

    python -m app.devtools.icons   # rewrite every PNG and widget.svg in app/static/icons/
"""

from __future__ import annotations

import itertools
import math
import re
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path

from PIL import Image, ImageDraw

ICONS_DIR = Path(__file__).resolve().parents[1] / "static" / "icons"
BRAND = (0x0B, 0x5F, 0xA5)
WHITE = (255, 255, 255)
SUPERSAMPLE = 8  # draw large, then downscale, for smooth anti-aliased edges
SVG_NS = "http://www.w3.org/2000/svg"

# Stroke style shared by every symbol; put on a <g> inside each <symbol> so it is part of
# the instanced content of <use> in every browser.
STROKE_ATTRS = {
    "fill": "none",
    "stroke": "currentColor",
    "stroke-width": "2",
    "stroke-linecap": "round",
    "stroke-linejoin": "round",
}

# id -> (meaning, SVG elements). The meaning documents the drawing only: the sprite has no
# <title>, since icons are used aria-hidden next to visible text and a title would add a
# stray hover tooltip. Paths use absolute commands only (M L H V C Q A Z) so the small
# rasteriser below can draw them too.
SYMBOLS: dict[str, tuple[str, tuple[str, ...]]] = {
    "compte": (
        "Mon compte",
        (
            '<circle cx="12" cy="7.5" r="3.75"/>',
            '<path d="M4.5 20.5 C4.5 16.5 7.9 14 12 14 C16.1 14 19.5 16.5 19.5 20.5"/>',
        ),
    ),
    "dmp": (
        "Dossier médical",
        (
            '<path d="M3 7.5 A2 2 0 0 1 5 5.5 H9.5 L11.5 7.5 H19 A2 2 0 0 1 21 9.5 V18'
            ' A2 2 0 0 1 19 20 H5 A2 2 0 0 1 3 18 Z"/>',
            '<path d="M12 10.75 V16.75 M9 13.75 H15"/>',
        ),
    ),
    "adresses": (
        "Adresses",
        (
            '<path d="M12 21.5 C15.5 18.5 19 14.5 19 10 A7 7 0 0 0 5 10 C5 14.5 8.5 18.5 12 21.5 Z"/>',
            '<circle cx="12" cy="10" r="2.5"/>',
        ),
    ),
    "formulaires": (
        "Formulaires",
        (
            '<path d="M14 3 H7 A2 2 0 0 0 5 5 V19 A2 2 0 0 0 7 21 H17 A2 2 0 0 0 19 19 V8 Z"/>',
            '<path d="M14 3 V8 H19"/>',
            '<path d="M9 9 H11 M9 13 H15 M9 17 H15"/>',
        ),
    ),
    "annuaire": (
        "Annuaire des professionnels de santé",
        (
            '<circle cx="10.5" cy="10.5" r="7.5"/>',
            '<path d="M16 16 L21 21"/>',
            '<circle cx="10.5" cy="8" r="1.75"/>',
            '<path d="M7.4 14.6 C8 13.2 9.1 12.5 10.5 12.5 C11.9 12.5 13 13.2 13.6 14.6"/>',
        ),
    ),
    "forum": (
        "Forum",
        (
            '<path d="M3 15.5 V5 A2 2 0 0 1 5 3 H13 A2 2 0 0 1 15 5 V10 A2 2 0 0 1 13 12 H7 Z"/>',
            '<path d="M17.5 8 H19 A2 2 0 0 1 21 10 V20.5 L17.5 17 H11 A2 2 0 0 1 9 15"/>',
        ),
    ),
    "bell": (
        "Notifications",
        (
            '<path d="M6 10 A6 6 0 0 1 18 10 V14 L20 17.5 H4 L6 14 Z"/>',
            '<path d="M10 20.25 A2 2 0 0 0 14 20.25"/>',
        ),
    ),
    "offline": (
        "Hors ligne",
        (
            '<path d="M20.54 16.86 A4 4 0 0 0 18 11.13 A5.5 5.5 0 0 0 9.85 6.18"/>',
            '<path d="M6.44 10.13 A4.5 4.5 0 0 0 7.5 19 H15.32"/>',
            '<path d="M3 3 L21 21"/>',
        ),
    ),
    "download": (
        "Télécharger",
        (
            '<path d="M12 3.5 V15"/>',
            '<path d="M7 10.5 L12 15.5 L17 10.5"/>',
            '<path d="M5 20.5 H19"/>',
        ),
    ),
    "search": (
        "Rechercher",
        (
            '<circle cx="10.5" cy="10.5" r="6.5"/>',
            '<path d="M15.25 15.25 L20.5 20.5"/>',
        ),
    ),
    "external": (
        "Lien externe",
        (
            '<path d="M14 4 H20 V10"/>',
            '<path d="M20 4 L11 13"/>',
            '<path d="M18 14 V18.5 A1.5 1.5 0 0 1 16.5 20 H5.5 A1.5 1.5 0 0 1 4 18.5 V7.5'
            ' A1.5 1.5 0 0 1 5.5 6 H10"/>',
        ),
    ),
    "check": ("Validé", ('<path d="M4.5 12.5 L9.5 17.5 L19.5 6.5"/>',)),
    "alert": (
        "Attention",
        (
            '<path d="M10.27 4 L2.5 17.5 A2 2 0 0 0 4.23 20.5 H19.77 A2 2 0 0 0 21.5 17.5'
            ' L13.73 4 A2 2 0 0 0 10.27 4 Z"/>',
            '<path d="M12 9.5 V13.5"/>',
            '<path d="M12 17 H12.01"/>',
        ),
    ),
}

SHORTCUTS = ("compte", "dmp", "adresses", "formulaires", "annuaire", "forum")

# The mark on a 100 × 100 grid: a shield (filled white) with a plus cut in brand blue.
SHIELD_PATH = "M50 7 C60 13.5 71 17 84 18 V45 C84 67 70 83 50 93 C30 83 16 67 16 45 V18 C29 17 40 13.5 50 7 Z"
PLUS_CENTRE = (50.0, 48.0)
PLUS_ARM = 17.0  # half length of each bar
PLUS_BAR = 6.0  # half thickness of each bar


# --- SVG sprite -------------------------------------------------------------------------


def build_sprite() -> str:
    """Return the sprite document: one ``<symbol>`` per entry of ``SYMBOLS``."""
    group_attrs = " ".join(f'{k}="{v}"' for k, v in STROKE_ATTRS.items())
    lines = [
        f'<svg xmlns="{SVG_NS}">',
        "  <!-- Generated by python -m app.devtools.icons; edit SYMBOLS there, not here. -->",
    ]
    for symbol_id, (_meaning, elements) in SYMBOLS.items():
        lines.append(f'  <symbol id="{symbol_id}" viewBox="0 0 24 24">')
        lines.append(f"    <g {group_attrs}>")
        lines.extend(f"      {element}" for element in elements)
        lines.append("    </g>")
        lines.append("  </symbol>")
    lines.append("</svg>")
    return "\n".join(lines) + "\n"


# --- Geometry: flatten SVG shapes into polylines -----------------------------------------

Point = tuple[float, float]
_TOKEN_RE = re.compile(r"[A-Za-z]|[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?")
_CURVE_STEPS = 32


def _arc(
    start: Point, rx: float, ry: float, phi_deg: float, large: bool, sweep: bool, end: Point
) -> list[Point]:
    """Flatten an SVG elliptical arc (endpoint form, SVG spec F.6.5) into points."""
    (x1, y1), (x2, y2) = start, end
    if rx == 0 or ry == 0 or start == end:
        return [end]
    phi = math.radians(phi_deg)
    cos_p, sin_p = math.cos(phi), math.sin(phi)
    dx, dy = (x1 - x2) / 2, (y1 - y2) / 2
    x1p, y1p = cos_p * dx + sin_p * dy, -sin_p * dx + cos_p * dy
    rx, ry = abs(rx), abs(ry)
    scale = (x1p / rx) ** 2 + (y1p / ry) ** 2
    if scale > 1:  # radii too small to join the endpoints: scale them up, as browsers do
        rx, ry = rx * math.sqrt(scale), ry * math.sqrt(scale)
    num = rx * rx * ry * ry - rx * rx * y1p * y1p - ry * ry * x1p * x1p
    den = rx * rx * y1p * y1p + ry * ry * x1p * x1p
    coef = math.sqrt(max(0.0, num / den))
    if large == sweep:
        coef = -coef
    cxp, cyp = coef * rx * y1p / ry, -coef * ry * x1p / rx
    cx = cos_p * cxp - sin_p * cyp + (x1 + x2) / 2
    cy = sin_p * cxp + cos_p * cyp + (y1 + y2) / 2
    theta1 = math.atan2((y1p - cyp) / ry, (x1p - cxp) / rx)
    theta2 = math.atan2((-y1p - cyp) / ry, (-x1p - cxp) / rx)
    delta = theta2 - theta1
    if sweep and delta < 0:
        delta += 2 * math.pi
    elif not sweep and delta > 0:
        delta -= 2 * math.pi
    steps = max(4, math.ceil(abs(delta) / (math.pi / 48)))
    points = []
    for i in range(1, steps + 1):
        t = theta1 + delta * i / steps
        ex, ey = rx * math.cos(t), ry * math.sin(t)
        points.append((cx + cos_p * ex - sin_p * ey, cy + sin_p * ex + cos_p * ey))
    return points


def _bezier(points: list[Point]) -> list[Point]:
    """Flatten a quadratic or cubic Bézier (control polygon ``points``) into points."""
    out = []
    degree = len(points) - 1
    for i in range(1, _CURVE_STEPS + 1):
        t = i / _CURVE_STEPS
        x = y = 0.0
        for k, (px, py) in enumerate(points):
            weight = math.comb(degree, k) * (1 - t) ** (degree - k) * t**k
            x, y = x + weight * px, y + weight * py
        out.append((x, y))
    return out


def path_polylines(d: str) -> list[tuple[list[Point], bool]]:
    """Flatten path data into ``(points, closed)`` subpaths (absolute commands only)."""
    tokens = _TOKEN_RE.findall(d)
    subpaths: list[tuple[list[Point], bool]] = []
    current: list[Point] = []
    pos: Point = (0.0, 0.0)
    i = 0

    def numbers(count: int) -> list[float]:
        nonlocal i
        values = [float(v) for v in tokens[i : i + count]]
        i += count
        return values

    command = ""
    while i < len(tokens):
        if tokens[i].isalpha():
            command = tokens[i]
            i += 1
        if command not in "MLHVCQAZ":
            raise ValueError(f"unsupported path command {command!r} in {d!r}")
        if command == "M":
            if len(current) > 1:
                subpaths.append((current, False))
            pos = tuple(numbers(2))
            current = [pos]
            command = "L"  # further coordinate pairs are implicit line-tos
        elif command == "L":
            pos = tuple(numbers(2))
            current.append(pos)
        elif command == "H":
            pos = (numbers(1)[0], pos[1])
            current.append(pos)
        elif command == "V":
            pos = (pos[0], numbers(1)[0])
            current.append(pos)
        elif command == "C":
            c1x, c1y, c2x, c2y, x, y = numbers(6)
            current.extend(_bezier([pos, (c1x, c1y), (c2x, c2y), (x, y)]))
            pos = (x, y)
        elif command == "Q":
            cx, cy, x, y = numbers(4)
            current.extend(_bezier([pos, (cx, cy), (x, y)]))
            pos = (x, y)
        elif command == "A":
            rx, ry, phi, large, sweep, x, y = numbers(7)
            current.extend(_arc(pos, rx, ry, phi, bool(large), bool(sweep), (x, y)))
            pos = (x, y)
        else:  # Z
            subpaths.append((current, True))
            pos = current[0]
            current = [pos]
            command = ""
    if len(current) > 1:
        subpaths.append((current, False))
    return subpaths


def element_polylines(element: ET.Element) -> list[tuple[list[Point], bool]]:
    """Flatten one SVG shape element (path, circle, rect, line, polyline) into subpaths."""
    tag = element.tag.rsplit("}", 1)[-1]
    get = element.attrib.get
    if tag == "path":
        return path_polylines(get("d", ""))
    if tag == "circle":
        cx, cy, r = float(get("cx", 0)), float(get("cy", 0)), float(get("r", 0))
        pts = [
            (cx + r * math.cos(2 * math.pi * k / 96), cy + r * math.sin(2 * math.pi * k / 96))
            for k in range(96)
        ]
        return [(pts, True)]
    if tag == "line":
        return [
            (
                [
                    (float(get("x1", 0)), float(get("y1", 0))),
                    (float(get("x2", 0)), float(get("y2", 0))),
                ],
                False,
            )
        ]
    if tag in ("polyline", "polygon"):
        values = [float(v) for v in _TOKEN_RE.findall(get("points", ""))]
        return [(list(zip(values[::2], values[1::2], strict=True)), tag == "polygon")]
    raise ValueError(f"unsupported SVG element <{tag}>")


def symbol_polylines(symbol_id: str) -> Iterator[tuple[list[Point], bool]]:
    """Yield the flattened subpaths of one symbol of ``SYMBOLS``."""
    for markup in SYMBOLS[symbol_id][1]:
        yield from element_polylines(ET.fromstring(markup))


# --- Raster drawing ---------------------------------------------------------------------


def _stroke(
    draw: ImageDraw.ImageDraw,
    points: list[Point],
    closed: bool,
    width: float,
    colour: tuple[int, int, int],
) -> None:
    """Stroke a polyline with round caps and joins.

    Each segment is filled as an exact quadrilateral and each vertex as a disc, which is
    what an SVG renderer does for ``stroke-linecap``/``stroke-linejoin="round"``.
    """
    if closed:
        points = [*points, points[0]]
    radius = width / 2
    for (x1, y1), (x2, y2) in itertools.pairwise(points):
        length = math.hypot(x2 - x1, y2 - y1)
        if length == 0:
            continue
        nx, ny = -(y2 - y1) / length * radius, (x2 - x1) / length * radius
        draw.polygon(
            [(x1 + nx, y1 + ny), (x2 + nx, y2 + ny), (x2 - nx, y2 - ny), (x1 - nx, y1 - ny)],
            fill=colour,
        )
    # Pillow's ellipse box is inclusive, hence the half-pixel trim.
    r = radius - 0.5
    for x, y in points:
        draw.ellipse((x - r, y - r, x + r, y + r), fill=colour)


def draw_symbol(
    draw: ImageDraw.ImageDraw,
    symbol_id: str,
    origin: Point,
    scale: float,
    colour: tuple[int, int, int] = WHITE,
) -> None:
    """Draw a 24-unit symbol with its top-left at ``origin``, ``scale`` pixels per unit."""
    ox, oy = origin
    width = float(STROKE_ATTRS["stroke-width"]) * scale
    for points, closed in symbol_polylines(symbol_id):
        pixels = [(ox + x * scale, oy + y * scale) for x, y in points]
        _stroke(draw, pixels, closed, width, colour)


def _finish(image: Image.Image, size: int) -> Image.Image:
    """Downscale a supersampled drawing to ``size`` pixels with a high-quality filter."""
    return image.resize((size, size), Image.Resampling.LANCZOS)


def _background(big: int, rounded: bool) -> tuple[Image.Image, ImageDraw.ImageDraw]:
    """Return a supersampled canvas filled with the brand colour (rounded or full-bleed)."""
    if not rounded:
        image = Image.new("RGB", (big, big), BRAND)
        return image, ImageDraw.Draw(image)
    image = Image.new("RGBA", (big, big), (*BRAND, 0))
    draw = ImageDraw.Draw(image)
    draw.rounded_rectangle((0, 0, big - 1, big - 1), radius=round(big * 0.22), fill=BRAND)
    return image, draw


def draw_mark(
    draw: ImageDraw.ImageDraw,
    centre: Point,
    unit: float,
    shield: tuple[int, int, int] | int = WHITE,
    plus: tuple[int, int, int] | int = BRAND,
) -> None:
    """Draw the shield-and-plus mark, 100 units wide, centred on ``centre``."""
    cx, cy = centre
    ox, oy = cx - 50 * unit, cy - 50 * unit
    for points, _closed in path_polylines(SHIELD_PATH):
        draw.polygon([(ox + x * unit, oy + y * unit) for x, y in points], fill=shield)
    px, py = PLUS_CENTRE
    corner = PLUS_BAR * unit * 0.3
    for half_w, half_h in ((PLUS_ARM, PLUS_BAR), (PLUS_BAR, PLUS_ARM)):
        box = (
            ox + (px - half_w) * unit,
            oy + (py - half_h) * unit,
            ox + (px + half_w) * unit,
            oy + (py + half_h) * unit,
        )
        draw.rounded_rectangle(box, radius=corner, fill=plus)


def badge_icon(size: int = 72) -> Image.Image:
    """Render the notification badge: the white shield on transparency, the plus cut out.

    Android draws a badge in the status bar from its alpha channel only, so the mark is a
    silhouette; the plus must be a hole, not a colour, to stay visible.
    """
    big = size * SUPERSAMPLE
    mask = Image.new("L", (big, big), 0)
    draw_mark(ImageDraw.Draw(mask), (big / 2, big / 2), big * 0.98 / 100, shield=255, plus=0)
    badge = Image.new("RGBA", (size, size), (*WHITE, 0))
    badge.putalpha(mask.resize((size, size), Image.Resampling.LANCZOS))
    return badge


def app_icon(
    size: int, *, maskable: bool = False, rounded: bool = True, mark_width: float = 0.74
) -> Image.Image:
    """Render the app icon at ``size`` pixels.

    ``mark_width`` is the width of the 100-unit mark grid as a fraction of the icon. A
    maskable icon is full-bleed and keeps the mark inside the central 80 % safe circle.
    """
    big = size * SUPERSAMPLE
    image, draw = _background(big, rounded and not maskable)
    # The shield's farthest points lie about 45.3 units from the grid centre, so a grid of
    # 0.78 × size keeps them at 0.353 × size: well inside the 0.4 × size safe radius.
    fraction = 0.78 if maskable else mark_width
    draw_mark(draw, (big / 2, big / 2), big * fraction / 100)
    return _finish(image, size)


def shortcut_icon(symbol_id: str, size: int = 96) -> Image.Image:
    """Render a full-bleed shortcut icon: brand background and the white pictogram.

    The 24-unit pictogram spans 54 % of the icon, so even its corners stay inside the
    central 80 % circle that launchers may crop shortcut icons to.
    """
    big = size * SUPERSAMPLE
    image, draw = _background(big, rounded=False)
    span = 0.54
    draw_symbol(draw, symbol_id, (big * (1 - span) / 2,) * 2, big * span / 24)
    return _finish(image, size)


def outputs() -> dict[str, Image.Image]:
    """Return every PNG to write, by file name."""
    images = {
        "icon-192.png": app_icon(192),
        "icon-512.png": app_icon(512),
        "icon-maskable-512.png": app_icon(512, maskable=True),
        # iOS masks the icon itself and shows transparency as black: keep it full-bleed.
        "apple-touch-icon.png": app_icon(180, rounded=False, mark_width=0.8),
        # Tiny: let the mark fill more of the tile so the plus stays readable.
        "favicon-32.png": app_icon(32, mark_width=0.9),
        "badge-72.png": badge_icon(72),
    }
    for symbol_id in SHORTCUTS:
        images[f"shortcut-{symbol_id}.png"] = shortcut_icon(symbol_id)
    return images


def main() -> int:
    """Write all PNGs and ``widget.svg`` into ``app/static/icons/``."""
    ICONS_DIR.mkdir(parents=True, exist_ok=True)
    images = outputs()
    for name, image in images.items():
        image.save(ICONS_DIR / name, format="PNG", optimize=True)
    (ICONS_DIR / "widget.svg").write_text(build_sprite(), encoding="utf-8")
    print(f"icons: wrote {len(images)} PNGs and widget.svg ({len(SYMBOLS)} symbols)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
