"""One Alembic revision per file, numbered; each file is frozen once released."""
