"""The workspace database: takes uploads, settings, notes, users and share links, keeps
them in SQLite or PostgreSQL (``database``), and checks who may read or change what
(``auth``).
"""
