"""Conditions as a policy officer writes them, read and normalized once at load.

A rule's ``when`` is a *condition set*: a mapping whose entries must all hold. An entry is

* a fact test, ``fact: value`` or ``fact: [value, value]`` (the fact has one of the values);
* ``any: [set, set, ...]``: at least one of these condition sets holds;
* ``not: set``: this condition set (as a whole) does not hold.

``any`` and ``not`` nest: each set inside them is a condition set of its own. For example::

    when:
      information.confidential: yes
      any:
        - {harm.child: evidence}
        - {harm.serious_crime: yes}
      not: {have_consent: yes}

``not`` holds only where the facts *show* that what it negates does not hold: a fact not given is
unknown, not "no", and a conclusion no rule reached is undetermined, not its other value. So
``not: {consent.form: explicit_written}`` holds for ``explicit_oral`` and ``implied``, not while the
form is unknown; ``not: {have_consent: yes}`` holds where ``have_consent`` is ``no``, not where it is
undetermined. (Formally: three-valued logic, with ``unknown`` and ``undetermined`` the third value,
and a rule fires only where its condition is true.) To act on an unknown fact, state the default as
a presumption; to act on an undetermined conclusion, test ``undetermined`` itself. ``unknown`` may
therefore not be tested inside ``any:`` or ``not:`` at all: only at the top of a presumption's
``when`` (see ``_refuse_hidden_defaults`` in the loader).

The loader normalizes such a ``when`` to a disjunction of conjunctions of fact tests (negation
pushed to the fact tests by De Morgan's laws, each negated test replaced by the other *known* values
of its fact): the ``alternatives`` of ``ruleset.model.Rule``, which every engine and the BDD
analysis read. Nothing is evaluated at run time but fact tests.
"""

from __future__ import annotations

from typing import Any, Callable, Iterable, Union

import attrs

from ..errors import RulesetError, describe_name, describe_value, suggest
from ..facts.model import UNKNOWN
from .model import UNDETERMINED, Condition
from .yaml_lines import LineDict

ANY, NOT = "any", "not"
#: a when may normalize to at most this many alternatives (each a conjunction of fact tests)
MAX_ALTERNATIVES = 64
#: any:/not: nest at most this deep
MAX_DEPTH = 6


@attrs.frozen
class Test:
    fact: str
    values: tuple[str, ...]


@attrs.frozen
class AllOf:
    """A condition set: every term holds."""

    terms: tuple["Term", ...]


@attrs.frozen
class AnyOf:
    options: tuple[AllOf, ...]


@attrs.frozen
class NotOf:
    body: AllOf


Term = Union[Test, AnyOf, NotOf]
#: one alternative: fact -> the values it may have (insertion order: the order the facts are first tested)
Alternative = dict[str, frozenset[str]]


