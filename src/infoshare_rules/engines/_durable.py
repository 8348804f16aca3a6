"""The ``durable`` engine: a compiled ruleset run by durable-rules 2.0.28 (a C Rete engine).

This is the only module that imports ``durable``. Importing it raises
``EngineUnavailableError`` where durable-rules cannot run (not installed, or Python 3.13+),
so ``_engines.durable_available()`` can fall back to the reference engine.

How the ruleset is compiled (once, in ``DurableEngine.__init__``):

* every fact name a rule tests gets a short property id (``f0``, ``f1`` ...). A fact is one
  durable *fact* (a message that persists in its session) with that id as its ``id`` and as
  its property: ``{"sid": ..., "id": "f3", "f3": "parent"}``;
* a condition on one value is the pattern ``{"f3": "parent"}``. A condition on several values
  (any-of) gets its own group property ``g0``, ``g1`` ... which every fact whose value is in the
  group carries as ``"g0": 1``; the pattern is ``{"g0": 1}``. (durable's ``$or`` matches too,
  but its alpha nodes are not shared between rules: a fact tested by more than ~64 any-of
  conditions overflows durable's matching stack at run time, error 303, and a few hundred
  any-of conditions fail to compile, error 107);
* a rule is a conjunction (``all``) of one pattern per condition; its action records the
  firing in the session's ``FactBase`` and asserts the conclusion into the same session, so
  durable forward-chains. A rule with more than 16 conditions (durable joins at most 16
  facts per rule, error 304) is split into a chain of helper rules asserting internal facts.

Quirks of durable-rules handled here:

* a fact that no pattern matches raises ``MessageNotHandledException`` (and, in a batch, the
  actions of the facts that did match are not run); an identical fact asserted twice raises
  ``MessageObservedException``. Only facts some pattern tests are asserted, each at most once;
* exceptions raised in an action are swallowed by durable into the state's ``exception``
  field. Actions here catch everything themselves; ``add`` re-raises it as itself;
* durable's host is normally a lazily created process-wide global (``durable.lang.get_host``)
  whose background timer threads call ``dispatch`` and ``dispatch_timers`` on every ruleset
  outside any lock (and ``assert_timers`` walks an index that goes stale when sessions are
  deleted out of order, reading freed memory). This module makes one host of its own, once,
  without those threads (all actions here run synchronously inside ``add``), and nothing in
  durable is thread-safe, so every call into durable is made under one module-level lock;
* rulesets are registered by name, process-wide, and cannot be removed: names are unique;
* a ruleset holds at most 1,024 live sessions; the next one raises ``MemoryError`` and
  leaves the engine corrupt (a later call can segfault). Each engine spreads sessions over
  as many durable rulesets ("shards") as needed, at most ``SESSIONS_PER_SHARD`` each;
* durable finds a session's state, and a fact within it, by a 32-bit FNV-1a hash alone (no
  string compare): sids and ids are chosen so that no two live ones collide;
* more than ~511 distinct alpha tests hang ``create_ruleset`` forever: refused up front.
"""

from __future__ import annotations

import itertools
import sys
import threading
from typing import Any, Callable, Mapping

from ..errors import EngineUnavailableError, InfoshareError
from ..ruleset.model import Ruleset
from .base import FactBase

try:
    import durable_rules_engine as _native  # the C extension: what fails on Python 3.13+
    from durable import engine as _durable_engine
    from durable.engine import MessageNotHandledException
except Exception as _exc:  # ImportError, or an undefined-symbol error from the C extension
    raise EngineUnavailableError(
        "the durable engine is unavailable: durable-rules could not be imported "
        f"({type(_exc).__name__}: {_exc}). It is not installed, or this is Python "
        f"{sys.version_info[0]}.{sys.version_info[1]}: durable-rules 2.0.28 does not import on "
        "Python 3.13+ (its C extension calls PyEval_CallObject, which 3.13 removed). "
        'Use engine="reference", which gives the same results and works everywhere.'
    ) from _exc

__all__ = ["DurableEngine", "SESSIONS_PER_SHARD"]

