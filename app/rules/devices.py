"""Plain descriptions of a sign-in's device and place, for the user's connection history."""

from __future__ import annotations

import ipaddress
import re

_BROWSERS = (
    ("Edg/", "Edge"),
    ("OPR/", "Opera"),
    ("SamsungBrowser/", "Samsung Internet"),
    ("Firefox/", "Firefox"),
    ("Chrome/", "Chrome"),
    ("Chromium/", "Chromium"),
    ("Safari/", "Safari"),
)
_SYSTEMS = (
    (r"iPhone|iPad|iPod", "iOS"),
    (r"Android", "Android"),
    (r"Windows", "Windows"),
    (r"Mac OS X|Macintosh", "macOS"),
    (r"CrOS", "ChromeOS"),
    (r"Linux", "Linux"),
)


def device_label(user_agent: str | None) -> str:
    """ "Chrome sur Android", "Firefox sur Windows"… or "Appareil inconnu"."""
    text = user_agent or ""
    browser = next((name for token, name in _BROWSERS if token in text), None)
    system = next((name for pattern, name in _SYSTEMS if re.search(pattern, text)), None)
    if "HeadlessChrome" in text:
        browser = "Chrome (sans interface)"
    if browser and system:
        return f"{browser} sur {system}"
    return browser or system or "Appareil inconnu"


def approximate_place(ip: str | None) -> str:
    """What can be said of an address without a geolocation database: local network or the
    address with its last part hidden (no exact address is shown back, nor stored elsewhere)."""
    try:
        address = ipaddress.ip_address(ip or "")
    except ValueError:
        return "Lieu inconnu"
    if address.is_loopback or address.is_private or address.is_link_local:
        return "Réseau local"
    if isinstance(address, ipaddress.IPv4Address):
        head = ".".join(str(address).split(".")[:3])
        return f"Adresse IP {head}.x"
    network = ipaddress.ip_network(f"{address}/48", strict=False)
    return f"Adresse IP {network.network_address}/48"
