"""The quality harness, apart from the product: scores the keyword classifier on labelled
sets (``evaluate``) and the drift detector against planted changes (``drift_quality``).
"""
