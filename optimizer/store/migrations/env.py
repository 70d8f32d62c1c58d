"""Alembic's environment for the store: runs the revisions on the connection that
:func:`optimizer.store.schema.migrate` hands over in ``config.attributes["connection"]``,
inside that connection's transaction (so an upgrade is all or nothing)."""
from alembic import context

connection = context.config.attributes.get("connection")
if connection is None:
    raise RuntimeError("the store's migrations run from optimizer.store.schema.migrate, which gives the connection")
context.configure(connection=connection, target_metadata=None)
with context.begin_transaction():
    context.run_migrations()
