"""C2S rules on the table of shared/DOMAIN.md (1 Apr 2025 → 31 Mar 2026, metropole)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from app.rules import c2s
from app.rules.c2s import InvalidHousehold, RuleNotInForce

D = Decimal
ON = date(2025, 6, 1)
CENT = D("0.01")


@pytest.mark.parametrize(
    ("foyer", "gratuite", "participation"),
    [
        (1, "10339", "13957"),
        (2, "15508", "20936"),
        (3, "18609", "25123"),
        (4, "21711", "29311"),
        # Each extra person: +4 135 and +5 583.
        (5, "25846", "34894"),
        (7, "34116", "46060"),
    ],
)
def test_ceilings_by_household_size(foyer, gratuite, participation):
    limits = c2s.ceilings(ON, foyer)
    assert (limits.gratuite, limits.participation) == (D(gratuite), D(participation))


@pytest.mark.parametrize("foyer", [1, 2, 3, 4, 5, 7])
def test_boundaries_equal_to_the_ceilings(foyer):
    limits = c2s.ceilings(ON, foyer)
    cases = [
        (D(0), "gratuite"),
        (limits.gratuite, "gratuite"),
        (limits.gratuite + CENT, "participation"),
        (limits.participation, "participation"),
        (limits.participation + CENT, "non"),
    ]
    for ressources, status in cases:
        result = c2s.c2s_eligibility(ON, foyer, ressources, 35)
        assert result.status == status, (foyer, ressources)
        assert result.eligible is (status != "non")
        expected = D("14.00") if status == "participation" else D("0.00")
        assert result.participation_mensuelle == expected


@pytest.mark.parametrize(
    ("age", "amount"),
    [
        (0, "8.00"),
        (29, "8.00"),
        (30, "14.00"),
        (49, "14.00"),
        (50, "21.00"),
        (59, "21.00"),
        (60, "25.00"),
        (69, "25.00"),
        (70, "30.00"),
        (130, "30.00"),
    ],
)
def test_participation_by_age_on_1_january(age, amount):
    result = c2s.c2s_eligibility(ON, 1, D("12000.00"), age)
    assert result.participation_mensuelle == D(amount)
    assert str(result.participation_mensuelle) == amount


def test_the_published_example():
    result = c2s.c2s_eligibility(ON, 1, D("12000.00"), 35)
    assert (result.eligible, result.status, result.participation_mensuelle) == (
        True,
        "participation",
        D("14.00"),
    )
    text = "\n".join(result.explanations)
    assert "du 01/04/2025 au 31/03/2026" in text
    assert "10\u00a0339,00\u00a0€" in text
    assert "13\u00a0957,00\u00a0€" in text
    assert "35 ans au 1er janvier : 14,00\u00a0€" in text


def test_extra_persons_are_explained():
    result = c2s.c2s_eligibility(ON, 6, D("30000.00"), 40)
    assert result.status == "participation"
    assert any("4\u00a0135,00\u00a0€" in e and "5\u00a0583,00\u00a0€" in e for e in result.explanations)


def test_not_entitled():
    result = c2s.c2s_eligibility(ON, 1, D("20000.00"), 35)
    assert (result.eligible, result.participation_mensuelle) == (False, D("0.00"))
    assert any("pas de C2S" in e for e in result.explanations)


@pytest.mark.parametrize("on", [date(2025, 4, 1), date(2026, 3, 31)])
def test_first_and_last_day_of_the_table(on):
    assert c2s.c2s_eligibility(on, 1, D("1000.00"), 35).status == "gratuite"


@pytest.mark.parametrize(
    ("on", "message"),
    [
        (date(2025, 3, 31), "ne sont connus qu'à partir du 01/04/2025"),
        (date(2026, 4, 1), "ne sont connus que jusqu'au 31/03/2026"),
    ],
)
def test_outside_the_table_is_refused(on, message):
    with pytest.raises(RuleNotInForce, match=message):
        c2s.c2s_eligibility(on, 1, D("1000.00"), 35)


@pytest.mark.parametrize(
    ("foyer", "ressources", "age"),
    [
        (0, D("1000"), 35),
        (1, D("-1"), 35),
        (1, D("1000.001"), 35),
        (1, D("1000"), -1),
        (1, D("1000"), 131),
        (True, D("1000"), 35),
    ],
)
def test_impossible_households(foyer, ressources, age):
    with pytest.raises(InvalidHousehold):
        c2s.c2s_eligibility(ON, foyer, ressources, age)


def test_float_resources_are_a_programming_error():
    with pytest.raises(TypeError):
        c2s.c2s_eligibility(ON, 1, 1000.0, 35)


def test_last_known_day_is_the_end_of_the_last_table():
    from datetime import date

    from app.rules.c2s import last_known_day

    assert last_known_day() == date(2026, 3, 31)
