"""Demo Annuaire santé: every département covered in proportion, believable practitioners and
structures, valid identifiers, Dr Durand as ``demo_care`` has her, fees that follow the secteur,
the full-text index filled, and runs that are deterministic and idempotent."""

from __future__ import annotations

import random
import re
from collections import Counter, defaultdict
from datetime import date
from decimal import Decimal

import pytest
import sqlalchemy as sa
from stdnum import luhn

from app.extensions import db
from app.models import AnnuaireActivity, AnnuairePractitioner, AnnuaireStructure, AnnuaireTariff
from app.rules import annuaire as rules
from app.rules import tariffs, territory
from app.services import annuaire as service
from app.services.demo_annuaire import DURAND_NATIONAL_ID, _Directory, load_annuaire_demo

COUNT = 500
FULL = 20000


@pytest.fixture
def directory(app) -> int:
    """A demo directory of 500 generated practitioners (and Dr Durand)."""
    return load_annuaire_demo(count=COUNT)


def row_counts() -> dict[str, int]:
    models = (AnnuairePractitioner, AnnuaireStructure, AnnuaireActivity, AnnuaireTariff)
    return {
        model.__tablename__: db.session.scalar(sa.select(sa.func.count()).select_from(model))
        for model in models
    }


def practitioners() -> list[AnnuairePractitioner]:
    return list(db.session.scalars(sa.select(AnnuairePractitioner)))


def official(code: str) -> Decimal:
    return tariffs.act(code, date.today()).tariff


def departements_of_practitioners() -> dict[str, set[int]]:
    """Département → ids of the practitioners with a site there."""
    found: dict[str, set[int]] = defaultdict(set)
    rows = db.session.execute(
        sa.select(AnnuaireActivity.practitioner_id, AnnuaireStructure.departement).join(
            AnnuaireStructure, AnnuaireStructure.id == AnnuaireActivity.structure_id
        )
    )
    for practitioner_id, departement in rows:
        found[departement].add(practitioner_id)
    return found


def population_by_departement() -> dict[str, int]:
    """Inhabitants of every département with a caisse (mainland, Corsica, the five DROM)."""
    covered = {caisse.departement for caisse in territory.caisses()}
    population: Counter[str] = Counter()
    for commune in territory.communes_index().values():
        if commune.departement in covered and commune.postal_codes:
            population[commune.departement] += commune.population
    return population


def test_full_load_covers_every_departement_in_proportion(app):
    assert load_annuaire_demo() == FULL + 1
    population = population_by_departement()
    found = departements_of_practitioners()
    assert set(found) == set(population)
    assert {"2A", "2B", "971", "972", "973", "974", "976"} <= set(found)
    total = sum(population.values())
    for departement, inhabitants in population.items():
        count = len(found[departement])
        assert count >= 20, departement
        expected = FULL * inhabitants / total
        assert 0.8 * expected - 3 <= count <= 1.3 * expected + 3, (departement, count, expected)

    shares = Counter(p.kind for p in practitioners())
    for kind, share in {"generaliste": 25, "specialiste": 25, "60": 17, "70": 12, "40": 7, "21": 5}.items():
        assert abs(100 * shares[kind] / (FULL + 1) - share) < 1.5, kind
    assert len({p.specialty_code for p in practitioners() if p.kind == "specialiste"}) >= 20
    assert {"50", "91", "92", "80", "28", "26", "93"} <= set(shares)

    sites = Counter(db.session.scalars(sa.select(AnnuaireActivity.practitioner_id)).all())
    assert 0.06 < sum(1 for n in sites.values() if n == 2) / len(sites) < 0.10
    assert max(sites.values()) == 2

    before = row_counts()
    assert load_annuaire_demo() == FULL + 1
    assert row_counts() == before


def test_small_load_has_doctors_in_nantes_and_paris(app):
    load_annuaire_demo(count=12)
    rows = db.session.execute(
        sa.select(AnnuairePractitioner.kind, AnnuaireStructure.commune_insee)
        .join(AnnuaireActivity, AnnuaireActivity.practitioner_id == AnnuairePractitioner.id)
        .join(AnnuaireStructure, AnnuaireStructure.id == AnnuaireActivity.structure_id)
        .where(AnnuairePractitioner.national_id != DURAND_NATIONAL_ID)
    ).all()
    nantes = {kind for kind, insee in rows if insee == "44109"}
    paris = {kind for kind, insee in rows if insee.startswith("751")}
    assert {"generaliste", "specialiste"} <= nantes
    assert {"generaliste", "specialiste"} <= paris


