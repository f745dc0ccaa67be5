"""Forum views (moderation); see blueprint.py."""

from __future__ import annotations

from app.web.forum.blueprint import agent_bp, bp

__all__ = ["agent_bp", "bp"]
