"""Uploads: each export file's original bytes, checksum, uploader and time, and the
rows read from it (one Parquet document per upload), and the workspace's table merged
from them (cached in the process, keyed by the workspace's list of uploads)."""
from __future__ import annotations

import io
import json
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from datetime import datetime

import pandas as pd
import sqlalchemy as sa
from sqlalchemy.engine import Connection

from optimizer.model.dataset import Combined, MergeReport, file_accounts
from optimizer.reading.ingest import ColumnMapping, Export, Note, ReadInfo, TotalCheck, read_export
from optimizer.reading.schema import CATEGORY_COLUMNS, COLUMNS, STR_DTYPE, conform, empty_table
from optimizer.store.base import StoreBase, clean_file_name, sha256_hex
from optimizer.store.engine import NotFound, StoreError
from optimizer.store.tables import upload_rows_t, uploads_t, users_t, workspaces_t
from optimizer.store.users import User, _user_id

#: Format of ``upload_rows.data``.
ROWS_FORMAT = "parquet"


@dataclass(frozen=True)
class Upload:
    """One stored file: what it is, who uploaded it when, and what was read from it."""

    id: int
    workspace_id: int
    file_name: str
    checksum: str
    size: int
    uploaded_by: int | None
    uploaded_by_name: str | None
    uploaded_at: datetime
    platform: str
    report_type: str
    rows: int
    info: ReadInfo
    mapping: ColumnMapping | None = None
    #: the account the optimizer said the file belongs to, when its rows name none
    account_name: str | None = None


@dataclass(frozen=True)
class UploadResult:
    """What :meth:`Store.add_upload` did: ``duplicate`` True when the same file
    (checksum) was already in the workspace (``upload`` is then that earlier one and
    nothing was written). ``report``: how the file merged into the workspace's table
    (None for a duplicate)."""

    upload: Upload
    duplicate: bool
    report: MergeReport | None = None


@dataclass(frozen=True)
class WorkspaceTable:
    """A workspace's data: the merged canonical table, one merge report per upload
    (same order) and the uploads, oldest first."""

    table: pd.DataFrame
    reports: tuple[MergeReport, ...]
    uploads: tuple[Upload, ...]

    def report_for(self, upload_id: int) -> MergeReport | None:
        for u, r in zip(self.uploads, self.reports):
            if u.id == upload_id:
                return r
        return None

    def file_names(self) -> dict[int, str]:
        """Each upload's name as the merge reports and their messages give it (``name
        (2).csv`` … for a second file of the same name: Google names every keyword
        download alike), by upload id."""
        return {u.id: r.file for u, r in zip(self.uploads, self.reports)}

    def file_accounts(self) -> dict[int, tuple[tuple[str, str, str], ...]]:
        """The (platform, account, currency) each upload's rows count toward
        (:func:`optimizer.model.dataset.file_accounts`), by upload id; for an upload none of
        whose rows is kept (another file holds them all), those its own rows name."""
        by_name = file_accounts(self.table)
        return {u.id: by_name.get(r.file) or r.accounts for u, r in zip(self.uploads, self.reports)}


def table_to_parquet(table: pd.DataFrame) -> bytes:
    """A canonical table as Parquet bytes (zstd)."""
    buf = io.BytesIO()
    table.to_parquet(buf, engine="pyarrow", compression="zstd", index=False)
    return buf.getvalue()


def table_from_parquet(data: bytes) -> pd.DataFrame:
    """The canonical table written by :func:`table_to_parquet`, with its dtypes
    exactly as :mod:`optimizer.reading.schema` makes them. (Parquet keeps the categoricals
    and their codes; an empty category list comes back with object dtype, and is
    given the schema's string dtype again. A table stored before a column was added to
    the schema, e.g. the ad copy, gets it as nulls.)"""
    df = pd.read_parquet(io.BytesIO(data), engine="pyarrow")
    if tuple(df.columns) != COLUMNS:
        df = conform(df)
    fix = {}
    for c in CATEGORY_COLUMNS:
        s = df[c]
        if not isinstance(s.dtype, pd.CategoricalDtype):  # a table without rows comes back without categories
            fix[c] = pd.Series(pd.Categorical(s.astype(STR_DTYPE)), index=df.index)
        elif s.cat.categories.dtype != STR_DTYPE:
            fix[c] = pd.Series(pd.Categorical.from_codes(s.cat.codes.to_numpy(),
                                                         pd.Index(s.cat.categories, dtype=STR_DTYPE)),
                               index=df.index)
    return df.assign(**fix) if fix else df


