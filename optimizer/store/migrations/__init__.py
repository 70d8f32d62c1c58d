"""The schema's history as Alembic revisions (``versions/0001_…`` … ``versions/NNNN_…``),
run by :func:`optimizer.store.schema.migrate` — never by hand: ``env.py`` takes the
connection the store opened (its write transaction, under the migration lock)."""
