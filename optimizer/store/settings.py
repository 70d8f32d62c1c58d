"""What an optimizer decides and the product remembers, per workspace or for all:
an account's lexicon (vertical and edits), bundle maps decided, saved verticals (every
workspace), saved column mappings (every workspace) and app settings (key/value) — and
the adapters that give pages written for files the same interface over the store."""
from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from optimizer.reading.ingest import ColumnMapping
from optimizer.store.base import StoreBase, clean_file_name
from optimizer.store.engine import Conflict, NotFound
from optimizer.store.tables import bundles_t, lexicon_t, mappings_t, saved_verticals_t, settings_t
from optimizer.store.users import User, _user_id


@dataclass(frozen=True)
class SavedVerticalRow:
    """A saved vertical as stored: code, names, base vertical, one TOML file per language."""

    code: str
    name_zh: str
    name_en: str
    base: str
    lexicon_zh: str
    lexicon_en: str
    saved_by: int | None
    saved_at: datetime


@dataclass(frozen=True)
class BundleDecision:
    """A bundle map an optimizer decided on for one account of a workspace: the CSV
    as uploaded or exported (``data``) and, when the map came from accepting a
    proposal, that proposal (any JSON value, e.g. ``bundles`` of ``--json``)."""

    id: int
    workspace_id: int
    account_key: str
    file_name: str
    data: bytes
    proposal: Any
    decided_by: int | None
    decided_at: datetime