#: durable-rules holds at most 1,024 live sessions per ruleset; keep a margin.
SESSIONS_PER_SHARD = 1000
#: durable-rules joins at most 16 facts per rule (MAX_MESSAGE_FRAMES).
_MAX_CONDITIONS = 16
#: durable-rules hangs registering more distinct alpha tests than its 512-bucket hash set holds.
_MAX_ALPHA_TESTS = 500

# One lock serialises every call into durable-rules (host creation, registration, asserts,
# the actions they run, deletes). It is not re-entrant: actions run while it is held and
# call durable directly.
_LOCK = threading.Lock()
_host: Any = None
_engine_numbers = itertools.count(1)

_FNV_OFFSET = 0x811C9DC5
_FNV_PRIME = 0x01000193


def _fnv32(text: str) -> int:
    """durable-rules' 32-bit FNV-1a hash, as it indexes sessions, facts and property names."""
    h = _FNV_OFFSET
    for byte in text.encode():
        h = ((h ^ byte) * _FNV_PRIME) & 0xFFFFFFFF
    return h


# Property names durable gives a meaning to; generated ids must not collide with their hashes.
_RESERVED_HASHES = frozenset(_fnv32(n) for n in ("sid", "id", "$s"))


class _QuietHost(_durable_engine.Host):  # type: ignore[misc, name-defined]
    """A durable-rules host of our own, without the background timer threads.

    durable's global host (``durable.lang.get_host``) starts threads that call ``dispatch`` and
    ``dispatch_timers`` on every registered ruleset, outside any lock, from the moment a ruleset
    is registered: a race with our own calls. Every action here runs synchronously inside
    ``add``, so this host needs no threads; and a program that also uses durable-rules directly
    keeps its global host to itself.
    """

    def _run(self) -> None:
        return None


def _get_host_locked() -> Any:
    global _host
    if _host is None:
        _host = _QuietHost()
    return _host


class _IdMaker:
    """Short property ids whose hashes differ from each other and from durable's own names."""

    def __init__(self) -> None:
        self.used = set(_RESERVED_HASHES)
        self.counter = itertools.count()

    def make(self, prefix: str) -> str:
        while True:
            ident = f"{prefix}{next(self.counter)}"
            h = _fnv32(ident)
            if h not in self.used:
                self.used.add(h)
                return ident


class _Shard:
    """One durable-rules ruleset holding up to SESSIONS_PER_SHARD live sessions."""

    __slots__ = ("name", "rules", "live")

    def __init__(self, name: str, rules: Any) -> None:
        self.name = name
        self.rules = rules  # durable.engine.Ruleset
        self.live: set[int] = set()  # fnv32 hashes of the sids with state here


