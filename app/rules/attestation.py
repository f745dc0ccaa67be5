"""The attestation de droits: what it may claim, and until when.

An attestation is a snapshot of the file on its issue date: the rights, médecin traitant, ALD and
C2S as the register holds them that day. It is given a validity (``valid_until``) so that whoever
receives it knows how long to rely on it; it never claims past a listed end of rights.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta


def valid_until(issued_on: date, rights_ends: Iterable[date | None], days: int) -> date:
    """``days`` after ``issued_on``, or the earliest end of rights on or after ``issued_on`` among
    the listed beneficiaries if that comes first (an end already past is stated as such on the
    attestation and does not shorten it)."""
    ends = [end for end in rights_ends if end is not None and end >= issued_on]
    return min([issued_on + timedelta(days=days), *ends])


def in_force_from(start: date | None, end: date | None, day: date) -> bool:
    """True for a dated period (ALD, C2S) that has a start and has not ended before ``day``: in
    force on ``day`` or due to start later, so the attestation lists it."""
    return start is not None and (end is None or end >= day)
