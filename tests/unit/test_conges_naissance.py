"""Congé de maternité and de paternité rules, on the official durations (Code du travail L1225-17 to
L1225-21, L1225-35, D1225-8; service-public.fr F2265 and F3156), dates counted inclusively."""

from __future__ import annotations

from datetime import date

import pytest

from app.rules import conges_naissance as rules
from app.rules.conges_naissance import InvalidConge, RuleNotInForce

DUE = date(2026, 6, 15)


def spans(result) -> dict[str, tuple[date, date]]:
    return {periode.code: (periode.debut, periode.fin) for periode in result.periodes}


@pytest.mark.parametrize(
    ("enfants", "naissances", "prenatal", "postnatal", "debut", "fin"),
    [
        # First child (L1225-17): 6 + 10 weeks.
        (0, 1, 6, 10, date(2026, 5, 4), date(2026, 8, 23)),
        # Second child: still 6 + 10 (fewer than 2 children at home).
        (1, 1, 6, 10, date(2026, 5, 4), date(2026, 8, 23)),
        # Third child, 2 already at home (L1225-18): 8 + 18 = 26 weeks.
        (2, 1, 8, 18, date(2026, 4, 20), date(2026, 10, 18)),
        # Twins (L1225-19): 12 + 22 = 34 weeks, whatever the children at home.
        (0, 2, 12, 22, date(2026, 3, 23), date(2026, 11, 15)),
        (3, 2, 12, 22, date(2026, 3, 23), date(2026, 11, 15)),
        # Triplets or more: 24 + 22 = 46 weeks.
        (0, 3, 24, 22, date(2025, 12, 29), date(2026, 11, 15)),
        (1, 4, 24, 22, date(2025, 12, 29), date(2026, 11, 15)),
    ],
)
def test_maternite_durations_and_dates(enfants, naissances, prenatal, postnatal, debut, fin):
    result = rules.conge_maternite(DUE, enfants_a_charge=enfants, naissances=naissances)
    assert (result.semaines_prenatales, result.semaines_postnatales) == (prenatal, postnatal)
    assert (result.debut, result.fin) == (debut, fin)
    # The prenatal part ends the day before the expected delivery, the postnatal part starts on it.
    assert spans(result) == {
        "prenatal": (debut, date(2026, 6, 14)),
        "postnatal": (DUE, fin),
    }
    assert sum(periode.jours for periode in result.periodes) == (prenatal + postnatal) * 7


def test_the_explanations_say_how_dates_are_counted_and_what_a_birth_off_date_does():
    text = " ".join(rules.conge_maternite(DUE).explanations)
    assert "du 04/05/2026 au 23/08/2026 inclus" in text
    assert "les jours de congé prénatal non pris s'ajoutent au congé postnatal" in text
    assert "sans réduire le congé postnatal" in text
    assert "au moins 8 semaines en tout, dont 6 semaines après l'accouchement" in text


def test_a_report_of_3_weeks_moves_them_after_the_birth():
    result = rules.conge_maternite(DUE, report_semaines=3)
    assert (result.semaines_prenatales, result.semaines_postnatales) == (3, 13)
    # Starts 3 weeks later and, the total being unchanged, ends 3 weeks later.
    assert (result.debut, result.fin) == (date(2026, 5, 25), date(2026, 9, 13))
    assert any("Report de 3 semaines" in line for line in result.explanations)


@pytest.mark.parametrize(("enfants", "minimum"), [(0, "3 semaines"), (2, "5 semaines")])
def test_a_report_beyond_3_weeks_is_refused_in_french(enfants, minimum):
    with pytest.raises(InvalidConge) as caught:
        rules.conge_maternite(DUE, enfants_a_charge=enfants, report_semaines=4)
    assert caught.value.field == "report_semaines"
    assert str(caught.value).startswith("Le report est limité à 3 semaines")
    assert f"il reste d'au moins {minimum} dans votre situation" in str(caught.value)


@pytest.mark.parametrize(
    ("enfants", "naissances", "weeks", "prenatal", "postnatal"),
    [(2, 1, 2, 10, 16), (0, 2, 4, 16, 18)],
)
def test_anticipation_lengthens_the_prenatal_part_from_the_postnatal(
    enfants, naissances, weeks, prenatal, postnatal
):
    result = rules.conge_maternite(
        DUE, enfants_a_charge=enfants, naissances=naissances, anticipation_semaines=weeks
    )
    assert (result.semaines_prenatales, result.semaines_postnatales) == (prenatal, postnatal)


@pytest.mark.parametrize(
    ("enfants", "naissances", "weeks", "report", "message"),
    [
        (0, 1, 1, 0, "ne peut pas commencer plus tôt"),
        (2, 1, 3, 0, "au plus 2 semaines plus tôt"),
        (0, 2, 5, 0, "au plus 4 semaines plus tôt"),
        (0, 3, 1, 0, "ne peut pas commencer plus tôt"),
        (2, 1, 1, 1, "à la fois avancer"),
    ],
)
def test_impossible_anticipations_are_refused(enfants, naissances, weeks, report, message):
    with pytest.raises(InvalidConge, match=message):
        rules.conge_maternite(
            DUE,
            enfants_a_charge=enfants,
            naissances=naissances,
            anticipation_semaines=weeks,
            report_semaines=report,
        )