def test_second_run_inserts_nothing(directory):
    assert directory == COUNT + 1
    before = row_counts()
    assert load_annuaire_demo(count=COUNT) == COUNT + 1
    assert row_counts() == before
    assert load_annuaire_demo(count=100) == COUNT + 1  # fewer asked: nothing removed


def test_bigger_count_completes_the_same_directory(app):
    load_annuaire_demo(count=300)
    first = {p.national_id: (p.last_name, p.first_name, p.kind) for p in practitioners()}
    keys = set(db.session.scalars(sa.select(AnnuaireStructure.structure_key)))
    assert load_annuaire_demo(count=COUNT) == COUNT + 1
    db.session.expire_all()
    after = {p.national_id: (p.last_name, p.first_name, p.kind) for p in practitioners()}
    assert after.items() >= first.items()
    assert keys < set(db.session.scalars(sa.select(AnnuaireStructure.structure_key)))
    assert Counter(db.session.scalars(sa.select(AnnuaireActivity.practitioner_id))).most_common(1)[0][1] <= 2


def test_generation_is_deterministic_and_prefix_stable():
    def rows(count: int, seed: int = 2026) -> tuple[list[dict], list[dict]]:
        plan = _Directory(random.Random(seed), date.today()).plan(count)
        undated = [
            [{name: value for name, value in row.items() if name != "updated_at"} for row in table]
            for table in (plan.practitioners, plan.structures)
        ]
        return undated[0], undated[1]

    small, small_structures = rows(120)
    large, large_structures = rows(240)
    assert small == large[: len(small)]
    assert small_structures == large_structures[: len(small_structures)]
    other, _ = rows(120, seed=7)
    assert [p["last_name"] for p in other] != [p["last_name"] for p in small]


def test_identifiers_are_well_formed(directory):
    found = practitioners()
    assert len({p.national_id for p in found}) == len(found) == COUNT + 1
    assert Counter(p.id_type for p in found)["0"] > 0
    for p in found:
        assert p.national_id == p.id_type + p.identifier
        assert luhn.is_valid(p.identifier)
        if p.id_type == "8":
            assert re.fullmatch(r"\d{11}", p.identifier)
            assert p.identifier.startswith("19") or p.national_id == DURAND_NATIONAL_ID
        else:
            assert re.fullmatch(r"\d{9}", p.identifier)
            assert p.identifier.startswith("99")
            assert p.profession_code in ("93", "28", "26")
    for s in db.session.scalars(sa.select(AnnuaireStructure)):
        assert re.fullmatch(r"demo-\d{6}", s.structure_key)
        assert re.fullmatch(r"\d{14}", s.siret)
        assert luhn.is_valid(s.siret)
        if s.finess:
            assert re.fullmatch(r"\d{9}", s.finess)
            assert luhn.is_valid(s.finess)


def test_practitioners_are_believable(directory):
    found = practitioners()
    for p in found:
        assert p.kind == rules.kind_of(p.profession_code, p.specialty_code)
        assert p.profession == rules.PROFESSIONS[p.profession_code]
        assert p.last_name == p.last_name.upper()
        assert p.first_name
        assert p.first_name[0].isupper()
        assert p.civilite == ("Docteur" if p.profession_code in ("10", "40") else "")
        if p.kind == "generaliste":
            assert p.specialty_code in rules.GENERALISTE_CODES
        if p.kind == "specialiste":
            assert re.fullmatch(r"SM\d{2}", p.specialty_code)
            assert p.specialty
    assert all(p.secteur in ("1", "2_optam", "2", "3") for p in found if p.profession_code == "10")
    assert {p.secteur for p in found if p.kind in ("21", "28", "26", "93")} == {""}
    vitale = Counter(p.carte_vitale for p in found)
    assert vitale[True] > 0.7 * len(found)
    assert vitale[None] > 0
    assert sum(1 for p in found if p.opening_hours) > 0.8 * len(found)


