"""Bundles: takes labelled keyword performance, gives the proposed oCPC bundles, the
keywords that deserve their own CPC plan (``propose``) and the bundle map, targets and
over-cost compensation rules the account is checked against (``targets``, ``rules/``).
"""
