"""Dated rule data for the IJ and C2S rules: series of values, each in force over a period.

Why: an IJ or a C2S answer depends on the figures in force on one day (the SMIC, the PMSS, the
C2S ceilings…), and these figures change every year. ``ij.toml`` and ``c2s.toml`` hold them; this
module reads a file once, checks every series and answers "which value on this day?".

An entry applies from its ``from`` date until the next entry's ``from``, or until its own ``until``
when the sources say that it stops (an annual figure, a table with an end date). Values are written
as strings in the files (``"1801.80"``) and become ``Decimal``; whole numbers stay ``int``.
A date outside every entry raises ``RuleNotInForce`` with a French message.
"""

from __future__ import annotations

import datetime as dt
import itertools
import tomllib
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any, Final

from app.rules.tariffs import RuleNotInForce, french_date

DATA_DIR: Final = Path(__file__).resolve().parent / "data"


@dataclass(frozen=True, slots=True)
class Entry:
    """One value of a series, in force from ``start`` to ``until`` (inclusive; None: open-ended).

    ``value`` is a ``Decimal`` or an ``int``, or what the series' ``parse`` built.
    """

    start: dt.date
    until: dt.date | None
    value: Any
    source: str


def load(name: str) -> dict[str, Any]:
    """The TOML file ``name`` of ``rules/data/``; decimals written as numbers stay exact."""
    with (DATA_DIR / name).open("rb") as handle:
        return tomllib.load(handle, parse_float=Decimal)


def series(
    raw: list[dict[str, Any]] | None,
    where: str,
    parse: Callable[[dict[str, Any], str], Any] | None = None,
) -> tuple[Entry, ...]:
    """Check one dated series of a data file (dates, order, source, value) and freeze it.

    An entry's value is its ``value`` key, a number; ``parse(entry, where)`` builds it instead for
    entries that hold a table (the C2S ceilings). Raises ``ValueError`` naming ``where`` for a
    malformed file: a programming error, never a message for the member.
    """
    entries: list[Entry] = []
    for item in raw or []:
        start, until = item.get("from"), item.get("until")
        if isinstance(start, dt.datetime) or not isinstance(start, dt.date):
            raise ValueError(f"{where}: every entry needs a `from` date")
        if until is not None and (
            isinstance(until, dt.datetime) or not isinstance(until, dt.date) or until < start
        ):
            raise ValueError(f"{where}: the entry from {start} has an invalid `until` date")
        if not item.get("source"):
            raise ValueError(f"{where}: the entry from {start} has no source")
        label = f"{where} ({start})"
        value = parse(item, label) if parse else number(item.get("value"), label)
        entries.append(Entry(start, until, value, item["source"]))
    if not entries:
        raise ValueError(f"{where}: the series is empty")
    for before, after in itertools.pairwise(entries):
        if after.start <= before.start or (before.until is not None and before.until >= after.start):
            raise ValueError(f"{where}: entries must be in increasing date order, without overlap")
    return tuple(entries)


def in_force(entries: tuple[Entry, ...], on: dt.date, what: str, consequence: str) -> Entry:
    """The entry in force on ``on``.

    ``what`` names the figure and starts the French message (« Le SMIC mensuel »), ``consequence``
    ends it (« l'arrêt commençant le 15/01/2024 ne peut pas être calculé »). Raises
    ``RuleNotInForce`` before the first entry, and after an entry's ``until`` when no later entry
    has started.
    """
    if isinstance(on, dt.datetime) or not isinstance(on, dt.date):
        raise TypeError("a rule date must be a datetime.date (not a datetime)")
    current = None
    for entry in entries:
        if entry.start > on:
            break
        current = entry
    known = _known(what)
    if current is None:
        raise RuleNotInForce(f"{known} qu'à partir du {french_date(entries[0].start)} : {consequence}.")
    if current.until is not None and on > current.until:
        raise RuleNotInForce(f"{known} que jusqu'au {french_date(current.until)} : {consequence}.")
    return current


def _known(what: str) -> str:
    """« Le SMIC n'est connu », « La base n'est connue », « Les plafonds ne sont connus »."""
    if what.startswith("Les "):
        return f"{what} ne sont connus"
    return f"{what} n'est connu{'e' if what.startswith('La ') else ''}"


def number(value: Any, where: str) -> Decimal | int:
    """``value`` of a data file as an ``int`` or an exact ``Decimal`` (strings such as ``"1801.80"``
    included); ``ValueError`` naming ``where`` if it is missing, not a number or negative."""
    if isinstance(value, bool) or value is None:
        raise ValueError(f"{where}: a value is required")
    if isinstance(value, int):
        number: Decimal | int = value
    else:
        try:
            number = Decimal(str(value))
        except InvalidOperation as exc:
            raise ValueError(f"{where}: {value!r} is not a number") from exc
        if not number.is_finite():
            raise ValueError(f"{where}: {value!r} is not a number")
    if number < 0:
        raise ValueError(f"{where}: a value cannot be negative")
    return number
