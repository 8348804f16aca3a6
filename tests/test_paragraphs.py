"""The paragraph texts in paragraphs.yaml must be verbatim quotes of the 2006 guide.

The guide's extracted text is in the repository, ``guidance/practitioners-guide-2006.txt``
(Crown copyright, under the Open Government Licence v3.0: ``guidance/NOTICE``), so these tests
run in every clone and never skip.
"""

import re
from pathlib import Path

import pytest
import yaml

REPO = Path(__file__).resolve().parents[1]
PARAGRAPHS = REPO / "rulesets" / "uk-2006-practitioners-guide" / "paragraphs.yaml"
GUIDE = REPO / "guidance" / "practitioners-guide-2006.txt"

NUMBERED_IDS = (
    [f"1.{n}" for n in range(1, 5)]
    + [f"3.{n}" for n in range(1, 22)]
    + [f"4.{n}" for n in range(1, 33)]
)
EXPECTED_IDS = NUMBERED_IDS + ["2", "flowchart", "glossary"]

# The brief fixes this heading; the guide prints it as "Further information to
# inform decisionmaking" (the hyphen was lost at a line break in the PDF).
HEADINGS_NOT_IN_GUIDE = {"4.1"}

# Text that ends a section, following its last paragraph in the guide.
FOLLOWED_BY = {
    "1.4": "2. Six key points",
    "3.21": "4. Further information",
    "4.32": "Flowchart of key principles",
    "2": "3. Core guidance",
    "glossary": "Other resources:",
}
# Margin call-outs that the PDF extraction interleaves with the running text.
SIDEBARS = (
    "GO TO www.ecm.gov.uk/informationsharing",
    "SEE THE Back cover for available resources",
)

QUOTES = str.maketrans({"\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"'})
BULLET = re.compile(r"^\s*(?:- |●|–(?=\s|$))\s*")
ARTEFACT_LINE = re.compile(r"^\s*(?:\d{1,3}|PHOTO REDACTED\b.*)\s*$")
PARA_REF = re.compile(r"\s*(\(para [^)]*\))\s*")


def normalise(text, *, guide=False):
    """Drop layout: bullet markers, (in the guide) page numbers and photo
    placeholders, curly quotes, and all runs of whitespace."""
    kept = []
    for line in text.translate(QUOTES).splitlines():
        if guide and ARTEFACT_LINE.match(line):
            continue
        kept.append(BULLET.sub("", line, count=1))
    return " ".join(" ".join(kept).split())


def runs(paragraph_id, text):
    """The bullets / sentence-runs of a paragraph: one per line. Flowchart boxes
    are also split at their "(para ...)" references, because the guide puts
    Yes/No arrow labels between a box's question and its reference."""
    parts = []
    for line in text.splitlines():
        pieces = PARA_REF.split(line) if paragraph_id == "flowchart" else [line]
        parts += [normalise(p) for p in pieces if normalise(p)]
    return parts


@pytest.fixture(scope="module")
def paragraphs():
    with PARAGRAPHS.open(encoding="utf-8") as fh:
        return yaml.safe_load(fh)


@pytest.fixture(scope="module")
def guide():
    assert GUIDE.is_file(), f"the guide's text is missing from the repository: {GUIDE}"
    return normalise(GUIDE.read_text(encoding="utf-8"), guide=True)


def test_all_paragraphs_present_with_heading_and_text(paragraphs):
    assert isinstance(paragraphs, dict)
    assert all(isinstance(k, str) for k in paragraphs), "ids must be quoted strings"
    missing = [i for i in EXPECTED_IDS if i not in paragraphs]
    assert not missing, f"missing paragraph ids: {missing}"
    for pid in EXPECTED_IDS:
        entry = paragraphs[pid]
        assert isinstance(entry, dict) and set(entry) == {"heading", "text"}, pid
        for field in ("heading", "text"):
            assert isinstance(entry[field], str) and entry[field].strip(), (pid, field)


@pytest.mark.parametrize("pid", EXPECTED_IDS)
def test_every_run_is_verbatim(paragraphs, guide, pid):
    """Each bullet / sentence-run appears word for word in the guide, and (for
    the flowchart) in reading order."""
    pos = 0
    for run in runs(pid, paragraphs[pid]["text"]):
        assert run in guide, f"{pid}: not verbatim in the guide: {run!r}"
        if pid == "flowchart":
            found = guide.find(run, pos)
            assert found >= 0, f"flowchart box out of order: {run!r}"
            pos = found + len(run)


@pytest.mark.parametrize("pid", [i for i in EXPECTED_IDS if i != "flowchart"])
def test_paragraph_is_whole_and_complete(paragraphs, guide, pid):
    """The whole text is one contiguous quote that starts right after the
    paragraph number (or heading) and runs up to the next paragraph, so that no
    sentence or bullet is dropped, added or reordered."""
    ids = NUMBERED_IDS
    text = normalise(paragraphs[pid]["text"])
    if pid in ids:
        anchor = f"{pid} {text}"
    else:
        anchor = f"{normalise(paragraphs[pid]['heading'])} {text}"
    assert guide.count(anchor) == 1, f"{pid}: text is not a contiguous quote of the guide"
    rest = guide[guide.index(anchor) + len(anchor):].lstrip()
    changed = True
    while changed:
        changed = False
        for sidebar in SIDEBARS:
            if rest.startswith(sidebar):
                rest, changed = rest[len(sidebar):].lstrip(), True
    if pid in FOLLOWED_BY:
        expected = FOLLOWED_BY[pid]
    else:
        nxt = ids[ids.index(pid) + 1]
        expected = f"{nxt} "
        if paragraphs[nxt]["heading"] != paragraphs[pid]["heading"]:
            expected = f"{normalise(paragraphs[nxt]['heading'])} {nxt} "
    assert rest.startswith(expected), (
        f"{pid}: guide continues with {rest[:80]!r}, expected {expected!r} "
        "(paragraph truncated, or wrong heading on the next one?)"
    )


def test_flowchart_is_complete(paragraphs, guide):
    """The flowchart's boxes are exactly the guide's flowchart page minus the
    Yes/No arrow labels."""
    start = guide.index("Flowchart of key principles for information sharing")
    end = guide.index("Annex A:", start)
    page = guide[start:end].removeprefix("Flowchart of key principles for information sharing")
    boxes = " ".join(re.sub(r"\b(?:Yes|No)\b", " ", page).split())
    assert normalise(paragraphs["flowchart"]["text"]) == boxes


@pytest.mark.parametrize("pid", EXPECTED_IDS)
def test_heading_is_from_the_guide(paragraphs, guide, pid):
    """Headings are the guide's own. For numbered paragraphs, the first one
    under a heading must follow that heading directly (later ones are covered by
    test_paragraph_is_whole_and_complete, which allows no heading in between)."""
    heading = normalise(paragraphs[pid]["heading"])
    if pid in HEADINGS_NOT_IN_GUIDE:
        assert heading == "Further information to inform decision-making"
        assert "4. Further information to inform decisionmaking 4.1 " in guide
        return
    if pid not in NUMBERED_IDS:
        assert heading in guide
        return
    i = NUMBERED_IDS.index(pid)
    if i == 0 or paragraphs[NUMBERED_IDS[i - 1]]["heading"] != paragraphs[pid]["heading"]:
        assert f"{heading} {pid} " in guide, f"{pid}: heading does not precede it"
