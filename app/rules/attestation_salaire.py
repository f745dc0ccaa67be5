"""What an attestation de salaire must cover, as pure functions.

The IJ are computed on the gross salaries of the **3 calendar months before the month in which the
arrêt starts** (art. R. 323-4 of the Code de la sécurité sociale): for an arrêt starting on
15 April 2026, January, February and March 2026. An attestation therefore carries exactly those
three months, whatever the day of the month the arrêt starts.

The start date itself must be a real day: at most ``MAX_DAYS_AHEAD`` days ahead (a planned arrêt,
an operation already scheduled) and at most ``MAX_YEARS_BACK`` years back (IJ are claimed within
two years, art. L. 332-1).
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Final

from app.rules.french import MONTHS

MONTHS_COVERED: Final = 3
MAX_DAYS_AHEAD: Final = 30
MAX_YEARS_BACK: Final = 2
MAX_HOURS: Final = 1000


def months_before(arret_start: date) -> list[date]:
    """The first days of the 3 calendar months before ``arret_start``'s month, oldest first."""
    months = []
    year, month = arret_start.year, arret_start.month
    for _ in range(MONTHS_COVERED):
        year, month = (year - 1, 12) if month == 1 else (year, month - 1)
        months.append(date(year, month, 1))
    return list(reversed(months))


def month_label(month: date) -> str:
    """ "janvier 2026"."""
    return f"{MONTHS[month.month - 1]} {month.year}"


def start_problem(arret_start: date, today: date) -> str | None:
    """Why ``arret_start`` cannot be the start of an arrêt attested today, in French, or None."""
    if arret_start > today + timedelta(days=MAX_DAYS_AHEAD):
        return f"La date de début de l'arrêt ne peut pas être plus de {MAX_DAYS_AHEAD} jours dans le futur."
    try:
        oldest = today.replace(year=today.year - MAX_YEARS_BACK)
    except ValueError:  # 29 February
        oldest = today.replace(year=today.year - MAX_YEARS_BACK, day=28)
    if arret_start < oldest:
        return (
            f"La date de début de l'arrêt ne peut pas remonter à plus de {MAX_YEARS_BACK} ans : "
            "les indemnités journalières se demandent dans ce délai."
        )
    return None
