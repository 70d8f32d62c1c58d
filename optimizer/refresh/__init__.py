"""Scheduled refresh: recompute, for every account whose data or settings changed, the
pieces the pages read (:func:`optimizer.analysis.prepare.prepare_account`, the same
preparation an upload starts), audit its landing pages, and keep it all in the store.

Takes a store (its URL or data folder) and which workspaces; gives one
:class:`~optimizer.refresh.run.Outcome` per account (recomputed, up to date or failed,
with why). :mod:`.engines` runs one task per account in this process, in a local process
pool or on a Dask cluster — the results are the same; :mod:`.run` is the task and the
run; :mod:`.command` is ``python -m optimizer refresh``.
"""
