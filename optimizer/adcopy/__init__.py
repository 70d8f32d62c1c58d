"""Ad copy (创意) against the searcher's decision stage.

Takes the ad rows of an account's canonical table (report type ``ad``: Baidu 创意报告 /
creative lists, Google Ads ad reports; :mod:`optimizer.reading.schema`) and the account's
labelled keywords (:func:`optimizer.keywords.stages.keyword_performance`), and gives, per
unit, what its ads say (message cues, :mod:`optimizer.adcopy.cues`), whether that is what
its stage's searchers look for, look-alike copy across stages and lines, and per-ad
CTR / CVR with intervals (:mod:`optimizer.adcopy.analysis`).
"""
