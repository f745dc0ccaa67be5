"""Estimated processing dates count working days: week-ends and French public holidays excluded."""

from __future__ import annotations

from datetime import date

import pytest

from app.rules import demarches as rules


@pytest.mark.parametrize(
    ("year", "easter"),
    [
        (2024, date(2024, 3, 31)),
        (2025, date(2025, 4, 20)),
        (2026, date(2026, 4, 5)),
        (2027, date(2027, 3, 28)),
    ],
)
def test_easter(year, easter):
    assert rules._easter(year) == easter


def test_public_holidays_2026():
    holidays = rules.public_holidays(2026)
    assert len(holidays) == 11
    # Lundi de Pâques, Ascension, Lundi de Pentecôte.
    assert {date(2026, 4, 6), date(2026, 5, 14), date(2026, 5, 25)} <= holidays


@pytest.mark.parametrize(
    ("start", "days", "expected"),
    [
        (date(2026, 11, 23), 1, date(2026, 11, 24)),  # Monday → Tuesday
        (date(2026, 11, 27), 1, date(2026, 11, 30)),  # Friday → Monday
        (date(2026, 11, 10), 1, date(2026, 11, 12)),  # 11 November skipped
        (date(2026, 12, 24), 2, date(2026, 12, 29)),  # Christmas and the week-end skipped
        (date(2026, 11, 23), 10, date(2026, 12, 7)),
        (date(2026, 11, 23), 0, date(2026, 11, 23)),
    ],
)
def test_add_working_days(start, days, expected):
    assert rules.add_working_days(start, days) == expected


def test_every_kind_has_a_due_date_and_the_statuses_are_labelled():
    from app.models.demarches import DEMARCHE_KINDS, DEMARCHE_STATUSES

    assert set(rules.KINDS) == set(DEMARCHE_KINDS)
    assert set(rules.STATUS_LABELS) == set(DEMARCHE_STATUSES) == set(rules.STATUS_HELP)
    for kind in rules.KINDS:
        assert rules.due_date(kind, date(2026, 11, 23)) > date(2026, 11, 23)
