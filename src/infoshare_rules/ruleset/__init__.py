"""Rulesets as data: the model of a compiled ruleset, and the loader that validates a folder into one."""