def test_pathological_leave_is_2_weeks_before_and_4_weeks_after():
    result = rules.conge_maternite(DUE, pathologique=True)
    assert [periode.code for periode in result.periodes] == [
        "pathologique_prenatal",
        "prenatal",
        "postnatal",
        "pathologique_postnatal",
    ]
    assert spans(result)["pathologique_prenatal"] == (date(2026, 4, 20), date(2026, 5, 3))
    assert spans(result)["pathologique_postnatal"] == (date(2026, 8, 24), date(2026, 9, 20))
    # The leave itself does not move: the pathological periods are on prescription only.
    assert (result.debut, result.fin) == (date(2026, 5, 4), date(2026, 8, 23))
    text = " ".join(result.explanations)
    assert "dès la déclaration de grossesse" in text
    assert "indemnisé comme un arrêt maladie" in text
    assert not any(p.code.startswith("pathologique") for p in rules.conge_maternite(DUE).periodes)


@pytest.mark.parametrize(
    ("naissances", "restants", "rest_end", "total"),
    [(1, 21, date(2026, 7, 12), "25 jours calendaires"), (2, 28, date(2026, 7, 19), "32 jours calendaires")],
)
def test_paternite_single_and_multiple_birth(naissances, restants, rest_end, total):
    result = rules.conge_paternite(date(2026, 6, 15), naissances)
    assert (result.jours_conge_naissance, result.jours_obligatoires, result.jours_restants) == (
        3,
        4,
        restants,
    )
    assert result.date_limite == date(2026, 12, 15)
    assert spans(result) == {
        "conge_naissance": (date(2026, 6, 15), date(2026, 6, 17)),
        "obligatoire": (date(2026, 6, 18), date(2026, 6, 21)),
        "restants": (date(2026, 6, 22), rest_end),
    }
    text = " ".join(result.explanations)
    assert total in text
    assert "premier jour ouvrable qui suit" in text
    assert "hospitalisé" in text
    assert "décès de la mère" in text
    assert "2 périodes d'au moins 5 jours" in text


@pytest.mark.parametrize(
    ("birth", "limit"),
    [
        (date(2026, 6, 15), date(2026, 12, 15)),
        # Six months date to date; a day the month lacks gives its last day.
        (date(2025, 8, 31), date(2026, 2, 28)),
        (date(2023, 8, 31), date(2024, 2, 29)),
        (date(2021, 7, 1), date(2022, 1, 1)),
    ],
)
def test_paternite_date_limite(birth, limit):
    assert rules.conge_paternite(birth).date_limite == limit


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (
            lambda: rules.conge_paternite(date(2021, 6, 30)),
            "Le barème du congé de paternité n'est connu qu'à partir du 01/07/2021 : une naissance le "
            "30/06/2021 ne peut pas être calculée.",
        ),
        (
            lambda: rules.conge_maternite(date(2008, 4, 30)),
            "Le barème du congé de maternité n'est connu qu'à partir du 01/05/2008 : un accouchement "
            "prévu le 30/04/2008 ne peut pas être calculé.",
        ),
    ],
)
def test_dates_outside_the_data_are_refused_in_french(call, message):
    with pytest.raises(RuleNotInForce) as caught:
        call()
    assert str(caught.value) == message


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"naissances": 0}, "naissances"),
        ({"naissances": 9}, "naissances"),
        ({"enfants_a_charge": -1}, "enfants_a_charge"),
        ({"report_semaines": -1}, "report_semaines"),
    ],
)
def test_impossible_counts_are_refused(kwargs, field):
    with pytest.raises(InvalidConge) as caught:
        rules.conge_maternite(DUE, **kwargs)
    assert caught.value.field == field


def test_the_congé_supplementaire_is_mentioned_from_2026_only():
    assert any(
        "congé supplémentaire de naissance" in line for line in rules.conge_paternite(DUE).explanations
    )
    older = rules.conge_paternite(date(2025, 12, 31)).explanations
    assert not any("congé supplémentaire" in line for line in older)


def test_resume_reads_the_table_in_force():
    summary = rules.resume(date(2026, 11, 24))
    rows = [(row["prenatal"], row["postnatal"], row["total"]) for row in summary["maternite"]["situations"]]
    assert rows == [(6, 10, 16), (8, 18, 26), (12, 22, 34), (24, 22, 46)]
    assert summary["paternite"]["total"] == 25
    assert summary["paternite"]["total_multiple"] == 32
    assert all(lien.url.startswith("https://") for lien in summary["liens"])
    before = rules.resume(date(2020, 1, 1))
    assert before["paternite"] is None
    assert before["maternite"] is not None
