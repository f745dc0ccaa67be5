"""Public verification of issued documents by their code (``/verifier``)."""
