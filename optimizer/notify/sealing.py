"""Secrets of alert channels (webhook URLs — their token is the credential —, SMTP
passwords, signing secrets): sealed with Fernet (AES-128-CBC and HMAC-SHA256, from the
``cryptography`` package) before they reach the database, opened only to send, and
shown back only masked (:func:`mask`: the last 4 characters).

The key: ``$OPTIMIZER_ALERTS_KEY`` (a Fernet key, ``python -c "from cryptography.fernet
import Fernet; print(Fernet.generate_key().decode())"``) when set — what several servers
sharing a PostgreSQL store must all be given —, else the file ``alerts.key`` in the data
folder (beside the SQLite file), made on first use, readable by its owner only. A
database copied without its key holds no usable secret; a key lost or changed makes the
channels' secrets unreadable (:class:`SecretUnreadable`: the page asks to type them
again, a send is recorded as failed), never a crash.
"""
from __future__ import annotations

import json
import os
from pathlib import Path

from cryptography.fernet import Fernet, InvalidToken

KEY_ENV = "OPTIMIZER_ALERTS_KEY"
KEY_FILE = "alerts.key"
MASK = "••••"


class SecretUnreadable(Exception):
    """The sealed secrets cannot be opened with this key (changed or lost key, damaged record)."""


def _key_file(folder: Path) -> bytes:
    path = folder / KEY_FILE
    try:
        return path.read_bytes().strip()
    except FileNotFoundError:
        pass
    folder.mkdir(parents=True, exist_ok=True)
    key = Fernet.generate_key()
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:  # another process made it first: use theirs
        return path.read_bytes().strip()
    with os.fdopen(fd, "wb") as f:
        f.write(key)
    return key


def load_key(data_dir: str | os.PathLike | None, environ: dict | None = None) -> bytes:
    """``$OPTIMIZER_ALERTS_KEY``, else the key file in ``data_dir`` (made when missing)."""
    env = os.environ if environ is None else environ
    raw = env.get(KEY_ENV, "").strip()
    if raw:
        try:
            Fernet(raw.encode())
        except ValueError as exc:
            raise ValueError(f"{KEY_ENV} is not a Fernet key (32 url-safe base64-encoded bytes)") from exc
        return raw.encode()
    if data_dir is None:
        raise ValueError(f"no key for the alerts' secrets: set {KEY_ENV} or give a data folder")
    return _key_file(Path(data_dir))


def store_folder(store) -> Path | None:
    """The folder of a SQLite store's file (where its key file goes); None for PostgreSQL."""
    url = store.engine.url
    return Path(url.database).parent if url.get_backend_name() == "sqlite" and url.database else None


class Sealer:
    """Seals and opens a channel's secrets (a JSON object of strings)."""

    def __init__(self, key: bytes) -> None:
        self._fernet = Fernet(key)

    @classmethod
    def for_store(cls, store, environ: dict | None = None) -> "Sealer":
        """The key of the store's deployment: ``$OPTIMIZER_ALERTS_KEY``, else the key file
        beside a SQLite store's file, else in ``$OPTIMIZER_DATA_DIR`` (or ``data/``)."""
        from optimizer.store.engine import default_data_dir
        return cls(load_key(store_folder(store) or default_data_dir(), environ))

    def seal(self, secrets: dict[str, str]) -> str:
        return self._fernet.encrypt(json.dumps(secrets, ensure_ascii=False).encode("utf-8")).decode("ascii")

    def open(self, sealed: str) -> dict[str, str]:
        try:
            return json.loads(self._fernet.decrypt(sealed.encode("ascii")).decode("utf-8"))
        except (InvalidToken, ValueError, UnicodeError) as exc:
            raise SecretUnreadable("the channel's secrets cannot be opened with this key") from exc


def mask(secret: str | None) -> str:
    """``••••a1b2``: the last 4 characters of a secret of 12 or more, else only that one
    is set (a short secret's last characters would be most of it)."""
    if not secret:
        return ""
    return MASK + secret[-4:] if len(secret) >= 12 else MASK
