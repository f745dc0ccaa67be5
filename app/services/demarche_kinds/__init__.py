"""What each kind of démarche does besides its generic life (filed, taken, documents, decided).

A kind's handler describes its form's answers for the timeline and the back office (``summary``)
and applies the decision to the register (``on_accept``: the new address, the child added, the
C2S opened…). Handlers only write in the current transaction: ``app.services.demarches`` commits.
Kinds without a module here use ``KindHandler`` (nothing to apply).
"""

from __future__ import annotations

import json
from typing import Any

from app.models import Demarche, User


class KindHandler:
    """Default behaviour of a kind; subclass it in ``app/services/demarche_kinds/<kind>.py``."""

    # Whether the back office can mark the démarche posted (a card), then the assuré delivered.
    ships_card = False

    def summary(self, demarche: Demarche) -> list[tuple[str, str]]:
        """(label, value) lines describing the request, shown to the assuré and the agent. Never a
        full NIR or IBAN (the last 4 characters at most)."""
        return []

    def on_accept(self, demarche: Demarche, agent: User) -> str:
        """Apply the acceptance to the register; returns the sentence added to the decision sent to
        the assuré (may be empty). Raises ``CannotAccept`` (French message) when it cannot apply."""
        return ""

    def on_sent(self, demarche: Demarche, agent: User) -> None:
        """The card was posted."""

    def on_delivered(self, demarche: Demarche) -> None:
        """The assuré received the card."""

    def on_reject(self, demarche: Demarche, agent: User) -> None:
        """Undo what filing did provisionally (nothing by default)."""

    def on_cancel(self, demarche: Demarche) -> None:
        """Undo what filing did provisionally when the assuré withdraws (nothing by default)."""


class CannotAccept(Exception):
    """The decision cannot be applied as it stands; ``str()`` is the French message for the agent."""


def payload_of(demarche: Demarche) -> dict[str, Any]:
    return json.loads(demarche.payload or "{}")


_HANDLERS: dict[str, KindHandler] = {}


def register(kind: str, handler: KindHandler) -> None:
    _HANDLERS[kind] = handler


def handler_for(kind: str) -> KindHandler:
    return _HANDLERS.get(kind) or _DEFAULT


_DEFAULT = KindHandler()
