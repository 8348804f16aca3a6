"""The reports of `infoshare check` and `infoshare diff` (issue 17, item 5): HTML pages that fit a 1,280 px
window (checked in headless Chromium, with a screenshot), the summary of regions largest first, facts shown
with their questions, undetermined sides saying what is open, text that never wraps a witness, and case
tables never cut in files."""

from __future__ import annotations

import json
import os
import re
import shutil
import struct
import subprocess
import sys
from pathlib import Path

import pytest

from infoshare_rules.analysis.check import check_ruleset
from infoshare_rules.analysis.check_report import check_html, check_text
from infoshare_rules.analysis.diff import diff_rulesets
from infoshare_rules.analysis.diff_report import diff_dict, diff_html, diff_markdown, diff_text
from infoshare_rules.analysis.report_parts import answer_label, by_size, fact_question, open_text, share_of, witness_table, witness_text
from infoshare_rules.facts.model import INPUT_SPECS
from infoshare_rules.ruleset.loader import load_ruleset

from browser import dump_dom, layout, screenshot

ROOT = Path(__file__).resolve().parents[1]
NATIONAL = ROOT / "rulesets" / "uk-2006-practitioners-guide"
PROTOCOL = ROOT / "examples" / "local-protocols" / "example-written-consent"
CASES = ROOT / "examples" / "local-protocols"
WIDTH = 1280


def infoshare(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "infoshare_rules", *args], capture_output=True, text=True, timeout=300, cwd=ROOT)


@pytest.fixture(scope="module")
def protocol_diff():
    return diff_rulesets(load_ruleset(NATIONAL), load_ruleset(PROTOCOL), cases=[CASES])


@pytest.fixture(scope="module")
def undetermined_diff(tmp_path_factory):
    """The national ruleset against a copy without its only do_not_share rule for no legitimate purpose: where
    the copy reaches no verdict, the report says what is open (it said "because: none")."""
    folder = tmp_path_factory.mktemp("gap") / NATIONAL.name
    shutil.copytree(NATIONAL, folder)
    rules = folder / "rules" / "01-legitimate-purpose.yaml"
    text = rules.read_text()
    start = text.index("- id: no-legitimate-purpose-do-not-share")
    rules.write_text(text[:start])
    return diff_rulesets(load_ruleset(NATIONAL), load_ruleset(folder))


def _png_size(png: Path) -> tuple[int, int]:
    data = png.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", data[16:24])


def _fits(page: Path, tmp_path: Path) -> None:
    """The page in headless Chromium, 1,280 px wide: no horizontal overflow, no element outside the viewport
    or overflowing its box; and a screenshot of it (kept under $INFOSHARE_SCREENSHOTS when set)."""
    box = layout(page, tmp_path / "profile", width=WIDTH)
    assert box["innerWidth"] == WIDTH, box
    assert box["scrollWidth"] <= WIDTH and box["scrollWidth"] <= box["clientWidth"], box
    assert box["overflowing"] == [], box
    assert box["elements"] > 50, box  # the probe saw the report, not an empty page
    png = screenshot(page, tmp_path / (page.stem + ".png"), tmp_path / "profile", width=WIDTH)
    assert _png_size(png)[0] == WIDTH
    keep = os.environ.get("INFOSHARE_SCREENSHOTS")
    if keep:
        Path(keep).mkdir(parents=True, exist_ok=True)
        shutil.copy(png, Path(keep) / png.name)


# ---------------------------------------------------------------- HTML in Chromium at 1,280 px


def test_check_html_fits_1280px_in_headless_chromium(tmp_path):
    result = infoshare("check", "--format", "html", str(PROTOCOL), "-o", str(tmp_path / "check.html"))
    assert result.returncode == 1, result.stderr
    assert result.stdout == ""
    page = tmp_path / "check.html"
    dom = dump_dom(page, tmp_path / "profile")
    assert "<h1>infoshare check example-written-consent 0.1.0</h1>" in dom
    assert 'id="summary"' in dom and "2 finding(s)." in dom
    assert "makes_contradictory" in dom and "weakens_must_share" in dom
    # witnesses as questions and answers, the protocol's own facts with its own wording
    assert fact_question("consent.good_reason_not_to_seek") in dom
    assert 'title="consent.good_reason_not_to_seek = no"' in dom
    assert 'title="local.seeking_consent_would_put_staff_at_risk = yes"' in dom
    assert "(EXAMPLE protocol) Would seeking consent put a member of staff at risk" in dom
    assert '<table id="regions">' in dom and "contradictory_facts" in dom
    _fits(page, tmp_path)


def test_diff_html_fits_1280px_in_headless_chromium(tmp_path, protocol_diff):
    page = tmp_path / "diff.html"
    page.write_text(diff_html(protocol_diff), encoding="utf-8")
    dom = dump_dom(page, tmp_path / "profile")
    assert dom.index('id="summary"') < dom.index('id="transitions"') < dom.index("What was edited") < dom.index('class="region"')
    assert '<table id="cases">' in dom and "implied-consent-not-relied-on-locally" in dom
    assert fact_question("consent.form") in dom
    _fits(page, tmp_path)


