"""The cases the analysis proves things about: *complete cases*, on which decide() means the plain semantics.

decide() (decision core v3, ``decision/cases.py``) decides a partial case by its completions: every
unknown fact the rules test takes each of its known values, except a fact a presumption fills, which
stays unknown (the guide's stated default standing) where one of its presumptions fires; completions
that contradict themselves are no cases. A *complete case* of a ruleset is a case that is its own
only consistent completion, up to what it means: every fact the ruleset tests is known, except

- a fact one of its presumptions fills, which may be left unknown where one of those presumptions
  fires (at the case itself): its default stands;
- a direct answer to a flowchart question (a conclusion's ``stated_by``), which may be left unknown
  where the finer facts derive the conclusion: its only consistent completion answers it as they
  do, and means the same.

A fact answered where a presumption would fill it, or a direct answer given beside the finer facts,
is complete too: the answer stands (and, where it contradicts them, decide() refuses the case).

On a complete case the plain forward-chaining semantics (``semantics/regions.py``) is exactly what
decide() gives (its single completion is the case itself), so the regions ``infoshare check`` and
``diff`` count are sets of complete cases, their counts exact, and every witness decides (through
decide(), run on it) to what the report says. Every completion of a partial case is a complete case
(tests/test_analysis_core.py draws them), so a verdict decide() gives a partial case is the one
the analysis gives each of its completions.
"""

from __future__ import annotations

import json
from typing import Iterable

from ..facts.model import UNKNOWN
from ..semantics.regions import Semantics, derived_where, presumed_where
from ..semantics.space import BDD


def complete_cases(model: Semantics, facts: Iterable[str] | None = None) -> BDD:
    """The complete cases of the model's ruleset, over its input space.

    ``facts``: the facts required known (or left to a firing presumption); default every fact of the
    space. Facts a ruleset does not test do not change what decide() gives: a diff of two rulesets over
    one space passes each the facts it tests, so a fact only the other tests is left to the other.
    """
    space = model.space
    presumed, derived = presumed_where(model), derived_where(model)
    region = space.domain
    for fact in space.facts if facts is None else facts:
        if fact not in space.values:
            continue
        allowed = presumed.get(fact, space.false) | derived.get(fact, space.false)  # where it may stay unknown
        region &= ~space.eq(fact, UNKNOWN) | allowed
    return region


#: what the counts are counted over, as the reports say it
PHRASE = "every fact known, or left unknown where a presumption fills it or, a direct answer, the finer facts give it"
DOMAIN = f"complete cases: {PHRASE}"


def witness_lines(document: dict[str, dict[str, object]]) -> list[str]:
    """A witness (a facts document) one group to a line, so a complete case's many facts stay readable."""
    return [f"{group}: {json.dumps(fields, sort_keys=True)}" for group, fields in sorted(document.items())]
