"""A synthetic local protocol of a given size, for benchmarks/bench_analysis.py: reproducible from a seed.

The rules are the kind a local protocol adds to the national ruleset (guide 4.5, 4.31), over the
national facts and conclusions only, each made from a national rule taken as a template:

  - extra grounds: a national conclude rule's conclusion reached under other conditions (one fact
    condition read at other known values, or one more condition);
  - stricter verdict rules: a national verdict rule with one more condition;
  - extra presumptions: a national conclude rule with one of its fact conditions presumed while unknown
    (``presumes``, with wording: the loader refuses ``unknown`` outside a presumption);
  - overrides: a national rule replaced by a narrower one (``replace``, one more condition), or disabled;
  - obligations of the protocol's own, raised on a verdict and some facts.

Anything touching what must_share rests on is declared under ``weakens`` (the loader refuses silent
weakening). ``total`` counts the national rules too (the protocol's rules as loaded).

usage: python benchmarks/synthetic_protocol.py TOTAL OUT_DIR [--seed N]
"""

from __future__ import annotations

import argparse
import random
from pathlib import Path

import yaml

from infoshare_rules.facts.model import FACT_SPECS, INPUT_SPECS, UNKNOWN
from infoshare_rules.ruleset.loader import load_ruleset, must_share_cone
from infoshare_rules.ruleset.model import STATED, VERDICT_FACT, Rule

NATIONAL = "uk-2006-practitioners-guide"
OBLIGATIONS = 24  # the protocol's own obligations


def _known(fact: str) -> list[str]:
    return [v for v in FACT_SPECS[fact].values if v != UNKNOWN]


def _when(rule: Rule) -> dict[str, object]:
    return {c.fact: (list(c.values) if len(c.values) > 1 else c.values[0]) for c in rule.when}


def _some(rng: random.Random, values: list[str]) -> object:
    """A non-empty proper subset where there is one (one value, or a list)."""
    k = rng.randint(1, max(1, len(values) - 1))
    chosen = sorted(rng.sample(values, k), key=values.index)
    return chosen[0] if len(chosen) == 1 else chosen


def _extra_condition(rng: random.Random, when: dict[str, object], facts: list[str]) -> bool:
    free = [f for f in facts if f not in when]
    if not free:
        return False
    fact = rng.choice(free)
    when[fact] = _some(rng, _known(fact))
    return True


def _disjoint(a: dict[str, object], b: dict[str, object]) -> bool:
    """Whether two rules' conditions can never hold together: some fact both read at disjoint values."""
    def values(v: object) -> set[str]:
        return set(v) if isinstance(v, list) else {str(v)}

    return any(f in b and not values(a[f]) & values(b[f]) for f in a if f in INPUT_SPECS)


