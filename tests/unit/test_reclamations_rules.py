"""Réclamations paiements: the reasons offered, and the archive 15 days after processing."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from app.rules import reclamations as rules

NOW = datetime(2026, 3, 20, 10, 0, tzinfo=UTC)


def test_the_reasons_of_the_issue_each_with_a_help():
    assert [reason.label for reason in rules.REASONS] == [
        "Paiement non reçu",
        "Montant payé inexact",
        "Rejet de facture contesté",
        "Paiement en double",
        "Forfait non versé",
        "Autre",
    ]
    assert all(reason.help for reason in rules.REASONS)
    assert all(len(reason.key) <= 40 for reason in rules.REASONS)
    assert rules.reason_label("rejet_conteste") == "Rejet de facture contesté"
    assert rules.reason_label("ancien_motif") == "ancien_motif"
    assert rules.is_reason("autre")
    assert not rules.is_reason("")
    assert not rules.is_reason(None)


@pytest.mark.parametrize(
    ("processed_at", "archived"),
    [
        (None, False),
        (NOW, False),
        (NOW - timedelta(days=14, hours=23, minutes=59), False),
        (NOW - timedelta(days=15), True),
        (NOW - timedelta(days=15, seconds=1), True),
        (NOW - timedelta(days=400), True),
    ],
)
def test_is_archived_15_days_after_processing(processed_at, archived):
    assert rules.archive_limit(NOW) == NOW - timedelta(days=15)
    assert rules.is_archived(processed_at, NOW) is archived


@pytest.mark.parametrize(
    ("status", "days_ago", "tab"),
    [
        ("deposee", None, rules.EN_COURS),
        ("en_cours", None, rules.EN_COURS),
        ("traitee", 0, rules.TRAITEES),
        ("rejetee", 14, rules.TRAITEES),
        ("traitee", 15, rules.ARCHIVEES),
        ("rejetee", 30, rules.ARCHIVEES),
        ("traitee", None, rules.EN_COURS),
    ],
)
def test_tab_of(status, days_ago, tab):
    processed_at = None if days_ago is None else NOW - timedelta(days=days_ago)
    assert rules.tab_of(status, processed_at, NOW) == tab
