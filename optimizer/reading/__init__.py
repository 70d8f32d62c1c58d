"""Reading exports: takes a file's bytes and name as Baidu, Google Ads or Microsoft Ads
wrote them, gives one canonical table (:mod:`.schema`) per file with what was read, or
an :class:`optimizer.errors.IngestError` naming the file, row and column.

``decode`` (encodings, preambles, layout) → ``headers`` (column vocabularies) →
``values`` (cell parsers) → ``ingest`` (the reader), with ``mappings`` (column mappings
a user saved for files nobody recognises).
"""