class ConditionReader:
    """Reads condition sets of one rule, with errors naming the file and line and what was expected."""

    def __init__(self, what: str, file: str, domain: Callable[[str], tuple[str, ...] | None], names: Callable[[], Iterable[str]]) -> None:
        self.what, self.file, self.domain, self.names = what, file, domain, names

    def error(self, message: str, line: int | None, suggestion: str | None = None) -> RulesetError:
        return RulesetError(f"{self.what}: {message}", file=self.file, line=line, suggestion=suggestion)

    def read(self, raw: Any, line: int | None, where: str = "'when'", depth: int = 0) -> AllOf:
        if not isinstance(raw, LineDict) or not raw:
            raise self.error(
                f"{where} must be a non-empty mapping of fact: value(s), with any: [...] and not: {{...}} if needed, "
                f"got {describe_value(raw)}",
                getattr(raw, "line", line),
            )
        terms: list[Term] = []
        for name, wanted in raw.items():
            kline = raw.key_lines.get(name, line)
            if name == ANY:
                terms.append(self._any(wanted, kline, depth + 1))
            elif name == NOT:
                terms.append(self._not(wanted, kline, depth + 1))
            else:
                terms.append(self._test(name, wanted, kline, inside=depth > 0))
        return AllOf(tuple(terms))

    def _nested(self, depth: int, line: int | None) -> None:
        if depth > MAX_DEPTH:
            raise self.error(f"any: and not: nest at most {MAX_DEPTH} deep; split the rule", line)

    def _any(self, raw: Any, line: int | None, depth: int) -> AnyOf:
        self._nested(depth, line)
        example = "any: [{harm.child: evidence}, {harm.serious_crime: yes}]"
        if not isinstance(raw, list):
            raise self.error(f"'any' must be a list of condition sets, one of which must hold (e.g. {example}); got {describe_value(raw)}", line)
        if not raw:
            raise self.error(f"'any' must list at least one condition set (e.g. {example})", line)
        options = []
        for n, item in enumerate(raw):
            options.append(self.read(item, getattr(item, "line", line), where=f"'any' item {n + 1}", depth=depth))
        return AnyOf(tuple(options))

    def _not(self, raw: Any, line: int | None, depth: int) -> NotOf:
        self._nested(depth, line)
        if not isinstance(raw, LineDict) or not raw:
            hint = " (to say none of several holds, write not: {any: [{...}, {...}]})" if isinstance(raw, list) else ""
            raise self.error(f"'not' must be one non-empty condition set (a mapping), got {describe_value(raw)}{hint}", line)
        return NotOf(self.read(raw, line, where="'not'", depth=depth))

    def _test(self, name: Any, wanted: Any, line: int | None, inside: bool) -> Test:
        domain = self.domain(name) if isinstance(name, str) else None
        if domain is None:
            names = [*self.names(), ANY, NOT]
            raise self.error(
                f"unknown fact or conclusion {describe_name(name)} (or the keys any, not)", line, suggestion=suggest(str(name), names)
            )
        values = _values(wanted, self.file, line, f"{self.what}: {name}")
        for value in values:
            if value not in domain:
                raise self.error(f"{name} has no value {describe_name(value)}; allowed: {', '.join(domain)}", line, suggestion=suggest(value, domain))
        if inside and UNKNOWN in values:
            raise self.error(
                f"{name} lists {UNKNOWN!r} inside any: or not:; a rule reads known values (an unknown fact is decided by "
                "cases), and a presumption tests unknown only at the top of its when",
                line,
            )
        return Test(str(name), values)


def _values(value: Any, file: str, line: int | None, what: str) -> tuple[str, ...]:
    return str_list(value, file, line, what)


def str_list(value: Any, file: str, line: int | None, what: str) -> tuple[str, ...]:
    """A value or a list of values, as text (the loader reads every list of values, paragraphs included, with this)."""
    items = value if isinstance(value, list) else [value]
    out = []
    for item in items:
        if isinstance(item, (int, float)) and not isinstance(item, bool):
            # an unquoted 4.30 reaches us as 4.3: never guess which paragraph was meant
            shown = describe_value(item)
            raise RulesetError(f'{what}: {shown} must be quoted text, e.g. "{shown}"', file=file, line=line)
        if not isinstance(item, str) or item.strip() == "":
            raise RulesetError(f"{what}: expected text values, got {describe_value(item)}", file=file, line=line)
        out.append(item)
    if not out:
        raise RulesetError(f"{what}: must not be empty", file=file, line=line)
    return tuple(out)


def has_connectives(tree: AllOf) -> bool:
    return any(not isinstance(t, Test) for t in tree.terms)


def facts_tested(tree: AllOf) -> list[str]:
    out: list[str] = []
    for term in tree.terms:
        if isinstance(term, Test):
            out.append(term.fact)
        elif isinstance(term, AnyOf):
            for option in term.options:
                out += facts_tested(option)
        else:
            out += facts_tested(term.body)
    return out


