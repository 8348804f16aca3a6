"""Explanations: the guide's order, stated/presumed/derived, what would change the outcome; HTML in a real browser."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from infoshare_rules import decide, facts_from_json
from infoshare_rules.explain.counterfactual import stated_facts
from infoshare_rules.explain.narrative import explain, guide_order
from infoshare_rules.explain.render import explanation_to_dict, explanation_to_html, explanation_to_markdown, explanation_to_text
from infoshare_rules.facts.json import facts_from_dict, facts_to_dict
from infoshare_rules.ruleset.loader import load_ruleset

import browser
from browser import dump_dom
from service_server import running_server

FACTS = Path(__file__).resolve().parents[1] / "examples" / "facts"
WITHDRAWN = FACTS / "consent-withdrawn.json"


def _explanation(path: Path = WITHDRAWN):
    return explain(facts_from_json(path.read_text()))


def _changed(facts, changes):
    data = facts_to_dict(facts)
    for change in changes:
        group, name = change.fact.split(".")
        data[group][name] = change.changed_to
    return facts_from_dict(data)


def test_sections_follow_the_guide_flowchart_order_with_paragraph_text():
    explanation = _explanation()
    order = [s.paragraph for s in explanation.sections]
    assert order == sorted(order, key=guide_order)
    flowchart = [p for p in order if p.startswith("4.")]
    assert flowchart == order[: len(flowchart)] and flowchart[0] == "4.2"
    assert [int(p.split(".")[1]) for p in flowchart] == sorted(int(p.split(".")[1]) for p in flowchart)
    paragraphs = load_ruleset().paragraphs
    for section in explanation.sections:
        if section.paragraph in paragraphs:
            assert section.text == paragraphs[section.paragraph].text


def test_every_stated_fact_and_every_trace_step_is_told_once():
    facts = facts_from_json(WITHDRAWN.read_text())
    explanation = explain(facts)
    told = [(f.fact, f.value) for s in explanation.sections for f in s.stated]
    assert sorted(told) == sorted(stated_facts(facts).items())
    steps = [step for s in explanation.sections for step in s.derived]
    assert sorted(steps, key=id) == sorted(explanation.decision.trace, key=id) and len(steps) == len(explanation.decision.trace)


@pytest.mark.parametrize("name", ["consent-withdrawn", "no-legitimate-purpose-gossip", "evidence-of-significant-harm-gp", "gp-referral-implied-consent"])
def test_what_would_change_is_true_when_re_decided_and_nearest_first(name):
    facts = facts_from_json((FACTS / f"{name}.json").read_text())
    explanation = explain(facts)
    verdict = explanation.decision.verdict
    assert explanation.what_would_change, "some change of stated facts should matter"
    singles = [c for c in explanation.what_would_change if len(c.changes) == 1]
    pairs = [c for c in explanation.what_would_change if len(c.changes) == 2]
    assert explanation.what_would_change == tuple(singles + pairs)
    for change in explanation.what_would_change:
        now = decide(_changed(facts, change.changes), engine="reference").verdict
        assert now == change.verdict != verdict
    for pair in pairs:  # a pair is only shown when neither change alone would do
        for single in pair.changes:
            assert decide(_changed(facts, (single,)), engine="reference").verdict == verdict


def test_markdown_text_and_json():
    explanation = _explanation()
    markdown = explanation_to_markdown(explanation)
    assert markdown.startswith("# Information sharing decision") and "## 4.2 " in markdown and "## What would change the outcome" in markdown
    text = explanation_to_text(explanation)
    assert "You stated consent.child = withdrawn" in text and "Derived consent = refused" in text
    assert "\x1b[" not in text  # plain unless asked for colour
    data = json.loads(json.dumps(explanation_to_dict(explanation)))
    assert data["verdict"] == "do_not_share" and data["sections"][0]["paragraph"] == "4.2"
    assert all(isinstance(step["concluded"], dict) for s in data["sections"] for step in s["derived"])


def test_cli_explain_formats(tmp_path):
    out = tmp_path / "explain.md"
    run = subprocess.run([sys.executable, "-m", "infoshare_rules", "explain", "--format", "markdown", "-o", str(out), str(WITHDRAWN)], capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr
    assert "## What would change the outcome" in out.read_text()
    text = subprocess.run([sys.executable, "-m", "infoshare_rules", "explain", str(WITHDRAWN)], capture_output=True, text=True, timeout=120)
    assert text.returncode == 0 and "Do not share" in text.stdout


def test_html_is_standalone():
    page = explanation_to_html(_explanation())
    assert not re.search(r"""(src|href)\s*=|@import|url\(|<script""", page, re.I)


def test_html_renders_in_headless_chromium(tmp_path):
    page = tmp_path / "explanation.html"
    page.write_text(explanation_to_html(_explanation()), encoding="utf-8")
    dom = dump_dom(page, tmp_path / "profile")
    # the browser's own serialisation of the parsed page: elements as the browser built them
    assert '<p class="verdict" id="verdict">Do not share</p>' in dom
    assert '<section id="what-would-change"><h2>What would change the outcome</h2>' in dom
    assert dom.count("<section id=\"p-") == len(_explanation().sections)
    assert "Individuals have the right to withdraw consent" in dom  # paragraph 4.15's text
    assert "<code>consent.child</code> = <code>withdrawn</code>" in dom


def test_no_browser_fails_saying_how_to_install_one(tmp_path, monkeypatch):
    monkeypatch.setenv("INFOSHARE_CHROMIUM", str(tmp_path / "no-such-browser"))
    assert browser.find_browser() is None
    with pytest.raises(pytest.fail.Exception, match=r"apt-get install -y chromium.*README.md, Set up"):
        dump_dom(tmp_path / "page.html", tmp_path / "profile")


def test_service_explain():
    with running_server() as url, httpx.Client(base_url=url, timeout=60) as client:
        facts = json.loads(WITHDRAWN.read_text())
        data = client.post("/explain", json=facts).json()
        assert data["verdict"] == "do_not_share" and data["what_would_change"]
        page = client.post("/explain?format=html", json=facts)
        assert page.headers["content-type"].startswith("text/html") and "What would change the outcome" in page.text
        bad = client.post("/explain", json={"consent": {"child": "nope"}})
        assert bad.status_code == 422 and bad.json()["errors"][0]["path"] == "$.consent.child"