def test_diff_html_of_an_undetermined_side_fits_1280px(tmp_path, undetermined_diff):
    page = tmp_path / "undetermined.html"
    page.write_text(diff_html(undetermined_diff), encoding="utf-8")
    dom = dump_dom(page, tmp_path / "profile")
    assert "B leaves the verdict undetermined" in dom and "because: none" not in dom
    assert "What its verdict rules test" in dom
    _fits(page, tmp_path)


def test_html_pages_are_standalone_and_have_sticky_table_headers(protocol_diff):
    report = check_ruleset(load_ruleset(PROTOCOL))
    for page in (diff_html(protocol_diff), check_html(report)):
        assert not re.search(r"""(src|href)\s*=\s*(?!["']?#)|@import|url\(|<script""", page, re.I)
        assert "th{position:sticky;top:0" in page
        assert "<thead>" in page


def test_html_escapes_rule_text_and_case_names(tmp_path):
    """Rule statements, paragraph headings and case names are user data: shown, never markup."""
    folder = tmp_path / "example-written-consent"
    shutil.copytree(PROTOCOL, folder)
    for path in (folder / "rules").glob("*.yaml"):
        text = path.read_text()
        path.write_text(re.sub(r"(statement: )(>\n\s*)?", r"\1\2<script>alert(1)</script> & <b>bold</b> ", text, count=1))
    cases = tmp_path / "<img src=x onerror=alert(1)>.cases.yaml"  # case names are plain; a file name may be anything
    shutil.copy(CASES / "example-written-consent.cases.yaml", cases)
    protocol = load_ruleset(folder)
    assert any("<script>" in r.statement for r in protocol.rules)
    pages = [check_html(check_ruleset(protocol)), diff_html(diff_rulesets(load_ruleset(NATIONAL), protocol, cases=[cases]))]
    assert "&lt;img src=x onerror=alert(1)&gt;" in pages[1]
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; &lt;b&gt;bold&lt;/b&gt;" in pages[0] + pages[1]
    for page in pages:
        assert "<script" not in page and "<img" not in page and "<b>" not in page


# ---------------------------------------------------------------- summary: regions by transition, largest first


def test_summary_orders_regions_largest_first():
    regions = [
        {"kind": "obligation_gained", "a": "o1", "b": "o1", "inputs": 5},
        {"kind": "verdict", "a": "share", "b": "do_not_share", "inputs": 7},
        {"kind": "obligation_lost", "a": "o2", "b": "o2", "inputs": 7},
        {"kind": "verdict", "a": "share", "b": "seek_consent", "inputs": 100},
    ]
    ordered = [(r["kind"], r["a"]) for r in by_size(regions)]
    # largest first; of the same size, a verdict change before an obligation
    assert ordered == [("verdict", "share"), ("verdict", "share"), ("obligation_lost", "o2"), ("obligation_gained", "o1")]
    assert by_size(regions)[0]["b"] == "seek_consent"
    assert share_of(1, 10**6) == "<0.01%" and share_of(999_999, 10**6) == ">99.99%" and share_of(1, 4) == "25.00%" and share_of(1, 0) == "-"


def test_every_format_shows_the_summary_largest_first(protocol_diff):
    d = diff_dict(protocol_diff)
    counts = sorted((r["inputs"] for r in d["behaviour"]["regions"]), reverse=True)
    html_page = diff_html(protocol_diff)
    table = html_page[html_page.index('<table id="transitions">') : html_page.index("</table>", html_page.index('<table id="transitions">'))]
    shown = [int(n.replace(",", "")) for n in re.findall(r'<td class="num">([\d,]+)</td>', table)]
    assert shown == counts and len(shown) == len(d["behaviour"]["regions"])
    assert "share -&gt; seek_consent" in table  # transitions, e.g. share -> seek_consent
    text = diff_text(protocol_diff)
    block = text[text.index("Regions by transition, largest first") :].split("\n\n")[0].splitlines()[1:]
    assert [int(re.search(r": ([\d,]+) \(", line).group(1).replace(",", "")) for line in block] == counts
    md = diff_markdown(protocol_diff)
    assert "| transition | complete cases | share |" in md
    # the regions' details follow the same order
    headings = [int(n.replace(",", "")) for n in re.findall(r"<small>\(([\d,]+) complete cases", html_page)]
    assert headings == counts


# ---------------------------------------------------------------- labels


def test_facts_are_shown_by_their_questions_and_answer_labels():
    spec = INPUT_SPECS["consent.form"]
    assert fact_question("consent.form") == spec.question
    assert answer_label("consent.form", "explicit_oral") == dict(spec.answers)["explicit_oral"] == "Explicit oral"
    assert answer_label("child.age", 17) == "17 (16 to 17)" and answer_label("child.age", 8) == "8 (under 12)"
    # a fact the model does not know (a protocol's own): its id and value
    assert fact_question("local.some_fact") == "local.some_fact" and answer_label("local.some_fact", "yes") == "yes"
    table = witness_table({"consent": {"form": "explicit_oral"}, "local": {"x": "y"}})
    assert spec.question.replace("'", "&#x27;") in table and ">Explicit oral <" in table
    assert 'title="consent.form = explicit_oral"' in table and "<code>consent.form</code>" in table
    assert "<td>local.x<" in table  # no question known: the id, once


