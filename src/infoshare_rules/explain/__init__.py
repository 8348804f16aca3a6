"""Explanations people read: a decision told in the guide's order, and what would change it."""
