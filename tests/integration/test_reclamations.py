"""Réclamations paiements through the views: Dr Durand files one with the patient's caisse (the
patient checked by NIR, birth date and caisse; files checked by content), follows it in the tabs
"En cours", "Traitées" and "Archivées"; the caisse's agents take it in charge and answer, which
notifies her; another professional or another caisse gets a 404."""

from __future__ import annotations

import io
import re
from datetime import timedelta
from html import unescape

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.models import AuditEvent, Notification
from app.models.base import utcnow
from app.models.pro_space import PaymentReclamation, ReclamationFile
from app.rules import reclamations as rules
from app.services import reclamations as service
from app.services.accounts import accesses_by_others
from app.services.identity import fold_name
from app.services.uploads import CheckedFile
from tests.conftest import HX, count_queries, csrf_token, login, post_files
from tests.integration.test_pro import make_professional
from tests.unit.test_uploads import CSV_UTF8, DOC, DOCX, PDF, TIFF_LE, XLS, XLSX, image_bytes

NEW = "/pro/reclamations/nouvelle"
LIST = "/pro/reclamations/"
QUEUE = "/agent/reclamations/"
TEXT = "La facture FT-2026-0042 du 3 mars n'a pas été payée, alors que le lot 118 a été accepté."
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"\x00" * 64
CAMILLE = {"nir": "2 95 06 75 056 123 49", "naissance": "12/06/1995"}


@pytest.fixture
def pro_client(client, doctor_account):
    login(client, doctor_account)
    return client


@pytest.fixture
def nantes(caisses):
    return caisses["cpam-de-la-loire-atlantique"]


@pytest.fixture
def paris_agent(app, users):
    agent = app.test_client()
    login(agent, users["agent75"])
    return agent


def fields(client, *, files=(), caisse=None, **values) -> dict:
    data = {
        "csrf_token": csrf_token(client, NEW),
        "caisse": str(caisse),
        **CAMILLE,
        "facture": "FT-2026-0042",
        "motif": "paiement_non_recu",
        "message": TEXT,
        "pieces": [(io.BytesIO(content), name) for content, name in files],
    }
    data.update(values)
    return data


def file_one(client, caisse_id: int, **values):
    values.setdefault("caisse", caisse_id)
    return post_files(client, NEW, fields(client, **values))


def stored_count() -> tuple[int, int]:
    return (
        db.session.scalar(sa.select(sa.func.count()).select_from(PaymentReclamation)),
        db.session.scalar(sa.select(sa.func.count()).select_from(ReclamationFile)),
    )


def make(doctor, patient, *, status="deposee", processed_days_ago=None, created_days_ago=0, files=()):
    """A réclamation of ``doctor`` about ``patient``, in ``status``, processed that many days ago."""
    reclamation = PaymentReclamation(
        professional_id=doctor.id,
        caisse_id=patient.caisse_id,
        patient_id=patient.id,
        invoice_number="FT-1",
        reason="montant_inexact",
        message="Montant inexact.",
        status=status,
        created_at=utcnow() - timedelta(days=created_days_ago),
        processed_at=None if processed_days_ago is None else utcnow() - timedelta(days=processed_days_ago),
        answer="" if processed_days_ago is None else "Le complément a été versé.",
        files=[
            ReclamationFile(
                filename=checked.filename,
                content_type=checked.content_type,
                size=checked.size,
                sha256=checked.sha256,
                data=checked.data,
            )
            for checked in files
        ],
    )
    db.session.add(reclamation)
    db.session.commit()
    return reclamation


def text_of(response) -> str:
    return unescape(response.get_data(as_text=True))


def test_the_professional_home_links_the_reclamations(pro_client):
    page = text_of(pro_client.get("/pro/"))
    assert 'href="/pro/reclamations/"' in page
    assert "Contestez un paiement ou un rejet auprès de la caisse du patient, et suivez la réponse." in page


def test_new_page_and_fragment(pro_client, nantes):
    response = pro_client.get(NEW)
    page = text_of(response)
    assert response.status_code == 200
    assert response.headers["Cache-Control"].startswith("no-store")
    assert f'<option selected value="{nantes.id}">CPAM de la Loire-Atlantique</option>' in page
    names = re.findall(r'<option (?:selected )?value="\d+">([^<]+)</option>', page)
    assert names == sorted(names, key=fold_name)
    assert len(names) > 1
    for reason in rules.REASONS:
        assert reason.label in page
        assert reason.help in page
    fragment = text_of(pro_client.get(NEW, headers=HX))
    assert "<html" not in fragment
    assert "<title>Déposer une réclamation – macaisse</title>" in fragment
    assert 'name="pieces"' in fragment


