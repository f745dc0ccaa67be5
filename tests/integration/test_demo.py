"""Demo world: idempotent, deterministic, and every generated person consistent and routed right."""

from __future__ import annotations

import random
from collections import Counter
from datetime import date

import pytest
import sqlalchemy as sa
from stdnum import iban, luhn

from app.extensions import db
from app.models import Caisse, Person, User
from app.rules import territory
from app.rules.nir import birth_mismatch, parse_nir, sex_of
from app.services import accounts
from app.services.demo import (
    AGENT_PASSWORD,
    CAMILLE_NIR,
    DEMO_LOGINS,
    DEMO_PASSWORD,
    FIRST_NAMES_F,
    FIRST_NAMES_M,
    LAST_NAMES,
    LOUIS_NIR,
    _Generator,
    load_demo,
    nadia_nir,
)

PEOPLE = 300
PRACTITIONERS = 60  # the directory has its own tests (test_demo_annuaire.py)


@pytest.fixture
def demo(app):
    """The demo world with 300 generated assurés and a small directory."""
    return load_demo(people=PEOPLE, practitioners=PRACTITIONERS)


def everyone() -> list[Person]:
    return list(db.session.scalars(sa.select(Person)))


def counts() -> dict[str, int]:
    def count(model) -> int:
        return db.session.scalar(sa.select(sa.func.count()).select_from(model))

    return {"people": count(Person), "users": count(User), "caisses": count(Caisse)}


def test_load_twice_changes_nothing(demo):
    before = counts()
    nirs = set(db.session.scalars(sa.select(Person.nir)))
    again = load_demo(people=PEOPLE, practitioners=PRACTITIONERS)
    assert counts() == before
    assert set(db.session.scalars(sa.select(Person.nir))) == nirs
    assert again.created == 0
    assert (again.caisses, again.assures, again.ayants_droit, again.accounts, again.practitioners) == (
        demo.caisses,
        demo.assures,
        demo.ayants_droit,
        demo.accounts,
        PRACTITIONERS + 1,  # and Dr Durand
    )
    assert demo.created == demo.assures + demo.ayants_droit
    assert demo.assures == PEOPLE + 3  # the generated crowd, Camille, Louis and Nadia
    assert before == {
        "people": demo.assures + demo.ayants_droit,
        "users": 9 + 8,  # with Nadia, the forum's moderator and its 8 demo writers (pseudonyms)
        "caisses": len(territory.caisses()),
    }
    assert "0 ajoutés" in str(again)


def test_second_run_leaves_the_accounts_alone(demo):
    before = {u.id: (u.password_hash, u.email_verified_at) for u in db.session.scalars(sa.select(User))}
    load_demo(people=PEOPLE, practitioners=PRACTITIONERS)
    db.session.expire_all()
    after = {u.id: (u.password_hash, u.email_verified_at) for u in db.session.scalars(sa.select(User))}
    assert after == before


def test_run_again_restores_a_changed_demo_password(demo):
    accounts.create_staff("agent44", "autre-mot-de-passe", "agent", None, "x")
    load_demo(people=PEOPLE, practitioners=PRACTITIONERS)
    db.session.expire_all()
    user = accounts.authenticate_staff("agent44", AGENT_PASSWORD, None)
    assert user is not None
    assert user.caisse.key == "cpam-de-la-loire-atlantique"
    assert user.display_name == "Claire Dubois (conseillère)"


def test_more_people_completes_the_same_crowd(demo):
    first = set(db.session.scalars(sa.select(Person.nir)))
    bigger = load_demo(people=PEOPLE + 50, practitioners=PRACTITIONERS)
    assert first < set(db.session.scalars(sa.select(Person.nir)))
    assert bigger.assures == PEOPLE + 53


def test_generation_is_deterministic_and_prefix_stable():
    small = _Generator(random.Random(2026), set()).assures(120)
    large = _Generator(random.Random(2026), set()).assures(240)
    assert [row["nir"] for row in small.assures] == [row["nir"] for row in large.assures[:120]]
    other = _Generator(random.Random(7), set()).assures(120)
    assert [row["nir"] for row in other.assures] != [row["nir"] for row in small.assures]


def test_camille_logs_in_and_sees_her_data(demo):
    user = accounts.authenticate_assure(CAMILLE_NIR, DEMO_PASSWORD, "127.0.0.1")
    assert user is not None
    camille = user.person
    assert (camille.first_name, camille.last_name) == ("Camille", "Martin")
    assert (camille.birth_date.year, camille.birth_date.month) == (1995, 6)
    assert birth_mismatch(CAMILLE_NIR, camille.birth_date) is None
    assert (camille.postal_code, camille.commune_insee) == ("44000", "44109")
    assert camille.caisse.key == "cpam-de-la-loire-atlantique"
    assert user.home_caisse.name == "CPAM de la Loire-Atlantique"
    assert camille.medecin_traitant_rpps == "10101010105"
    assert camille.medecin_traitant_since == date(2023, 1, 15)
    assert iban.is_valid(camille.iban)
    assert camille.iban.startswith("FR")
    assert user.email == camille.email == "camille.martin@example.org"
    [leo] = camille.ayants_droit
    assert (leo.first_name, leo.last_name, leo.birth_date) == ("Léo", "Martin", date(2019, 3, 8))
    assert (leo.rang, leo.lien, leo.sex) == (2, "enfant", "M")
    assert parse_nir(leo.nir).value == leo.nir
    assert birth_mismatch(leo.nir, leo.birth_date) is None
    assert leo.caisse.key == "cpam-de-la-loire-atlantique"


