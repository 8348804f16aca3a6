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
* a rule is a conjunction (``all``) of one pattern per condition (a rule written with ``any:``/
  ``not:`` is one such durable rule per alternative, sharing one action); its action records the
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
  without those threads (all actions here run synchronously inside ``add``);
* nothing in durable is thread-safe, and interleaved sessions (deleted out of order) crashed
  natively (segfault in ``delete_state``). So there is ONE live durable session per process:
  ``session()`` takes a module-level lock and ``close()`` releases it, so a whole decision runs
  alone. A session dropped without ``close()`` releases it when collected. ``os.register_at_fork``
  handlers make a fork wait until no other thread is inside durable and give the child a fresh
  lock (a fork in the middle of another thread's call deadlocked the child);
* on Python 3.12+ durable-rules warns (``DeprecationWarning``) on every action; the warning is
  silenced around our calls into durable only, never globally;
* rulesets are registered by name, process-wide, and cannot be removed: names are unique;
* a ruleset holds at most 1,024 live sessions (one at a time here is far below it);
* durable finds a session's state, and a fact within it, by a 32-bit FNV-1a hash alone (no
  string compare): sids and ids are chosen so that no two live ones collide;
* more than ~511 distinct alpha tests hang ``create_ruleset`` forever: refused up front.
"""

from __future__ import annotations

import contextlib
import itertools
import os
import sys
import threading
import warnings
import weakref
from typing import Any, Callable, ContextManager, Iterator, Mapping

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

__all__ = ["DurableEngine"]

#: durable-rules joins at most 16 facts per rule (MAX_MESSAGE_FRAMES).
_MAX_CONDITIONS = 16
#: durable-rules hangs registering more distinct alpha tests than its 512-bucket hash set holds.
_MAX_ALPHA_TESTS = 500

# One lock (``_state.lock``, defined below with the fork handlers) serialises every call into
# durable-rules. A session takes it when opened and releases it when closed, so a whole decision
# runs alone: one live durable session per process, created and deleted in order (durable's
# session index reads freed memory when sessions are deleted out of order).
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


class _QuietHost(_durable_engine.Host):  # type: ignore[misc]
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


def _do_nothing(c: Any) -> None:
    return None


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
            for cond in (c for alternative in rule.disjuncts for c in alternative):
                if cond.fact not in fact_ids:
                    fact_ids[cond.fact] = ids.make("f")
                values = frozenset(cond.values)
                if len(values) == 1:
                    singles.add((cond.fact, cond.values[0]))
                elif (cond.fact, values) not in groups:
                    groups[(cond.fact, values)] = ids.make("g")
        alpha_tests = len(singles) + len(groups)
        if alpha_tests > _MAX_ALPHA_TESTS:
            raise EngineUnavailableError(
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
                    raise EngineUnavailableError(
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
            # A rule written with any:/not: is one durable rule per alternative, each running the rule's
            # action: the FactBase records the first firing and ignores the others (a rule fires at most once).
            for k, alternative in enumerate(rule.disjuncts):
                patterns = [pattern(c) for c in alternative]
                chain = 0
                base_name = f"r{rule.index}" if k == 0 else f"r{rule.index}a{k}"
                while len(patterns) > _MAX_CONDITIONS:
                    # Join the first 16 into an internal fact, then join that with the rest.
                    hid = ids.make("h")
                    rule_name = f"{base_name}_{chain}"
                    self.definition[rule_name] = {"all": [{f"m{j}": p} for j, p in enumerate(patterns[:_MAX_CONDITIONS])]}
                    self._actions[rule_name] = self._helper_action((("id", hid), (hid, 1)))
                    patterns = [{hid: 1}] + patterns[_MAX_CONDITIONS:]
                    chain += 1
                self.definition[base_name] = {"all": [{f"m{j}": p} for j, p in enumerate(patterns)]}
                self._actions[base_name] = self._rule_action(rule.index)

        # durable-rules' createStateNode leaves a new state's action context (two pointers)
        # uninitialised, and delete_state frees them: "free(): invalid pointer" or a segfault when
        # no action ever ran in the session. Completing any action sets them to NULL, so every
        # session's first assert includes a fact matched by a rule whose action does nothing.
        opener = ids.make("o")
        self.definition["open"] = {"all": [{"m0": {opener: 1}}]}
        self._actions["open"] = _do_nothing
        self._opener = (("id", opener), (opener, 1))

        # Session ids: unique per engine; no live state message ("sid-<sid>") may share a hash
        # with a fact id, within one session.
        self._id_hashes = frozenset(ids.used)
        self._sids = itertools.count(1)
        self._current: _DurableSession | None = None  # the session whose add() is running
        digest = ruleset.hash.split(":", 1)[-1][:12]
        self._base_name = f"infoshare-{ruleset.id}-{digest}-{next(_engine_numbers)}"
        self._rules: Any = None  # durable.engine.Ruleset
        self._live: weakref.ref[_DurableSession] | None = None
        if _state.owner == threading.get_ident():
            raise InfoshareError("cannot compile a durable engine while this thread has a durable session open")
        with _state.lock:
            self._register_locked()

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
                        self._rules.assert_fact(message)
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
                self._rules.assert_fact(message)
            except BaseException as exc:
                session._error = exc

        return action

    def _register_locked(self) -> Any:
        """Register the compiled rules with durable-rules under a process-unique name."""
        host = _get_host_locked()
        name = self._base_name
        definition = {
            rule_name: {"all": rule["all"], "run": self._actions[rule_name]} for rule_name, rule in self.definition.items()
        }
        try:
            with _quiet():
                host.register_rulesets({name: definition})
        except _native.error as exc:
            raise EngineUnavailableError(f"durable-rules could not compile ruleset {self.ruleset.id!r}: {exc}") from exc
        self._rules = host.get_ruleset(name)
        return self._rules

    # ------------------------------------------------------------------ sessions

    def session(self) -> "_DurableSession":
        """Open the one live durable session of this process; close it (or use ``with``) promptly.

        Blocks while another thread's session is open. A second session in the same thread is
        refused (it would wait for itself forever).
        """
        me = threading.get_ident()
        if _state.owner == me:
            raise InfoshareError(
                "the durable engine runs one session at a time per process and this thread already has one open; "
                "close it first (decide() does)"
            )
        _state.lock.acquire()
        try:
            if _state.suspect:
                raise EngineUnavailableError(
                    "the durable engine is unusable in this process: it was forked while another thread was inside "
                    'durable-rules. Use engine="reference" here.'
                )
            while True:
                sid = str(next(self._sids))
                if _fnv32("sid-" + sid) not in self._id_hashes:
                    break
            session = _DurableSession(self, sid)
            _state.owner = me
        except BaseException:
            _state.lock.release()
            raise
        return session

    @property
    def live_sessions(self) -> int:
        """Sessions of this engine holding the durable lock (0 or 1)."""
        return 1 if self._live is not None and self._live() is not None else 0


class _DurableSession:
    """One decision's facts in durable-rules, holding the process's durable lock until closed."""

    __slots__ = ("_engine", "_base", "_sid", "_error", "_closed", "_state_created", "__weakref__")

    def __init__(self, engine: DurableEngine, sid: str) -> None:
        self._engine = engine
        self._base = FactBase(engine.ruleset.rules)
        self._sid = sid
        self._error: BaseException | None = None
        self._closed = False
        self._state_created = False
        engine._live = weakref.ref(self)  # weak: a dropped session must be collectable, to free the lock

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
                raise InfoshareError(f"fact {name!r} is already set; a session's facts cannot change")
        if pending:
            engine = self._engine
            sid = self._sid
            messages = []
            if not self._state_created:
                pending.insert(0, engine._opener)
            for template in pending:
                message = dict(template)
                message["sid"] = sid
                messages.append(message)
            # This session holds the lock (taken in session()), so no other thread is in durable.
            engine._current = self
            self._state_created = True
            try:
                with _quiet():
                    _host.assert_facts(engine._base_name, messages)  # the host runs the actions
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
        """Delete the session's state in durable-rules and release the lock. Safe to call more than once."""
        if self._closed:
            return
        self._closed = True
        engine = self._engine
        try:
            if self._state_created:
                try:
                    with _quiet():
                        engine._rules.delete_state(self._sid)
                except _native.error:
                    pass  # no state: the first assert failed before creating it
        finally:
            engine._live = None
            _state.owner = None
            _state.lock.release()

    def __enter__(self) -> "_DurableSession":
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def __del__(self) -> None:
        # A session dropped without close() still holds the lock: free it here, or every other
        # session would wait forever. Safe: while this session holds the lock nobody else is in durable.
        try:
            self.close()
        except Exception:
            pass


