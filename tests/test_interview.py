"""The interview in a real terminal: pexpect drives `infoshare interview` through a pseudo-terminal.

What the practitioner sees is what a terminal shows once prompt_toolkit has drawn and redrawn its
menus: ``_Screen`` replays the output (text, cursor moves, erasing) as a terminal would, into an
unbounded scrollback, so the tests count and read the lines a practitioner scrolls back through.
The questions are found by their text (the fact model's), not by a fact id on screen.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path

import attrs
import pexpect
import pytest

from infoshare_rules import decide, facts_from_dict, facts_from_json
from infoshare_rules.decision.model import AnswerOption as QuestionAnswer
from infoshare_rules.decision.questions import question
from infoshare_rules.facts.model import INPUT_FIELDS, INPUT_SPECS, MAX_AGE
from infoshare_rules.interview.questions import NOT_KNOWN_LABEL, Ask, asked_questions, choices, next_ask
from infoshare_rules.interview.summary import summary_lines
from infoshare_rules.interview.terminal import _valid_age, _valid_record_id
from infoshare_rules.records.json import record_from_json
from infoshare_rules.records.verify import verify_record
from infoshare_rules.ruleset.loader import load_ruleset

FACTS = Path(__file__).resolve().parents[1] / "examples" / "facts"
RULES = load_ruleset("uk-2006-practitioners-guide")
_TOKEN = re.compile(r"\x1b\[([?0-9;]*)([A-Za-z@])|\x1b[()][0-9A-Za-z]|\x1b.|(.)", re.S)
_OPTION = re.compile(r"^\s+(?:» )?(\w)\) (.*?)\s*$")


def _squash(text: str) -> str:
    return re.sub(r"\s", "", text)


_TEXTS = {fact: _squash(spec.question) for fact, spec in INPUT_SPECS.items()}


class _Screen:
    """A terminal that never scrolls off: what prompt_toolkit's and click's output leave on screen."""

    def __init__(self, width: int) -> None:
        self.width, self.rows, self.row, self.col, self.autowrap = width, [[]], 0, 0, True

    def _put(self, ch: str) -> None:
        if self.col >= self.width:
            if self.autowrap:
                self.row, self.col = self.row + 1, 0
            else:
                self.col = self.width - 1
        while len(self.rows) <= self.row:
            self.rows.append([])
        line = self.rows[self.row]
        line.extend(" " * (self.col - len(line)))
        if self.col < len(line):
            line[self.col] = ch
        else:
            line.append(ch)
        self.col += 1

    def feed(self, text: str) -> None:
        for m in _TOKEN.finditer(text):
            params, op, ch = m.group(1), m.group(2), m.group(3)
            if ch is not None:
                if ch == "\r":
                    self.col = 0
                elif ch == "\n":
                    self.row += 1
                elif ch == "\b":
                    self.col = max(0, min(self.col, self.width - 1) - 1)
                elif ch >= " ":
                    self._put(ch)
                continue
            if op is None:
                continue
            n = int(params) if params.isdigit() else 1
            col = min(self.col, self.width - 1)
            if op == "A":
                self.row, self.col = max(0, self.row - n), col
            elif op == "B":
                self.row, self.col = self.row + n, col
            elif op == "C":
                self.col = min(col + n, self.width - 1)
            elif op == "D":
                self.col = max(0, col - n)
            elif op == "G":
                self.col = min(n - 1, self.width - 1)
            elif op in "JK":
                while len(self.rows) <= self.row:
                    self.rows.append([])
                mode = params or "0"
                if mode == "0":
                    del self.rows[self.row][self.col :]
                    if op == "J":
                        del self.rows[self.row + 1 :]
                elif mode == "2" and op == "K":
                    self.rows[self.row] = []
            elif op in "hl" and params == "?7":
                self.autowrap = op == "h"

    def lines(self) -> list[str]:
        lines = ["".join(row).rstrip() for row in self.rows]
        while lines and not lines[-1]:
            lines.pop()
        return lines


_PROMPTS = (*_TEXTS.values(), "Whatnext?", "Recordid:", "Savetofile:", "Keepthecase'sfacts")


def _prompt_starts(lines: list[str]) -> list[int]:
    """Where each prompt begins: a line "? " that starts a question or another prompt (not a wrapped line that starts with "?")."""
    return [i for i, line in enumerate(lines) if line.startswith("? ") and _squash("".join(lines[i : i + 8]))[1:].startswith(_PROMPTS)]


class _Terminal:
    """``infoshare interview`` in a pseudo-terminal ``width`` columns wide, read through a ``_Screen``."""

    def __init__(self, tmp_path: Path, *args: str, width: int = 120) -> None:
        # a real terminal answers the cursor-position query; pexpect does not, so ask prompt_toolkit not to wait for it
        env = {**os.environ, "TERM": "xterm", "COLUMNS": str(width), "LINES": "50", "PROMPT_TOOLKIT_NO_CPR": "1"}
        self.child = pexpect.spawn(
            sys.executable, ["-m", "infoshare_rules", "interview", *args], cwd=str(tmp_path), env=env, encoding="utf-8", dimensions=(50, width), timeout=60
        )
        self.screen = _Screen(width)
        self.answered = 0  # prompts ("? " lines) answered so far

    def _read(self) -> None:
        try:
            self.screen.feed(self.child.read_nonblocking(65536, timeout=0.1))
        except pexpect.TIMEOUT:
            pass
        except pexpect.EOF:
            time.sleep(0.01)  # the interview has ended: what it printed is on the screen already

    def wait(self, done, what: str):  # type: ignore[no-untyped-def]
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            self._read()
            found = done(self.screen.lines())
            if found:
                time.sleep(0.1)  # let the menu finish drawing
                self._read()
                return done(self.screen.lines()) or found
        raise AssertionError(f"waited for {what}; the screen:\n" + "\n".join(self.screen.lines()))

    def prompt(self):  # type: ignore[no-untyped-def]
        """The next prompt: (fact, options) for a question, ("menu", options) at the end; options are (key, label)."""

        def ready(lines: list[str]):  # type: ignore[no-untyped-def]
            starts = _prompt_starts(lines)
            if len(starts) <= self.answered:
                return None
            block = lines[starts[-1] :]
            text = _squash("".join(block))
            options = [m.groups() for m in map(_OPTION.match, block[1:]) if m]
            if text.startswith("?Whatnext?") and options and options[-1][1] == "Finish without saving":
                return "menu", options
            fact = next((f for f, t in _TEXTS.items() if text.startswith("?" + t + "[")), None)
            if fact is None:
                return None
            if "(awholenumberofyears" in text and text.endswith(")"):
                return fact, []
            if options and text.endswith("(orpress?)"):
                return fact, options
            return None

        return self.wait(ready, "a question")

    def answer(self, key: str) -> None:
        self.answered += 1
        self.child.send(key)
        self.child.send("\r")

    def expect_line(self, pattern: str) -> str:
        found = self.wait(lambda lines: next((line for line in lines if re.search(pattern, line)), None), pattern)
        return found

    def send_line(self, text: str) -> None:
        self.answered += 1
        self.child.sendline(text)

    def end(self) -> int:
        self.child.expect(pexpect.EOF)
        self.screen.feed(self.child.before or "")
        self.child.close()
        return self.child.exitstatus


def _key(options: list[tuple[str, str]], label: str | None) -> str:
    """The key of the option labelled ``label`` (a doubt value's label goes on after a colon); else not sure:
    "Not known", or where the fact has its own doubt value instead, that."""
    if label is not None:
        for key, text in options:
            if text == label or text.startswith(label + ":"):
                return key
    return next(key for key, text in options if text == NOT_KNOWN_LABEL or ": in doubt" in text)


def _run(term: _Terminal, answers: dict) -> tuple[list[str], list[tuple[str, str]], dict[str, list[tuple[str, str]]]]:
    """Answer each question from ``answers`` (missing: not known); return the facts asked, the final menu and each menu."""
    asked: list[str] = []
    menus: dict[str, list[tuple[str, str]]] = {}
    while True:
        fact, options = term.prompt()
        if fact == "menu":
            return asked, options, menus
        asked.append(fact)
        value = answers.get(fact)
        if not options:  # child.age
            term.send_line("" if value is None else str(value))
            continue
        menus[fact] = options
        term.answer(_key(options, dict(INPUT_SPECS[fact].answers).get(value)))


def _group(flat: dict) -> dict:
    grouped: dict = {}
    for fact, value in flat.items():
        group, name = fact.split(".")
        grouped.setdefault(group, {})[name] = value
    return grouped


def _menu_key(options: list[tuple[str, str]], starts: str) -> str:
    return next(key for key, text in options if text.startswith(starts))


def _verify(tmp_path: Path, record: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "infoshare_rules", "verify", str(record)], cwd=str(tmp_path), capture_output=True, text=True, timeout=60)


# A teacher worried about a neglected 9-year-old: what the teacher would answer; the rest not known.
TEACHER = {
    "purpose.legitimate": "yes",
    "purpose.within_agency_functions": "yes",
    "information.identifiable": "yes",
    "information.about": "child",
    "information.in_public_domain": "no",
    "information.sensitive": "yes",
    "information.relationship": "informal",
    "information.statutory_confidentiality": "no",
    "child.age": 9,
    "consent.have_consent": "no",
    "harm.child": "unsure",
    "harm.abuse_or_neglect_concern": "yes",
    "harm.child_may_cause_serious_harm_to_others": "none",
    "harm.sharing_prevents_significant_harm_to_child": "yes",
    "public_interest.confidential_service_weighs_against": "no",
    "legal.statutory_duty": "no",
    "legal.court_order": "no",
}
MAX_LINES_PER_QUESTION = 4  # at 120 columns: the question (wrapped to at most three lines) and a flowchart step header


def test_the_teachers_interview_fits_in_under_100_lines_and_its_record_verifies(tmp_path):
    term = _Terminal(tmp_path, width=120)
    asked, menu, menus = _run(term, TEACHER)
    lines = term.screen.lines()
    verdict_at = next(i for i, line in enumerate(lines) if line.startswith("Verdict: "))
    # the questions: a line or so each, nothing else between them
    assert 5 <= len(asked) == len(set(asked))
    assert verdict_at <= 1 + MAX_LINES_PER_QUESTION * len(asked), "\n".join(lines[:verdict_at])
    # the whole session: under 100 lines for 13 questions (each question past 13, if the decision asks more, its own lines)
    assert len(lines) < 100 + MAX_LINES_PER_QUESTION * max(0, len(asked) - 13), "\n".join(lines)
    # the summary: verdict, obligations, presumptions, a pointer to the reasoning; not the reasoning itself
    decision = decide(facts_from_dict(_group({f: TEACHER[f] for f in asked if f in TEACHER})), engine="reference")
    screen = "\n".join(lines)
    assert lines[verdict_at].startswith(f"Verdict: {decision.verdict.value.upper().replace('_', ' ')}")
    assert all(" ".join(o.text.split())[:60] in " ".join(screen.split()) for o in decision.obligations)
    assert "Presumed" in screen and "Show the full reasoning" in screen
    assert "because" not in screen and "Why (in firing order" not in screen
    # the paragraphs' text and the flowchart are not printed unasked: only their numbers, and a step header
    assert "You are asked to or wish to share information" not in screen
    assert " ".join(RULES.paragraphs["4.2"].text.split())[:50] not in " ".join(screen.split())
    assert _squash("[4.2, 4.3, 4.4, 4.5, flowchart]") in _squash("".join(lines)) and "flowchart step 1: Is there a legitimate purpose" in screen
    # harm.child: its own "unsure" (a doubt the rules read) and no second "not sure"
    assert "harm.child" in menus
    labels = [text for _, text in menus["harm.child"]]
    assert [t for t in labels if t.startswith("Unsure")] == ["Unsure: in doubt between Reasonable cause and None (seek advice)"]
    assert NOT_KNOWN_LABEL not in labels
    doubting = {d.fact for d in RULES.doubts}
    assert all(NOT_KNOWN_LABEL in [t for _, t in options] for fact, options in menus.items() if fact not in doubting)
    # the record keeps the facts by default, and `infoshare verify` re-derives it
    term.answer(_menu_key(menu, "Save a decision record"))
    term.expect_line(r"^\? Record id:")
    term.send_line("teacher-9")
    term.expect_line(r"^\? Save to file:")
    term.send_line("")
    term.expect_line(r"^\? Keep the case's facts in the record")
    term.send_line("")  # the default: yes
    assert term.end() == 0
    saved = tmp_path / "teacher-9.record.json"
    record = record_from_json(saved.read_text())
    assert record.facts is not None and record.verdict is decision.verdict
    assert verify_record(record).same_decision is True
    verified = _verify(tmp_path, saved)
    assert verified.returncode == 0, verified.stdout + verified.stderr
    assert f"verdict would be the same now: {decision.verdict.value}" in verified.stdout


@pytest.mark.parametrize("case", ["consent-withdrawn", "no-legitimate-purpose-gossip"])
def test_interview_asks_only_what_is_needed_and_reaches_the_decision(tmp_path, case):
    stated = json.loads((FACTS / f"{case}.json").read_text())
    answers = {f"{group}.{name}": value for group, values in stated.items() for name, value in values.items()}
    term = _Terminal(tmp_path, width=400)
    asked, menu, _ = _run(term, answers)
    # the facts asked, answered as the case states them, decide the case as the full facts do
    given = {fact: answers[fact] for fact in asked if fact in answers}
    decision = decide(facts_from_dict(_group(given)), engine="reference")
    assert decision.verdict == decide(facts_from_json(json.dumps(stated)), engine="reference").verdict
    assert len(asked) == len(set(asked)) and len(asked) < len(INPUT_FIELDS) / 2  # nothing asked twice; far from every fact
    assert asked[0] == "purpose.legitimate"  # the flowchart's first question
    screen = "\n".join(term.screen.lines())
    assert f"Verdict: {decision.verdict.value.upper().replace('_', ' ')}" in screen
    assert "Obligations:" in screen and "Record your decision and the reasons" in screen
    term.answer(_menu_key(menu, "Finish without saving"))
    assert term.end() == 0
    assert not list(tmp_path.glob("*.record.json"))


def test_question_mark_shows_the_cited_paragraphs_then_asks_again(tmp_path):
    term = _Terminal(tmp_path, width=200)
    fact, options = term.prompt()
    assert fact == "purpose.legitimate"
    assert options[-1][1] == "Show the guide's paragraphs (or press ?)"
    term.answer("?")  # the key, as a shortcut: it points at "show the paragraphs"; Enter shows them
    again, _ = term.prompt()
    assert again == "purpose.legitimate"  # the same question, asked again
    screen = " ".join(" ".join(term.screen.lines()).split())
    for cite in ("4.2", "4.3", "4.4", "4.5", "flowchart"):
        assert f"[{cite}] {RULES.paragraphs[cite].heading}" in screen
        assert " ".join(RULES.paragraphs[cite].text.split())[:60] in screen
    term.answer(_key(options, "No"))  # no legitimate purpose: do not share, at once
    _, menu = term.prompt()
    assert screen.count("You are asked to or wish to share information") == 1  # the flowchart, shown once when asked
    term.answer(_menu_key(menu, "Finish without saving"))
    assert term.end() == 0


def test_not_sure_moves_on_the_reasoning_on_request_and_a_record_is_saved(tmp_path):
    term = _Terminal(tmp_path, width=400)
    asked, menu, _ = _run(term, {})  # not sure of anything
    assert asked[:3] == ["purpose.legitimate", "information.identifiable", "information.confidential"]  # the flowchart's own, first
    screen = "\n".join(term.screen.lines())
    assert "Verdict: UNDETERMINED" in screen and "Left not known:" in screen
    assert "Why (in firing order" not in screen
    term.answer(_menu_key(menu, "Show the full reasoning"))
    term.expect_line(r"^Why \(in firing order")
    _, menu = term.prompt()
    assert not [text for _, text in menu if text.startswith("Show the full reasoning")]  # shown once
    term.answer(_menu_key(menu, "Save a decision record"))
    term.expect_line(r"^\? Record id:")
    term.send_line("case-42")
    term.expect_line(r"^\? Save to file:")
    term.send_line("")  # the default name
    term.expect_line(r"^\? Keep the case's facts")
    term.send_line("y")
    term.expect_line("Saved the decision record case-42")
    assert term.end() == 0
    record = record_from_json((tmp_path / "case-42.record.json").read_text())
    assert record.verdict.value == "undetermined" and record.facts is not None
    assert verify_record(record).same_decision is True


def test_no_facts_keeps_only_their_hash_without_asking(tmp_path):
    term = _Terminal(tmp_path, "--no-facts", width=400)
    _, menu, _ = _run(term, {"purpose.legitimate": "no"})
    term.answer(_menu_key(menu, "Save a decision record"))
    term.expect_line(r"^\? Record id:")
    term.send_line("gossip-1")
    saved = tmp_path / "gossip-1.record.json"
    saved.write_text("an earlier record\n")
    term.expect_line(r"^\? Save to file:")
    term.send_line("")
    term.expect_line(r"gossip-1\.record\.json exists: replace it\?")  # not replaced unasked
    assert saved.read_text() == "an earlier record\n"
    term.child.send("y")
    term.expect_line("Saved the decision record gossip-1")
    assert term.end() == 0
    assert "Keep the case's facts" not in "\n".join(term.screen.lines())
    record = record_from_json(saved.read_text())
    assert record.facts is None and record.facts_sha256.startswith("sha256:")
    verified = _verify(tmp_path, saved)
    assert verified.returncode == 0 and "the same decision (same rules)" in verified.stdout


def test_the_age_takes_whole_years_nothing_or_the_paragraphs_key():
    assert all(_valid_age(v) is True for v in ("0", "9", f" {MAX_AGE} ", "", "?"))
    assert all(isinstance(_valid_age(v), str) for v in ("nine", "-1", str(MAX_AGE + 1), "9.5", "??"))


def test_a_record_id_is_checked_at_its_prompt_not_after_the_interview():
    assert _valid_record_id("case-42") is True and _valid_record_id(" case-42 ") is True
    assert all(isinstance(_valid_record_id(v), str) for v in ("", "   ", "café", "x" * 201))


def test_questions_adapter_gives_one_fact_each_in_order():
    decision = decide(facts_from_dict({}), engine="reference")
    asks = asked_questions(decision)
    assert [a.fact for a in asks][:1] == ["purpose.legitimate"]
    assert all(option.value != "unknown" for a in asks for option in a.answers)
    assert next_ask(decision, {"purpose.legitimate"}).fact == asks[1].fact
    assert asks[0].step == 1 and asks[0].step_header.startswith("flowchart step 1: Is there a legitimate purpose")


def _ask(fact: str) -> Ask:
    decision = decide(facts_from_dict({}), engine="reference")
    return asked_questions(attrs.evolve(decision, questions=(question(INPUT_SPECS[fact]),)))[0]


@pytest.mark.parametrize("fact", [f for f, spec in INPUT_SPECS.items() if spec.tests == f])
def test_one_kind_of_not_sure_for_every_question(fact):
    options = choices(_ask(fact), RULES)
    kinds = [o.kind for o in options]
    doubts = [d for d in RULES.doubts if d.fact == fact]
    # a fact with its own doubt value offers that, labelled as doubt, and not the generic "not known"
    assert kinds.count("doubt") == len(doubts) and kinds.count("unknown") == (0 if doubts else 1)
    assert kinds.count("paragraphs") == 1 and kinds[-1] == "paragraphs"
    assert len({o.label for o in options}) == len(options)  # each choice tells itself apart
    for o in options:
        if o.kind == "doubt":
            assert "in doubt" in o.label and "seek advice" in o.label


def test_who_provided_the_information_offers_the_fact_models_answers_and_any_new_ones():
    ask = _ask("information.provided_by")
    offered = [(o.value, o.label) for o in choices(ask, RULES) if o.kind == "answer"]
    assert offered == list(INPUT_SPECS["information.provided_by"].answers)  # the fact model's labels, none kept here
    # a value the fact model adds (the practitioner's own observation, say) is offered with its label
    extended = attrs.evolve(
        question(INPUT_SPECS["information.provided_by"]),
        answers=(*question(INPUT_SPECS["information.provided_by"]).answers, QuestionAnswer("practitioner", "I saw or heard it myself")),
    )
    decision = attrs.evolve(decide(facts_from_dict({}), engine="reference"), questions=(extended,))
    options = choices(asked_questions(decision)[0], RULES)
    assert ("practitioner", "I saw or heard it myself", "answer") in [(o.value, o.label, o.kind) for o in options]
    assert [o.kind for o in options][-2:] == ["unknown", "paragraphs"]


def test_the_summary_groups_presumptions_and_points_to_the_reasoning():
    decision = decide(
        facts_from_dict({"purpose": {"legitimate": "yes"}, "information": {"identifiable": "yes", "confidential": "yes"}, "harm": {"child": "evidence"},
                         "seeking_consent_would": {"increase_risk_of_significant_harm_to_child": "yes"}}),
        engine="reference",
    )
    lines = summary_lines(decision)
    text = "\n".join(lines)
    assert decision.presumed and decision.obligations
    assert lines[0].startswith("Verdict: ")
    assert all(line.count("~") <= 1 for line in lines)
    wordings = {" ".join(p.wording.split()) for p in decision.presumed}
    assert text.count("\n  ~ ") == len({(p.value, " ".join(p.wording.split()), p.cites) for p in decision.presumed}) <= len(decision.presumed)
    assert all(w[:30] in " ".join(text.split()) for w in wordings)
    assert f"The reasoning ({len(decision.trace)} steps)" in text
    assert "because" not in text and "[stated]" not in text  # the answers given are not echoed