def _info_to_json(info: ReadInfo) -> str:
    return json.dumps(asdict(info), ensure_ascii=False)


def _info_from_json(text_: str) -> ReadInfo:
    d = json.loads(text_)
    d["unmapped"] = tuple(d.get("unmapped", ()))
    d["totals"] = tuple(TotalCheck(t["label"], t["matched"], {k: tuple(v) for k, v in t["differences"].items()})
                        for t in d.get("totals", ()))
    d["notes"] = tuple(Note(n["zh"], n["en"]) for n in d.get("notes", ()))
    return ReadInfo(**d)


@dataclass
class _Cached:
    ids: tuple[int, ...]
    value: WorkspaceTable



def _combine(combined: Combined, uploads: Sequence[Upload], tables: dict[int, pd.DataFrame]) -> Combined:
    """Merge stored uploads, in order, onto ``combined`` (as :meth:`Store.workspace_table`
    does): each with the account chosen on upload; not checked for a mix-up again (that
    was done when it was stored)."""
    for u in uploads:
        exp = Export(tables[u.id], pd.DataFrame(index=tables[u.id].index), u.info)
        combined.add(exp, account=u.account_name, check=False)
    return combined


class UploadsMixin(StoreBase):
    """Uploads, their rows, and the workspace's merged table."""

    _UPLOAD_COLS = (uploads_t.c.id, uploads_t.c.workspace_id, uploads_t.c.file_name, uploads_t.c.checksum,
                    uploads_t.c.size, uploads_t.c.uploaded_by, uploads_t.c.uploaded_at, uploads_t.c.platform,
                    uploads_t.c.report_type, uploads_t.c.rows, uploads_t.c.info_json, uploads_t.c.mapping_json,
                    uploads_t.c.account_name, users_t.c.username)

    def _uploads_query(self):
        return (sa.select(*self._UPLOAD_COLS)
                .select_from(uploads_t.outerjoin(users_t, users_t.c.id == uploads_t.c.uploaded_by)))

    @staticmethod
    def _upload(row) -> Upload:
        return Upload(row.id, row.workspace_id, row.file_name, row.checksum, int(row.size), row.uploaded_by,
                      row.username, row.uploaded_at, row.platform, row.report_type, int(row.rows),
                      _info_from_json(row.info_json),
                      ColumnMapping.from_json(row.mapping_json) if row.mapping_json else None, row.account_name)

    def find_upload(self, workspace_id: int, checksum: str) -> Upload | None:
        """The upload of the file with this SHA-256 in the workspace, or None."""
        with self._read() as conn:
            row = conn.execute(self._uploads_query().where(uploads_t.c.workspace_id == workspace_id,
                                                           uploads_t.c.checksum == checksum)).first()
        return None if row is None else self._upload(row)

    def add_upload(self, workspace_id: int, name: str, data: bytes, by: User | int | None = None, *,
                   mapping: ColumnMapping | None = None, export: Export | None = None,
                   account: str | None = None) -> UploadResult:
        """Store one export file in a workspace: the original bytes, their SHA-256,
        who uploaded it when, and the rows read from it, in one transaction.

        - The same file (checksum) already in the workspace: nothing is written and
          the result has ``duplicate=True`` and the earlier upload.
        - A file that cannot be read raises its :class:`~optimizer.errors.IngestError`
          and nothing is written. ``mapping``: the column mapping to read it with
          (kept with the upload). ``export``: the file already read (e.g. by the page
          for its preview) — it must be ``read_export(data, name, mapping=mapping)``.
        - ``account``: the account the file's rows belong to when they name none (see
          :func:`optimizer.model.dataset.account_choice`); kept with the upload.
        - A file that looks like another advertiser's data beside what the workspace
          holds (:func:`optimizer.model.dataset.merge`, kind ``mixup``) raises and nothing is
          written.
        - Anything failing during the write (database error, crash, interruption)
          leaves the database as it was.
        """
        data = bytes(data)
        name = clean_file_name(name)
        checksum = sha256_hex(data)
        self.get_workspace(workspace_id)  # NotFound before any reading
        earlier = self.find_upload(workspace_id, checksum)
        if earlier is not None:
            return UploadResult(earlier, True)
        account = (account or "").strip()[:200] or None
        exp = export if export is not None else read_export(data, name, mapping=mapping, settings=self.settings)
        current = self.workspace_table(workspace_id)
        combined = Combined(current.table, current.reports)
        report = combined.add(exp, account=account)  # raises a mix-up before anything is written
        rows_blob = table_to_parquet(exp.table)
        info = exp.info
        now = self.now()
        uid = _user_id(by)
        try:
            with self._write() as conn:
                self._bump(conn, workspace_id)
                upload_id = conn.execute(uploads_t.insert().values(
                    workspace_id=workspace_id, file_name=name, checksum=checksum, size=len(data), data=data,
                    uploaded_by=uid, uploaded_at=now, platform=info.platform, report_type=info.report_type,
                    rows=len(exp.table), info_json=_info_to_json(info),
                    mapping_json=mapping.to_json() if mapping else None,
                    account_name=account)).inserted_primary_key[0]
                self._write_upload_rows(conn, int(upload_id), rows_blob, len(exp.table))
        except sa.exc.IntegrityError:
            earlier = self.find_upload(workspace_id, checksum)
            if earlier is None:  # some other constraint failed
                raise
            return UploadResult(earlier, True)
        upload = self.get_upload(workspace_id, int(upload_id))
        ids = tuple(u.id for u in current.uploads)
        with self._cache_lock:
            cached = self._cache.get(workspace_id)
            if cached is not None and cached.ids == ids:  # nobody else wrote meanwhile: keep the merge just made
                value = WorkspaceTable(combined.table, tuple(combined.reports), (*current.uploads, upload))
                self._cache[workspace_id] = _Cached((*ids, upload.id), value)
        got = self.workspace_table(workspace_id).report_for(upload.id)
        return UploadResult(upload, False, got if got is not None else report)

    def _write_upload_rows(self, conn: Connection, upload_id: int, blob: bytes, n: int) -> None:
        """The parsed rows of an upload (inside add_upload's transaction)."""
        conn.execute(upload_rows_t.insert().values(upload_id=upload_id, format=ROWS_FORMAT, row_count=n, data=blob))

    def get_upload(self, workspace_id: int, upload_id: int) -> Upload:
        with self._read() as conn:
            row = conn.execute(self._uploads_query().where(uploads_t.c.id == upload_id,
                                                           uploads_t.c.workspace_id == workspace_id)).first()
        if row is None:
            raise NotFound(f"no upload {upload_id} in workspace {workspace_id}")
        return self._upload(row)

    def list_uploads(self, workspace_id: int) -> list[Upload]:
        """The workspace's uploads, oldest first (the order they are merged in)."""
        with self._read() as conn:
            if conn.execute(sa.select(workspaces_t.c.id).where(workspaces_t.c.id == workspace_id)).first() is None:
                raise NotFound(f"no workspace {workspace_id}")
            return [self._upload(r) for r in conn.execute(
                self._uploads_query().where(uploads_t.c.workspace_id == workspace_id).order_by(uploads_t.c.id))]

    def upload_ids(self, workspace_id: int) -> tuple[int, ...]:
        """The ids of the workspace's uploads, ascending (its data version: uploads never
        change); one query, nothing else read."""
        with self._read() as conn:
            return tuple(conn.execute(sa.select(uploads_t.c.id).where(uploads_t.c.workspace_id == workspace_id)
                                      .order_by(uploads_t.c.id)).scalars())

    def upload_ids_of(self, workspace_ids) -> dict[int, tuple[int, ...]]:
        """:meth:`upload_ids` of several workspaces in one query (a workspace without
        uploads: ``()``)."""
        ids = sorted({int(w) for w in workspace_ids})
        out: dict[int, list[int]] = {w: [] for w in ids}
        if ids:
            with self._read() as conn:
                for w, u in conn.execute(sa.select(uploads_t.c.workspace_id, uploads_t.c.id)
                                         .where(uploads_t.c.workspace_id.in_(ids)).order_by(uploads_t.c.id)):
                    out[w].append(u)
        return {w: tuple(u) for w, u in out.items()}

    def upload_file(self, workspace_id: int, upload_id: int) -> tuple[str, bytes]:
        """(file name, original bytes) of an upload."""
        with self._read() as conn:
            row = conn.execute(sa.select(uploads_t.c.file_name, uploads_t.c.data).where(
                uploads_t.c.id == upload_id, uploads_t.c.workspace_id == workspace_id)).first()
        if row is None:
            raise NotFound(f"no upload {upload_id} in workspace {workspace_id}")
        return row.file_name, bytes(row.data)

    def upload_table(self, workspace_id: int, upload_id: int) -> pd.DataFrame:
        """The rows read from one upload (the canonical table of its file)."""
        tables = self._upload_tables(workspace_id, [upload_id])
        if upload_id not in tables:
            raise NotFound(f"no upload {upload_id} in workspace {workspace_id}")
        return tables[upload_id]

    def _upload_tables(self, workspace_id: int, ids: Sequence[int]) -> dict[int, pd.DataFrame]:
        if not ids:
            return {}
        with self._read() as conn:
            rows = conn.execute(sa.select(upload_rows_t.c.upload_id, upload_rows_t.c.format, upload_rows_t.c.data)
                                .join(uploads_t, uploads_t.c.id == upload_rows_t.c.upload_id)
                                .where(uploads_t.c.workspace_id == workspace_id,
                                       upload_rows_t.c.upload_id.in_(list(ids)))).all()
        out = {}
        for r in rows:
            if r.format != ROWS_FORMAT:
                raise StoreError(f"upload {r.upload_id}: rows stored as {r.format!r}, which this version cannot read")
            out[r.upload_id] = table_from_parquet(bytes(r.data))
        return out

    def delete_upload(self, workspace_id: int, upload_id: int) -> None:
        """Remove one file and its rows from the workspace (the table is rebuilt without it)."""
        self.delete_uploads(workspace_id, [upload_id])

    def delete_uploads(self, workspace_id: int, upload_ids: Sequence[int]) -> None:
        """Remove several files and their rows from the workspace in one transaction:
        all of them, or — when one is not in the workspace (NotFound) or the write
        fails — none."""
        ids = sorted({int(i) for i in upload_ids})
        if not ids:
            return
        with self._write() as conn:
            self._bump(conn, workspace_id)
            n = conn.execute(uploads_t.delete().where(uploads_t.c.id.in_(ids),
                                                      uploads_t.c.workspace_id == workspace_id)).rowcount
            if n != len(ids):
                raise NotFound(f"not every upload of {ids} is in workspace {workspace_id}")
            conn.execute(upload_rows_t.delete().where(upload_rows_t.c.upload_id.in_(ids)))
        self._forget(workspace_id)

    def table_without(self, workspace_id: int, upload_ids: Sequence[int]) -> pd.DataFrame:
        """The workspace's data as it would be without the uploads ``upload_ids``: the
        other uploads merged in upload order, as :meth:`workspace_table` merges them
        (nothing is changed; what deleting them would leave)."""
        gone = {int(i) for i in upload_ids}
        keep = [u for u in self.list_uploads(workspace_id) if u.id not in gone]
        tables = self._upload_tables(workspace_id, [u.id for u in keep])
        table = _combine(Combined(), [u for u in keep if u.id in tables], tables).table
        return empty_table() if table is None else table

    def account_records(self, workspace_id: int, account_key: str) -> list[str]:
        """What the workspace keeps for one account besides its rows (codes):
        ``lexicon`` (a vertical chosen or lexicon edits), ``bundle_map`` (a bundle map
        decided), ``audits`` (landing-page audits)."""
        out = []
        vertical, edits = self.lexicon_settings(workspace_id, account_key)
        if vertical or edits:
            out.append("lexicon")
        if self.bundle_decision(workspace_id, account_key) is not None:
            out.append("bundle_map")
        if self.audits(workspace_id, account_key):
            out.append("audits")
        return out

    def workspace_table(self, workspace_id: int) -> WorkspaceTable:
        """The workspace's data: its uploads merged in upload order
        (:class:`optimizer.model.dataset.Combined`: where two files hold the same rows, the
        newer download's are kept whatever the order; a file that names no account gets
        the account chosen on upload), an empty canonical table when there are none,
        with each upload's merge report. Cached per list of uploads: after a new upload
        only that file is merged."""
        for _attempt in range(5):
            uploads = tuple(self.list_uploads(workspace_id))
            ids = tuple(u.id for u in uploads)
            with self._cache_lock:
                cached = self._cache.get(workspace_id)
            if cached is not None and cached.ids == ids:
                with self._cache_lock:
                    self._cache.move_to_end(workspace_id)
                return cached.value
            start = 0
            combined = Combined()
            if cached is not None and ids[:len(cached.ids)] == cached.ids:
                start = len(cached.ids)
                combined = Combined(cached.value.table, cached.value.reports)
            todo = ids[start:]
            tables = self._upload_tables(workspace_id, todo)
            if len(tables) != len(todo):
                continue  # an upload was deleted meanwhile: read again
            table = _combine(combined, uploads[start:], tables).table
            value = WorkspaceTable(empty_table() if table is None else table, tuple(combined.reports), uploads)
            with self._cache_lock:
                self._cache[workspace_id] = _Cached(ids, value)
                self._cache.move_to_end(workspace_id)
                while len(self._cache) > self._cache_size:
                    self._cache.popitem(last=False)
            return value
        raise StoreError(f"workspace {workspace_id} keeps changing while it is read; try again")
