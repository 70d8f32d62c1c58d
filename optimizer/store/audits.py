"""Landing-page audits of an account, the last few per page."""
from __future__ import annotations

import json
from collections.abc import Sequence

import sqlalchemy as sa

from optimizer.store.base import StoreBase
from optimizer.store.engine import DamagedRecord
from optimizer.store.tables import audits_t



class AuditsMixin(StoreBase):
    """Page audits per account."""

    def add_audits(self, workspace_id: int, account_key: str, audits: Sequence[tuple[str, dict]], *,
                   keep: int = 5) -> None:
        """Keep page audits ((page key, audit dict)) of an account, the last ``keep`` per page."""
        now = self.now()
        with self._write() as conn:
            self._bump(conn, workspace_id)
            for page, audit in audits:
                conn.execute(audits_t.insert().values(workspace_id=workspace_id, account_key=account_key, page=page,
                                                      audited_at=now, audit_json=json.dumps(audit, ensure_ascii=False)))
                ids = [r.id for r in conn.execute(
                    sa.select(audits_t.c.id).where(audits_t.c.workspace_id == workspace_id,
                                                   audits_t.c.account_key == account_key, audits_t.c.page == page)
                    .order_by(audits_t.c.id.desc()))]
                if len(ids) > keep:
                    conn.execute(audits_t.delete().where(audits_t.c.id.in_(ids[keep:])))

    def audits(self, workspace_id: int, account_key: str) -> dict[str, list[dict]]:
        """Page key -> the kept audits (dicts), oldest first."""
        out: dict[str, list[dict]] = {}
        with self._read() as conn:
            for r in conn.execute(sa.select(audits_t.c.page, audits_t.c.audit_json).where(
                    audits_t.c.workspace_id == workspace_id, audits_t.c.account_key == account_key)
                    .order_by(audits_t.c.id)):
                try:
                    audit = json.loads(r.audit_json)
                except ValueError:
                    audit = None
                if not isinstance(audit, dict):
                    raise DamagedRecord("audits_damaged")
                out.setdefault(r.page, []).append(audit)
        return out


# ====================================================================== adapter

class WorkspaceAuditStore:
    """:class:`optimizer.landing.audit.AuditStore`'s interface (``add``, ``history``,
    ``latest``, ``previous``) over one workspace in the store."""

    KEEP = 5

    def __init__(self, store: AuditsMixin, workspace_id: int) -> None:
        self.store, self.workspace_id = store, workspace_id

    def add(self, account: str, audits, key=None) -> None:
        self.store.add_audits(self.workspace_id, account,
                              [(key(a) if key else a.url, a.to_dict()) for a in audits], keep=self.KEEP)

    def history(self, account: str, page: str):
        from optimizer.landing.audit import PageAudit
        return [PageAudit.from_dict(d) for d in self.store.audits(self.workspace_id, account).get(page, [])]

    def latest(self, account: str):
        from optimizer.landing.audit import PageAudit
        return {k: PageAudit.from_dict(v[-1]) for k, v in self.store.audits(self.workspace_id, account).items() if v}

    def previous(self, account: str):
        from optimizer.landing.audit import PageAudit
        return {k: PageAudit.from_dict(v[-2]) for k, v in self.store.audits(self.workspace_id, account).items()
                if len(v) >= 2}
