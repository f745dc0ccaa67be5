"""The employer space: sign-in by SIRET, attestations de salaire, API tokens."""
