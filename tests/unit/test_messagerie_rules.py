"""The messagerie's rules: when the caisse must have answered, what is overdue, and the motifs data.

Real dates of 2026: the change to summer time (29 March), to winter time (25 October), and the
public holidays that fall on working days (1 and 8 May, Ascension on 14 May, Pentecost Monday on
25 May, 14 July, Christmas on a Friday)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from app.rules import messagerie as rules
from app.rules.messagerie import PARIS, is_overdue, reply_due


def paris(year: int, month: int, day: int, hour: int = 10, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=PARIS)


def utc(year: int, month: int, day: int, hour: int = 10, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


# An assuré's answer is due 48 elapsed hours later, whatever the clocks do in between.
ASSURE_CASES = [
    pytest.param(utc(2026, 11, 23, 8, 30), utc(2026, 11, 25, 8, 30), id="monday"),
    pytest.param(utc(2026, 11, 27, 15), utc(2026, 11, 29, 15), id="friday-weekend-counts"),
    pytest.param(utc(2026, 4, 30, 8), utc(2026, 5, 2, 8), id="1-may-counts"),
    pytest.param(utc(2026, 12, 31, 22), utc(2027, 1, 2, 22), id="new-year"),
    # Saturday 28 March 10:00 in Paris (UTC+1); clocks go forward on Sunday 29: Monday 11:00.
    pytest.param(utc(2026, 3, 28, 9), paris(2026, 3, 30, 11), id="summer-time"),
    # Saturday 24 October 10:00 in Paris (UTC+2); clocks go back on Sunday 25: Monday 09:00.
    pytest.param(utc(2026, 10, 24, 8), paris(2026, 10, 26, 9), id="winter-time"),
]


@pytest.mark.parametrize(("written_at", "due"), ASSURE_CASES)
def test_an_assure_is_answered_within_48_hours(written_at, due):
    result = reply_due(written_at, "assure")
    assert result == due
    assert result - written_at == timedelta(hours=48)
    assert result.utcoffset() == written_at.utcoffset()  # given back in the caller's time zone


# The same instants written in Paris time must give the same instants: the service passes UTC
# times, but the rule is pure and takes any aware datetime.
ASSURE_PARIS_CASES = [
    pytest.param(paris(2026, 11, 23, 9, 30), paris(2026, 11, 25, 9, 30), id="monday"),
    pytest.param(paris(2026, 7, 13), paris(2026, 7, 15), id="14-july-counts"),
    pytest.param(
        paris(2026, 3, 28),
        paris(2026, 3, 30, 11),
        id="summer-time",
    ),
    pytest.param(
        paris(2026, 10, 24),
        paris(2026, 10, 26, 9),
        id="winter-time",
    ),
]


@pytest.mark.parametrize(("written_at", "due"), ASSURE_PARIS_CASES)
def test_the_assure_delay_does_not_depend_on_the_time_zone_of_the_input(written_at, due):
    assert reply_due(written_at, "assure") == due
    assert reply_due(written_at, "assure") == reply_due(written_at.astimezone(UTC), "assure")


# A professional's answer is due at the same Paris time of day, 3 working days later.
PRO_CASES = [
    pytest.param(paris(2026, 11, 23, 9, 30), paris(2026, 11, 26, 9, 30), id="monday-thursday"),
    pytest.param(paris(2026, 11, 26, 14), paris(2026, 12, 1, 14), id="thursday-tuesday"),
    pytest.param(paris(2026, 11, 27, 16), paris(2026, 12, 2, 16), id="friday-wednesday"),
    pytest.param(paris(2026, 11, 28), paris(2026, 12, 2), id="saturday-wednesday"),
    pytest.param(paris(2026, 11, 29), paris(2026, 12, 2), id="sunday-wednesday"),
    # Friday 1 May is a holiday: Thursday 30 April → Monday 4, Tuesday 5, Wednesday 6.
    pytest.param(paris(2026, 4, 30), paris(2026, 5, 6), id="1-may"),
    # Friday 8 May too: Thursday 7 May → Wednesday 13.
    pytest.param(paris(2026, 5, 7), paris(2026, 5, 13), id="8-may"),
    # Ascension, Thursday 14 May: Tuesday 12 → Wednesday 13, Friday 15, Monday 18.
    pytest.param(paris(2026, 5, 12), paris(2026, 5, 18), id="ascension"),
    # Pentecost Monday, 25 May: Friday 22 → Tuesday 26, Wednesday 27, Thursday 28.
    pytest.param(paris(2026, 5, 22), paris(2026, 5, 28), id="pentecote"),
    # Tuesday 14 July: Monday 13 → Wednesday 15, Thursday 16, Friday 17.
    pytest.param(paris(2026, 7, 13), paris(2026, 7, 17), id="14-july"),
    # Christmas on a Friday: Wednesday 23 → Thursday 24, Monday 28, Tuesday 29.
    pytest.param(paris(2026, 12, 23), paris(2026, 12, 29), id="christmas"),
    pytest.param(paris(2026, 12, 24), paris(2026, 12, 30), id="christmas-eve"),
    # 1 January 2027 is a Friday: Wednesday 30 December → Thursday 31, Monday 4, Tuesday 5.
    pytest.param(paris(2026, 12, 30), paris(2027, 1, 5), id="new-year"),
    # Same time of day across the change to summer time (Friday 27 March → Wednesday 1 April).
    pytest.param(paris(2026, 3, 27), paris(2026, 4, 1), id="summer-time"),
    pytest.param(paris(2026, 10, 23, 17), paris(2026, 10, 28, 17), id="winter-time"),
]


@pytest.mark.parametrize(("written_at", "due"), PRO_CASES)
def test_a_professional_is_answered_within_3_working_days(written_at, due):
    assert reply_due(written_at, "professionnel") == due
    from_utc = reply_due(written_at.astimezone(UTC), "professionnel")
    assert from_utc == due
    assert from_utc.tzinfo is UTC  # given back in the caller's time zone
    assert from_utc.astimezone(PARIS).time() == written_at.time()


def test_a_professional_day_is_the_paris_day():
    # Thursday 26 November 23:30 UTC is already Friday 00:30 in Paris: Wednesday 2 December.
    assert reply_due(utc(2026, 11, 26, 23, 30), "professionnel") == paris(2026, 12, 2, 0, 30)
    # Friday 27 November 22:59 UTC is still Friday in Paris (23:59).
    assert reply_due(utc(2026, 11, 27, 22, 59), "professionnel") == paris(2026, 12, 2, 23, 59)


@pytest.mark.parametrize(
    ("audience", "options", "due"),
    [
        ("assure", {"hours": 24}, paris(2026, 11, 24, 9, 30)),
        ("assure", {"hours": 72}, paris(2026, 11, 26, 9, 30)),
        ("assure", {"hours": 48, "working_days": 10}, paris(2026, 11, 25, 9, 30)),
        ("professionnel", {"working_days": 1}, paris(2026, 11, 24, 9, 30)),
        ("professionnel", {"working_days": 5}, paris(2026, 11, 30, 9, 30)),
        ("professionnel", {"working_days": 3, "hours": 1}, paris(2026, 11, 26, 9, 30)),
        ("professionnel", {"working_days": 0}, paris(2026, 11, 23, 9, 30)),
    ],
)
def test_the_delays_are_configurable(audience, options, due):
    assert reply_due(paris(2026, 11, 23, 9, 30), audience, **options) == due


def test_the_defaults_are_those_of_the_domain():
    assert (rules.REPLY_HOURS, rules.REPLY_WORKING_DAYS_PRO) == (48, 3)


@pytest.mark.parametrize("audience", ["assure", "professionnel"])
def test_a_naive_datetime_is_refused(audience):
    with pytest.raises(ValueError, match="timezone-aware"):
        reply_due(datetime(2026, 11, 23, 10, 0), audience)


NOW = utc(2026, 11, 23, 12)


@pytest.mark.parametrize(
    ("reply_due_at", "overdue"),
    [
        (None, False),  # nothing waits for an answer
        (NOW - timedelta(days=3), True),
        (NOW - timedelta(seconds=1), True),
        (NOW, False),  # due now is not late yet
        (NOW + timedelta(seconds=1), False),
        (NOW + timedelta(days=2), False),
        (paris(2026, 11, 23, 12, 59), True),  # 11:59 UTC
        (paris(2026, 11, 23, 13, 1), False),  # 12:01 UTC
    ],
)
def test_is_overdue(reply_due_at, overdue):
    assert is_overdue(reply_due_at, NOW) is overdue


def test_a_message_just_written_is_not_overdue_until_its_date():
    written_at = utc(2026, 11, 27, 15)
    due = reply_due(written_at, "professionnel")
    assert not is_overdue(due, written_at)
    assert not is_overdue(due, due)
    assert is_overdue(due, due + timedelta(minutes=1))


def test_every_motif_key_is_unique():
    keys = [motif.key for motif in rules.motifs()]
    assert len(keys) == len(set(keys))


@pytest.mark.parametrize("audience", rules.AUDIENCES)
def test_each_audience_has_its_motifs(audience):
    offered = rules.motifs_for(audience)
    assert len(offered) >= 5
    assert {motif.audience for motif in offered} == {audience}
    assert offered[-1].label == "Autre question"  # the catch-all comes last


def test_the_audiences_share_no_motif_and_miss_none():
    assure = set(rules.motifs_for("assure"))
    pro = set(rules.motifs_for("professionnel"))
    assert not assure & pro
    assert assure | pro == set(rules.motifs())
    assert rules.motifs_for("employeur") == ()


def test_autre_is_offered_to_assures():
    autre = rules.motif_by_key("autre")
    assert autre is not None
    assert autre.audience == "assure"
    assert autre in rules.motifs_for("assure")
    assert autre not in rules.motifs_for("professionnel")


@pytest.mark.parametrize("key", [None, "", "inconnu", "Remboursement"])
def test_motif_by_key_of_an_unknown_key_is_none(key):
    assert rules.motif_by_key(key) is None


def test_motif_by_key_and_label():
    motif = rules.motif_by_key("remboursement")
    assert motif is not None
    assert (motif.label, motif.demarche) == ("Remboursement de soins", "paiements.index")
    assert rules.motif_label("rejet-facture") == "Facture rejetée"
    assert rules.motif_label("supprime-depuis") == "supprime-depuis"  # an old thread keeps its key


@pytest.mark.parametrize("motif", rules.motifs(), ids=lambda motif: motif.key)
def test_every_motif_is_complete(motif):
    assert len(motif.key) <= 40
    assert motif.label.strip()
    assert motif.help.endswith(".")
    assert bool(motif.demarche) == bool(motif.demarche_label)
    for text in (motif.label, motif.help, motif.demarche_label):
        assert "TODO" not in text


@pytest.fixture
def motifs_file(tmp_path, monkeypatch):
    """Point the rules at a data file of the test's own; the cache is emptied around it."""
    path = tmp_path / "messagerie.toml"
    monkeypatch.setattr(rules, "DATA", path)
    rules.motifs.cache_clear()
    yield path
    rules.motifs.cache_clear()


@pytest.mark.parametrize(
    ("entries", "error"),
    [
        (
            [("autre", "assure", ""), ("autre", "professionnel", "")],
            "appears twice",
        ),
        ([("Autre Question", "assure", "")], "not a slug"),
        ([("a" * 41, "assure", "")], "not a slug"),
        ([("autre", "employeur", "")], "unknown audience"),
        ([("autre", "assure", "paiements.index")], "link text"),
    ],
)
def test_a_data_error_is_refused(motifs_file, entries, error):
    motifs_file.write_text(
        "\n".join(
            f'[[motifs]]\nkey = "{key}"\naudience = "{audience}"\nlabel = "L"\nhelp = "H."\n'
            + (f'demarche = "{demarche}"\n' if demarche else "")
            for key, audience, demarche in entries
        ),
        encoding="utf-8",
    )
    with pytest.raises(ValueError, match=error):
        rules.motifs()


def test_the_status_labels_cover_every_status():
    from app.models.messages import THREAD_STATUSES

    assert tuple(rules.STATUS_LABELS) == THREAD_STATUSES
    assert tuple(rules.AGENT_STATUS_LABELS) == THREAD_STATUSES
    assert sorted(rules.RATINGS) == [1, 2, 3, 4, 5]
