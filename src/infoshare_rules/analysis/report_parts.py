"""What `infoshare check` and `infoshare diff` reports share: facts with their questions, witnesses one
fact to a line, what an undetermined verdict leaves open, and the standalone HTML page around a report.

Question texts and answer labels are read from the fact model's public specs (``INPUT_SPECS``) through
:func:`fact_question` and :func:`answer_label` only, so where the vocabulary comes from can change in
one place. A fact the specs do not know (a protocol's own) is shown by its id.
"""

from __future__ import annotations

import html
from typing import Any, Iterable, Mapping

from ..facts.model import INPUT_SPECS, InputSpec

UNDETERMINED = "undetermined"


# ---------------------------------------------------------------- facts and their questions


def fact_question(name: str, specs: Mapping[str, InputSpec] = INPUT_SPECS) -> str:
    """The question that asks the fact ``group.field`` (its id where the fact model has no question for it).

    ``specs``: the rulesets' facts (``Ruleset.input_specs``), a local protocol's own included.
    """
    spec = specs.get(name)
    return spec.question if spec is not None else name


def answer_label(name: str, value: object, specs: Mapping[str, InputSpec] = INPUT_SPECS) -> str:
    """How the question offers the answer ``value`` (an age is shown with its band)."""
    spec = specs.get(name)
    if spec is None:
        return str(value)
    if isinstance(value, int) and not isinstance(value, bool):
        band = dict(spec.answers).get(_age_band(value))
        return f"{value} ({band})" if band else str(value)
    return dict(spec.answers).get(str(value), str(value))


def _age_band(age: int) -> str:
    return "under_12" if age < 12 else "12_to_15" if age < 16 else "16_to_17" if age < 18 else "18_or_over"


def witness_facts(document: Mapping[str, Mapping[str, object]]) -> list[tuple[str, object]]:
    """A witness (a facts document) as ``(group.field, value)`` pairs in the flowchart's order of questions
    (the fact model's declaration order), facts the model does not know last, by name."""
    flat = [(f"{group}.{field}", value) for group, fields in document.items() for field, value in fields.items()]
    order = {name: n for n, name in enumerate(INPUT_SPECS)}
    return sorted(flat, key=lambda item: (order.get(item[0], len(order)), item[0]))


def witness_text(document: Mapping[str, Mapping[str, object]]) -> list[str]:
    """A witness one fact to a line (``group.field = value``): short lines that never wrap mid-document."""
    return [f"{name} = {value}" for name, value in witness_facts(document)]


# ---------------------------------------------------------------- an undetermined verdict: what is open


def open_text(outcome: Mapping[str, Any], name: str) -> str:
    """What side ``name`` leaves open where it decides ``undetermined`` (the outcome's ``settled`` and ``questions``)."""
    settled: Mapping[str, str] = outcome.get("settled") or {}
    open_ = [c for c, v in settled.items() if v == UNDETERMINED]
    known = [f"{c} = {v}" for c, v in settled.items() if v != UNDETERMINED]
    parts = [f"{name} leaves the verdict undetermined: no verdict rule fires on this case"]
    if open_:
        parts.append(f"; open (no rule reaches them): {', '.join(open_)}")
        if known:
            parts.append(f"; settled: {', '.join(known)}")
    elif known:
        parts.append(f"; every question its verdict rules test is settled ({', '.join(known)}) and no verdict rule covers that combination")
    questions = outcome.get("questions") or []
    if questions:
        parts.append(f"; it asks: {', '.join(questions)}")
    return "".join(parts)


# ---------------------------------------------------------------- diff: regions by transition, largest first


def transition(region: Mapping[str, Any]) -> str:
    """A region's transition in words: ``share -> do_not_share``, ``obligation X gained``."""
    if region["kind"] == "verdict":
        return f"{region['a']} -> {region['b']}"
    return f"obligation {region['a']} {'gained' if region['kind'] == 'obligation_gained' else 'lost'}"


def by_size(regions: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    """Regions largest first; verdict changes before obligations of the same size, then by transition."""
    return sorted(regions, key=lambda r: (-int(r["inputs"]), r["kind"] != "verdict", transition(r)))


def share_of(count: int, total: int) -> str:
    """``count`` as a share of ``total``, for people (never rounded to 0 % or 100 % when it is not)."""
    if not total:
        return "-"
    pct = 100 * count / total
    if 0 < pct < 0.01:
        return "<0.01%"
    if 99.99 < pct < 100:
        return ">99.99%"
    return f"{pct:.2f}%"


# ---------------------------------------------------------------- standalone HTML

CSS = """
*{box-sizing:border-box}
html{-webkit-text-size-adjust:100%}
body{font-family:system-ui,-apple-system,"Segoe UI",sans-serif;max-width:72rem;margin:0 auto;padding:1rem 1.5rem 3rem;
color:#1b1b1b;line-height:1.45;overflow-wrap:anywhere}
h1{font-size:1.5rem;margin:.5rem 0}h2{font-size:1.25rem;border-bottom:1px solid #ccc;padding-bottom:.2rem;margin-top:2rem}
h3{font-size:1.05rem;margin:.2rem 0 .5rem}
.summary{padding:.7rem 1rem;border-left:.3rem solid #1d70b8;background:#f3f7fb}
.clean{border-left-color:#00703c;background:#f0f7f3}
.region,.finding{border:1px solid #ddd;border-radius:.3rem;padding:.5rem 1rem;margin:1rem 0}
.side{margin:.4rem 0}
.meta,.id{color:#505a5f;font-size:.9em}
code{background:#f4f4f4;padding:0 .25rem;border-radius:.2rem;overflow-wrap:anywhere;word-break:break-word}
table{border-collapse:collapse;width:100%;margin:.5rem 0}
td,th{border:1px solid #ccc;padding:.25rem .5rem;text-align:left;vertical-align:top;overflow-wrap:anywhere;word-break:break-word}
th{position:sticky;top:0;background:#e8eef4;z-index:1}
.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
.kind,.kind code{white-space:nowrap;word-break:normal;overflow-wrap:normal}
.witness td:first-child{width:60%}
ul{padding-left:1.4rem}
a{color:#1d70b8}
"""


def e(value: object) -> str:
    """Escaped for HTML text and attribute values: every string a report shows is data (rule text, names)."""
    return html.escape(str(value), quote=True)


def page(title: str, body: Iterable[str]) -> str:
    """A standalone HTML document: inline CSS, no script, nothing fetched."""
    head = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{e(title)}</title><style>{CSS}</style></head><body>",
    ]
    return "\n".join([*head, *body, "</body></html>"]) + "\n"


def witness_table(document: Mapping[str, Mapping[str, object]], specs: Mapping[str, InputSpec] = INPUT_SPECS) -> str:
    """A witness as a table of questions and answers; each fact's id and value in a ``title`` attribute and a
    secondary line."""
    rows = ['<table class="witness"><thead><tr><th scope="col">Question</th><th scope="col">Answer</th></tr></thead><tbody>']
    for name, value in witness_facts(document):
        question = fact_question(name, specs)
        secondary = "" if question == name else f'<br><span class="id"><code>{e(name)}</code></span>'
        rows.append(
            f'<tr title="{e(name)} = {e(value)}"><td>{e(question)}{secondary}</td>'
            f'<td>{e(answer_label(name, value, specs))} <span class="id"><code>{e(value)}</code></span></td></tr>'
        )
    rows.append("</tbody></table>")
    return "".join(rows)
