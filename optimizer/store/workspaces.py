"""Workspaces (one client account as an optimizer works on it), their members, their
revision counter, deleting one with everything in it, and the zip of everything in one."""
from __future__ import annotations

import io
import json
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from optimizer.errors import InvalidInput
from optimizer.store.base import StoreBase
from optimizer.store.engine import ConfirmationMismatch, NameTaken, NotFound
from optimizer.store.schema import head
from optimizer.store.tables import (audits_t, bundles_t, change_log_t, lexicon_t, members_t, notes_t, results_t, shares_t,
                                    upload_rows_t, uploads_t, users_t, workspaces_t)
from optimizer.store.users import User, _user_id

#: the longest workspace name (characters)
MAX_WORKSPACE_NAME = 200


def _workspace_name(name: str | None) -> str:
    """A workspace name as stored (trimmed); :class:`InvalidInput` when empty or too long."""
    name = (name or "").strip()
    if not name:
        raise InvalidInput("workspace_name_empty")
    if len(name) > MAX_WORKSPACE_NAME:
        raise InvalidInput("workspace_name_too_long", limit=MAX_WORKSPACE_NAME, length=len(name))
    return name


@dataclass(frozen=True)
class Workspace:
    """One client account's workspace. ``member_ids``: users given access besides
    its creator. ``revision``: bumped by every write to the workspace (a cache key)."""

    id: int
    name: str
    platform: str | None
    account: str | None
    currency: str | None
    created_by: int | None
    created_at: datetime
    revision: int = 0
    member_ids: frozenset[int] = frozenset()


