"""Paid-search account optimizer for local-service advertisers (logic only, no UI).

The packages follow the pipeline, each taking what the one before gives:

``reading``   export files (bytes) → one canonical table per file, or a specific error
``model``     a workspace's uploads → one account's combined daily facts (newer download wins)
``keywords``  keyword texts + a vertical's lexicons → business line, decision stage, off-target
``bundles``   labelled keyword performance → oCPC bundles, CPC keywords, targets and rules
``drift``     daily series → dated cost changes, their attribution and alerts
``landing``   URLs and their series → landing-page drift, mismatches and page audits
``outputs``   an account's analysis → workbook, CSVs, JSON
``actions``   the analysis → the change table, bulk-edit files for each platform (and bids, the change log)
``store``     workspaces, uploads, settings, users, share links (SQLite / PostgreSQL)
``quality``   the harness that scores the classifier and the drift detector (not product code)

``cli`` is the command line, ``i18n`` the user-visible words, ``errors`` the user-facing errors.
"""
