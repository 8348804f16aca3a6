"""The guide's flowchart at the level of its direct questions, as an experta KnowledgeEngine.

The same rules as flowchart.clp (see there for the guide's reasons), in experta's Python DSL; the
verdicts infoshare-rules' decision core v3 gives when only these facts are known. Per decision:
reset(), declare(Case(...)), run(), read ``engine.verdict``.

experta 1.9.4 pins frozendict 1.2, which subclasses ``collections.Mapping`` (gone since Python
3.10): the alias is restored before experta is imported, here only.
"""

from __future__ import annotations

import collections
import collections.abc

if not hasattr(collections, "Mapping"):
    collections.Mapping = collections.abc.Mapping  # type: ignore[attr-defined]

from experta import NOT, Fact, KnowledgeEngine, Rule  # noqa: E402


class Case(Fact):
    """One case: legitimate, identifiable, confidential, have_consent, statutory_duty, court_order, judgement, unsure."""


class RequiredByLaw(Fact):
    pass


class Flowchart(KnowledgeEngine):
    verdict: str | None = None

    @Rule(Case(statutory_duty="yes"), salience=20)
    def statutory_duty(self):
        self.declare(RequiredByLaw())

    @Rule(Case(court_order="yes"), salience=20)
    def court_order(self):
        self.declare(RequiredByLaw())

    def _decide(self, verdict: str) -> None:
        self.verdict = verdict
        self.halt()

    @Rule(RequiredByLaw(), salience=10)
    def must_share(self):
        self._decide("must_share")

    @Rule(Case(legitimate="no"), NOT(RequiredByLaw()))
    def no_legitimate_purpose(self):
        self._decide("do_not_share")

    @Rule(Case(legitimate="yes", identifiable="no"), NOT(RequiredByLaw()))
    def not_identifiable(self):
        self._decide("share")

    @Rule(Case(legitimate="yes", confidential="no"), NOT(RequiredByLaw()))
    def not_confidential(self):
        self._decide("share")

    @Rule(Case(legitimate="yes", have_consent="yes"), NOT(RequiredByLaw()))
    def consent_given(self):
        self._decide("share")

    @Rule(Case(unsure="yes"), salience=-10)
    def in_doubt_seek_advice(self):
        self._decide("seek_advice")

    @Rule(Case(), salience=-20)
    def left_open(self):
        self._decide("undetermined")


def runner():
    """decide(case) -> verdict, on one engine reused across cases."""
    engine = Flowchart()

    def decide(case: dict[str, str]) -> str:
        engine.verdict = None
        engine.reset()
        engine.declare(Case(**case))
        engine.run()
        return engine.verdict

    return decide