def test_witness_text_is_one_fact_a_line_in_the_flowcharts_order():
    lines = witness_text({"harm": {"child": "none"}, "purpose": {"legitimate": "yes"}, "child": {"age": 18}, "local": {"a": "b"}})
    assert lines == ["purpose.legitimate = yes", "child.age = 18", "harm.child = none", "local.a = b"]


# ---------------------------------------------------------------- undetermined: what is open


def test_open_text_says_what_is_open():
    outcome = {"verdict": "undetermined", "settled": {"legitimate_purpose": "no", "confidential": "undetermined"}, "questions": ["purpose.legitimate"]}
    text = open_text(outcome, "B")
    assert text.startswith("B leaves the verdict undetermined: no verdict rule fires on this case")
    assert "open (no rule reaches them): confidential" in text and "settled: legitimate_purpose = no" in text
    assert "it asks: purpose.legitimate" in text
    closed = open_text({"verdict": "undetermined", "settled": {"legitimate_purpose": "no"}, "questions": []}, "A")
    assert "every question its verdict rules test is settled (legitimate_purpose = no)" in closed


def test_an_undetermined_side_says_what_is_open_not_because_none(undetermined_diff):
    d = diff_dict(undetermined_diff)
    gap = next(r for r in d["behaviour"]["regions"] if r["kind"] == "verdict" and r["b"] == "undetermined")
    assert gap["a"] == "do_not_share"
    assert gap["b_outcome"]["settled"]["legitimate_purpose"] == "no"  # the JSON says it too
    assert gap["b_outcome"]["settled"]["required_by_law"] == "no"
    assert "settled" not in gap["a_outcome"]
    for rendered in (diff_text(undetermined_diff), diff_markdown(undetermined_diff), diff_html(undetermined_diff)):
        assert "because: none" not in rendered
        assert "B leaves the verdict undetermined: no verdict rule fires on this case" in rendered
        assert "legitimate_purpose = no" in rendered
    # an obligation region on such a case still says the obligation is not raised
    assert re.search(r"B leaves the verdict undetermined: .*; record_decision_and_reasons not raised", diff_text(undetermined_diff))


# ---------------------------------------------------------------- text: never wrapped; --cases never cut in files


def test_text_reports_never_wrap_a_witness(protocol_diff):
    for text in (diff_text(protocol_diff), check_text(check_ruleset(load_ruleset(PROTOCOL)))):
        assert "{" not in text  # no JSON documents: one fact a line
        witness = [line.strip() for line in text.splitlines() if line.startswith("      ") and " = " in line and ":" not in line]
        assert witness and all(re.fullmatch(r"[a-z_]+\.[a-z_]+ = [\w-]+", line) for line in witness), witness[:5]
        assert not any(line.startswith('"') for line in text.splitlines())
        assert "Behaviour changes on" not in text or any(line.startswith("  Behaviour changes on") and line.endswith("regions.") for line in text.splitlines())


def test_cases_written_to_a_file_or_a_pipe_are_never_cut(tmp_path):
    out = tmp_path / "diff.txt"
    to_file = infoshare("diff", "--cases", "examples/local-protocols", "uk-2006-practitioners-guide", str(PROTOCOL), "-o", str(out))
    piped = infoshare("diff", "--cases", "examples/local-protocols", "uk-2006-practitioners-guide", str(PROTOCOL))
    assert to_file.returncode == piped.returncode == 1, to_file.stderr + piped.stderr
    assert out.read_text(encoding="utf-8") == piped.stdout
    text = piped.stdout
    assert "…" not in text and "..." not in text
    assert "implied-consent-not-relied-on-locally  (examples/local-protocols/example-written-consent.cases.yaml): share -> seek_consent" in text
    assert "obligations lost: check_accurate_and_up_to_date, distinguish_fact_from_opinion," in text


def test_cases_on_a_narrow_terminal_fold_rather_than_cut(protocol_diff):
    text = diff_text(protocol_diff, width=80)
    table = text[text.index("Cases:") :]
    assert "┃ case" in table  # the table, on a terminal
    assert "…" not in table and "..." not in table
    assert all(len(line) <= 80 for line in table.splitlines())
    first_column = "".join(line.split("│")[1].strip() for line in table.splitlines() if line.startswith("│"))
    assert "implied-consent-not-relied-on-locally" in first_column  # folded over lines within its column


def test_check_html_has_the_same_content_as_json():
    result = infoshare("check", "--format", "json", str(PROTOCOL))
    report = json.loads(result.stdout)
    page = check_html(check_ruleset(load_ruleset(PROTOCOL)))
    for finding in report["findings"]:
        assert finding["kind"] in page and f"{finding['inputs']:,}" in page
        for rule in finding["rules"]:
            assert rule in page
    for name, count in report["verdict_regions"]["by_outcome"].items():
        assert f"<code>{name}</code></td><td class=\"num\">{count:,}</td>" in page
