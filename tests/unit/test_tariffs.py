"""Dated rule data of the refund engine: the figure in force on a care date, from DOMAIN.md and ngap.csv.

Pure rules: no application, no database. Every expected figure is an official one of
``/shared/DOMAIN.md`` or ``/shared/data/ngap.csv``, checked the day before and the day of a change.
"""

from __future__ import annotations

import csv
import tomllib
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import pytest

from app.rules import tariffs
from app.rules.tariffs import InvalidCare, RuleNotInForce, RulesError, UnknownAct

DATA_DIR = Path(tariffs.__file__).parent / "data"
NGAP = Path("/work/shared/data/ngap.csv")


@pytest.mark.parametrize(
    ("code", "on", "tariff"),
    [
        ("G", date(2023, 12, 1), "26.50"),
        ("G", date(2024, 12, 21), "26.50"),
        ("G", date(2024, 12, 22), "30.00"),
        ("g ", date(2025, 3, 10), "30.00"),
        ("MEG", date(2024, 12, 22), "5.00"),
        ("VG", date(2024, 12, 22), "40.00"),
        ("TCG", date(2024, 10, 1), "25.00"),
        ("CS", date(2024, 12, 22), "31.50"),
        ("APC", date(2024, 12, 21), "56.50"),
        ("APC", date(2024, 12, 22), "60.00"),
        ("CNPSY", date(2024, 12, 21), "51.70"),
        ("CNPSY", date(2024, 12, 22), "55.00"),
        ("CNPSY", date(2025, 6, 30), "55.00"),
        ("CNPSY", date(2025, 7, 1), "57.00"),
        ("C", date(2023, 10, 14), "23.00"),
        ("C", date(2026, 1, 1), "23.00"),
    ],
)
def test_tariff_in_force_on_the_care_date(code: str, on: date, tariff: str) -> None:
    act = tariffs.act(code, on)
    assert act.tariff == Decimal(tariff)
    assert act.code == code.strip().upper()
    assert act.on == on
    assert not act.base_given


@pytest.mark.parametrize(
    ("code", "on", "category", "rate", "hors_parcours"),
    [
        ("G", date(2025, 3, 10), "medecin", 70, 30),
        ("CS", date(2025, 3, 10), "medecin", 70, 30),
        ("C", date(2023, 10, 14), "dentiste", 70, None),
        ("C", date(2023, 10, 15), "dentiste", 60, None),
        ("AMK", date(2025, 3, 10), "paramedical", 60, None),
        ("B", date(2025, 3, 10), "biologie", 60, None),
        ("RADIO", date(2025, 3, 10), "radiologie", 70, None),
        ("TRANSPORT", date(2025, 2, 28), "transport", 65, None),
        ("TRANSPORT", date(2025, 3, 1), "transport", 55, None),
        ("PH7", date(2025, 3, 10), "medicament", 65, None),
        ("PH4", date(2025, 3, 10), "medicament", 30, None),
        ("PH2", date(2025, 3, 10), "medicament", 15, None),
        ("PH1", date(2025, 3, 10), "medicament", 100, None),
    ],
)
def test_rate_by_category_and_date(
    code: str, on: date, category: str, rate: int, hors_parcours: int | None
) -> None:
    act = tariffs.act(code, on)
    assert (act.category, act.rate, act.rate_hors_parcours) == (category, rate, hors_parcours)


@pytest.mark.parametrize("code", ["AMK", "AMS", "TMK", "PH7", "PH4", "PH2", "PH1", "TRANSPORT", "B", "RADIO"])
def test_acts_whose_base_the_caller_gives(code: str) -> None:
    act = tariffs.act(code, date(2025, 3, 10))
    assert act.base_given
    assert act.tariff is None


@pytest.mark.parametrize(
    ("on", "amount"),
    [(date(2024, 5, 14), "1.00"), (date(2024, 5, 15), "2.00"), (date(2026, 6, 1), "2.00")],
)
def test_participation_forfaitaire_amount(on: date, amount: str) -> None:
    pf = tariffs.participation_forfaitaire(on)
    assert pf.amount == Decimal(amount)
    assert pf.annual_cap == Decimal("50.00")
    assert pf.daily_count_per_professional == 4


@pytest.mark.parametrize(
    ("kind", "on", "unit", "daily_cap"),
    [
        ("medicament", date(2024, 3, 30), "0.50", None),
        ("medicament", date(2024, 3, 31), "1.00", None),
        ("paramedical", date(2024, 3, 30), "0.50", "4.00"),
        ("paramedical", date(2024, 3, 31), "1.00", "4.00"),
        ("transport", date(2024, 3, 30), "2.00", "8.00"),
        ("transport", date(2024, 3, 31), "4.00", "8.00"),
    ],
)
def test_franchise_amounts_and_caps(kind: str, on: date, unit: str, daily_cap: str | None) -> None:
    franchise = tariffs.franchise(kind, on)
    assert franchise.unit == Decimal(unit)
    assert franchise.daily_cap == (None if daily_cap is None else Decimal(daily_cap))
    assert franchise.annual_cap == Decimal("50.00")


@pytest.mark.parametrize(
    ("coefficient", "on", "key", "base"),
    [
        (Decimal(10), date(2024, 2, 21), "AMK", "21.50"),
        (Decimal(10), date(2024, 2, 22), "AMK", "22.10"),
        (10, date(2024, 2, 22), "AMS", "22.10"),
        (Decimal(10), date(2024, 2, 22), "TMK", "21.50"),
        # 7.5 × 2.21 = 16.575: half-up gives 16.58 (half-even would give 16.57).
        (Decimal("7.5"), date(2024, 2, 22), "AMK", "16.58"),
    ],
)
def test_kine_base_is_coefficient_times_key_letter(
    coefficient: Decimal | int, on: date, key: str, base: str
) -> None:
    assert tariffs.kine_base(coefficient, on, key) == Decimal(base)


