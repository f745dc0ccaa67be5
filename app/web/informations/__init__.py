"""Informations pratiques: the fiches, their search and the accessibility statement (public)."""