@pytest.mark.parametrize(
    "files",
    [
        [(PDF, "facture.pdf"), (DOC, "courrier.doc"), (XLS, "lot.xls")],
        [(TIFF_LE, "scan.tif"), (DOCX, "courrier.docx"), (XLSX, "lot.xlsx")],
        [(CSV_UTF8, "export.csv"), (image_bytes("PNG"), "capture.png"), (image_bytes("JPEG"), "photo.jpg")],
    ],
    ids=["pdf-doc-xls", "tiff-docx-xlsx", "csv-png-jpeg"],
)
def test_file_one_with_files_of_each_allowed_type(pro_client, doctor, users, nantes, files):
    response = file_one(pro_client, nantes.id, files=files)
    assert response.status_code == 302, text_of(response)[:2000]
    reclamation = db.session.scalars(sa.select(PaymentReclamation)).one()
    assert response.headers["Location"] == f"/pro/reclamations/{reclamation.id}"
    assert reclamation.professional_id == doctor.id
    assert reclamation.caisse_id == nantes.id
    assert reclamation.patient_id == users["camille"].person_id
    assert reclamation.status == "deposee"
    assert reclamation.invoice_number == "FT-2026-0042"
    assert reclamation.message == TEXT
    assert [stored.filename.split(".")[0] for stored in reclamation.files] == [
        "piece-1",
        "piece-2",
        "piece-3",
    ]
    assert len(reclamation.files) == 3
    page = text_of(pro_client.get(response.headers["Location"]))
    assert "Votre réclamation est envoyée à la caisse du patient." in page
    assert "Paiement non reçu" in page
    assert TEXT in page
    first = reclamation.files[0]
    download = pro_client.get(f"/pro/reclamations/{reclamation.id}/pieces/{first.id}")
    assert download.status_code == 200
    assert download.data == first.data
    assert download.headers["Content-Disposition"] == f'attachment; filename="{first.filename}"'
    assert download.headers["X-Content-Type-Options"] == "nosniff"


def test_files_keep_their_checked_type(pro_client, nantes):
    files = [(TIFF_LE, "scan.pdf"), (DOC, "courrier.docx"), (XLS, "lot.csv")]
    assert file_one(pro_client, nantes.id, files=files).status_code == 302
    stored = db.session.scalars(sa.select(ReclamationFile).order_by(ReclamationFile.id)).all()
    assert [(f.filename, f.content_type) for f in stored] == [
        ("piece-1.tif", "image/tiff"),
        ("piece-2.doc", "application/msword"),
        ("piece-3.xls", "application/vnd.ms-excel"),
    ]
    assert [f.data for f in stored] == [TIFF_LE, DOC, XLS]


