"""The durable engine never crashes natively: one live session per process, forks, warnings, fallback.

Regression tests for issue 11: interleaved sessions from several threads segfaulted in durable's
``delete_state``; forking while another thread was inside durable deadlocked the child; Python
3.12 warned on every action (an error under ``-W error``); ``engine="auto"`` did not fall back
when durable-rules could not compile a ruleset.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import textwrap
import threading
import warnings
from pathlib import Path

import pytest

from infoshare_rules import decide, facts_from_dict, load_ruleset
from infoshare_rules.engines.registry import durable_available, get_engine
from infoshare_rules.errors import EngineUnavailableError

pytestmark = pytest.mark.skipif(not durable_available(), reason="durable-rules does not import here")

FIXTURE = Path(__file__).resolve().parent / "fixtures" / "rulesets" / "engine-mini"
ROOT = Path(__file__).resolve().parents[1]
FACTS = {"purpose": {"legitimate": "yes"}, "consent": {"child": "given"}}


def test_a_dropped_session_releases_the_lock_for_other_threads():
    engine = get_engine(load_ruleset(), "durable")
    engine.session().add({"purpose.legitimate": "yes"})  # never closed: collected at once
    done = []
    thread = threading.Thread(target=lambda: done.append(decide(facts_from_dict(FACTS), engine="durable")))
    thread.start()
    thread.join(timeout=30)
    assert done and done[0].engine == "durable"
    assert engine.live_sessions == 0


def test_a_failed_decision_still_releases_the_lock():
    from infoshare_rules.engines import _durable

    engine = get_engine(load_ruleset(), "durable")
    with pytest.raises(Exception):
        with engine.session() as session:
            session.add({"purpose.legitimate": "yes"})
            raise RuntimeError("caller's own error mid-decision")
    assert _durable._state.owner is None
    assert _durable._state.lock.acquire(timeout=5)
    _durable._state.lock.release()


def test_durable_warnings_are_silenced_at_the_call_site_only():
    before = list(warnings.filters)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # as under python -W error
        decision = decide(facts_from_dict(FACTS), engine="durable")
        assert decision.engine == "durable"
        assert warnings.filters[0][0] == "error"  # the caller's own filter is untouched
    assert warnings.filters == before


def test_durable_warnings_do_not_fail_under_w_error_in_a_fresh_process():
    code = "from infoshare_rules import decide, facts_from_dict\n" f"print(decide(facts_from_dict({FACTS!r}), engine='durable').verdict.value)\n"
    proc = subprocess.run([sys.executable, "-W", "error", "-c", code], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() in ("share", "must_share", "do_not_share", "undetermined", "share_without_consent")


def test_durable_names_its_limit_and_auto_uses_the_compiled_engine(tmp_path, monkeypatch):
    from infoshare_rules.engines import _durable

    folder = tmp_path / "engine-mini"
    shutil.copytree(FIXTURE, folder)
    ruleset = load_ruleset(folder)
    monkeypatch.setattr(_durable, "_MAX_ALPHA_TESTS", 1)  # as a ruleset too large for durable-rules
    with pytest.raises(EngineUnavailableError, match="durable engine supports at most"):
        get_engine(ruleset, "durable")
    assert get_engine(ruleset, "auto").name == "compiled"  # auto is the compiled engine, whatever durable-rules can do


FORK_SCRIPT = textwrap.dedent(
    """
    import os, signal, sys, threading, warnings
    warnings.simplefilter("ignore", DeprecationWarning)  # 3.12: fork() in a multi-threaded process
    from infoshare_rules import decide, facts_from_dict
    facts = facts_from_dict(%r)
    expected = decide(facts, engine="durable")
    stop = threading.Event()
    def busy():
        while not stop.is_set():
            decide(facts, engine="durable")
    threads = [threading.Thread(target=busy) for _ in range(2)]
    for t in threads:
        t.start()
    bad = 0
    for _ in range(%d):
        pid = os.fork()
        if pid == 0:
            signal.alarm(20)  # a deadlocked child dies of SIGALRM instead of hanging the test
            ok = decide(facts, engine="durable") == expected
            os._exit(0 if ok else 3)
        _, status = os.waitpid(pid, 0)
        if status != 0:
            bad += 1
            print("child status", status, flush=True)
    stop.set()
    for t in threads:
        t.join()
    print("bad", bad)
    """
)


@pytest.mark.skipif(not hasattr(__import__("os"), "fork"), reason="needs os.fork")
def test_fork_while_other_threads_decide_gives_a_working_child():
    proc = subprocess.run(
        [sys.executable, "-c", FORK_SCRIPT % (FACTS, 30)], capture_output=True, text=True, timeout=300, cwd=ROOT
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip().endswith("bad 0"), proc.stdout


DELETE_SCRIPT = textwrap.dedent(
    """
    from infoshare_rules import load_ruleset
    from infoshare_rules.engines.registry import get_engine
    engine = get_engine(load_ruleset(), "durable")
    for facts in ({"purpose.legitimate": "yes"}, {"consent.child": "given"}, {"harm.serious_crime": "yes"}):
        session = engine.session()
        session.add(facts)  # fires no rule: no action runs in this session
        session.close()
    print("ok")
    """
)


@pytest.mark.parametrize("seed", ["1", "2", "3", "4"])
def test_closing_a_session_in_which_no_rule_fired_does_not_crash(seed):
    """durable-rules leaves a new state's action context uninitialised and delete_state frees it.

    Before the fix this aborted ("free(): invalid pointer") in most fresh processes.
    """
    env = dict(__import__("os").environ, PYTHONHASHSEED=seed)
    proc = subprocess.run([sys.executable, "-c", DELETE_SCRIPT], capture_output=True, text=True, timeout=120, env=env)
    assert proc.returncode == 0, proc.stderr[-500:]
    assert proc.stdout.strip() == "ok"
