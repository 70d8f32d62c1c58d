"""Outputs: takes an account's analysis, gives the Excel workbook (``workbook``, its words
in ``sheet_text``), CSVs (``report``) and the ``analyze``
command's folder run and JSON.
"""