class WorkspacesMixin(StoreBase):
    """Workspaces, their members, deleting and exporting one."""

    def _members(self, conn: Connection, ids: Sequence[int] | None = None) -> dict[int, frozenset[int]]:
        q = sa.select(members_t.c.workspace_id, members_t.c.user_id)
        if ids is not None:
            q = q.where(members_t.c.workspace_id.in_(list(ids)))
        out: dict[int, set[int]] = {}
        for w, u in conn.execute(q):
            out.setdefault(w, set()).add(u)
        return {k: frozenset(v) for k, v in out.items()}

    @staticmethod
    def _workspace(row, members: dict[int, frozenset[int]]) -> Workspace:
        return Workspace(row.id, row.name, row.platform, row.account, row.currency, row.created_by,
                         row.created_at, row.revision, members.get(row.id, frozenset()))

    def create_workspace(self, name: str, *, by: User | int | None = None, platform: str | None = None,
                         account: str | None = None, currency: str | None = None) -> Workspace:
        """A new, empty workspace. ``name`` (unique, e.g. the client's account name)
        is what must be typed to delete it."""
        name = _workspace_name(name)
        now = self.now()
        try:
            with self._write() as conn:
                wid = conn.execute(workspaces_t.insert().values(
                    name=name, platform=platform, account=account, currency=currency,
                    created_by=_user_id(by), created_at=now)).inserted_primary_key[0]
                row = conn.execute(sa.select(workspaces_t).where(workspaces_t.c.id == wid)).one()
        except sa.exc.IntegrityError as exc:
            raise NameTaken("workspace_exists", name=name) from exc
        return self._workspace(row, {})

    def get_workspace(self, workspace_id: int) -> Workspace:
        with self._read() as conn:
            row = conn.execute(sa.select(workspaces_t).where(workspaces_t.c.id == workspace_id)).first()
            if row is None:
                raise NotFound(f"no workspace {workspace_id}")
            return self._workspace(row, self._members(conn, [workspace_id]))

    def workspace_by_name(self, name: str) -> Workspace | None:
        with self._read() as conn:
            row = conn.execute(sa.select(workspaces_t).where(workspaces_t.c.name == name)).first()
            return None if row is None else self._workspace(row, self._members(conn, [row.id]))

    def list_workspaces(self) -> list[Workspace]:
        """Every workspace, by name (which of them a user may see: :meth:`optimizer.store.auth.Access.workspaces`)."""
        with self._read() as conn:
            members = self._members(conn)
            return [self._workspace(r, members)
                    for r in conn.execute(sa.select(workspaces_t).order_by(workspaces_t.c.name))]

    def rename_workspace(self, workspace_id: int, name: str) -> Workspace:
        name = _workspace_name(name)
        try:
            with self._write() as conn:
                self._bump(conn, workspace_id, values={"name": name})
        except sa.exc.IntegrityError as exc:
            raise NameTaken("workspace_exists", name=name) from exc
        return self.get_workspace(workspace_id)

    def add_member(self, workspace_id: int, user_id: int, *, by: User | int | None = None) -> None:
        """Give a user access to a workspace (see :func:`optimizer.store.auth.can`)."""
        ins = self._insert()
        with self._write() as conn:
            self._bump(conn, workspace_id)
            if conn.execute(sa.select(users_t.c.id).where(users_t.c.id == user_id)).first() is None:
                raise NotFound(f"no user {user_id}")
            conn.execute(ins(members_t).values(workspace_id=workspace_id, user_id=user_id, added_by=_user_id(by),
                                               added_at=self.now()).on_conflict_do_nothing())

    def remove_member(self, workspace_id: int, user_id: int) -> bool:
        with self._write() as conn:
            self._bump(conn, workspace_id)
            return conn.execute(members_t.delete().where(members_t.c.workspace_id == workspace_id,
                                                         members_t.c.user_id == user_id)).rowcount > 0

    def delete_workspace(self, workspace_id: int, confirm_name: str) -> None:
        """Delete a workspace and everything in it (uploads, rows, lexicon edits,
        bundle decisions, audits, share links, notes, results, change log) in one transaction. ``confirm_name``
        must be the workspace's exact name (ConfirmationMismatch otherwise; nothing
        is deleted). Offer :meth:`export_workspace_zip` first."""
        with self._write() as conn:
            row = conn.execute(sa.select(workspaces_t.c.name).where(workspaces_t.c.id == workspace_id)
                               .with_for_update()).first()
            if row is None:
                raise NotFound(f"no workspace {workspace_id}")
            if confirm_name != row.name:
                raise ConfirmationMismatch("workspace_confirm", name=row.name)
            up_ids = sa.select(uploads_t.c.id).where(uploads_t.c.workspace_id == workspace_id)
            conn.execute(upload_rows_t.delete().where(upload_rows_t.c.upload_id.in_(up_ids)))
            for t in (uploads_t, lexicon_t, bundles_t, shares_t, audits_t, members_t, notes_t, results_t,
                      change_log_t):
                conn.execute(t.delete().where(t.c.workspace_id == workspace_id))
            conn.execute(workspaces_t.delete().where(workspaces_t.c.id == workspace_id))
        self._forget(workspace_id)

    def export_workspace_zip(self, workspace_id: int) -> bytes:
        """A zip of everything needed to keep or rebuild the workspace: the original
        files (``files/NNN_name``), the bundle maps decided (``bundle_maps/``), the
        lexicon settings (``lexicon.json``) and ``manifest.json`` (workspace, each
        file's checksum, uploader, time, platform, report type, rows)."""
        ws = self.get_workspace(workspace_id)
        uploads = self.list_uploads(workspace_id)
        users = {u.id: u.username for u in self.list_users()}
        buf = io.BytesIO()
        manifest: dict[str, Any] = {
            "workspace": {"id": ws.id, "name": ws.name, "platform": ws.platform, "account": ws.account,
                          "currency": ws.currency, "created_by": users.get(ws.created_by),
                          "created_at": ws.created_at.isoformat()},
            "exported_at": self.now().isoformat(), "schema_version": head(),
            "files": [], "bundle_maps": []}
        with zipfile.ZipFile(buf, "w", compression=zipfile.ZIP_DEFLATED) as zf:
            for i, u in enumerate(uploads, 1):
                name, data = self.upload_file(workspace_id, u.id)
                path = f"files/{i:03d}_{name}"
                zf.writestr(path, data)
                manifest["files"].append({
                    "path": path, "file_name": name, "sha256": u.checksum, "size": u.size,
                    "uploaded_by": u.uploaded_by_name, "uploaded_at": u.uploaded_at.isoformat(),
                    "platform": u.platform, "report_type": u.report_type, "rows": u.rows,
                    "mapping": json.loads(u.mapping.to_json()) if u.mapping else None})
            for i, d in enumerate(self.bundle_decisions(workspace_id), 1):
                path = f"bundle_maps/{i:03d}_{d.file_name}"
                zf.writestr(path, d.data)
                manifest["bundle_maps"].append({"path": path, "account_key": d.account_key,
                                                "decided_by": users.get(d.decided_by),
                                                "decided_at": d.decided_at.isoformat(), "proposal": d.proposal})
            lex = {k: {"vertical": v, "edits": {lang: json.loads(e) for lang, e in edits.items()}}
                   for k, (v, edits) in self.all_lexicon_settings(workspace_id).items()}
            zf.writestr("lexicon.json", json.dumps(lex, ensure_ascii=False, indent=1, sort_keys=True))
            notes = [{"date": n.note_date.isoformat(), "text": n.text, "author": n.author_name,
                      "created_at": n.created_at.isoformat(), "account": n.account and list(n.account)}
                     for n in self.notes(workspace_id)]
            zf.writestr("notes.json", json.dumps(notes, ensure_ascii=False, indent=1))
            log = self.change_log(workspace_id)
            for c in ("downloaded_on", "applied_on"):
                log[c] = log[c].map(lambda d: d.isoformat())
            log["downloaded_at"] = log["downloaded_at"].map(lambda t: t.isoformat())
            log = log.drop(columns=["id", "downloaded_by"]).astype(object)
            log = log.where(log.notna(), None)
            zf.writestr("change_log.json", json.dumps(log.to_dict("records"), ensure_ascii=False, indent=1))
            zf.writestr("manifest.json", json.dumps(manifest, ensure_ascii=False, indent=1))
        return buf.getvalue()
