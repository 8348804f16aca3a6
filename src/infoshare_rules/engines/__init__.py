"""Engines that run a compiled ruleset over facts: ``reference`` (pure Python) and ``durable`` (durable-rules)."""
