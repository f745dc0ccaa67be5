"""Every démarche a messagerie motif points at is a page of the app, reachable without arguments."""

from __future__ import annotations

import pytest
from flask import url_for

from app.rules import messagerie as rules

WITH_DEMARCHE = [motif for motif in rules.motifs() if motif.demarche]


def test_most_motifs_point_at_a_demarche():
    assert len(WITH_DEMARCHE) >= 8
    assert {motif.audience for motif in WITH_DEMARCHE} == set(rules.AUDIENCES)


@pytest.mark.parametrize("motif", WITH_DEMARCHE, ids=lambda motif: motif.key)
def test_every_demarche_endpoint_exists(app, motif):
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules()}
    assert motif.demarche in endpoints
    with app.test_request_context():
        assert url_for(motif.demarche).startswith("/")


@pytest.mark.parametrize("motif", WITH_DEMARCHE, ids=lambda motif: motif.key)
def test_the_demarche_belongs_to_the_motif_audience(app, motif):
    with app.test_request_context():
        path = url_for(motif.demarche)
    if motif.audience == "professionnel":
        assert path.startswith("/pro/")
    else:
        assert not path.startswith(("/pro/", "/agent/", "/employeur/"))