# ---------------------------------------------------------------------- process state


class _ProcessState:
    """The lock serialising durable-rules, which thread's session holds it, and fork bookkeeping."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.owner: int | None = None  # thread ident of the live session, if any
        self.suspect = False  # forked while another thread was inside durable-rules
        self.held_for_fork = False


_state = _ProcessState()
#: Seconds a fork waits for another thread's durable session to end before giving up on durable in the child.
FORK_WAIT_SECONDS = 10.0


def _before_fork() -> None:
    # Fork only while no other thread is inside durable-rules, so the child's copy is consistent.
    _state.held_for_fork = _state.owner != threading.get_ident() and _state.lock.acquire(timeout=FORK_WAIT_SECONDS)


def _after_fork_in_parent() -> None:
    if _state.held_for_fork:
        _state.held_for_fork = False
        _state.lock.release()


def _after_fork_in_child() -> None:
    forking_thread_has_session = _state.owner == threading.get_ident()
    consistent = _state.held_for_fork or forking_thread_has_session
    # Only the forking thread exists in the child: a fresh lock, held again if its session is open.
    _state.lock = threading.Lock()
    _state.held_for_fork = False
    if forking_thread_has_session:
        _state.lock.acquire()
    else:
        _state.owner = None
    if not consistent:
        _state.suspect = True


if hasattr(os, "register_at_fork"):
    os.register_at_fork(before=_before_fork, after_in_parent=_after_fork_in_parent, after_in_child=_after_fork_in_child)


@contextlib.contextmanager
def _silenced() -> Iterator[None]:
    """Silence durable-rules' DeprecationWarnings (datetime.utcfromtimestamp on Python 3.12+) here only.

    Not globally: a program's own filters stay as they are. Callers hold the durable lock.
    """
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        yield


# Before 3.12 there is nothing to silence, and catch_warnings costs more than a small decision.
_quiet: Callable[[], ContextManager[None]] = _silenced if sys.version_info >= (3, 12) else contextlib.nullcontext