class SettingsMixin(StoreBase):
    """Lexicon settings, saved verticals, bundle decisions, column mappings, app settings."""

    def lexicon_settings(self, workspace_id: int, account_key: str) -> tuple[str | None, dict[str, str]]:
        """(vertical chosen, edits per language as LexiconEdits JSON) of one account."""
        with self._read() as conn:
            row = conn.execute(sa.select(lexicon_t.c.vertical, lexicon_t.c.edits_json).where(
                lexicon_t.c.workspace_id == workspace_id, lexicon_t.c.account_key == account_key)).first()
        if row is None:
            return None, {}
        return row.vertical, json.loads(row.edits_json)

    def set_lexicon_settings(self, workspace_id: int, account_key: str, *, by: User | int | None = None,
                             vertical: Any = ..., language: str | None = None, edits_json: str | None = None) -> None:
        """Set an account's vertical (``vertical=None`` clears it; omitted: unchanged)
        and/or one language's edits, in one transaction."""
        with self._write() as conn:
            self._bump(conn, workspace_id)
            row = conn.execute(sa.select(lexicon_t.c.vertical, lexicon_t.c.edits_json).where(
                lexicon_t.c.workspace_id == workspace_id, lexicon_t.c.account_key == account_key)
                .with_for_update()).first()
            cur_vertical, edits = (row.vertical, json.loads(row.edits_json)) if row else (None, {})
            if vertical is not ...:
                cur_vertical = vertical
            if language is not None:
                if edits_json is None:
                    edits.pop(language, None)
                else:
                    edits[language] = edits_json
            values = dict(vertical=cur_vertical, edits_json=json.dumps(edits, ensure_ascii=False, sort_keys=True),
                          updated_by=_user_id(by), updated_at=self.now())
            if row is None:
                conn.execute(lexicon_t.insert().values(workspace_id=workspace_id, account_key=account_key, **values))
            else:
                conn.execute(lexicon_t.update().where(lexicon_t.c.workspace_id == workspace_id,
                                                      lexicon_t.c.account_key == account_key).values(**values))

    def all_lexicon_settings(self, workspace_id: int) -> dict[str, tuple[str | None, dict[str, str]]]:
        with self._read() as conn:
            return {r.account_key: (r.vertical, json.loads(r.edits_json)) for r in conn.execute(
                sa.select(lexicon_t).where(lexicon_t.c.workspace_id == workspace_id))}

    def saved_verticals(self) -> list[SavedVerticalRow]:
        """Every saved vertical, by code (their files unchecked: :func:`optimizer.keywords.verticals.catalog_from_store`)."""
        with self._read() as conn:
            rows = conn.execute(sa.select(saved_verticals_t).order_by(saved_verticals_t.c.code)).all()
        return [SavedVerticalRow(**r._mapping) for r in rows]

    def save_vertical(self, code: str, name_zh: str, name_en: str, base: str, lexicon_zh: str, lexicon_en: str, *,
                      by: User | int | None = None, overwrite: bool = False) -> None:
        """Keep a saved vertical (both languages' lexicon files in one transaction). Each
        file is checked first (:func:`optimizer.keywords.lexicon.parse_lexicon`: a damaged one raises
        its :class:`~optimizer.keywords.lexicon.LexiconFileError` and nothing is stored). A code
        already saved raises :class:`Conflict` unless ``overwrite``."""
        from optimizer.keywords.lexicon import parse_lexicon
        for language, text_ in (("zh", lexicon_zh), ("en", lexicon_en)):
            parse_lexicon(text_, code, language)
        values = dict(name_zh=name_zh, name_en=name_en, base=base, lexicon_zh=lexicon_zh, lexicon_en=lexicon_en,
                      saved_by=_user_id(by), saved_at=self.now())
        with self._write() as conn:
            exists = conn.execute(sa.select(saved_verticals_t.c.code).where(
                saved_verticals_t.c.code == code).with_for_update()).first() is not None
            if exists and not overwrite:
                raise Conflict(f"a saved vertical {code!r} exists")
            if exists:
                conn.execute(saved_verticals_t.update().where(saved_verticals_t.c.code == code).values(**values))
            else:
                conn.execute(saved_verticals_t.insert().values(code=code, **values))

    def delete_vertical(self, code: str) -> None:
        """Forget a saved vertical (accounts that chose it are detected again)."""
        with self._write() as conn:
            if not conn.execute(saved_verticals_t.delete().where(saved_verticals_t.c.code == code)).rowcount:
                raise NotFound(f"no saved vertical {code!r}")

    def save_bundle_decision(self, workspace_id: int, account_key: str, file_name: str, data: bytes, *,
                             proposal: Any = None, by: User | int | None = None) -> BundleDecision:
        """Keep a bundle map for an account (the newest is the one in use; earlier
        ones stay as history). The CSV is checked with
        :func:`optimizer.bundles.targets.read_bundle_sheet` first: a bad file raises its
        ValueError and nothing is stored. ``proposal``: JSON-able, or None."""
        from optimizer.bundles.targets import read_bundle_sheet

        data = bytes(data)
        file_name = clean_file_name(file_name)
        read_bundle_sheet(data, file_name)
        proposal_json = None if proposal is None else json.dumps(proposal, ensure_ascii=False, default=str)
        now = self.now()
        with self._write() as conn:
            self._bump(conn, workspace_id)
            did = conn.execute(bundles_t.insert().values(
                workspace_id=workspace_id, account_key=account_key, file_name=file_name, data=data,
                proposal_json=proposal_json, decided_by=_user_id(by), decided_at=now)).inserted_primary_key[0]
        return BundleDecision(int(did), workspace_id, account_key, file_name, data,
                              None if proposal_json is None else json.loads(proposal_json), _user_id(by), now)

    @staticmethod
    def _decision(r) -> BundleDecision:
        return BundleDecision(r.id, r.workspace_id, r.account_key, r.file_name, bytes(r.data),
                              None if r.proposal_json is None else json.loads(r.proposal_json),
                              r.decided_by, r.decided_at)

    def bundle_decision(self, workspace_id: int, account_key: str) -> BundleDecision | None:
        """The bundle map in use for an account (the newest decision), or None."""
        with self._read() as conn:
            r = conn.execute(sa.select(bundles_t).where(bundles_t.c.workspace_id == workspace_id,
                                                        bundles_t.c.account_key == account_key)
                             .order_by(bundles_t.c.id.desc()).limit(1)).first()
        return None if r is None else self._decision(r)

    def bundle_decisions(self, workspace_id: int, account_key: str | None = None) -> list[BundleDecision]:
        """Every decision of the workspace (or of one account), oldest first."""
        q = sa.select(bundles_t).where(bundles_t.c.workspace_id == workspace_id)
        if account_key is not None:
            q = q.where(bundles_t.c.account_key == account_key)
        with self._read() as conn:
            return [self._decision(r) for r in conn.execute(q.order_by(bundles_t.c.id))]

    def mapping_json(self, signature: str) -> str | None:
        with self._read() as conn:
            r = conn.execute(sa.select(mappings_t.c.mapping_json).where(mappings_t.c.signature == signature)).first()
        return None if r is None else r.mapping_json

    def save_mapping_json(self, signature: str, mapping_json: str, by: User | int | None = None) -> None:
        with self._write() as conn:
            n = conn.execute(mappings_t.update().where(mappings_t.c.signature == signature).values(
                mapping_json=mapping_json, saved_by=_user_id(by), saved_at=self.now())).rowcount
            if n == 0:
                conn.execute(mappings_t.insert().values(signature=signature, mapping_json=mapping_json,
                                                        saved_by=_user_id(by), saved_at=self.now()))

    def all_mapping_json(self) -> dict[str, str]:
        with self._read() as conn:
            return {r.signature: r.mapping_json for r in conn.execute(sa.select(mappings_t))}

    def setting(self, key: str) -> str | None:
        with self._read() as conn:
            r = conn.execute(sa.select(settings_t.c.value).where(settings_t.c.key == key)).first()
        return None if r is None else r.value

    def set_setting(self, key: str, value: str) -> None:
        with self._write() as conn:
            n = conn.execute(settings_t.update().where(settings_t.c.key == key).values(value=value)).rowcount
            if n == 0:
                conn.execute(settings_t.insert().values(key=key, value=value))

    def claim_setting(self, key: str, value: str) -> bool:
        """Set ``key`` only when it is not set yet (atomic): True when this call set it."""
        with self._write() as conn:
            r = conn.execute(self._insert()(settings_t).values(key=key, value=value).on_conflict_do_nothing()
                             .returning(settings_t.c.key))
            return r.first() is not None


