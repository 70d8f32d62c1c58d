"""Cost drift: takes an account's daily series, gives dated, tested changes of CPC, CVR,
CPA and spend (``scan``), what each change is made of (``attribution``) and the ranked
alerts with their explanations (``alerts``).
"""
