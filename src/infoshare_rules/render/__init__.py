"""Decisions rendered for people (text) and machines (JSON)."""
