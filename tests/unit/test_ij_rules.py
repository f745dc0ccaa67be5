"""IJ rules on the official figures of shared/DOMAIN.md: SJB, caps by date, carence, eligibility,
360-day cap and maternité."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from app.rules import ij
from app.rules.ij import ArretIJ, InvalidArret, PreviousArret, RuleNotInForce

D = Decimal
HIGH = (D("9000.00"), D("9000.00"), D("9000.00"))
ISSUE = (D("2000.00"), D("2000.00"), D("2000.00"))


def arret(start: str, end: str, salaries=ISSUE, **kwargs) -> ArretIJ:
    return ArretIJ(date.fromisoformat(start), date.fromisoformat(end), salaries, **kwargs)


def test_the_issue_example():
    result = ij.compute_ij(arret("2026-04-07", "2026-04-13"))
    assert (result.sjb, result.daily, result.plafond_applique) == (D("65.75"), D("32.88"), False)
    assert (result.carence_days, result.first_paid_day) == (3, date(2026, 4, 10))
    assert (result.days_paid, result.total) == (4, D("131.52"))
    text = "\n".join(result.explanations)
    assert "6\u00a0000,00\u00a0€ ÷ 91,25 = 65,75\u00a0€" in text
    assert "50 % de 65,7534\u00a0€ (salaire journalier de base avant arrondi) = 32,88\u00a0€" in text
    assert "du 07/04/2026 au 09/04/2026, non indemnisés" in text
    assert "du 10/04/2026 au 13/04/2026 : 4 jours × 32,88\u00a0€ = 131,52\u00a0€" in text
    assert "janvier 2026 2\u00a0000,00\u00a0€, février 2026 2\u00a0000,00\u00a0€, mars 2026" in text


@pytest.mark.parametrize(
    ("start", "smic", "multiplier", "maximum"),
    [
        # DOMAIN.md: 53.31 to 2025-03-31 (1.8 × SMIC 1 801,80).
        ("2025-03-31", "1801.80", "1.8", "53.31"),
        # From 2025-04-01: 1.4 × SMIC 1 801,80 = 41.47.
        ("2025-04-01", "1801.80", "1.4", "41.47"),
        # Arrêts starting in January 2026 use the SMIC of 2025-12-31.
        ("2026-01-15", "1801.80", "1.4", "41.47"),
        ("2026-01-31", "1801.80", "1.4", "41.47"),
        # 41.95 with the 2026 SMIC (1 823,03), from arrêts starting 2026-02-01.
        ("2026-02-01", "1823.03", "1.4", "41.95"),
        ("2027-01-31", "1823.03", "1.4", "41.95"),
        # The SMIC of 2024-11-01 applies to arrêts from 2024-12-01 (1 766,92 before).
        ("2024-11-15", "1766.92", "1.8", "52.28"),
        ("2024-12-01", "1801.80", "1.8", "53.31"),
    ],
)
def test_maximum_ij_at_each_date(start, smic, multiplier, maximum):
    day = date.fromisoformat(start)
    base = ij.sjb(HIGH, day)
    assert (base.smic, base.multiplier, base.plafond_applique) == (D(smic), D(multiplier), True)
    assert ij.daily_ij(base) == D(maximum)
    assert ij.compute_ij(ArretIJ(day, day, HIGH)).daily == D(maximum)


def test_smic_of_the_last_day_of_the_previous_month_not_of_the_first_day():
    start = date(2026, 1, 15)
    assert ij.smic_reference_date(start) == date(2025, 12, 31)
    assert ij.smic_for_arret(start) == D("1801.80")
    # The other reading, the SMIC in force on the arrêt's first day, is 1 823,03: not the one used.
    assert ij.smic_mensuel_on(start) == D("1823.03")
    assert ij.smic_for_arret(start) != ij.smic_mensuel_on(start)
    # Outside a revaluation month both readings agree.
    assert ij.smic_for_arret(date(2026, 3, 15)) == ij.smic_mensuel_on(date(2026, 3, 15))
    assert ij.smic_reference_date(date(2024, 3, 1)) == date(2024, 2, 29)


@pytest.mark.parametrize(
    ("hourly_from", "monthly"),
    [("2024-01-01", "1766.92"), ("2024-11-01", "1801.80"), ("2026-01-01", "1823.03")],
)
def test_hourly_and_monthly_smic_agree(hourly_from, monthly):
    day = date.fromisoformat(hourly_from)
    assert ij.smic_mensuel_on(day) == D(monthly)
    assert (ij.smic_horaire_on(day) * 35 * 52 / 12).quantize(D("0.01")) == D(monthly)


def test_the_cap_applies_month_by_month():
    # Monthly cap on 2026-04-07: 1.4 × 1 823,03 = 2 552,242 → 2 552,24 per month.
    base = ij.sjb((D("4000.00"), D("1000.00"), D("1000.00")), date(2026, 4, 7))
    assert base.monthly_cap == D("2552.24")
    assert base.retained == (D("2552.24"), D("1000.00"), D("1000.00"))
    assert (base.total, base.amount, base.plafond_applique) == (D("4552.24"), D("49.89"), True)
    assert ij.daily_ij(base) == D("24.94")
    # The same 6 000 € spread evenly is under the cap: a cap on the total would have given this.
    assert ij.daily_ij(ij.sjb(ISSUE, date(2026, 4, 7))) == D("32.88")
    result = ij.compute_ij(arret("2026-04-07", "2026-04-13", (D("4000.00"), D("1000.00"), D("1000.00"))))
    assert result.plafond_applique
    assert any(
        "janvier 2026 ramené de 4\u00a0000,00\u00a0€ à 2\u00a0552,24\u00a0€" in e for e in result.explanations
    )


@pytest.mark.parametrize(
    ("last_month", "capped"), [("2552.24", False), ("2552.25", True), ("2552.23", False)]
)
def test_plafond_applique_edges(last_month, capped):
    base = ij.sjb((D("1000.00"), D("1000.00"), D(last_month)), date(2026, 4, 7))
    assert base.plafond_applique is capped


@pytest.mark.parametrize(
    ("salaries", "start", "sjb", "daily"),
    [
        # 6 000 ÷ 91,25 = 65,7534… → 65,75; × 50 % = 32,8767… → 32,88 (up).
        (ISSUE, "2026-04-07", "65.75", "32.88"),
        # 1,4 × 1 801,80 × 3 ÷ 91,25 = 82,9322… → 82,93; × 50 % = 41,4661… → 41,47 (up).
        (HIGH, "2025-06-01", "82.93", "41.47"),
        # 1,8 × 1 801,80 × 3 ÷ 91,25 = 106,6270… → 106,63; × 50 % = 53,3135… → 53,31 (down), where
        # 50 % of the rounded SJB would give 53,315 → 53,32: the IJ is taken on the unrounded SJB.
        (HIGH, "2025-03-01", "106.63", "53.31"),
        # 2 552,24 × 3 ÷ 91,25 = 83,9093… → 83,91; × 50 % = 41,9546… → 41,95 (not 41,96).
        (HIGH, "2026-04-07", "83.91", "41.95"),
        # 1 500 + 1 500,01 + 1 500 = 4 500,01 ÷ 91,25 = 49,3152… → 49,32; 24,6576… → 24,66.
        ((D("1500.00"), D("1500.01"), D("1500.00")), "2026-04-07", "49.32", "24.66"),
    ],
)
def test_rounding_half_up_to_the_cent(salaries, start, sjb, daily):
    # An exact half cent cannot happen with salaries in cents (total ÷ 182,5 never ends in 5 at
    # the third decimal): these cases pin the direction and the order of the roundings.
    base = ij.sjb(salaries, date.fromisoformat(start))
    assert base.amount == D(sjb)
    assert ij.daily_ij(base) == D(daily)


START = date(2026, 4, 7)


@pytest.mark.parametrize(
    ("kwargs", "days", "reason"),
    [
        ({}, 3, "délai de carence de 3 jours"),
        ({"prolongation": True}, 0, "prolongation"),
        # Previous arrêt ended on the 4th: back at work on the 5th and 6th (48 hours), no carence.
        ({"previous": (PreviousArret(date(2026, 3, 20), date(2026, 4, 4)),)}, 0, "48 heures au plus"),
        # Ended on the 3rd: back at work on the 4th, 5th and 6th (3 days): a new carence.
        ({"previous": (PreviousArret(date(2026, 3, 20), date(2026, 4, 3)),)}, 3, "délai de carence"),
        # Right after the previous one (no day between): no carence.
        ({"previous": (PreviousArret(date(2026, 3, 20), date(2026, 4, 6)),)}, 0, "48 heures au plus"),
        # ALD, first arrêt: carence.
        ({"ald": True}, 3, "ALD : premier arrêt"),
        # ALD, a period opened on 2023-04-08 is still running on 2026-04-07: no carence.
        (
            {"ald": True, "previous": (PreviousArret(date(2023, 4, 8), date(2023, 5, 1), ald=True),)},
            0,
            "cette période a commencé le 08/04/2023",
        ),
        # ALD, a period opened on 2023-04-07 ends on 2026-04-06: a new period, with its carence.
        (
            {"ald": True, "previous": (PreviousArret(date(2023, 4, 7), date(2023, 5, 1), ald=True),)},
            3,
            "ALD : premier arrêt",
        ),
        # ALD: an earlier arrêt not in ALD does not open an ALD period.
        ({"ald": True, "previous": (PreviousArret(date(2025, 1, 1), date(2025, 1, 10)),)}, 3, "ALD"),
        # Not in ALD: earlier ALD arrêts do not spare the carence.
        ({"previous": (PreviousArret(date(2025, 1, 1), date(2025, 1, 10), ald=True),)}, 3, "délai"),
    ],
)
def test_carence_and_its_exceptions(kwargs, days, reason):
    result = ij.carence(START, **kwargs)
    assert result.days == days
    assert reason in result.explanation


@pytest.mark.parametrize(
    ("start", "days"),
    [
        # Periods run from the first ALD arrêt that opened one (2022-01-10), not from the latest.
        (date(2025, 1, 9), 0),
        (date(2025, 1, 10), 3),
    ],
)
def test_ald_periods_are_counted_from_their_first_arret(start, days):
    previous = (
        PreviousArret(date(2022, 1, 10), date(2022, 2, 1), ald=True),
        PreviousArret(date(2024, 6, 1), date(2024, 6, 20), ald=True),
    )
    assert ij.carence(start, ald=True, previous=previous).days == days


def test_add_years_on_29_february():
    assert ij.add_years(date(2024, 2, 29), 3) == date(2027, 3, 1)
    assert ij.add_years(date(2023, 4, 7), 3) == date(2026, 4, 7)


def test_carence_exceptions_in_the_computation():
    result = ij.compute_ij(arret("2026-04-07", "2026-04-13", prolongation=True))
    assert (result.carence_days, result.first_paid_day, result.days_paid) == (0, START, 7)
    assert result.total == D("230.16")  # 7 × 32,88
    previous = (PreviousArret(date(2026, 3, 20), date(2026, 4, 4)),)
    assert ij.compute_ij(arret("2026-04-07", "2026-04-13", previous=previous)).days_paid == 7


def test_an_arret_within_the_carence_pays_nothing():
    result = ij.compute_ij(arret("2026-04-07", "2026-04-08"))
    assert (result.carence_days, result.first_paid_day, result.days_paid) == (2, None, 0)
    assert result.total == D("0.00")
    assert any("entièrement compris dans le délai de carence" in e for e in result.explanations)


def test_every_calendar_day_is_paid():
    # Friday 2026-04-03 to Sunday 2026-04-12: carence Fri–Sun, then 7 days, week-end included.
    result = ij.compute_ij(arret("2026-04-03", "2026-04-12"))
    assert (result.first_paid_day, result.days_paid) == (date(2026, 4, 6), 7)


def test_prolongation_keeps_the_initial_arrets_smic():
    # Initial arrêt on 2026-01-20 (SMIC of 2025-12-31), prolonged from 2026-02-10.
    prolonged = ArretIJ(
        date(2026, 2, 10), date(2026, 2, 20), HIGH, prolongation=True, episode_start=date(2026, 1, 20)
    )
    assert ij.compute_ij(prolonged).daily == D("41.47")
    alone = ArretIJ(date(2026, 2, 10), date(2026, 2, 20), HIGH, prolongation=True)
    assert ij.compute_ij(alone).daily == D("41.95")


@pytest.mark.parametrize(
    ("hours", "contributions", "start", "expected"),
    [
        (150, None, "2026-04-07", True),
        (D("149.5"), None, "2026-04-07", False),
        # 6 months from 2025-10-01: 1 015 × 11,88 = 12 058,20.
        (None, D("12058.20"), "2026-04-07", True),
        (None, D("12058.19"), "2026-04-07", False),
        # 6 months from 2026-01-01: 1 015 × 12,02 = 12 200,30.
        (None, D("12200.29"), "2026-07-01", False),
        (None, D("12200.30"), "2026-07-01", True),
        # Either condition is enough.
        (10, D("12058.20"), "2026-04-07", True),
        (150, D("0"), "2026-04-07", True),
    ],
)
def test_eligibility_by_hours_or_by_contributions(hours, contributions, start, expected):
    result = ij.eligible(hours, contributions, date.fromisoformat(start))
    assert result.eligible is expected
    assert result.hours_threshold == 150


def test_eligibility_thresholds_and_refusals():
    result = ij.eligible(None, D("0"), date(2026, 4, 7))
    assert (result.smic_date, result.smic_horaire) == (date(2025, 10, 1), D("11.88"))
    assert result.contributions_threshold == D("12058.20")
    assert "conditions non remplies" in result.explanation
    assert "12\u00a0058,20\u00a0€" in result.explanation
    with pytest.raises(InvalidArret):
        ij.eligible(None, None, date(2026, 4, 7))
    with pytest.raises(InvalidArret):
        ij.eligible(-1, None, date(2026, 4, 7))
    # The 6 months before May 2024 start on 2023-11-01: no SMIC horaire known.
    with pytest.raises(RuleNotInForce, match="SMIC horaire"):
        ij.eligible(None, D("20000"), date(2024, 5, 1))


@pytest.mark.parametrize(
    ("days", "paid", "ald", "payable"),
    [
        (30, 0, False, 30),
        (30, 340, False, 20),
        (30, 330, False, 30),
        (30, 360, False, 0),
        (30, 400, False, 0),
        (30, 400, True, 30),
    ],
)
def test_360_ij_over_3_years_outside_ald(days, paid, ald, payable):
    assert ij.payable_days(days, paid, ald=ald, start=START) == payable


def test_360_day_cap_in_the_computation():
    result = ij.compute_ij(arret("2026-04-07", "2026-04-16", days_paid_3_years=355))
    assert (result.days_paid, result.total) == (5, D("164.40"))
    assert any(
        "au plus 360 indemnités" in e and "5 jours indemnisables sur 7 jours" in e
        for e in result.explanations
    )
    exhausted = ij.compute_ij(arret("2026-04-07", "2026-04-16", days_paid_3_years=360))
    assert (exhausted.days_paid, exhausted.first_paid_day, exhausted.total) == (0, None, D("0.00"))
    in_ald = ij.compute_ij(arret("2026-04-07", "2026-04-16", ald=True, days_paid_3_years=360))
    assert in_ald.days_paid == 7


@pytest.mark.parametrize(
    ("salaries", "daily", "capped", "at_minimum"),
    [
        # Each month capped at the 2026 PMSS: 4 005 × 3 ÷ 91,25 = 131,6712… − 21 % = 104,02, the maximum.
        (HIGH, "104.02", True, False),
        # 6 000 ÷ 91,25 = 65,7534… − 21 % = 51,9452… → 51,95.
        (ISSUE, "51.95", False, False),
        # 900 ÷ 91,25 × 79 % = 7,79: raised to the minimum 11,12.
        ((D("300.00"), D("300.00"), D("300.00")), "11.12", False, True),
    ],
)
def test_maternity_daily(salaries, daily, capped, at_minimum):
    result = ij.maternity_daily(salaries, date(2026, 3, 1))
    assert result.daily == D(daily)
    assert result.plafond_applique is capped
    assert result.minimum_applique is at_minimum
    assert result.pmss == D("4005")


def test_maternity_maximum_is_the_pmss_cap():
    at_pmss = ij.maternity_daily((D("4005.00"),) * 3, date(2026, 6, 1))
    assert (at_pmss.sjb, at_pmss.daily, at_pmss.maximum_applique) == (D("131.67"), D("104.02"), False)
    assert any("131,6712\u00a0€ moins 21 % = 104,02\u00a0€" in e for e in at_pmss.explanations)


@pytest.mark.parametrize(
    ("call", "message"),
    [
        # SMIC of 2023-12-31: before the data.
        (lambda: ij.compute_ij(arret("2024-01-15", "2024-01-20")), "qu'à partir du 01/01/2024"),
        # SMIC of 2027-01-31: after the last value's end.
        (lambda: ij.compute_ij(arret("2027-02-01", "2027-02-10")), "que jusqu'au 31/12/2026"),
        # 2025 maternité minimum unknown; 2027 PMSS unknown.
        (lambda: ij.maternity_daily(ISSUE, date(2025, 6, 1)), "montant minimal"),
        (lambda: ij.maternity_daily(ISSUE, date(2027, 1, 1)), "plafond mensuel"),
        (lambda: ij.maternity_daily(ISSUE, date(2024, 6, 1)), "plafond mensuel"),
    ],
)
def test_rule_not_in_force_outside_the_data(call, message):
    with pytest.raises(RuleNotInForce, match=message):
        call()


def test_the_refusal_message_is_french_and_names_the_arret():
    with pytest.raises(RuleNotInForce) as caught:
        ij.compute_ij(arret("2024-01-15", "2024-01-20"))
    assert str(caught.value) == (
        "Le SMIC mensuel n'est connu qu'à partir du 01/01/2024 : "
        "l'arrêt commençant le 15/01/2024 ne peut pas être calculé."
    )


@pytest.mark.parametrize(
    ("build", "message"),
    [
        (lambda: arret("2026-04-07", "2026-04-06"), "précède son début"),
        (lambda: arret("2026-04-07", "2026-04-13", (D("2000.00"), D("2000.00"))), "Trois salaires"),
        (lambda: arret("2026-04-07", "2026-04-13", (D("0.00"), D("2000.00"), D("2000.00"))), "supérieur à 0"),
        (lambda: arret("2026-04-07", "2026-04-13", (D("-1"), D("2000.00"), D("2000.00"))), "supérieur à 0"),
        (lambda: arret("2026-04-07", "2026-04-13", (D("1.001"), D("2000.00"), D("2000.00"))), "centimes"),
        (
            lambda: arret("2026-04-07", "2026-04-13", episode_start=date(2026, 4, 8), prolongation=True),
            "arrêt initial",
        ),
    ],
)
def test_invalid_arrets(build, message):
    with pytest.raises(InvalidArret, match=message):
        ij.compute_ij(build())


def test_floats_and_datetimes_are_programming_errors():
    with pytest.raises(TypeError):
        ij.sjb((2000.0, 2000.0, 2000.0), START)
    with pytest.raises(TypeError):
        ij.smic_for_arret("2026-04-07")
