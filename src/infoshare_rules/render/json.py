"""Decisions as JSON for machines (text for people is in ``text``), and the JSON Schema of decisions.

The format is the versioned contract in ``contracts.decision_json``; these are its public names.
"""

from __future__ import annotations

from ..contracts.decision_json import decision_from_dict, decision_from_json, decision_json_schema, decision_to_dict, decision_to_json

__all__ = ["decision_from_dict", "decision_from_json", "decision_json_schema", "decision_to_dict", "decision_to_json"]
