"""The compiled engine is the default everywhere, and every surface reports the engine it used the same way.

(Issue 18: the default ``decide()`` used to run durable-rules, 300-600x slower than the compiled
engine, and one command said "engine durable" where another said "engine reference".) The compiled
engine is proven equal to the reference engine by the properties in test_compiled_engine.py.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from infoshare_rules import decide, facts_from_dict, load_ruleset
from infoshare_rules.batch.pool import map_records
from infoshare_rules.cases import suite as suite_module
from infoshare_rules.cases.suite import discover, iter_results
from infoshare_rules.engines.compiled import CompiledEngine
from infoshare_rules.engines.registry import get_engine
from infoshare_rules.explain.narrative import explain
from infoshare_rules.records.make import make_record

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
FACTS = {"purpose": {"legitimate": "yes"}, "information": {"identifiable": "yes", "confidential": "yes"}, "consent": {"have_consent": "yes"}}


def infoshare(*args: str, stdin: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "infoshare_rules", *args], input=stdin, capture_output=True, text=True, timeout=300)


def test_decide_and_auto_use_the_compiled_engine():
    facts = facts_from_dict(FACTS)
    assert decide(facts).engine == "compiled"
    assert decide(facts, engine="auto").engine == "compiled"
    assert isinstance(get_engine(load_ruleset()), CompiledEngine)
    assert isinstance(get_engine(load_ruleset(), "auto"), CompiledEngine)
    # the other engines stay available, and say so
    assert decide(facts, engine="reference").engine == "reference"


def test_library_surfaces_default_to_the_compiled_engine(monkeypatch):
    facts = facts_from_dict(FACTS)
    assert make_record(facts, record_id="r-1", recorded_at="2026-12-03T10:00:00Z").engine == "compiled"
    assert explain(facts).decision.engine == "compiled"
    used = []

    def spy(*args, **kwargs):
        decision = decide(*args, **kwargs)
        used.append(decision.engine)
        return decision

    monkeypatch.setattr(suite_module, "decide", spy)
    suite = sorted(p for p in discover([EXAMPLES]) if "local-protocols" not in p.parts)[:1]
    assert list(iter_results(suite)) and set(used) == {"compiled"}
    assert {r.engine for r in map_records([FACTS, {}], workers=1)} == {"compiled"}


def test_cli_decide_and_record_report_the_compiled_engine_alike():
    text = infoshare("decide", "--format", "text", "-", stdin=json.dumps(FACTS))
    assert text.returncode == 0, text.stderr
    assert "; engine compiled" in text.stdout
    doc = infoshare("decide", "-", stdin=json.dumps(FACTS))
    assert json.loads(doc.stdout)["engine"] == "compiled"
    record = infoshare("record", "--id", "r-1", "--at", "2026-12-03T10:00:00Z", "-", stdin=json.dumps(FACTS))
    assert record.returncode == 0, record.stderr
    assert json.loads(record.stdout)["engine"] == "compiled"
