"""Use cases: one transaction each. The only code that writes to the database outside tests."""