def normalize(tree: AllOf, domain: Callable[[str], tuple[str, ...]]) -> list[Alternative]:
    """The alternatives (a disjunction of conjunctions) where ``tree`` is true, redundant ones dropped.

    Negation is pushed to the fact tests (De Morgan); a negated test allows the fact's other values
    except ``unknown`` and ``undetermined`` (a fact not known does not satisfy a not:). Raises
    ``ValueError`` when there would be more than ``MAX_ALTERNATIVES``.
    """
    return _dnf(tree, False, domain)


def _gapless_complement(values: Iterable[str], domain: tuple[str, ...]) -> frozenset[str]:
    excluded = set(values) | {UNKNOWN, UNDETERMINED}
    return frozenset(v for v in domain if v not in excluded)


def _dnf(node: AllOf | Term, negated: bool, domain: Callable[[str], tuple[str, ...]]) -> list[Alternative]:
    if isinstance(node, Test):
        values = _gapless_complement(node.values, domain(node.fact)) if negated else frozenset(node.values)
        return [{node.fact: values}] if values else []
    if isinstance(node, NotOf):
        return _dnf(node.body, not negated, domain)
    parts: Iterable[AllOf | Term] = node.terms if isinstance(node, AllOf) else node.options
    conjunction = isinstance(node, AllOf) != negated  # not(all) is any(not); not(any) is all(not)
    if conjunction:
        result: list[Alternative] = [{}]
        for part in parts:
            result = _prune([_meet(a, b) for a in result for b in _dnf(part, negated, domain)])
            if not result:
                return []
    else:
        result = []
        for part in parts:
            result = _prune(result + _dnf(part, negated, domain))
    return result


def _meet(a: Alternative, b: Alternative) -> Alternative | None:
    out = dict(a)
    for fact, values in b.items():
        both = out[fact] & values if fact in out else values
        if not both:
            return None
        out[fact] = both
    return out


def _covers(general: Alternative, specific: Alternative) -> bool:
    """Whether every input meeting ``specific`` meets ``general``."""
    return all(fact in specific and specific[fact] <= values for fact, values in general.items())


def _prune(alternatives: Iterable[Alternative | None]) -> list[Alternative]:
    kept: list[Alternative] = []
    for alt in alternatives:
        if alt is None or any(_covers(k, alt) for k in kept):
            continue
        kept = [k for k in kept if not _covers(alt, k)] + [alt]
    if len(kept) > MAX_ALTERNATIVES:
        raise ValueError(len(kept))
    return kept


def conditions(alternative: Alternative, domain: Callable[[str], tuple[str, ...]]) -> tuple[Condition, ...]:
    """An alternative as conditions, each fact's values in the order its domain declares them."""
    return tuple(Condition(fact, tuple(v for v in domain(fact) if v in values)) for fact, values in alternative.items())


def projection(alternatives: tuple[tuple[Condition, ...], ...], domain: Callable[[str], tuple[str, ...]]) -> tuple[Condition, ...]:
    """One condition per fact the alternatives read: every value it has in some alternative, its whole domain
    where some alternative does not test it. It holds wherever one of the alternatives holds."""
    order: dict[str, set[str]] = {}
    for alternative in alternatives:
        for cond in alternative:
            order.setdefault(cond.fact, set()).update(cond.values)
    out = []
    for fact, values in order.items():
        everywhere = all(any(c.fact == fact for c in alt) for alt in alternatives)
        allowed = values if everywhere else set(domain(fact))
        out.append(Condition(fact, tuple(v for v in domain(fact) if v in allowed)))
    return tuple(out)


def render(tree: AllOf) -> str:
    """A condition set as one line of YAML flow style, as written."""
    parts = []
    for term in tree.terms:
        if isinstance(term, Test):
            shown = term.values[0] if len(term.values) == 1 else f"[{', '.join(term.values)}]"
            parts.append(f"{term.fact}: {shown}")
        elif isinstance(term, AnyOf):
            parts.append(f"{ANY}: [{', '.join('{' + render(o) + '}' for o in term.options)}]")
        else:
            parts.append(f"{NOT}: {{{render(term.body)}}}")
    return ", ".join(parts)
