"""Personal data in a forum post: NIR, IBAN, e-mail, phone number are found; dates, amounts and
postcodes are not."""

from __future__ import annotations

import pytest

from app.rules.forum_privacy import MESSAGES, explanation, findings


@pytest.mark.parametrize(
    ("text", "kinds"),
    [
        ("Mon numéro : 2 95 06 75 056 123 49, merci", ["nir"]),
        ("295067505612349", ["nir"]),
        ("sans la clé 2950675056123 ?", ["nir"]),
        ("184127510826403", ["nir"]),
        ("IBAN FR76 3000 6000 0112 3456 7890 189 pour le virement", ["iban"]),
        ("FR7630006000011234567890189", ["iban"]),
        ("écrivez-moi à camille.martin@example.org", ["email"]),
        ("appelez le 06 12 34 56 78", ["phone"]),
        ("ou le 06.12.34.56.78", ["phone"]),
        ("+33 6 12 34 56 78", ["phone"]),
        ("0033612345678", ["phone"]),
        ("0240123456", ["phone"]),
        ("2 95 06 75 056 123 49 et 06 12 34 56 78", ["nir", "phone"]),
        # Not personal data:
        ("le 12/03/2024", []),
        ("rendez-vous le 12 03 2024 à 10h", []),
        ("j'ai payé 1 234,56 € en 2025", []),
        ("j'habite 44000 Nantes", []),
        ("295067505612348", []),  # the key does not match
        ("FR76 3000 6000 0112 3456 7890 188", []),  # the IBAN check digits do not match
        ("facture n° 123456789012", []),
        ("le 3 avril, 25 €", []),
    ],
)
def test_findings(text, kinds):
    assert [finding.kind for finding in findings(text)] == kinds


def test_the_explanation_says_why():
    (finding,) = findings("2 95 06 75 056 123 49")
    assert finding.message == MESSAGES["nir"]
    assert "numéro de sécurité sociale" in finding.message
    assert "retirez-le" in finding.message
    assert "Le forum est public" in finding.message


def test_one_explanation_for_everything_found():
    found = findings("2 95 06 75 056 123 49, a@b.fr et 06 12 34 56 78")
    assert explanation(found) == (
        "Votre message contient ce qui ressemble à un numéro de sécurité sociale, à une adresse e-mail"
        " et à un numéro de téléphone : retirez-les. Le forum est public : tout le monde peut lire votre"
        " message, et votre caisse ne vous demandera jamais cette information ici."
    )
    assert explanation(findings("a@b.fr")) == MESSAGES["email"]