def test_filing_is_in_the_patients_log(pro_client, users, nantes, doctor_account):
    assert file_one(pro_client, nantes.id).status_code == 302
    event = db.session.scalars(sa.select(AuditEvent).where(AuditEvent.kind == service.AUDIT_KIND)).one()
    assert event.actor_user_id == doctor_account.id
    assert event.subject_person_id == users["camille"].person_id
    assert [e.kind for e, _ in accesses_by_others(users["camille"])] == [service.AUDIT_KIND]


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            {"files": [(PDF, f"f{n}.pdf") for n in range(4)]},
            "Vous avez choisi 4 fichiers : 3 au plus peuvent être joints.",
        ),
        (
            {"files": [(PDF + b"0" * (3 * 1024 * 1024), "a.pdf"), (PDF + b"1" * (3 * 1024 * 1024), "b.pdf")]},
            "Les pièces jointes pèsent 6,0 Mo ensemble, le maximum est 5 Mo au total.",
        ),
        (
            {"files": [(PDF + b"0" * (6 * 1024 * 1024), "gros.pdf")]},
            "Pièce jointe : le fichier pèse 5,0 Mo, le maximum est 5 Mo.",
        ),
        (
            {"files": [(EXE, "facture.pdf")]},
            "Pièce jointe : ce fichier n'est pas un PDF, DOC, DOCX, XLS, XLSX, CSV, TIFF, PNG ou JPEG",
        ),
        ({"nir": "1 84 12 75 108 264 03"}, service.UNKNOWN_PATIENT),
        ({"naissance": "13/06/1995"}, service.UNKNOWN_PATIENT),
        ({"nir": "2 95 06 75 056 123 48"}, "La clé"),
        ({"naissance": "31/02/1995"}, "Saisissez la date de naissance au format JJ/MM/AAAA"),
        ({"naissance": ""}, "Saisissez la date de naissance du patient."),
        ({"motif": ""}, "Choisissez le motif de votre réclamation."),
        ({"motif": "inconnu"}, "Choisissez le motif de votre réclamation."),
        ({"message": ""}, "Écrivez votre message : ce que vous contestez, et pourquoi."),
        ({"message": "x" * 3001}, "Le message fait au plus 3 000 caractères."),
        ({"facture": "F" * 21}, "Le numéro de facture fait au plus 20 caractères."),
        ({"caisse": "999999"}, "Choisissez la caisse du patient dans la liste."),
    ],
    ids=[
        "4-files",
        "6-mb-together",
        "6-mb-one",
        "renamed-executable",
        "unknown-nir",
        "wrong-birth-date",
        "bad-nir-key",
        "impossible-date",
        "no-birth-date",
        "no-reason",
        "unknown-reason",
        "no-message",
        "long-message",
        "long-invoice",
        "unknown-caisse",
    ],
)
def test_refused_in_french_with_everything_kept(pro_client, users, nantes, change, message):
    change = dict(change)
    files = change.pop("files", [(PDF, "facture.pdf")])
    response = file_one(pro_client, nantes.id, files=files, **change)
    page = text_of(response)
    assert response.status_code == 422
    assert "Il y a un problème" in page
    assert message in page
    assert "<title>Erreur : Déposer une réclamation" in page
    kept = {**CAMILLE, "facture": "FT-2026-0042", "message": TEXT, **change}
    for name in ("nir", "naissance", "facture"):
        assert f'value="{kept[name]}"' in page
    if kept["message"]:
        assert kept["message"] in page
    assert stored_count() == (0, 0)


def test_a_patient_of_another_caisse_is_refused_without_saying_whose(pro_client, users, caisses):
    paris = caisses["cpam-de-paris"]
    response = file_one(pro_client, paris.id)
    page = text_of(response)
    assert response.status_code == 422
    assert service.OTHER_CAISSE in page
    assert f'<option selected value="{paris.id}">' in page
    assert "Camille" not in page
    assert "Loire-Atlantique</option>" in page
    assert stored_count() == (0, 0)
    louis = {"nir": "1 84 12 75 108 264 03", "naissance": "03/12/1984"}
    refused = file_one(pro_client, caisses["cpam-de-la-loire-atlantique"].id, **louis)
    assert refused.status_code == 422
    assert service.OTHER_CAISSE in text_of(refused)
    assert "Bernard" not in text_of(refused)
    assert stored_count() == (0, 0)


def test_htmx_post_with_errors_gets_the_fragment(pro_client, nantes):
    response = post_files(pro_client, NEW, fields(pro_client, caisse=nantes.id, message=""), headers=HX)
    page = text_of(response)
    assert response.status_code == 422
    assert "<html" not in page
    assert "<title>Erreur : Déposer une réclamation – macaisse</title>" in page


def test_without_csrf_nothing_is_stored(pro_client, nantes):
    data = fields(pro_client, caisse=nantes.id)
    del data["csrf_token"]
    response = post_files(pro_client, NEW, data)
    assert response.status_code in (400, 422)
    assert stored_count() == (0, 0)