def test_louis_has_no_medecin_traitant(demo):
    user = accounts.authenticate_assure(LOUIS_NIR, DEMO_PASSWORD, None)
    assert user is not None
    louis = user.person
    assert (louis.first_name, louis.last_name) == ("Louis", "Bernard")
    assert (louis.birth_date.year, louis.birth_date.month) == (1984, 12)
    assert louis.medecin_traitant_rpps is None
    assert louis.medecin_traitant_since is None
    assert (louis.postal_code, louis.commune_insee) == ("75011", "75111")
    assert louis.caisse.key == "cpam-de-paris"
    assert user.email == "louis.bernard@example.org"


@pytest.mark.parametrize(
    ("login", "caisse_key", "display_name", "email"),
    [
        (
            "agent44",
            "cpam-de-la-loire-atlantique",
            "Claire Dubois (conseillère)",
            "agent44@macaisse.localhost",
        ),
        ("agent75", "cpam-de-paris", "Karim Haddad (conseiller)", "agent75@macaisse.localhost"),
    ],
)
def test_agents_attached_to_their_caisse(demo, login, caisse_key, display_name, email):
    user = accounts.authenticate_staff(login, AGENT_PASSWORD, None)
    assert user is not None
    assert user.role == "agent"
    assert user.caisse.key == caisse_key
    assert (user.display_name, user.email) == (display_name, email)


def test_demo_logins_match_the_accounts(demo):
    assert [entry["login"] for entry in DEMO_LOGINS] == [
        "2 95 06 75 056 123 49",
        "1 84 12 75 108 264 03",
        "2 88 04 75 115 212 53",
        "agent44",
        "agent75",
        "moderateur",
        "10101010105",
        "90000001900019",
        "admin",
    ]
    for entry in DEMO_LOGINS:
        assert set(entry) == {"role", "who", "login", "password"}
        if entry["role"] in ("agent", "modératrice", "admin"):
            user = accounts.authenticate_staff(entry["login"], entry["password"], None)
        elif entry["role"] == "professionnel":
            from app.services import identity

            outcome = identity.check_password(
                identity.find_professional(entry["login"]), entry["password"], None
            )
            user = outcome.user if outcome.status == "ok" else None
        elif entry["role"] == "employeur":
            from app.services import employers

            outcome = employers.authenticate(entry["login"], entry["password"], None)
            user = outcome.user if outcome.status == "ok" else None
        else:
            nir = parse_nir(entry["login"]).value
            user = accounts.authenticate_assure(nir, entry["password"], None)
        assert user is not None, entry["who"]


def test_every_nir_valid_and_consistent(demo):
    people = everyone()
    assert len({person.nir for person in people}) == len(people)
    for person in people:
        result = parse_nir(person.nir)
        assert result.ok, result.error
        assert result.value == person.nir
        assert birth_mismatch(person.nir, person.birth_date) is None
        assert sex_of(person.nir) == person.sex
        assert date(1940, 1, 1) <= person.birth_date <= date(2025, 12, 31)


def test_every_caisse_follows_the_commune(demo):
    for person in everyone():
        commune = territory.commune_by_insee(person.commune_insee)
        assert commune is not None
        assert person.postal_code in commune.postal_codes
        assert person.commune_name == commune.name
        assert person.caisse.key == territory.caisse_for_commune(commune).key


def test_crowd_spreads_over_every_caisse_overseas_included(demo):
    served = {person.caisse.key for person in everyone()}
    assert served == {caisse.key for caisse in territory.caisses()}
    departements = {person.caisse.departement for person in everyone()}
    assert {"2A", "2B", "971", "972", "973", "974", "976"} <= departements


