"""Pure domain rules: no Flask, no SQLAlchemy. Dated figures live in rules/data/."""
