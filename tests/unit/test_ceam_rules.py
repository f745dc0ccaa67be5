"""CEAM rules: the 15-day threshold for the certificat provisoire, the validity of the card (2 years)
and of the certificate (3 months), the departure and return dates accepted, the card numbers, and
the age from which a carte Vitale is personal."""

from __future__ import annotations

from datetime import date

import pytest
from stdnum import luhn

from app.rules import ceam as rules

TODAY = date(2026, 3, 10)


@pytest.mark.parametrize(
    ("departure", "needed"),
    [
        (date(2026, 3, 10), True),  # leaving today
        (date(2026, 3, 20), True),  # 10 days
        (date(2026, 3, 24), True),  # 14 days: the card cannot arrive in time
        (date(2026, 3, 25), False),  # 15 days: ordered in time
        (date(2026, 4, 9), False),  # 30 days
    ],
)
def test_certificat_when_departure_is_less_than_15_days_away(departure, needed):
    assert rules.needs_certificat(departure, TODAY) is needed


def test_order_deadline_is_15_days_before_departure():
    assert rules.order_deadline(date(2026, 7, 14)) == date(2026, 6, 29)


@pytest.mark.parametrize(
    ("valid_from", "valid_until"),
    [
        (date(2026, 3, 10), date(2028, 3, 9)),
        (date(2026, 1, 1), date(2027, 12, 31)),
        (date(2028, 2, 29), date(2030, 2, 27)),  # no 29 February in 2030: the 28th, less a day
        (date(2026, 12, 31), date(2028, 12, 30)),
    ],
)
def test_card_is_valid_two_years_less_a_day(valid_from, valid_until):
    assert rules.card_valid_until(valid_from) == valid_until


@pytest.mark.parametrize(
    ("issued_on", "valid_until"),
    [
        (date(2026, 3, 10), date(2026, 6, 9)),
        (date(2026, 11, 30), date(2027, 2, 27)),  # 30/02 does not exist: 28/02, less a day
        (date(2026, 12, 1), date(2027, 2, 28)),
        (date(2027, 11, 29), date(2028, 2, 28)),  # 2028 is a leap year
    ],
)
def test_certificat_is_valid_three_months_less_a_day(issued_on, valid_until):
    assert rules.certificat_valid_until(issued_on) == valid_until


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        (date(2026, 1, 31), 1, date(2026, 2, 28)),
        (date(2028, 1, 31), 1, date(2028, 2, 29)),
        (date(2026, 10, 15), 3, date(2027, 1, 15)),
        (date(2026, 3, 10), 24, date(2028, 3, 10)),
    ],
)
def test_add_months_keeps_the_day_or_takes_the_months_last(day, months, expected):
    assert rules.add_months(day, months) == expected


@pytest.mark.parametrize(
    ("departure", "problem"),
    [
        (date(2026, 3, 9), "La date de départ est passée"),
        (date(2026, 3, 10), None),
        (date(2028, 3, 10), None),
        (date(2028, 3, 11), "dans les deux ans"),
    ],
)
def test_departure_dates_accepted(departure, problem):
    found = rules.departure_problem(departure, TODAY)
    assert (found is None) if problem is None else (problem in found)


@pytest.mark.parametrize(
    ("return_on", "accepted"),
    [(date(2026, 4, 1), True), (date(2026, 4, 10), True), (date(2026, 3, 31), False)],
)
def test_return_date_is_the_departure_or_after(return_on, accepted):
    assert (rules.return_problem(date(2026, 4, 1), return_on) is None) is accepted


@pytest.mark.parametrize(
    ("serial", "certificat", "start"),
    [(1, False, "802500"), (42, True, "802509"), (10**13 - 1, False, "802500")],
)
def test_card_numbers_have_20_digits_france_prefix_and_luhn_key(serial, certificat, start):
    number = rules.card_number(serial, certificat=certificat)
    assert len(number) == 20
    assert number.isdigit()
    assert number.startswith(start)
    assert luhn.is_valid(number)


def test_card_and_certificat_series_never_meet():
    assert rules.card_number(7) != rules.card_number(7, certificat=True)


@pytest.mark.parametrize("serial", [-1, 10**13])
def test_card_number_out_of_range(serial):
    with pytest.raises(ValueError, match=str(serial)):
        rules.card_number(serial)


def test_grouped_card_number():
    assert rules.grouped_card_number("80250000000000000427") == "8025 0000 0000 0000 0427"


@pytest.mark.parametrize(
    ("birth", "own_card"),
    [
        (date(2014, 3, 10), True),  # 12 today
        (date(2014, 3, 11), False),  # 12 tomorrow
        (date(2020, 5, 1), False),
        (date(1995, 6, 12), True),
    ],
)
def test_carte_vitale_is_personal_from_12(birth, own_card):
    assert (rules.vitale_age_problem(birth, TODAY) is None) is own_card


@pytest.mark.parametrize(
    ("lost_on", "problem"),
    [
        (date(2026, 3, 10), None),
        (date(2026, 3, 11), "dans le futur"),
        (date(1998, 1, 1), None),
        (date(1997, 12, 31), "trop ancienne"),
    ],
)
def test_loss_date(lost_on, problem):
    found = rules.loss_date_problem(lost_on, TODAY)
    assert (found is None) if problem is None else (problem in found)


def test_countries_are_the_31_others_without_france():
    assert len(rules.COUNTRIES) == 31
    assert "FR" not in rules.COUNTRIES
    assert {"CH", "GB", "NO", "IS", "LI"} <= set(rules.COUNTRIES)