def test_generated_details_are_valid(demo):
    people = everyone()
    assures = [p for p in people if p.ouvrant_droit_id is None]
    ayants_droit = [p for p in people if p.ouvrant_droit_id is not None]
    for person in people:
        assert person.rights_start >= person.birth_date
        if person.iban:
            assert iban.is_valid(person.iban)
            assert person.iban.startswith("FR")
        if person.medecin_traitant_rpps:
            rpps = person.medecin_traitant_rpps
            assert len(rpps) == 11
            assert rpps.startswith("10")
            assert luhn.is_valid(rpps)
            assert person.medecin_traitant_since >= person.birth_date
        for start, end in ((person.ald_start, person.ald_end), (person.c2s_start, person.c2s_end)):
            if end is not None:
                assert start is not None
                assert end >= start
    assert sum(1 for p in assures if p.iban) > 0.75 * len(assures)
    assert 0.45 < sum(1 for p in assures if p.medecin_traitant_rpps) / len(assures) < 0.75
    assert any(p.ald_start for p in people)
    assert any(p.c2s_start for p in people)
    liens = Counter(p.lien for p in ayants_droit)
    assert liens["enfant"] > 0
    assert liens["conjoint"] > 0
    parents = {p.ouvrant_droit_id for p in ayants_droit if p.lien == "enfant"}
    assert 0.2 < len(parents) / len(assures) < 0.45


def test_ayants_droit_have_rangs_and_live_with_their_assure(demo):
    by_id = {person.id: person for person in everyone()}
    families: dict[int, list[int]] = {}
    for person in by_id.values():
        if person.ouvrant_droit_id is None:
            assert (person.rang, person.lien) == (1, "assure")
            continue
        assure = by_id[person.ouvrant_droit_id]
        assert assure.ouvrant_droit_id is None
        assert person.lien in ("enfant", "conjoint")
        assert (person.postal_code, person.caisse_id) == (assure.postal_code, assure.caisse_id)
        if person.lien == "enfant":
            assert person.last_name == assure.last_name
            assert person.birth_date.year >= assure.birth_date.year + 18
        families.setdefault(assure.id, []).append(person.rang)
    for rangs in families.values():
        assert sorted(rangs) == list(range(2, 2 + len(rangs)))


def test_name_lists_are_ordinary_and_long_enough():
    assert len(set(LAST_NAMES)) >= 140
    assert len(set(FIRST_NAMES_F)) >= 140
    assert len(set(FIRST_NAMES_M)) >= 140


def test_demo_gives_camille_a_year_of_varied_payments(demo):
    import sqlalchemy as sa

    from app.models import Claim, Debt, DebtRecovery, Payment

    camille = db.session.scalar(sa.select(Person).where(Person.nir == CAMILLE_NIR))
    payments = db.session.scalars(sa.select(Payment).where(Payment.person_id == camille.id)).all()
    codes = {line.code for p in payments if p.claim for line in p.claim.lines}
    assert {"G", "CS", "AMK", "PH7"} <= codes
    assert any(p.payee == "professionnel" for p in payments)  # tiers payant at the pharmacy
    assert db.session.scalar(sa.select(sa.func.count(Debt.id))) >= 1
    assert db.session.scalar(sa.select(sa.func.count(DebtRecovery.id))) >= 1  # recovered later
    louis = db.session.scalar(sa.select(Person).where(Person.nir == LOUIS_NIR))
    assert db.session.scalar(sa.select(sa.func.count(Payment.id)).where(Payment.person_id == louis.id)) >= 2
    before = db.session.scalar(sa.select(sa.func.count(Claim.id)))
    load_demo(people=PEOPLE, practitioners=PRACTITIONERS)
    assert db.session.scalar(sa.select(sa.func.count(Claim.id))) == before  # never paid twice


def test_demo_demarches_fill_both_queues_and_leave_the_demo_accounts_alone(demo):
    from app.models import Demarche, InboxItem
    from app.services import demarches as demarches_service
    from app.services.demo_demarches import PLAN, load_demarches_demo

    nadia = db.session.scalar(sa.select(Person).where(Person.nir == nadia_nir()))
    rows = list(db.session.scalars(sa.select(Demarche).where(Demarche.person_id != nadia.id)))
    assert len(rows) == len(PLAN)
    by_caisse = {row.caisse.key for row in rows}
    assert by_caisse == {"cpam-de-la-loire-atlantique", "cpam-de-paris"}
    assert {row.status for row in rows} == {"deposee", "en_cours", "piece_demandee", "acceptee"}
    assert any(row.is_open and row.due_on < demarches_service.today() for row in rows)  # overdue
    with_account = set(db.session.scalars(sa.select(User.person_id).where(User.person_id.is_not(None))))
    assert not {row.person_id for row in rows} & with_account
    assert all(row.files or row.kind == "complementaire" for row in rows)
    inbox = db.session.scalars(sa.select(InboxItem.person_id)).all()
    assert sorted(inbox) == sorted(
        [nadia.id, next(row.person_id for row in rows if row.status == "acceptee")]
    )
    assert load_demarches_demo() == 0


def test_demo_reclamations_in_every_state(demo, app):
    from app.models import PaymentReclamation
    from app.services.demo_reclamations import load_reclamations_demo

    rows = db.session.scalars(sa.select(PaymentReclamation).order_by(PaymentReclamation.created_at)).all()
    assert sorted(row.status for row in rows) == ["deposee", "en_cours", "rejetee", "traitee"]
    for row in rows:
        assert row.patient is not None
        assert row.caisse_id == row.patient.caisse_id
    assert load_reclamations_demo() == 0