class DurableEngine:
    """Forward chaining by durable-rules; same contract and results as ``ReferenceEngine``."""

    name = "durable"

    def __init__(self, ruleset: Ruleset) -> None:
        self.ruleset = ruleset
        rules = ruleset.rules
        ids = _IdMaker()

        # Property id of each fact name a rule tests, and each any-of group's id.
        fact_ids: dict[str, str] = {}
        groups: dict[tuple[str, frozenset[str]], str] = {}
        singles: set[tuple[str, str]] = set()
        for rule in rules:
            for cond in rule.when:
                if cond.fact not in fact_ids:
                    fact_ids[cond.fact] = ids.make("f")
                values = frozenset(cond.values)
                if len(values) == 1:
                    singles.add((cond.fact, cond.values[0]))
                elif (cond.fact, values) not in groups:
                    groups[(cond.fact, values)] = ids.make("g")
        alpha_tests = len(singles) + len(groups)
        if alpha_tests > _MAX_ALPHA_TESTS:
            raise InfoshareError(
                f"ruleset {ruleset.id!r} has {alpha_tests} distinct conditions; the durable engine supports at "
                f'most {_MAX_ALPHA_TESTS} (a durable-rules limit). Use engine="reference".'
            )

        # The message to assert for each (name, value) some pattern tests, without its sid.
        templates: dict[tuple[str, str], tuple[tuple[str, Any], ...]] = {}
        for name, fid in fact_ids.items():
            candidates = {v for (n, v) in singles if n == name}
            candidates.update(v for (n, vs) in groups if n == name for v in vs)
            for value in candidates:
                props: list[tuple[str, Any]] = [("id", fid), (fid, value)]
                props += [(gid, 1) for (n, vs), gid in groups.items() if n == name and value in vs]
                if len(props) > 250:  # durable: at most 255 properties per message
                    raise InfoshareError(
                        f"fact {name!r} is tested by too many distinct conditions for the durable engine; "
                        'use engine="reference"'
                    )
                templates[(name, value)] = tuple(props)
        self._templates = templates

        def pattern(cond: Any) -> dict[str, Any]:
            if len(set(cond.values)) == 1:
                return {fact_ids[cond.fact]: cond.values[0]}
            return {groups[(cond.fact, frozenset(cond.values))]: 1}

        # The compiled rules: name -> (definition without "run", action).
        self.definition: dict[str, dict[str, Any]] = {}
        self._actions: dict[str, Callable[[Any], None]] = {}
        for rule in rules:
            patterns = [pattern(c) for c in rule.when]
            chain = 0
            while len(patterns) > _MAX_CONDITIONS:
                # Join the first 16 into an internal fact, then join that with the rest.
                hid = ids.make("h")
                rule_name = f"r{rule.index}_{chain}"
                self.definition[rule_name] = {"all": [{f"m{j}": p} for j, p in enumerate(patterns[:_MAX_CONDITIONS])]}
                self._actions[rule_name] = self._helper_action((("id", hid), (hid, 1)))
                patterns = [{hid: 1}] + patterns[_MAX_CONDITIONS:]
                chain += 1
            rule_name = f"r{rule.index}"
            self.definition[rule_name] = {"all": [{f"m{j}": p} for j, p in enumerate(patterns)]}
            self._actions[rule_name] = self._rule_action(rule.index)

        # Session ids: unique per engine; no live state message ("sid-<sid>") may share a hash
        # with a fact id, within one session.
        self._id_hashes = frozenset(ids.used)
        self._sids = itertools.count(1)
        self._current: _DurableSession | None = None  # the session whose add() is running
        self._orphans: list[tuple[_Shard, str, int]] = []  # sessions dropped without close()
        digest = ruleset.hash.split(":", 1)[-1][:12]
        self._base_name = f"infoshare-{ruleset.id}-{digest}-{next(_engine_numbers)}"
        self._shards: list[_Shard] = []
        with _LOCK:
            self._add_shard_locked()

    # ------------------------------------------------------------------ compiling

    def _rule_action(self, index: int) -> Callable[[Any], None]:
        templates = self._templates

        def action(c: Any) -> None:
            session = self._current
            if session is None or session._error is not None:
                return
            try:
                fact = session._base.fire(index)
                if fact is not None:
                    template = templates.get(fact)
                    if template is not None:
                        message = dict(template)
                        message["sid"] = session._sid
                        session._shard.rules.assert_fact(message)
            except MessageNotHandledException:
                pass  # cannot happen (every message matches a pattern) and would be harmless here
            except BaseException as exc:  # durable would swallow it: keep it for add() to raise
                session._error = exc

        return action

    def _helper_action(self, template: tuple[tuple[str, Any], ...]) -> Callable[[Any], None]:
        def action(c: Any) -> None:
            session = self._current
            if session is None or session._error is not None:
                return
            try:
                message = dict(template)
                message["sid"] = session._sid
                session._shard.rules.assert_fact(message)
            except BaseException as exc:
                session._error = exc

        return action

    def _add_shard_locked(self) -> _Shard:
        host = _get_host_locked()
        name = f"{self._base_name}-{len(self._shards)}"
        definition = {
            rule_name: {"all": rule["all"], "run": self._actions[rule_name]} for rule_name, rule in self.definition.items()
        }
        try:
            host.register_rulesets({name: definition})
        except _native.error as exc:
            raise InfoshareError(f"durable-rules could not compile ruleset {self.ruleset.id!r}: {exc}") from exc
        rules = host.get_ruleset(name)
        shard = _Shard(name, rules)
        self._shards.append(shard)
        return shard

    # ------------------------------------------------------------------ sessions

    def session(self) -> "_DurableSession":
        return _DurableSession(self)

    def _open_locked(self, session: "_DurableSession") -> None:
        """Give a session a shard and a sid, on its first call into durable."""
        while self._orphans:
            self._delete_locked(*self._orphans.pop())
        for shard in self._shards:
            if len(shard.live) < SESSIONS_PER_SHARD:
                break
        else:
            shard = self._add_shard_locked()
        while True:
            sid = str(next(self._sids))
            sid_hash = _fnv32(sid)
            if sid_hash not in shard.live and _fnv32("sid-" + sid) not in self._id_hashes:
                break
        shard.live.add(sid_hash)
        session._shard, session._sid, session._sid_hash = shard, sid, sid_hash

    def _delete_locked(self, shard: _Shard, sid: str, sid_hash: int) -> None:
        shard.live.discard(sid_hash)
        try:
            shard.rules.delete_state(sid)
        except _native.error:
            pass  # no state: the first assert failed before creating it

    def _orphaned(self, shard: _Shard, sid: str, sid_hash: int) -> None:
        self._orphans.append((shard, sid, sid_hash))  # list.append: safe without the lock

    @property
    def live_sessions(self) -> int:
        """Sessions holding state in durable-rules (opened by an add, not yet closed)."""
        return sum(len(s.live) for s in self._shards)


