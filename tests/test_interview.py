"""The interview in a real terminal: pexpect drives `infoshare interview` through a pseudo-terminal."""

from __future__ import annotations

import json
import os
import re
import sys
from pathlib import Path

import pexpect
import pytest

from infoshare_rules import decide, facts_from_dict, facts_from_json
from infoshare_rules.facts.model import INPUT_FIELDS, INPUT_SPECS
from infoshare_rules.interview.questions import asked_questions, next_ask
from infoshare_rules.records.json import record_from_json
from infoshare_rules.records.verify import verify_record

FACTS = Path(__file__).resolve().parents[1] / "examples" / "facts"
ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")
SELECT = r"\((\w+\.\w+)\) \S*\(Use shortcuts"
AGE = r"\((child\.age): a whole number"
SAVE = r"Save a decision record"


def _spawn(tmp_path: Path) -> pexpect.spawn:
    # a real terminal answers the cursor-position query; pexpect does not, so ask prompt_toolkit not to wait for it
    env = {**os.environ, "TERM": "xterm", "COLUMNS": "400", "LINES": "60", "PROMPT_TOOLKIT_NO_CPR": "1"}
    child = pexpect.spawn(sys.executable, ["-m", "infoshare_rules", "interview"], cwd=str(tmp_path), env=env, encoding="utf-8", dimensions=(60, 400), timeout=30)
    child.logfile_read = open(tmp_path / "terminal.log", "w", encoding="utf-8")  # noqa: SIM115 (closed with the child)
    return child


def _run_interview(tmp_path: Path, answers: dict) -> tuple[list[str], str, pexpect.spawn]:
    """Answer each question from ``answers`` (missing: not sure); return the facts asked and the screen."""
    child = _spawn(tmp_path)
    asked: list[str] = []
    while True:
        which = child.expect([SELECT, AGE, SAVE], searchwindowsize=4000)
        if which == 2:
            child.logfile_read.flush()
            return asked, ANSI.sub("", (tmp_path / "terminal.log").read_text(encoding="utf-8")), child
        fact = child.match.group(1)
        asked.append(fact)
        value = answers.get(fact)
        if which == 1:
            child.sendline("" if value is None else str(value))
            child.expect(r"if not sure\)[^\n]*" + ("" if value is None else str(value)) + r"[^\n]*\n", searchwindowsize=4000)  # the answer echoed
            continue
        labels = dict(INPUT_SPECS[fact].answers)
        options = list(labels)
        key = options.index(value) + 1 if value in options else len(options) + 1  # the last is "not sure"
        child.send(str(key))
        child.send("\r")
        label = labels[value] if value in options else "not sure"
        child.expect(re.escape(f"({fact}) ") + r"\S*" + re.escape(label), searchwindowsize=4000)  # the answer echoed


def _group(flat: dict) -> dict:
    grouped: dict = {}
    for fact, value in flat.items():
        group, name = fact.split(".")
        grouped.setdefault(group, {})[name] = value
    return grouped


@pytest.mark.parametrize("case", ["consent-withdrawn", "no-legitimate-purpose-gossip"])
def test_interview_asks_only_what_is_needed_and_reaches_the_decision(tmp_path, case):
    stated = json.loads((FACTS / f"{case}.json").read_text())
    answers = {f"{group}.{name}": value for group, values in stated.items() for name, value in values.items()}
    asked, screen, child = _run_interview(tmp_path, answers)
    # the facts asked, answered as the case states them, decide the case as the full facts do
    given = {fact: answers[fact] for fact in asked if fact in answers}
    decision = decide(facts_from_dict(_group(given)), engine="reference")
    assert decision.verdict == decide(facts_from_json(json.dumps(stated)), engine="reference").verdict
    assert len(asked) == len(set(asked)) and len(asked) < len(INPUT_FIELDS) / 2  # nothing asked twice; far from every fact
    assert asked[0] == "purpose.legitimate"  # the flowchart's first question
    assert "[4.2]" in screen  # each question shows its paragraph
    assert f"Verdict: {decision.verdict.value.upper().replace('_', ' ')}" in screen
    assert "Obligations:" in screen and "Record your decision and the reasons" in screen
    child.send("n")  # no record
    child.expect(pexpect.EOF)
    child.close()
    child.logfile_read.close()
    assert child.exitstatus == 0


def test_not_sure_moves_on_and_a_record_is_saved(tmp_path):
    asked, screen, child = _run_interview(tmp_path, {})  # not sure of anything
    assert asked[:2] == ["purpose.legitimate", "purpose.within_agency_functions"]
    assert "Verdict: UNDETERMINED" in screen
    child.send("y")
    child.expect("Record id:")
    child.sendline("case-42")
    child.expect("Save to file:")
    child.sendline("")  # the default name
    child.expect("Keep the facts")
    child.send("y")
    child.expect("Saved the decision record case-42")
    child.expect(pexpect.EOF)
    child.close()
    child.logfile_read.close()
    assert child.exitstatus == 0
    record = record_from_json((tmp_path / "case-42.record.json").read_text())
    assert record.verdict.value == "undetermined" and record.facts is not None
    assert verify_record(record).same_decision is True


def test_questions_adapter_gives_one_fact_each_in_order():
    decision = decide(facts_from_dict({}), engine="reference")
    asks = asked_questions(decision)
    assert [a.fact for a in asks][:1] == ["purpose.legitimate"]
    assert all(option.value != "unknown" for a in asks for option in a.answers)
    assert next_ask(decision, {"purpose.legitimate"}).fact == asks[1].fact
