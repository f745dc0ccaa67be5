"""Template filters: dates and times shown in French, in Paris time."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from flask import Flask

PARIS = ZoneInfo("Europe/Paris")


def _paris(moment: datetime) -> datetime:
    if moment.tzinfo is None:  # SQLite returns naive datetimes, stored as UTC
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(PARIS)


def paris_datetime(moment: datetime | None) -> str:
    """``23/11/2026 à 22:15``."""
    if moment is None:
        return ""
    return _paris(moment).strftime("%d/%m/%Y à %H:%M")


def french_date(day: date | datetime | None) -> str:
    """``23/11/2026``."""
    if day is None:
        return ""
    if isinstance(day, datetime):
        day = _paris(day).date()
    return day.strftime("%d/%m/%Y")


def euros(amount) -> str:
    """``1 234,50 €`` with no-break spaces."""
    from app.rules.liquidation import format_euros

    return format_euros(Decimal(str(amount)))


def phone(number: str) -> str:
    """A French phone number by pairs of digits ("02 40 12 34 56"); other text as given."""
    digits = "".join(ch for ch in number if ch.isdigit())
    if len(digits) != 10:
        return number
    return " ".join(digits[i : i + 2] for i in range(0, 10, 2))


def register_filters(app: Flask) -> None:
    app.jinja_env.filters["phone"] = phone
    app.jinja_env.filters["euros"] = euros
    app.jinja_env.filters["paris_datetime"] = paris_datetime
    app.jinja_env.filters["french_date"] = french_date