class _DurableSession:
    """One decision's facts in durable-rules. Close it (or use ``with``) to free its state."""

    __slots__ = ("_engine", "_base", "_sid", "_sid_hash", "_shard", "_error", "_closed")

    def __init__(self, engine: DurableEngine) -> None:
        self._engine = engine
        self._base = FactBase(engine.ruleset.rules)
        self._sid: str | None = None
        self._sid_hash = 0
        self._shard: _Shard | None = None
        self._error: BaseException | None = None
        self._closed = False

    def add(self, facts: Mapping[str, str]) -> list[int]:
        if self._closed:
            raise InfoshareError("this session is closed")
        if self._error is not None:
            raise InfoshareError("an earlier add() on this session failed; start a new session") from self._error
        base = self._base
        start = len(base.fired)
        values = base.values
        templates = self._engine._templates
        pending = []
        for name, value in facts.items():
            current = values.get(name)
            if current is None:
                values[name] = value
                template = templates.get((name, value))
                if template is not None:  # a fact no rule tests is known, not asserted
                    pending.append(template)
            elif current != value:
                raise InfoshareError(f"fact {name!r} is already {current!r}, cannot set it to {value!r}")
        if pending:
            engine = self._engine
            with _LOCK:
                if self._sid is None:
                    engine._open_locked(self)
                sid = self._sid
                messages = []
                for template in pending:
                    message = dict(template)
                    message["sid"] = sid
                    messages.append(message)
                engine._current = self
                try:
                    _get_host_locked().assert_facts(self._shard.name, messages)
                except MessageNotHandledException as exc:  # cannot happen: every message matches a pattern
                    self._error = InfoshareError(f"durable-rules did not handle a fact: {exc.message}")
                except BaseException as exc:
                    if self._error is None:
                        self._error = exc
                finally:
                    engine._current = None
            if self._error is not None:
                raise self._error
        return base.fired[start:]

    def close(self) -> None:
        """Delete the session's state in durable-rules. Safe to call more than once."""
        if self._closed:
            return
        self._closed = True
        if self._sid is not None:
            with _LOCK:
                self._engine._delete_locked(self._shard, self._sid, self._sid_hash)

    def __enter__(self) -> "_DurableSession":
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def __del__(self) -> None:
        # Never take the lock here: the collector can run while this thread holds it.
        try:
            if not self._closed and self._sid is not None:
                self._closed = True
                self._engine._orphaned(self._shard, self._sid, self._sid_hash)
        except Exception:
            pass
