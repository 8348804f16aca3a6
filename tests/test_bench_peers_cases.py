"""benchmarks/peers/cases.py: the flowchart-level cases bench_decide.py --peers checks the peers on.

Only the case generator (no optional package): the peers' verdicts are checked by the benchmark itself.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

from infoshare_rules import facts_from_dict
from infoshare_rules.facts.model import flatten

_PATH = Path(__file__).resolve().parents[1] / "benchmarks" / "peers" / "cases.py"
_spec = importlib.util.spec_from_file_location("bench_peers_cases", _PATH)
assert _spec is not None and _spec.loader is not None
cases = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(cases)


def test_every_combination_of_the_flowcharts_direct_answers_once() -> None:
    all_cases = list(cases.flowchart_cases())
    assert len(all_cases) == 3**8 == 6561
    assert len({tuple(sorted(c.items())) for c in all_cases}) == 6561


def test_each_case_is_the_library_facts_it_names() -> None:
    # The documents name real facts with valid answers, and unknown answers are left out.
    for case in cases.flowchart_cases():
        flat = flatten(facts_from_dict(cases.case_document(case)))
        assert {name: flat[name] for _, name, _ in cases.FLOWCHART_FACTS} == {
            name: case[short] for short, name, _ in cases.FLOWCHART_FACTS
        }
