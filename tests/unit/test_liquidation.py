"""The refund engine: official figures of DOMAIN.md, dated, on worked cases.

Pure rules: no application, no database. Each case gives the care, the acts and the person's
counters, and the amounts a member would read on the statement.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal

import pytest

from app.rules import tariffs
from app.rules.liquidation import (
    ActLine,
    CareSituation,
    Counters,
    InvalidCare,
    Liquidation,
    RuleNotInForce,
    UnknownAct,
    format_euros,
    liquidate,
)

ADULT = date(1980, 5, 17)
DAY = date(2025, 3, 10)
D = Decimal


def care(**changes: object) -> CareSituation:
    """An adult in the parcours de soins, secteur 1, on ``DAY``, unless ``changes`` say otherwise."""
    base = CareSituation(
        birth_date=ADULT, parcours_de_soins=True, ald=False, c2s=False, maternite=False, secteur="1", date=DAY
    )
    return replace(base, **changes)


def run(
    situation: CareSituation, *acts: ActLine, counters: Counters | None = None, tiers_payant: bool = False
) -> Liquidation:
    return liquidate(situation, list(acts), counters or Counters(), tiers_payant)


def text(explanations: list[str]) -> str:
    """Explanations as one plain string (no-break spaces made ordinary) for ``in`` checks."""
    return " | ".join(explanations).replace("\u00a0", " ")


def test_worked_check() -> None:
    """DOMAIN.md: G 30.00 on 2025-03-10, adult, parcours, secteur 1, no tiers payant."""
    result = run(care(), ActLine("G", D("30.00")))
    (line,) = result.lines
    assert (line.base, line.rate, line.amo, line.pf, line.refunded) == (
        D("30.00"),
        70,
        D("21.00"),
        D("2.00"),
        D("19.00"),
    )
    assert line.reste_a_charge == D("11.00")
    assert (result.total_refunded, result.reste_a_charge, result.debts) == (D("19.00"), D("11.00"), D("0.00"))
    assert "participation forfaitaire de 2,00 € déduite" in text(line.explanations)
    assert result.counters_after.pf_year == D("2.00")


# (id, situation changes, line, counters, tiers payant, expected line amounts, explanation expected)
CASES = [
    (
        "G 26.50 the day before 2024-12-22",
        {"date": date(2024, 12, 21)},
        ActLine("G", D("26.50")),
        {"base": "26.50", "amo": "18.55", "pf": "2.00", "refunded": "16.55", "reste_a_charge": "9.95"},
        "26,50 € × 70 % = 18,55 €",
    ),
    (
        "G 30.00 from 2024-12-22",
        {"date": date(2024, 12, 22)},
        ActLine("G", D("30.00")),
        {"base": "30.00", "amo": "21.00", "pf": "2.00", "refunded": "19.00"},
        "30,00 € × 70 % = 21,00 €",
    ),
    (
        "PF 1.00 the day before 2024-05-15",
        {"date": date(2024, 5, 14)},
        ActLine("G", D("26.50")),
        {"amo": "18.55", "pf": "1.00", "refunded": "17.55"},
        "participation forfaitaire de 1,00 € déduite",
    ),
    (
        "PF 2.00 from 2024-05-15",
        {"date": date(2024, 5, 15)},
        ActLine("G", D("26.50")),
        {"amo": "18.55", "pf": "2.00", "refunded": "16.55"},
        "participation forfaitaire de 2,00 € déduite",
    ),
    (
        "franchise 0.50 per box before 2024-03-31",
        {"date": date(2024, 3, 30)},
        ActLine("PH7", D("20.00"), quantity=2, base=D("10.00")),
        {"base": "20.00", "rate": 65, "amo": "13.00", "pf": "0.00", "franchise": "1.00", "refunded": "12.00"},
        "franchise médicale de 1,00 € (2 boîtes à 0,50 €)",
    ),
    (
        "franchise 1.00 per box from 2024-03-31",
        {"date": date(2024, 3, 31)},
        ActLine("PH7", D("20.00"), quantity=2, base=D("10.00")),
        {"amo": "13.00", "franchise": "2.00", "refunded": "11.00"},
        "franchise médicale de 2,00 € (2 boîtes à 1,00 €)",
    ),
    (
        "franchise 0.50 per paramedical act before 2024-03-31",
        {"date": date(2024, 3, 30)},
        ActLine("AMK", D("22.10"), base=D("22.10")),
        {"rate": 60, "amo": "13.26", "franchise": "0.50", "refunded": "12.76"},
        "franchise médicale de 0,50 € (1 acte à 0,50 €)",
    ),
    (
        "franchise 1.00 per paramedical act from 2024-03-31",
        {"date": date(2024, 3, 31)},
        ActLine("AMK", D("22.10"), base=D("22.10")),
        {"amo": "13.26", "franchise": "1.00", "refunded": "12.26"},
        "franchise médicale de 1,00 € (1 acte à 1,00 €)",
    ),
    (
        "franchise 2.00 per transport before 2024-03-31",
        {"date": date(2024, 3, 30)},
        ActLine("TRANSPORT", D("100.00"), base=D("100.00")),
        {"rate": 65, "amo": "65.00", "franchise": "2.00", "refunded": "63.00"},
        "franchise médicale de 2,00 €",
    ),
    (
        "franchise 4.00 per transport from 2024-03-31",
        {"date": date(2024, 3, 31)},
        ActLine("TRANSPORT", D("100.00"), base=D("100.00")),
        {"rate": 65, "amo": "65.00", "franchise": "4.00", "refunded": "61.00"},
        "franchise médicale de 4,00 €",
    ),
    (
        "transport 65 % the day before 2025-03-01",
        {"date": date(2025, 2, 28)},
        ActLine("TRANSPORT", D("100.00"), base=D("100.00")),
        {"rate": 65, "amo": "65.00", "franchise": "4.00", "refunded": "61.00", "reste_a_charge": "39.00"},
        "100,00 € × 65 % = 65,00 €",
    ),
    (
        "transport 55 % from 2025-03-01",
        {"date": date(2025, 3, 1)},
        ActLine("TRANSPORT", D("100.00"), base=D("100.00")),
        {"rate": 55, "amo": "55.00", "franchise": "4.00", "refunded": "51.00", "reste_a_charge": "49.00"},
        "100,00 € × 55 % = 55,00 €",
    ),
    (
        "dentist 70 % the day before 2023-10-15, no PF",
        {"date": date(2023, 10, 14)},
        ActLine("C", D("23.00")),
        {"rate": 70, "amo": "16.10", "pf": "0.00", "franchise": "0.00", "refunded": "16.10"},
        "23,00 € × 70 % = 16,10 €",
    ),
    (
        "dentist 60 % from 2023-10-15",
        {"date": date(2023, 10, 15)},
        ActLine("C", D("23.00")),
        {"rate": 60, "amo": "13.80", "pf": "0.00", "refunded": "13.80"},
        "23,00 € × 60 % = 13,80 €",
    ),
    (
        "kiné key AMK 2.15 the day before 2024-02-22",
        {"date": date(2024, 2, 21)},
        ActLine("AMK", D("21.50"), base=tariffs.kine_base(D(10), date(2024, 2, 21))),
        {"base": "21.50", "amo": "12.90", "franchise": "0.50", "refunded": "12.40"},
        "21,50 € × 60 % = 12,90 €",
    ),
    (
        "kiné key AMK 2.21 from 2024-02-22",
        {"date": date(2024, 2, 22)},
        ActLine("AMK", D("22.10"), base=tariffs.kine_base(D(10), date(2024, 2, 22))),
        {"base": "22.10", "amo": "13.26", "franchise": "0.50", "refunded": "12.76"},
        "22,10 € × 60 % = 13,26 €",
    ),
    (
        "hors parcours de soins: 30 %, PF still due",
        {"parcours_de_soins": False},
        ActLine("G", D("30.00")),
        {"rate": 30, "amo": "9.00", "pf": "2.00", "refunded": "7.00", "reste_a_charge": "23.00"},
        "hors parcours de soins : remboursement à 30 %",
    ),
    (
        "hors parcours does not lower a dentist's rate",
        {"parcours_de_soins": False},
        ActLine("C", D("23.00")),
        {"rate": 60, "amo": "13.80"},
        "23,00 € × 60 %",
    ),
    (
        "secteur 2 OPTAM: dépassement not refunded",
        {"secteur": "2_optam"},
        ActLine("G", D("35.00")),
        {
            "base": "30.00",
            "depassement": "5.00",
            "amo": "21.00",
            "refunded": "19.00",
            "reste_a_charge": "16.00",
        },
        "dépassement d'honoraires de 5,00 € non remboursé",
    ),
    (
        "secteur 2 non-OPTAM while G was 26.50: base 23.00",
        {"secteur": "2", "date": date(2024, 6, 1)},
        ActLine("G", D("30.00")),
        {"base": "23.00", "depassement": "7.00", "amo": "16.10", "pf": "2.00", "refunded": "14.10"},
        "base de remboursement de 23,00 € au lieu de 26,50 €",
    ),
    (
        "ALD: 100 % of the BR, PF still due",
        {"ald": True},
        ActLine("G", D("30.00")),
        {"rate": 100, "amo": "30.00", "ticket_moderateur": "0.00", "pf": "2.00", "refunded": "28.00"},
        "ALD : prise en charge à 100 %",
    ),
    (
        "ALD: 100 % on a medicine at 15 %, franchise still due",
        {"ald": True},
        ActLine("PH2", D("8.00"), base=D("8.00")),
        {"rate": 100, "amo": "8.00", "franchise": "1.00", "refunded": "7.00"},
        "ALD : prise en charge à 100 %",
    ),
    (
        "maternité: TM exonerated, no PF",
        {"maternite": True},
        ActLine("G", D("30.00")),
        {"rate": 100, "amo": "30.00", "pf": "0.00", "refunded": "30.00", "reste_a_charge": "0.00"},
        "maternité : ni participation forfaitaire ni franchise",
    ),
    (
        "maternité: no franchise on a transport",
        {"maternite": True},
        ActLine("TRANSPORT", D("100.00"), base=D("100.00")),
        {"rate": 100, "amo": "100.00", "franchise": "0.00", "refunded": "100.00"},
        "ticket modérateur exonéré",
    ),
    (
        "under 18 the day before the 18th birthday: no PF, normal rate",
        {"birth_date": date(2007, 3, 11)},
        ActLine("G", D("30.00")),
        {"rate": 70, "amo": "21.00", "pf": "0.00", "refunded": "21.00", "reste_a_charge": "9.00"},
        "moins de 18 ans : ni participation forfaitaire ni franchise",
    ),
    (
        "18 on the birthday: PF due",
        {"birth_date": date(2007, 3, 10)},
        ActLine("G", D("30.00")),
        {"rate": 70, "amo": "21.00", "pf": "2.00", "refunded": "19.00", "reste_a_charge": "11.00"},
        "participation forfaitaire de 2,00 € déduite",
    ),
    (
        "under 18: no franchise on medicines",
        {"birth_date": date(2010, 1, 1)},
        ActLine("PH7", D("10.00"), base=D("10.00")),
        {"amo": "6.50", "franchise": "0.00", "refunded": "6.50"},
        "moins de 18 ans",
    ),
    (
        "C2S: the C2S pays the TM, no PF, patient pays 0",
        {"c2s": True},
        ActLine("G", D("30.00")),
        {
            "amo": "21.00",
            "part_complementaire_c2s": "9.00",
            "pf": "0.00",
            "refunded": "21.00",
            "recovered_later": "0.00",
            "reste_a_charge": "0.00",
        },
        "C2S : ticket modérateur de 9,00 € pris en charge par la C2S",
    ),
    (
        "C2S: no franchise on a paramedical act",
        {"c2s": True},
        ActLine("AMK", D("22.10"), base=D("22.10")),
        {"amo": "13.26", "part_complementaire_c2s": "8.84", "franchise": "0.00", "reste_a_charge": "0.00"},
        "C2S : ni participation forfaitaire ni franchise",
    ),
    (
        "billed below the BR: refund on the amount billed",
        {},
        ActLine("G", D("25.00")),
        {"base": "25.00", "amo": "17.50", "depassement": "0.00", "refunded": "15.50"},
        "remboursement calculé sur le montant facturé",
    ),
    (
        "an act's own date overrides the care date",
        {"date": date(2025, 3, 10)},
        ActLine("TRANSPORT", D("100.00"), base=D("100.00"), date=date(2025, 2, 28)),
        {"rate": 65, "amo": "65.00", "franchise": "4.00"},
        "100,00 € × 65 %",
    ),
    (
        "medicine price above the BR: not refunded",
        {},
        ActLine("PH7", D("12.00"), base=D("10.00")),
        {"base": "10.00", "depassement": "2.00", "amo": "6.50"},
        "part du prix au-delà de la base de remboursement (2,00 €) non remboursée",
    ),
    (
        "franchise above the AMO without tiers payant: recovered later",
        {},
        ActLine("PH2", D("2.00"), base=D("2.00")),
        {
            "amo": "0.30",
            "franchise": "1.00",
            "deducted": "0.30",
            "refunded": "0.00",
            "recovered_later": "0.70",
        },
        "0,30 € déduits, 0,70 € récupérés sur un prochain remboursement",
    ),
    (
        "rounding half-up: 12.35 × 70 % = 8.645 → 8.65",
        {},
        ActLine("RADIO", D("12.35"), base=D("12.35")),
        {"amo": "8.65", "ticket_moderateur": "3.70", "pf": "2.00", "refunded": "6.65"},
        "12,35 € × 70 % = 8,65 €",
    ),
    (
        "rounding half-up: 1.35 × 30 % = 0.405 → 0.41",
        {"c2s": True},
        ActLine("PH4", D("1.35"), base=D("1.35")),
        {"amo": "0.41", "part_complementaire_c2s": "0.94", "reste_a_charge": "0.00"},
        "1,35 € × 30 % = 0,41 €",
    ),
    (
        "biology: 60 % and a PF",
        {},
        ActLine("B", D("20.00"), base=D("20.00")),
        {"rate": 60, "amo": "12.00", "pf": "2.00", "franchise": "0.00", "refunded": "10.00"},
        "participation forfaitaire de 2,00 € déduite",
    ),
]


@pytest.mark.parametrize(
    ("changes", "act", "expected", "explanation"), [case[1:] for case in CASES], ids=[c[0] for c in CASES]
)
def test_line(changes: dict, act: ActLine, expected: dict, explanation: str) -> None:
    result = run(care(**changes), act)
    (line,) = result.lines
    for name, value in expected.items():
        assert getattr(line, name) == (value if isinstance(value, int) else D(value)), name
    assert explanation in text(line.explanations)
    assert (
        line.reste_a_charge
        == line.billed - line.refunded - line.part_complementaire_c2s + line.recovered_later
    )


def test_child_consultation_with_meg() -> None:
    """G + MEG = 35.00 for a child under 6; no PF (under 18), MEG is no consultation of its own."""
    result = run(care(birth_date=date(2022, 1, 1)), ActLine("G", D("30.00")), ActLine("MEG", D("5.00")))
    assert result.total_base == D("35.00")
    assert result.total_amo == D("24.50")
    assert result.total_pf == D("0.00")
    assert result.reste_a_charge == D("10.50")


def test_meg_only_under_6() -> None:
    with pytest.raises(InvalidCare, match="moins de 6 ans"):
        run(care(birth_date=date(2019, 3, 10)), ActLine("MEG", D("5.00")))


def test_pf_daily_cap_per_professional() -> None:
    """The 5th consultation of the day with the same professional bears no PF; another professional does."""
    same = [ActLine("G", D("30.00"), professional_id="10003456789") for _ in range(5)]
    other = ActLine("G", D("30.00"), professional_id="10009999999")
    result = run(care(), *same, other)
    assert [line.pf for line in result.lines] == [D("2.00")] * 4 + [D("0.00"), D("2.00")]
    assert result.lines[4].refunded == D("21.00")
    assert "plafond journalier de 4 participations forfaitaires pour ce professionnel atteint" in text(
        result.lines[4].explanations
    )
    assert result.counters_after.pf_by_day_professional == {(DAY, "10003456789"): 4, (DAY, "10009999999"): 1}
    assert result.counters_after.pf_year == D("10.00")


def test_pf_daily_cap_counts_earlier_payments() -> None:
    counters = Counters(pf_year=D("8.00"), pf_by_day_professional={(DAY, "10003456789"): 4})
    result = run(care(), ActLine("G", D("30.00"), professional_id="10003456789"), counters=counters)
    assert result.total_pf == D("0.00")
    other_day = run(
        care(date=date(2025, 3, 11)),
        ActLine("G", D("30.00"), professional_id="10003456789"),
        counters=counters,
    )
    assert other_day.total_pf == D("2.00")


@pytest.mark.parametrize(
    ("pf_year", "quantity", "pfs"),
    [("49.00", 1, "1.00"), ("50.00", 1, "0.00"), ("47.00", 2, "3.00"), ("0.00", 2, "4.00")],
)
def test_pf_annual_cap(pf_year: str, quantity: int, pfs: str) -> None:
    """The PF annual cap of 50 € can be reached in the middle of a line: the last PF is partial."""
    result = run(
        care(), ActLine("G", D("30.00") * quantity, quantity=quantity), counters=Counters(pf_year=D(pf_year))
    )
    (line,) = result.lines
    assert line.pf == D(pfs)
    assert line.refunded == D("21.00") * quantity - D(pfs)
    assert result.counters_after.pf_year == min(D("50.00"), D(pf_year) + D("2.00") * quantity)
    if D(pf_year) + D("2.00") * quantity > D("50.00"):
        assert "plafond annuel des participations forfaitaires (50,00 €) atteint" in text(line.explanations)


@pytest.mark.parametrize(
    ("code", "quantity", "unit_base", "earlier", "franchise", "message"),
    [
        (
            "AMK",
            5,
            "22.10",
            {},
            "4.00",
            "plafond journalier des franchises (acte paramédical) de 4,00 € atteint",
        ),
        (
            "AMK",
            1,
            "22.10",
            {"franchises_paramedical_by_day": {DAY: D("3.50")}},
            "0.50",
            "plafond journalier",
        ),
        (
            "AMK",
            1,
            "22.10",
            {"franchises_paramedical_by_day": {DAY: D("4.00")}},
            "0.00",
            "plafond journalier",
        ),
        (
            "TRANSPORT",
            3,
            "50.00",
            {},
            "8.00",
            "plafond journalier des franchises (transport sanitaire) de 8,00 €",
        ),
        (
            "TRANSPORT",
            1,
            "50.00",
            {"franchises_transport_by_day": {DAY: D("8.00")}},
            "0.00",
            "plafond journalier",
        ),
        ("PH7", 12, "3.00", {}, "12.00", "franchise médicale de 12,00 € (12 boîtes à 1,00 €)"),
    ],
)
def test_franchise_daily_caps(
    code: str, quantity: int, unit_base: str, earlier: dict, franchise: str, message: str
) -> None:
    """Paramedical 4 €/day, transport 8 €/day, no daily cap for medicines."""
    counters = Counters(**earlier)
    billed = D(unit_base) * quantity
    result = run(care(), ActLine(code, billed, quantity=quantity, base=D(unit_base)), counters=counters)
    assert result.total_franchises == D(franchise)
    assert message in text(result.lines[0].explanations)
    assert result.counters_after.franchises_year == D(franchise)


def test_franchise_daily_cap_over_several_lines() -> None:
    lines = [ActLine("TRANSPORT", D("50.00"), base=D("50.00")) for _ in range(3)]
    result = run(care(), *lines)
    assert [line.franchise for line in result.lines] == [D("4.00"), D("4.00"), D("0.00")]
    assert result.counters_after.franchises_transport_by_day == {DAY: D("8.00")}


@pytest.mark.parametrize(
    ("franchises_year", "franchise"), [("49.50", "0.50"), ("50.00", "0.00"), ("47.00", "2.00")]
)
def test_franchise_annual_cap(franchises_year: str, franchise: str) -> None:
    counters = Counters(franchises_year=D(franchises_year))
    result = run(care(), ActLine("PH7", D("20.00"), quantity=2, base=D("10.00")), counters=counters)
    assert result.total_franchises == D(franchise)
    assert result.counters_after.franchises_year == min(D("50.00"), D(franchises_year) + D("2.00"))
    if D(franchise) < D("2.00"):
        assert "plafond annuel des franchises (50,00 €) atteint" in text(result.lines[0].explanations)


def test_annual_caps_are_separate() -> None:
    counters = Counters(pf_year=D("50.00"), franchises_year=D("0.00"))
    result = run(
        care(), ActLine("G", D("30.00")), ActLine("PH7", D("10.00"), base=D("10.00")), counters=counters
    )
    assert (result.total_pf, result.total_franchises) == (D("0.00"), D("1.00"))


def test_tiers_payant_turns_deductions_into_debts() -> None:
    acts = [ActLine("G", D("30.00")), ActLine("PH7", D("10.00"), base=D("10.00"))]
    without = run(care(), *acts)
    with_tp = run(care(), *acts, tiers_payant=True)
    assert (without.total_refunded, without.debts) == (D("24.50"), D("0.00"))
    assert (with_tp.total_refunded, with_tp.debts) == (D("27.50"), D("3.00"))
    assert [line.recovered_later for line in with_tp.lines] == [D("2.00"), D("1.00")]
    # What the person finally bears does not depend on who is paid.
    assert with_tp.reste_a_charge == without.reste_a_charge == D("15.50")
    explained = text(with_tp.lines[0].explanations)
    assert "participation forfaitaire de 2,00 € non déduite (tiers payant)" in explained
    assert "3,00 € de participations forfaitaires et franchises non déduits (tiers payant)" in text(
        with_tp.explanations
    )
    assert with_tp.tiers_payant


def test_c2s_means_full_tiers_payant() -> None:
    result = run(care(c2s=True), ActLine("G", D("30.00")), ActLine("PH4", D("10.00"), base=D("10.00")))
    assert result.tiers_payant
    assert (result.total_amo, result.part_complementaire_c2s, result.debts) == (
        D("24.00"),
        D("16.00"),
        D("0.00"),
    )
    assert result.reste_a_charge == D("0.00")
    assert "tiers payant intégral, rien à avancer" in text(result.explanations)


def test_totals_and_counters() -> None:
    counters = Counters(pf_year=D("4.00"), franchises_year=D("1.00"))
    acts = [
        ActLine("G", D("35.00")),
        ActLine("PH7", D("30.00"), quantity=3, base=D("10.00")),
        ActLine("AMK", D("22.10"), base=D("22.10"), professional_id="10001111111"),
    ]
    result = run(care(secteur="2_optam"), *acts, counters=counters)
    assert result.total_billed == D("87.10")
    assert result.total_base == D("82.10")
    assert result.total_amo == D("21.00") + D("19.50") + D("13.26")
    assert result.total_pf == D("2.00")
    assert result.total_franchises == D("4.00")
    assert result.total_depassements == D("5.00")
    assert result.total_refunded == result.total_amo - D("6.00")
    assert result.reste_a_charge == result.total_billed - result.total_refunded
    assert result.counters_after == Counters(
        pf_year=D("6.00"),
        franchises_year=D("5.00"),
        franchises_paramedical_by_day={DAY: D("1.00")},
    )
    assert counters == Counters(pf_year=D("4.00"), franchises_year=D("1.00")), (
        "the input counters are not changed"
    )
    assert "reste à votre charge : 39,34 €" in text(result.explanations)


def test_no_acts() -> None:
    result = run(care())
    assert result.lines == []
    assert result.total_refunded == D("0.00")


@pytest.mark.parametrize(
    ("changes", "act", "error", "message"),
    [
        ({}, ActLine("XYZ", D("30.00")), UnknownAct, "Code d'acte inconnu : « XYZ »"),
        (
            {"date": date(2023, 11, 30)},
            ActLine("G", D("26.50")),
            RuleNotInForce,
            "n'est pas connu avant le 01/12/2023",
        ),
        ({"date": date(2022, 6, 1)}, ActLine("C", D("23.00")), RuleNotInForce, "qu'à partir du 01/01/2023"),
        (
            {"date": date(2025, 3, 10), "birth_date": date(2025, 4, 1)},
            ActLine("G", D("30.00")),
            InvalidCare,
            "précède la date de naissance",
        ),
        ({}, ActLine("G", D("30.00"), date=date(2024, 12, 31)), InvalidCare, "faites un décompte par année"),
        (
            {},
            ActLine("G", D("-30.00")),
            InvalidCare,
            "Le montant facturé de l'acte G ne peut pas être négatif",
        ),
        ({}, ActLine("PH7", D("10.00"), base=D("-1.00")), InvalidCare, "ne peut pas être négatif"),
        ({}, ActLine("G", D("30.005")), InvalidCare, "deux décimales au plus"),
        ({}, ActLine("G", D("30.00"), quantity=0), InvalidCare, "nombre entier d'au moins 1"),
        ({}, ActLine("G", D("30.00"), base=D("30.00")), InvalidCare, "ne se saisit pas"),
        ({}, ActLine("PH7", D("10.00")), InvalidCare, "doit être fournie"),
        ({"secteur": "3"}, ActLine("G", D("50.00")), RuleNotInForce, "tarif d'autorité"),
        ({"secteur": "2"}, ActLine("G", D("50.00")), RuleNotInForce, "non adhérent à l'OPTAM"),
        ({"secteur": "9"}, ActLine("G", D("30.00")), InvalidCare, "Secteur du médecin inconnu"),
    ],
)
def test_errors_have_french_messages(
    changes: dict, act: ActLine, error: type[Exception], message: str
) -> None:
    with pytest.raises(error, match=message):
        run(care(**changes), act)


def test_float_amounts_are_refused() -> None:
    with pytest.raises(TypeError):
        run(care(), ActLine("G", 30.0))  # type: ignore[arg-type]


def test_negative_counters_are_refused() -> None:
    with pytest.raises(InvalidCare, match="compteurs"):
        run(care(), ActLine("G", D("30.00")), counters=Counters(pf_year=D("-1")))


@pytest.mark.parametrize(
    ("amount", "shown"),
    [(D("2"), "2,00\u00a0€"), (D("1234.5"), "1\u00a0234,50\u00a0€"), (D("0.005"), "0,01\u00a0€")],
)
def test_format_euros(amount: Decimal, shown: str) -> None:
    assert format_euros(amount) == shown