# ====================================================================== adapters

class WorkspaceLexiconStore:
    """:class:`optimizer.keywords.lexicon.AccountLexiconStore`'s interface over one workspace
    in the store (``vertical``, ``set_vertical``, ``edits``, ``set_edits``), so that
    pages written for the JSON file work unchanged. ``by``: who edits."""

    def __init__(self, store: SettingsMixin, workspace_id: int, by: User | int | None = None) -> None:
        self.store, self.workspace_id, self.by = store, workspace_id, by

    def vertical(self, account: str) -> str | None:
        return self.store.lexicon_settings(self.workspace_id, account)[0]

    def set_vertical(self, account: str, vertical: str | None) -> None:
        self.store.set_lexicon_settings(self.workspace_id, account, by=self.by, vertical=vertical)

    def edits(self, account: str):
        from optimizer.keywords.lexicon import LexiconEdits
        return {lang: LexiconEdits.from_json(t) for lang, t in
                self.store.lexicon_settings(self.workspace_id, account)[1].items()}

    def set_edits(self, account: str, language: str, edits) -> None:
        self.store.set_lexicon_settings(self.workspace_id, account, by=self.by, language=language,
                                        edits_json=edits.to_json())


class DbMappingStore:
    """:class:`optimizer.reading.mappings.MappingStore`'s interface (``get``, ``save``,
    ``all``) over the store: saved column mappings shared by every workspace."""

    def __init__(self, store: SettingsMixin, by: User | int | None = None) -> None:
        self.store, self.by = store, by

    def get(self, signature: str) -> ColumnMapping | None:
        text_ = self.store.mapping_json(signature)
        return ColumnMapping.from_json(text_) if text_ else None

    def save(self, signature: str, mapping: ColumnMapping) -> None:
        self.store.save_mapping_json(signature, mapping.to_json(), by=self.by)

    def all(self) -> dict[str, ColumnMapping]:
        return {k: ColumnMapping.from_json(v) for k, v in self.store.all_mapping_json().items()}
