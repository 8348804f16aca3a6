"""Replay a historical case file against a ruleset (and another, to compare) on Dask."""
