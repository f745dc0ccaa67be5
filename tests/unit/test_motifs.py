"""The motifs of Adresses et contacts: complete, French, and pointing only at forms that exist."""

import dataclasses

import pytest

from app.rules import forms_catalogue, motifs
from app.rules.motifs import KEY_MAX_LENGTH, Motif, motif_by_key, telephone


def test_about_twelve_motifs_with_unique_short_slugs():
    loaded = motifs.motifs()
    assert 10 <= len(loaded) <= 15
    keys = [motif.key for motif in loaded]
    assert len(set(keys)) == len(keys)
    for key in keys:
        assert key.isascii()
        assert key == key.lower()
        assert " " not in key
        assert len(key) <= KEY_MAX_LENGTH


def test_the_motifs_of_the_issue_are_all_there():
    for key in (
        "carte-vitale",
        "remboursements",
        "arret-de-travail",
        "maternite-paternite",
        "invalidite",
        "c2s",
        "ceam",
        "accident-du-travail",
        "changement-de-situation",
        "medecin-traitant",
        "reclamation",
        "attestation-de-droits",
    ):
        assert motif_by_key(key) is not None, key


@pytest.mark.parametrize("motif", motifs.motifs(), ids=lambda motif: motif.key)
def test_every_motif_has_a_label_an_explanation_and_an_advice(motif: Motif):
    assert motif.label.strip()
    assert motif.explanation.endswith(".")
    assert motif.channel.endswith(".")
    assert isinstance(motif.messagerie, bool)
    for text in (motif.label, motif.explanation, motif.channel, motif.online):
        assert "TODO" not in text
        assert "XXX" not in text


@pytest.mark.parametrize(
    "motif", [motif for motif in motifs.motifs() if motif.form], ids=lambda motif: motif.key
)
def test_every_form_slug_is_in_the_catalogue_and_meant_for_the_assure(motif: Motif):
    form = forms_catalogue.form_by_slug(motif.form)
    assert form is not None, motif.form
    assert form.audience == "assure"


def test_most_motifs_name_a_form():
    assert sum(1 for motif in motifs.motifs() if motif.form) >= 8


def test_motif_by_key():
    assert motif_by_key("c2s").label == "Complémentaire santé solidaire (C2S)"
    assert motif_by_key("c2s").form == "demande-de-complementaire-sante-solidaire"
    assert motif_by_key("inconnu") is None
    assert motif_by_key("") is None
    assert motif_by_key(None) is None


def test_the_attestation_de_droits_is_not_a_messagerie_matter():
    assert motif_by_key("attestation-de-droits").messagerie is False
    assert motif_by_key("reclamation").messagerie is True


def test_telephone_is_the_36_46_of_domain_md():
    line = telephone()
    assert line.number == "36 46"
    assert line.tel == "3646"
    assert line.price == "service gratuit + prix d'un appel"
    assert line.hours == "du lundi au vendredi de 8 h 30 à 17 h 30"


def test_read_once():
    assert motifs.motifs() is motifs.motifs()
    assert telephone() is telephone()


def test_motifs_are_frozen():
    with pytest.raises(dataclasses.FrozenInstanceError):
        motif_by_key("c2s").label = "autre"  # type: ignore[misc]


@pytest.mark.parametrize(
    ("entries", "message"),
    [
        ([{"key": "Carte Vitale"}], "is not a slug"),
        ([{"key": "x" * (KEY_MAX_LENGTH + 1)}], "is not a slug"),
        ([{"key": "c2s"}, {"key": "c2s"}], "appears twice"),
        ([{"key": "c2s", "form": "formulaire-inexistant"}], "unknown form"),
    ],
)
def test_a_data_error_is_refused(monkeypatch, entries, message):
    base = {"label": "L", "explanation": "E.", "messagerie": True, "channel": "C."}
    data = {"telephone": {}, "motifs": [{**base, **entry} for entry in entries]}
    monkeypatch.setattr(motifs, "_data", lambda: data)
    motifs.motifs.cache_clear()
    try:
        with pytest.raises(ValueError, match=message):
            motifs.motifs()
    finally:
        monkeypatch.undo()
        motifs.motifs.cache_clear()
