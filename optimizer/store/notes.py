"""Notes: dated, what the optimizer changed in a workspace and why (the client sees
them), about one account or every account."""
from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa

from optimizer.errors import InvalidInput
from optimizer.store.base import StoreBase
from optimizer.store.engine import NotFound
from optimizer.store.tables import notes_t, users_t
from optimizer.store.users import User, _user_id

#: the longest change note (characters)
MAX_NOTE = 4000


@dataclass(frozen=True)
class WorkspaceNote:
    """A dated note in a workspace: what the optimizer changed and why (the client sees it)."""

    id: int
    workspace_id: int
    note_date: date
    text: str
    author_id: int | None
    author_name: str | None
    created_at: datetime
    #: the (platform, account, currency) the note is about; None: every account
    account: tuple[str, str, str] | None = None


class NotesMixin(StoreBase):
    """A workspace's notes."""

    def add_note(self, workspace_id: int, note_date: date, text_: str, *,
                 by: User | int | None = None, account: Any = None) -> WorkspaceNote:
        """Add a dated note (what was changed and why) to a workspace. ``account``: the
        (platform, account, currency) it is about; None: every account."""
        text_ = (text_ or "").strip()
        if not text_:
            raise InvalidInput("note_empty")
        if len(text_) > MAX_NOTE:
            raise InvalidInput("note_too_long", limit=MAX_NOTE, length=len(text_))
        if isinstance(note_date, datetime) or not isinstance(note_date, date):
            raise InvalidInput("note_date")
        if account is not None:
            account = tuple(str(x) for x in account)
            if len(account) != 3:
                raise ValueError("a note's account is (platform, account, currency)")
        now = self.now()
        with self._write() as conn:
            self._bump(conn, workspace_id)
            nid = conn.execute(notes_t.insert().values(
                workspace_id=workspace_id, note_date=note_date, text=text_, author_id=_user_id(by), created_at=now,
                account_json=None if account is None else json.dumps(list(account), ensure_ascii=False),
            )).inserted_primary_key[0]
        return next(n for n in self.notes(workspace_id) if n.id == nid)

    def notes(self, workspace_id: int) -> list[WorkspaceNote]:
        """The workspace's notes, newest date first."""
        q = (sa.select(notes_t, users_t.c.username)
             .select_from(notes_t.outerjoin(users_t, users_t.c.id == notes_t.c.author_id))
             .where(notes_t.c.workspace_id == workspace_id)
             .order_by(notes_t.c.note_date.desc(), notes_t.c.id.desc()))
        with self._read() as conn:
            return [WorkspaceNote(r.id, r.workspace_id, r.note_date, r.text, r.author_id, r.username, r.created_at,
                                  None if r.account_json is None else tuple(json.loads(r.account_json)))
                    for r in conn.execute(q)]

    def delete_note(self, workspace_id: int, note_id: int) -> None:
        with self._write() as conn:
            self._bump(conn, workspace_id)
            n = conn.execute(notes_t.delete().where(notes_t.c.id == note_id,
                                                    notes_t.c.workspace_id == workspace_id)).rowcount
            if n == 0:
                raise NotFound(f"no note {note_id} in workspace {workspace_id}")
