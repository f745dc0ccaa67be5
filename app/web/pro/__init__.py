"""The health professional's space."""