def test_tabs_and_archive_after_15_days(pro_client, doctor, users):
    camille = users["camille"].person
    open_one = make(doctor, camille)
    taken = make(doctor, camille, status="en_cours", created_days_ago=1)
    recent = make(doctor, camille, status="traitee", processed_days_ago=14, created_days_ago=20)
    rejected = make(doctor, camille, status="rejetee", processed_days_ago=2, created_days_ago=5)
    old = make(doctor, camille, status="traitee", processed_days_ago=16, created_days_ago=30)

    def listed(url: str, headers=None) -> list[int]:
        html = pro_client.get(url, headers=headers or {}).get_data(as_text=True)
        return [int(n) for n in re.findall(r'href="/pro/reclamations/(\d+)"', html)]

    assert listed(LIST) == [open_one.id, taken.id]
    assert listed(f"{LIST}?onglet=en-cours") == [open_one.id, taken.id]
    assert listed(f"{LIST}?onglet=traitees") == [rejected.id, recent.id]
    assert listed(f"{LIST}?onglet=archivees") == [old.id]
    assert listed(f"{LIST}?onglet=nimporte") == [open_one.id, taken.id]
    page = text_of(pro_client.get(f"{LIST}?onglet=traitees"))
    assert "En cours (2)" in page
    assert "Traitées (2)" in page
    assert "Archivées (1)" in page
    assert re.search(r'aria-current="page"[^>]*>Traitées \(2\)', page)
    assert "<h1" in page
    fragment = text_of(pro_client.get(f"{LIST}?onglet=archivees&partiel=1", headers=HX))
    assert "<h1" not in fragment
    assert "<title>Réclamations paiements – macaisse</title>" in fragment
    assert re.search(r'aria-current="page"[^>]*>Archivées \(1\)', fragment)
    assert 'hx-push-url="/pro/reclamations/?onglet=traitees"' in fragment
    assert listed(f"{LIST}?onglet=archivees&partiel=1", HX) == [old.id]
    # Without ``partiel`` an htmx request (a boosted link) gets the whole content block.
    assert "<h1" in text_of(pro_client.get(f"{LIST}?onglet=archivees", headers=HX))
    detail = text_of(pro_client.get(f"/pro/reclamations/{old.id}"))
    assert "Archivée depuis le" in detail
    assert "Le complément a été versé." in detail
    assert 'href="/pro/reclamations/?onglet=archivees"' in detail


def test_is_archived_follows_the_database_clock(app, doctor, users):
    reclamation = make(doctor, users["camille"].person, status="traitee", processed_days_ago=15)
    db.session.expire_all()
    stored = db.session.get(PaymentReclamation, reclamation.id)
    assert service.tab_of(stored, utcnow()) == rules.ARCHIVEES
    assert service.tab_of(stored, utcnow() - timedelta(hours=1)) == rules.TRAITEES


def test_list_pages_run_constant_queries(pro_client, agent_client, doctor, users):
    camille = users["camille"].person
    make(doctor, camille)
    make(doctor, camille, status="traitee", processed_days_ago=1)
    pro_few = {tab: count_queries(pro_client, f"{LIST}?onglet={tab}") for tab in rules.TABS}
    pro_fragment = count_queries(pro_client, f"{LIST}?partiel=1", HX)
    queue_few = count_queries(agent_client, QUEUE)
    queue_all = count_queries(agent_client, f"{QUEUE}?statut=traitee")
    pdf = CheckedFile("piece-1.pdf", "application/pdf", PDF)
    for days in range(6):
        make(doctor, camille, files=[pdf])
        make(doctor, camille, status="en_cours", files=[pdf])
        make(doctor, camille, status="traitee", processed_days_ago=days, files=[pdf])
        make(doctor, camille, status="rejetee", processed_days_ago=20 + days, files=[pdf])
    assert {tab: count_queries(pro_client, f"{LIST}?onglet={tab}") for tab in rules.TABS} == pro_few
    assert count_queries(pro_client, f"{LIST}?partiel=1", HX) == pro_fragment
    assert count_queries(agent_client, QUEUE) == queue_few
    assert count_queries(agent_client, f"{QUEUE}?statut=traitee") == queue_all


def test_another_professional_gets_404(app, doctor, users, caisses):
    camille = users["camille"].person
    pdf = CheckedFile("piece-1.pdf", "application/pdf", PDF)
    reclamation = make(doctor, camille, files=[pdf])
    other = make_professional(
        caisses["cpam-de-paris"],
        rpps="10000000017",
        last_name="Petit",
        first_name="Marc",
        postal_code="75011",
    )
    client = app.test_client()
    login(client, other)
    assert client.get(f"/pro/reclamations/{reclamation.id}").status_code == 404
    assert (
        client.get(f"/pro/reclamations/{reclamation.id}/pieces/{reclamation.files[0].id}").status_code == 404
    )
    assert f"/pro/reclamations/{reclamation.id}" not in client.get(LIST).get_data(as_text=True)


