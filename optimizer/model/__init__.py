"""The account model: takes a workspace's canonical tables, gives each account's
combined daily facts (``dataset``: which download wins where files overlap is
``recency``'s rule) and the account's analyses computed once per data version
(``account``).
"""