@pytest.mark.parametrize(
    ("code", "secteur", "on", "base"),
    [
        ("G", "1", date(2025, 3, 10), "30.00"),
        ("G", "2_optam", date(2025, 3, 10), "30.00"),
        ("G", "2", date(2024, 6, 1), "23.00"),
        ("C", "3", date(2025, 3, 10), "23.00"),  # the doctors' secteur does not apply to dentists
        ("PH7", "3", date(2025, 3, 10), None),
        ("RADIO", "2", date(2025, 3, 10), None),
    ],
)
def test_base_for_secteur(code: str, secteur: str, on: date, base: str | None) -> None:
    expected = None if base is None else Decimal(base)
    assert tariffs.base_for_secteur(tariffs.act(code, on), secteur) == expected


@pytest.mark.parametrize(
    ("code", "secteur", "on", "message"),
    [
        ("G", "2", date(2025, 3, 10), "non adhérent à l'OPTAM n'est pas connue depuis le 22/12/2024"),
        ("CS", "2", date(2025, 3, 10), "non adhérent à l'OPTAM n'est pas connue"),
        ("G", "3", date(2025, 3, 10), "tarif d'autorité"),
        ("RADIO", "3", date(2025, 3, 10), "tarif d'autorité"),
    ],
)
def test_unknown_secteur_base_is_refused(code: str, secteur: str, on: date, message: str) -> None:
    with pytest.raises(RuleNotInForce, match=message):
        tariffs.base_for_secteur(tariffs.act(code, on), secteur)


def test_unknown_secteur_value() -> None:
    with pytest.raises(InvalidCare, match="Secteur du médecin inconnu"):
        tariffs.check_secteur("4")


@pytest.mark.parametrize(
    ("code", "on", "message"),
    [
        ("G", date(2023, 11, 30), "Le tarif de l'acte G n'est pas connu avant le 01/12/2023"),
        ("TCG", date(2024, 9, 30), "Le tarif de l'acte TCG n'est pas connu avant le 01/10/2024"),
        ("VG", date(2024, 12, 21), "Le tarif de l'acte VG n'est pas connu avant le 22/12/2024"),
        ("C", date(2022, 12, 31), "ne sont connues qu'à partir du 01/01/2023"),
    ],
)
def test_rule_not_in_force(code: str, on: date, message: str) -> None:
    with pytest.raises(RuleNotInForce, match=message):
        tariffs.act(code, on)


@pytest.mark.parametrize("code", ["XYZ", "", "G2"])
def test_unknown_act(code: str) -> None:
    with pytest.raises(UnknownAct, match="Code d'acte inconnu"):
        tariffs.act(code, date(2025, 3, 10))


def test_errors_are_value_errors_with_french_messages() -> None:
    assert issubclass(UnknownAct, RulesError)
    assert issubclass(RuleNotInForce, RulesError)
    assert issubclass(RulesError, ValueError)


def test_a_datetime_is_not_a_care_date() -> None:
    with pytest.raises(TypeError):
        tariffs.act("G", datetime(2025, 3, 10, 12, 0))


def test_unknown_key_letter() -> None:
    with pytest.raises(UnknownAct, match="Lettre clé inconnue"):
        tariffs.kine_base(Decimal(10), date(2025, 3, 10), "AMI")


@pytest.mark.parametrize("coefficient", [Decimal(0), Decimal(-1)])
def test_kine_coefficient_must_be_positive(coefficient: Decimal) -> None:
    with pytest.raises(InvalidCare, match="coefficient"):
        tariffs.kine_base(coefficient, date(2025, 3, 10))


def _entries(node: object, path: str = "") -> list[tuple[str, dict]]:
    """Every dated entry (a table with a ``from`` key) of a parsed TOML document."""
    found: list[tuple[str, dict]] = []
    if isinstance(node, dict):
        if "from" in node:
            found.append((path, node))
        for key, value in node.items():
            found.extend(_entries(value, f"{path}.{key}"))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            found.extend(_entries(value, f"{path}[{index}]"))
    return found


@pytest.mark.parametrize("name", ["tarifs.toml", "categories.toml", "participations.toml"])
def test_every_dated_value_has_a_source_and_a_date_in_coverage(name: str) -> None:
    with (DATA_DIR / name).open("rb") as handle:
        document = tomllib.load(handle)
    entries = _entries(document)
    assert entries
    for path, entry in entries:
        assert isinstance(entry["from"], date), path
        assert entry["from"] >= tariffs.coverage_from(), path
        source = entry["source"]
        assert source == "DOMAIN.md" or source.startswith(("https://", "http://")), path


@pytest.mark.skipif(not NGAP.exists(), reason="the shared reference data is outside the repository")
def test_catalogue_agrees_with_ngap_csv() -> None:
    """Every ngap.csv row with a tariff and a date, for a catalogued doctor's act, gives the same figure."""
    with NGAP.open(encoding="utf-8", newline="") as handle:
        rows = [
            row
            for row in csv.DictReader(handle)
            if row["tariff_eur"] and row["valid_from"] and row["code"] in tariffs.act_codes()
        ]
    checked = 0
    for row in rows:
        on = date.fromisoformat(row["valid_from"])
        act = tariffs.act(row["code"], on)
        if act.base_given:
            assert tariffs.key_letter(row["code"], on) == Decimal(row["tariff_eur"]), row
        else:
            assert act.tariff == Decimal(row["tariff_eur"]), row
        checked += 1
    assert checked >= 7
