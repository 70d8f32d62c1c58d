"""Paid-search account optimizer for local-service advertisers (logic only, no UI).

Modules, one concept each: ``ingest`` (exports → canonical table), ``values``
(cell parsers), ``decode`` (encodings and layout), ``headers`` (column
vocabularies), ``schema`` (the canonical table), ``dataset`` (combining uploads),
``errors`` (user-facing errors), ``cli`` (command line).
"""
