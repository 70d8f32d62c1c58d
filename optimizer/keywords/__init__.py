"""Keywords: takes keyword and search-term texts with the account's vertical, gives each
its business line, decision stage, urgency and off-target reason (``stages``), from cue
lexicons kept as data (``lexicon``, ``lexicons/*.toml``), the account's own structure
for trades without a lexicon (``trade``) and the verticals users saved (``verticals``).
"""