def test_a_file_of_another_reclamation_is_404(pro_client, doctor, users):
    camille = users["camille"].person
    pdf = CheckedFile("piece-1.pdf", "application/pdf", PDF)
    first = make(doctor, camille, files=[pdf])
    second = make(doctor, camille)
    assert pro_client.get(f"/pro/reclamations/{second.id}/pieces/{first.files[0].id}").status_code == 404
    assert pro_client.get("/pro/reclamations/999999").status_code == 404


@pytest.mark.parametrize(
    ("url", "expected"),
    [(LIST, 302), (NEW, 302), (QUEUE, 302)],
)
def test_signed_out_is_sent_to_sign_in(client, url, expected):
    assert client.get(url).status_code == expected


def test_other_roles_are_refused(app, users, doctor_account, agent_client):
    camille = app.test_client()
    login(camille, users["camille"])
    assert camille.get(LIST).status_code == 403
    assert camille.get(QUEUE).status_code == 403
    assert agent_client.get(LIST).status_code == 403
    pro = app.test_client()
    login(pro, doctor_account)
    assert pro.get(QUEUE).status_code == 403


def test_the_caisse_queue_and_404_for_another_caisse(agent_client, paris_agent, doctor, users, caisses):
    camille, louis = users["camille"].person, users["louis"].person
    newest = make(doctor, camille, created_days_ago=1)
    oldest = make(
        doctor, camille, created_days_ago=3, files=[CheckedFile("piece-1.tif", "image/tiff", TIFF_LE)]
    )
    closed = make(doctor, camille, status="traitee", processed_days_ago=1)
    for_paris = make(doctor, louis)

    def listed(client, url: str, headers=None) -> list[int]:
        html = client.get(url, headers=headers or {}).get_data(as_text=True)
        return [int(n) for n in re.findall(r'href="/agent/reclamations/(\d+)"', html)]

    assert listed(agent_client, QUEUE) == [oldest.id, newest.id]
    assert listed(agent_client, f"{QUEUE}?statut=traitee") == [closed.id]
    assert listed(agent_client, f"{QUEUE}?statut=deposee&partiel=1", HX) == [oldest.id, newest.id]
    fragment = text_of(agent_client.get(f"{QUEUE}?partiel=1", headers=HX))
    assert "<h1" not in fragment
    assert "Sophie Durand" in fragment
    assert "Camille MARTIN" in fragment
    assert agent_client.get(f"{QUEUE}?statut=nimporte").status_code == 422
    assert listed(paris_agent, QUEUE) == [for_paris.id]
    case = text_of(agent_client.get(f"/agent/reclamations/{oldest.id}"))
    assert "RPPS 10101010105" in case
    assert "Camille MARTIN" in case
    assert "FT-1" in case
    assert "Montant payé inexact" in case
    assert "Montant inexact." in case
    assert "Prendre en charge" in case
    file_url = f"/agent/reclamations/{oldest.id}/pieces/{oldest.files[0].id}"
    assert agent_client.get(file_url).data == TIFF_LE
    assert paris_agent.get(f"/agent/reclamations/{oldest.id}").status_code == 404
    assert paris_agent.get(file_url).status_code == 404
    token = csrf_token(paris_agent, QUEUE)
    assert (
        paris_agent.post(
            f"/agent/reclamations/{oldest.id}/prise-en-charge", data={"csrf_token": token}
        ).status_code
        == 404
    )
    data = {"csrf_token": token, "issue": "traitee", "reponse": "Non."}
    assert paris_agent.post(f"/agent/reclamations/{oldest.id}/reponse", data=data).status_code == 404
    assert agent_client.get(f"/agent/reclamations/{for_paris.id}").status_code == 404
    db.session.expire_all()
    assert db.session.get(PaymentReclamation, oldest.id).status == "deposee"


