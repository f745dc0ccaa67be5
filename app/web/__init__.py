"""Blueprints, one package per feature."""
