"""Users (name, scrypt password hash, role, disabled), their sessions (by token hash)
and the one-time session-cookie codes. Hashing, tokens and the rules are
:mod:`optimizer.store.auth`'s."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import numpy as np
import sqlalchemy as sa

from optimizer.store.base import StoreBase
from optimizer.store.engine import NameTaken, NotFound
from optimizer.store.tables import session_codes_t, sessions_t, users_t


@dataclass(frozen=True)
class User:
    """A signed-in person's account. ``role``: admin, optimizer or analyst."""

    id: int
    username: str
    role: str
    created_at: datetime
    disabled: bool = False


def _user_id(by: Any) -> int | None:
    if by is None:
        return None
    if isinstance(by, User):
        return by.id
    if isinstance(by, (int, np.integer)):
        return int(by)
    raise TypeError(f"expected a User or a user id, got {type(by).__name__}")


@dataclass(frozen=True)
class Session:
    """A stored sign-in (by token hash) and its user."""

    token_hash: str
    user: User
    created_at: datetime
    expires_at: datetime
    last_seen: datetime


class UsersMixin(StoreBase):
    """Users, sessions and session-cookie codes."""

    @staticmethod
    def _user(row) -> User:
        return User(row.id, row.username, row.role, row.created_at, bool(row.disabled))

    def insert_user(self, username: str, password_hash: str, role: str) -> User:
        """Add a user (hashing and validation are :func:`optimizer.store.auth.create_user`'s)."""
        now = self.now()
        try:
            with self._write() as conn:
                uid = conn.execute(users_t.insert().values(
                    username=username, password_hash=password_hash, role=role, created_at=now,
                    password_changed_at=now, disabled=False)).inserted_primary_key[0]
        except sa.exc.IntegrityError as exc:
            raise NameTaken("user_exists", name=username) from exc
        return User(int(uid), username, role, now, False)

    def get_user(self, user_id: int) -> User:
        with self._read() as conn:
            row = conn.execute(sa.select(users_t).where(users_t.c.id == user_id)).first()
        if row is None:
            raise NotFound(f"no user {user_id}")
        return self._user(row)

    def user_by_name(self, username: str) -> User | None:
        with self._read() as conn:
            row = conn.execute(sa.select(users_t).where(users_t.c.username == username)).first()
        return None if row is None else self._user(row)

    def credentials(self, username: str) -> tuple[User, str] | None:
        """(user, password hash) of ``username``, or None."""
        with self._read() as conn:
            row = conn.execute(sa.select(users_t).where(users_t.c.username == username)).first()
        return None if row is None else (self._user(row), row.password_hash)

    def list_users(self) -> list[User]:
        with self._read() as conn:
            return [self._user(r) for r in conn.execute(sa.select(users_t).order_by(users_t.c.username))]

    def update_user(self, user_id: int, *, password_hash: str | None = None, role: str | None = None,
                    disabled: bool | None = None) -> User:
        """Change a user's password hash, role or disabled flag. A new password or
        disabling the user also ends all of the user's sessions (same transaction)."""
        values: dict[str, Any] = {}
        if password_hash is not None:
            values.update(password_hash=password_hash, password_changed_at=self.now())
        if role is not None:
            values["role"] = role
        if disabled is not None:
            values["disabled"] = disabled
        with self._write() as conn:
            if values:
                n = conn.execute(users_t.update().where(users_t.c.id == user_id).values(**values)).rowcount
                if n == 0:
                    raise NotFound(f"no user {user_id}")
            if password_hash is not None or disabled:
                conn.execute(sessions_t.delete().where(sessions_t.c.user_id == user_id))
            row = conn.execute(sa.select(users_t).where(users_t.c.id == user_id)).first()
        if row is None:
            raise NotFound(f"no user {user_id}")
        return self._user(row)

    def insert_session(self, token_hash: str, user_id: int, expires_at: datetime,
                       source: str | None = None) -> None:
        now = self.now()
        with self._write() as conn:
            conn.execute(sessions_t.delete().where(sessions_t.c.expires_at <= now))  # housekeeping
            conn.execute(sessions_t.insert().values(token_hash=token_hash, user_id=user_id, created_at=now,
                                                    expires_at=expires_at, last_seen=now,
                                                    source=(source or None) and source[:255]))

    def session(self, token_hash: str) -> Session | None:
        """The stored session with this token hash (expired or not), with its user."""
        with self._read() as conn:
            row = conn.execute(
                sa.select(sessions_t.c.token_hash, sessions_t.c.created_at.label("session_created_at"),
                          sessions_t.c.expires_at, sessions_t.c.last_seen, users_t)
                .join(users_t, users_t.c.id == sessions_t.c.user_id)
                .where(sessions_t.c.token_hash == token_hash)).first()
        if row is None:
            return None
        return Session(row.token_hash, self._user(row), row.session_created_at, row.expires_at, row.last_seen)

    def insert_session_code(self, code_hash: str, token_hash: str, sealed: str, expires_at: datetime) -> None:
        """Keep a one-time session-cookie code (and drop the ones that expired)."""
        with self._write() as conn:
            conn.execute(session_codes_t.delete().where(session_codes_t.c.expires_at <= self.now()))
            conn.execute(session_codes_t.insert().values(code_hash=code_hash, token_hash=token_hash, sealed=sealed,
                                                         expires_at=expires_at))

    def take_session_code(self, code_hash: str) -> tuple[str, str, datetime] | None:
        """(token hash, sealed token, expiry) of a session-cookie code, deleted in the
        same transaction: of two requests with one code, only one gets it. A made-up
        code costs a read, not a write."""
        with self._read() as conn:
            if conn.execute(sa.select(session_codes_t.c.code_hash)
                            .where(session_codes_t.c.code_hash == code_hash)).first() is None:
                return None
        with self._write() as conn:
            row = conn.execute(sa.select(session_codes_t).where(session_codes_t.c.code_hash == code_hash)).first()
            if row is None:
                return None
            n = conn.execute(session_codes_t.delete().where(session_codes_t.c.code_hash == code_hash)).rowcount
        return (row.token_hash, row.sealed, row.expires_at) if n == 1 else None

    def touch_session(self, token_hash: str, when: datetime) -> None:
        with self._write() as conn:
            conn.execute(sessions_t.update().where(sessions_t.c.token_hash == token_hash).values(last_seen=when))

    def delete_session(self, token_hash: str) -> None:
        with self._write() as conn:
            conn.execute(sessions_t.delete().where(sessions_t.c.token_hash == token_hash))

    def delete_sessions_of(self, user_id: int) -> int:
        with self._write() as conn:
            return conn.execute(sessions_t.delete().where(sessions_t.c.user_id == user_id)).rowcount
