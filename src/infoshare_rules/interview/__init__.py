"""The terminal interview: only the questions the decision needs, in the flowchart's order."""
