"""Results: what was computed once from an account's data and kept (labels, the combined
facts, …), so that a restart, a second server or a client opening a share link reads it
instead of computing it again.

One row per (workspace, account key ``platform:account:currency``, piece — e.g.
``labels`` —, key — the SHA-256 hex of the inputs the piece was computed from, which
the caller makes). A result is never changed: a new version of the inputs is a new
key. The newest :data:`KEEP` keys of each (workspace, account, piece) are kept; deleting
a workspace deletes its results. Results are not a change to the workspace: writing
one does not bump its revision.
"""
from __future__ import annotations

import re

import sqlalchemy as sa

from optimizer.store.base import StoreBase
from optimizer.store.engine import NotFound
from optimizer.store.tables import results_t, workspaces_t

#: keys kept per (workspace, account, piece): the newest ones
KEEP = 4


def _check(account: str, piece: str, key: str) -> None:
    if not isinstance(account, str) or not 0 < len(account) <= results_t.c.account.type.length:
        raise ValueError(f"a result's account is a non-empty key of at most 400 characters, not {account!r}")
    if not isinstance(piece, str) or not 0 < len(piece) <= results_t.c.piece.type.length:
        raise ValueError(f"a result's piece is a non-empty name of at most 64 characters, not {piece!r}")
    if not isinstance(key, str) or not re.fullmatch(r"[0-9a-f]{64}", key):
        raise ValueError(f"a result's key is the SHA-256 hex of its inputs, not {key!r}")


class ResultsMixin(StoreBase):
    """Results kept per workspace, account, piece and key of the inputs."""

    def result(self, workspace_id: int, account: str, piece: str, key: str) -> bytes | None:
        """The payload kept for (``account``, ``piece``, ``key``) in the workspace, or None."""
        _check(account, piece, key)
        with self._read() as conn:
            row = conn.execute(sa.select(results_t.c.payload).where(
                results_t.c.workspace_id == workspace_id, results_t.c.account == account,
                results_t.c.piece == piece, results_t.c.key == key)).first()
        return None if row is None else bytes(row.payload)

    def results_of(self, piece: str, wanted: dict[tuple[int, str], str]) -> dict[tuple[int, str], bytes]:
        """The payloads kept for ``piece`` under the keys ``wanted`` — (workspace id,
        account) → key —, in one query: (workspace id, account) → payload, for those kept
        (a page listing every account of many workspaces reads them at once)."""
        for (_, account), key in wanted.items():
            _check(account, piece, key)
        if not wanted:
            return {}
        q = sa.select(results_t.c.workspace_id, results_t.c.account, results_t.c.key, results_t.c.payload).where(
            results_t.c.piece == piece,
            results_t.c.workspace_id.in_(sorted({w for w, _ in wanted})),
            results_t.c.key.in_(sorted(set(wanted.values()))))
        with self._read() as conn:
            rows = conn.execute(q).all()
        return {(r.workspace_id, r.account): bytes(r.payload) for r in rows
                if wanted.get((r.workspace_id, r.account)) == r.key}

    def put_result(self, workspace_id: int, account: str, piece: str, key: str, payload: bytes) -> None:
        """Keep ``payload`` for (``account``, ``piece``, ``key``). A key already kept —
        e.g. computed by another server at the same moment — is left as it is (the same
        inputs give the same result). After a new key, only the :data:`KEEP` newest
        keys of (``account``, ``piece``) stay. :class:`NotFound` when the workspace is
        gone (deleted meanwhile); nothing is written then."""
        _check(account, piece, key)
        payload = bytes(payload)
        where = (results_t.c.workspace_id == workspace_id, results_t.c.account == account,
                 results_t.c.piece == piece)
        with self._write() as conn:
            # the workspace row locked (PostgreSQL): puts to one workspace queue, and a
            # workspace being deleted takes no new result
            if conn.execute(sa.select(workspaces_t.c.id).where(workspaces_t.c.id == workspace_id)
                            .with_for_update()).first() is None:
                raise NotFound(f"no workspace {workspace_id}")
            added = conn.execute(self._insert()(results_t).values(
                workspace_id=workspace_id, account=account, piece=piece, key=key, payload=payload,
                created_at=self.now()).on_conflict_do_nothing().returning(results_t.c.id)).first()
            if added is None:
                return
            ids = [r.id for r in conn.execute(sa.select(results_t.c.id).where(*where).order_by(results_t.c.id.desc()))]
            if len(ids) > KEEP:
                conn.execute(results_t.delete().where(results_t.c.id.in_(ids[KEEP:])))

    def drop_results(self, workspace_id: int, account: str | None = None) -> int:
        """Forget the workspace's results (of one account key, or all); returns how many."""
        q = results_t.delete().where(results_t.c.workspace_id == workspace_id)
        if account is not None:
            q = q.where(results_t.c.account == account)
        with self._write() as conn:
            return conn.execute(q).rowcount
