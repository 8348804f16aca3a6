"""A ruleset's meaning as Boolean functions of its inputs (binary decision diagrams).

``space``: the input space (every fact the rules test, unknown included) encoded in BDD variables;
``regions``: where each conclusion, verdict and obligation holds. The decision core uses them to
decide a partial case by its completions (``decision/cases.py``); ``infoshare check`` and ``diff``
(``analysis/``) use them to prove and compare rulesets.
"""