def test_structures_are_believable(directory):
    structures = list(db.session.scalars(sa.select(AnnuaireStructure)))
    sectors = Counter(s.activity_sector for s in structures)
    assert {"Cabinet individuel", "Cabinet de groupe", "Pharmacie d'officine"} <= set(sectors)
    assert all(s.name == "" for s in structures if s.activity_sector == "Cabinet individuel")
    names = [s.name for s in structures]
    assert any(name.startswith("Centre hospitalier") for name in names)
    assert any(name.startswith("Maison de santé") for name in names)
    for s in structures:
        commune = territory.commune_by_insee(s.commune_insee)
        assert commune is not None
        assert s.postal_code in commune.postal_codes
        assert (s.commune_name, s.departement) == (commune.name, commune.departement)
        assert re.fullmatch(r"\d+( bis)? \S+ .+", s.address_line)
        assert re.fullmatch(r"0\d{9}", s.phone)
        if s.departement == "75":
            assert s.phone.startswith("01")
        if s.departement == "974":
            assert s.phone.startswith("0262")
    hospital_modes = db.session.scalars(
        sa.select(AnnuaireActivity.mode)
        .join(AnnuaireStructure, AnnuaireStructure.id == AnnuaireActivity.structure_id)
        .where(AnnuaireStructure.activity_sector == "Etablissement public de santé")
    ).all()
    assert hospital_modes
    assert set(hospital_modes) == {"Salarié"}
    modes = Counter(db.session.scalars(sa.select(AnnuaireActivity.mode)))
    assert modes["Libéral"] > modes["Salarié"]


def test_dr_durand_as_demo_care_has_her(directory):
    durand = service.practitioner(DURAND_NATIONAL_ID)
    assert durand is not None
    assert (durand.identifier, durand.civilite, durand.first_name, durand.last_name) == (
        "10101010105",
        "Docteur",
        "Sophie",
        "DURAND",
    )
    assert durand.display_name == "Dr Sophie DURAND"
    assert (durand.profession_code, durand.specialty_code, durand.kind) == ("10", "SM54", "generaliste")
    assert (durand.secteur, durand.carte_vitale) == ("1", True)
    assert durand.opening_hours
    [activity] = durand.activities
    place = activity.structure
    assert activity.mode == "Libéral"
    assert (place.address_line, place.postal_code, place.commune_insee, place.commune_name) == (
        "3 place du Commerce",
        "44000",
        "44109",
        "Nantes",
    )
    assert place.departement == "44"
    fees = {tariff.act_code: tariff.amount for tariff in durand.tariffs}
    assert fees["G"] == Decimal("30.00") == official("G")
    assert set(fees) == {"G", "VG", "TCG"}


def test_fees_follow_the_secteur(directory):
    found = practitioners()
    with_fees = 0
    for p in found:
        fees = {tariff.act_code: tariff.amount for tariff in p.tariffs}
        assert set(fees) <= set(rules.ACTS_BY_KIND.get(p.kind, ()))
        if p.kind in rules.ACTS_BY_KIND:
            assert fees, p.national_id
            with_fees += 1
        if p.kind == "specialiste":
            psy = p.specialty_code in ("SM42", "SM32")
            assert ("CNPSY" in fees) == psy
            assert ("CS" in fees) != psy
        for code, amount in fees.items():
            assert isinstance(amount, Decimal)
            assert amount == amount.quantize(Decimal("0.01"))
            if p.secteur == "1" or p.kind == "40":
                assert amount == official(code)
            else:
                assert official(code) + 5 <= amount <= official(code) + 75
    assert with_fees > 0.4 * len(found)


def test_search_words_are_filled_and_indexed(directory):
    for p in practitioners():
        assert p.search_words == rules.practitioner_words(
            p.last_name, p.first_name, p.profession, p.specialty, p.kind
        )
    for s in db.session.scalars(sa.select(AnnuaireStructure)):
        assert s.search_words == rules.structure_words(s.name, s.activity_sector, s.commune_name)
        assert s.search_words
    found = service.search_practitioners(service.Criteria(words=tuple(rules.query_words("durand sophie"))))
    assert DURAND_NATIONAL_ID in {hit.practitioner.national_id for hit in found.hits}
    nantes = service.search_practitioners(
        service.Criteria(kind="generaliste", place=rules.parse_place("44"), secteur="1", carte_vitale=True)
    )
    assert nantes.total >= 2
    pharmacies = service.search_structures(service.Criteria(words=("pharmacie",)))
    assert pharmacies.total > 0


def test_count_out_of_range_is_refused(app):
    with pytest.raises(ValueError, match="count"):
        load_annuaire_demo(count=-1)