def generate(total: int, seed: int = 0) -> dict[str, object]:
    """The protocol's files (ruleset.yaml, paragraphs.yaml, obligations.yaml, rules) as data."""
    national = load_ruleset(NATIONAL)
    rng = random.Random(seed)
    facts = sorted(f for f in national.tested if f in INPUT_SPECS and f != "child.age_band") + ["child.age_band"]
    written = [r for r in national.rules if r.origin != STATED]
    concludes = [r for r in written if r.kind == "conclude" and not r.presumes]
    verdicts = [r for r in written if r.kind == "verdict" and r.name != "must_share"]
    cone_ids, cone_names = must_share_cone(national.rules)
    presumable = [
        (r, c.fact)
        for r in concludes
        for c in r.when
        if c.fact in INPUT_SPECS and UNKNOWN not in c.values and len(c.values) == 1 and c.fact != "child.age_band"
        and national.conclusions[r.name].stated_by is None  # a default would give way to a direct answer the loader reads as unknown
    ]
    replaceable = [r for r in written if not r.presumes and r.kind != "obligation"]
    rng.shuffle(replaceable)
    rules: list[dict[str, object]] = []
    replace: list[dict[str, object]] = []
    disable: list[dict[str, object]] = []
    weakens: list[dict[str, object]] = []
    n = 0

    def wanted() -> int:
        """How many more rules the protocol needs (a replacement takes its national rule's place)."""
        return total - (len(national.rules) - len(disable) - len(replace) + len(rules))

    gone: set[str] = set()

    def may_disable(rule: Rule) -> bool:
        """Whether the ruleset stays valid without it: every conclusion it reads or reaches is read and reached elsewhere."""
        rest = [r for r in written if r.id != rule.id and r.id not in gone]
        names = {c.fact for c in rule.when if c.fact in national.conclusions} | ({rule.name} if rule.kind == "conclude" else set())
        return all(
            any(name in {c.fact for c in r.when} for r in rest) and any(r.kind == "conclude" and r.name == name for r in rest) for name in names
        )

    def cites() -> list[str]:
        return [f"LP-{rng.randint(1, 6)}"]

    def add(rule_id: str, statement: str, when: dict[str, object], then: dict[str, object], **extra: object) -> None:
        rules.append({"id": rule_id, "statement": statement, "cites": cites(), "when": when, "then": then, **extra})

    def then_of(rule: Rule) -> dict[str, object]:
        if rule.kind == "conclude":
            return {"conclude": {rule.name: rule.value}}
        return {rule.kind: rule.name}

    def declare(rule_id: str, name: str) -> None:
        if name in cone_names:
            weakens.append({"what": rule_id, "reason": "(synthetic) a local ground for a statutory duty", "cites": ["LP-6"]})

    # every protocol obligation is raised at least once (the loader refuses one no rule raises)
    for k in range(min(OBLIGATIONS, max(0, wanted()))):
        verdict = rng.choice(["share", "seek_consent", "do_not_share", "seek_advice", "must_share"])
        when: dict[str, object] = {VERDICT_FACT: verdict}
        _extra_condition(rng, when, facts)
        add(f"lp-obligation-{k}", f"(synthetic) On {verdict}, a local step.", when, {"obligation": f"local_step_{k}"})
        n += 1
    while wanted() > 0:
        kind = rng.choices(["ground", "verdict", "presume", "override", "obligation", "disable"], [40, 15, 10, 10, 23, 2])[0]
        if kind == "ground":
            template = rng.choice(concludes)
            when = _when(template)
            fact_conds = [f for f in when if f in INPUT_SPECS and f != "child.age_band"]
            if fact_conds and rng.random() < 0.5:
                fact = rng.choice(fact_conds)
                when[fact] = _some(rng, _known(fact))
            elif not _extra_condition(rng, when, facts):
                continue
            # a local ground is not a conflict: it never fires with a rule reaching another value of the conclusion
            others = [_when(r) for r in national.rules if r.kind == "conclude" and r.name == template.name and r.value != template.value]
            others += [r["when"] for r in rules if r["then"] != then_of(template) and "conclude" in r["then"] and template.name in r["then"]["conclude"]]  # type: ignore[operator]
            if not all(_disjoint(when, o) for o in others):  # type: ignore[arg-type]
                continue
            rule_id = f"lp-ground-{n}"
            add(rule_id, f"(synthetic) A local ground: {template.name} = {template.value}.", when, then_of(template))
            declare(rule_id, template.name)
        elif kind == "verdict":
            template = rng.choice(verdicts)
            when = _when(template)
            if not _extra_condition(rng, when, facts):
                continue
            add(f"lp-verdict-{n}", f"(synthetic) A local route to {template.name}.", when, then_of(template))
        elif kind == "presume":
            template, fact = rng.choice(presumable)
            when = _when(template)
            value = str(when[fact])
            when[fact] = UNKNOWN
            rule_id = f"lp-presume-{n}"
            add(
                rule_id,
                f"(synthetic) Locally, {fact} is presumed {value} while unknown.",
                when,
                then_of(template),
                presumes={fact: value},
                wording=f"(synthetic) Unless known otherwise, {fact} is taken as {value}.",
            )
            declare(rule_id, template.name)
        elif kind in ("override", "disable"):
            if not replaceable:
                continue
            template = replaceable.pop()
            if kind == "disable":
                if wanted() < 2 or not may_disable(template):
                    continue
                gone.add(template.id)
                disable.append({"rule": template.id, "reason": "(synthetic) not followed locally", "cites": cites()})
            else:
                when = _when(template)
                if not _extra_condition(rng, when, facts):
                    continue
                rules.append({"id": template.id, "statement": f"(synthetic) {template.id}, narrowed locally.", "cites": cites(), "when": when, "then": then_of(template)})
                replace.append({"rule": template.id, "reason": "(synthetic) narrowed locally", "cites": cites()})
            if template.id in cone_ids:
                weakens.append({"what": template.id, "reason": "(synthetic) changed locally", "cites": ["LP-6"]})
            continue
        else:
            verdict = rng.choice(["share", "seek_consent", "do_not_share", "seek_advice", "must_share"])
            when = {VERDICT_FACT: verdict}
            for _ in range(rng.randint(1, 2)):
                _extra_condition(rng, when, facts)
            add(f"lp-obligation-{n}", f"(synthetic) On {verdict}, a local step.", when, {"obligation": f"local_step_{rng.randrange(OBLIGATIONS)}"})
        n += 1
    paragraphs = {
        f"LP-{k}": {"heading": f"Synthetic protocol section {k}", "text": f"(Synthetic benchmark text, not policy.) Section {k}."} for k in range(1, 7)
    }
    raised = {r["then"]["obligation"] for r in rules if "obligation" in r["then"]}  # type: ignore[operator,index]
    obligations = {
        f"local_step_{k}": {"text": f"(synthetic) Local step {k}.", "cites": ["LP-1"]} for k in range(OBLIGATIONS) if f"local_step_{k}" in raised
    }
    meta: dict[str, object] = {
        "id": f"synthetic-{total}",
        "title": f"Synthetic local protocol ({total} rules with the national ruleset's), seed {seed}",
        "version": "0.0.1",
        "extends": NATIONAL,
        "source": {"title": "Synthetic benchmark protocol (not policy)", "reference": f"SYNTHETIC-{total}-{seed}"},
    }
    if disable:
        meta["disable"] = disable
    if replace:
        meta["replace"] = replace
    if weakens:
        meta["weakens"] = list({w["what"]: w for w in weakens}.values())
    return {"ruleset.yaml": meta, "paragraphs.yaml": paragraphs, "obligations.yaml": obligations, "rules/10-synthetic.yaml": rules}


def write_protocol(total: int, out: Path, seed: int = 0) -> Path:
    """Write the protocol folder ``out/synthetic-<total>`` and return it."""
    files = generate(total, seed)
    folder = out / f"synthetic-{total}"
    (folder / "rules").mkdir(parents=True, exist_ok=True)
    for name, data in files.items():
        (folder / name).write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=200))
    return folder


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("total", type=int)
    parser.add_argument("out", type=Path)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    folder = write_protocol(args.total, args.out, args.seed)
    print(f"{folder}: {len(load_ruleset(folder).rules)} rules")


if __name__ == "__main__":
    main()