def test_take_answer_and_notify(pro_client, agent_client, doctor, doctor_account, users):
    reclamation = make(doctor, users["camille"].person)
    url = f"/agent/reclamations/{reclamation.id}"
    token = csrf_token(agent_client, url)
    taken = agent_client.post(f"{url}/prise-en-charge", data={"csrf_token": token})
    assert taken.status_code == 302
    assert taken.headers["Location"] == url
    db.session.expire_all()
    assert db.session.get(PaymentReclamation, reclamation.id).status == "en_cours"
    assert "En cours de traitement" in text_of(pro_client.get(f"/pro/reclamations/{reclamation.id}"))
    refused = agent_client.post(
        f"{url}/reponse", data={"csrf_token": token, "issue": "traitee", "reponse": ""}
    )
    assert refused.status_code == 422
    assert "Écrivez la réponse au professionnel." in text_of(refused)
    refused = agent_client.post(f"{url}/reponse", data={"csrf_token": token, "reponse": "Bien reçu."})
    assert refused.status_code == 422
    assert "Bien reçu." in text_of(refused)
    assert "Choisissez la décision : traitée ou rejetée." in text_of(refused)
    answer = "Le complément de 7,50 € a été viré le 12 mars, lot 118."
    done = agent_client.post(
        f"{url}/reponse", data={"csrf_token": token, "issue": "traitee", "reponse": answer}
    )
    assert done.status_code == 302
    db.session.expire_all()
    stored = db.session.get(PaymentReclamation, reclamation.id)
    assert stored.status == "traitee"
    assert stored.answer == answer
    assert stored.processed_at is not None
    assert stored.processed_by_id == users["agent44"].id
    notification = db.session.scalars(
        sa.select(Notification).where(Notification.user_id == doctor_account.id)
    ).one()
    assert notification.kind == "message"
    assert notification.title == "Réponse à votre réclamation"
    assert notification.body == "Ouvrez macaisse pour la lire."
    assert notification.url == f"/pro/reclamations/{reclamation.id}"
    page = text_of(pro_client.get(notification.url))
    assert answer in page
    assert "Traitée le" in page
    assert f'href="/pro/reclamations/{reclamation.id}"' in pro_client.get(f"{LIST}?onglet=traitees").get_data(
        as_text=True
    )
    again = agent_client.post(
        f"{url}/reponse", data={"csrf_token": token, "issue": "rejetee", "reponse": "x"}
    )
    assert again.status_code == 302
    db.session.expire_all()
    assert db.session.get(PaymentReclamation, reclamation.id).status == "traitee"
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Notification)) == 1


def test_the_dashboard_shows_the_pile(agent_client, paris_agent, doctor, users):
    make(doctor, users["camille"].person, created_days_ago=4)
    make(doctor, users["camille"].person, status="en_cours")
    make(doctor, users["camille"].person, status="traitee", processed_days_ago=1)
    page = text_of(agent_client.get("/agent/"))
    assert re.search(
        r'href="/agent/reclamations/">Réclamations de professionnels</a></th>\s*<td>2</td>', page
    )
    assert "4 jours" in page
    paris = text_of(paris_agent.get("/agent/"))
    assert re.search(r"Réclamations de professionnels</a></th>\s*<td>0</td>", paris)


@pytest.mark.parametrize(
    "garbage",
    [
        {"caisse": "abc", "nir": "\x00" * 20, "naissance": "99/99/9999"},
        {"caisse": "", "motif": "\x00", "facture": "€" * 20, "message": "\x00"},
        {"caisse": "1" * 40, "naissance": "0000-00-00", "nir": "2A" * 40},
    ],
)
def test_garbage_is_a_french_422_never_a_500(pro_client, nantes, garbage):
    response = file_one(pro_client, nantes.id, **garbage)
    assert response.status_code == 422
    assert "Il y a un problème" in text_of(response)
    assert stored_count() == (0, 0)


@pytest.mark.parametrize("url", [f"{LIST}?page=abc&onglet=%00", f"{QUEUE}?page=-1&statut=%00"])
def test_list_garbage_never_500(pro_client, agent_client, url):
    client = pro_client if url.startswith(LIST) else agent_client
    assert client.get(url).status_code in (200, 422)


def test_the_patient_sees_the_reclamation_in_her_log(app, pro_client, users, nantes):
    assert file_one(pro_client, nantes.id).status_code == 302
    camille = app.test_client()
    login(camille, users["camille"])
    page = text_of(camille.get("/securite"))
    assert "Réclamation d'un professionnel de santé sur un paiement vous concernant" in page
