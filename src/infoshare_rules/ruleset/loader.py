"""Rulesets as data: load a ruleset folder, validate every reference, compile it once.

A ruleset folder holds ``ruleset.yaml`` (metadata, verdict precedence, doubts), ``paragraphs.yaml``
(the cited text), ``conclusions.yaml``, ``obligations.yaml`` and ``rules/*.yaml``. A local
protocol extends a national ruleset with ``extends: <id>`` and adds to each of these (4.5, 4.31).
"""

from __future__ import annotations

import datetime
import functools
import hashlib
import os
import threading
import time
from pathlib import Path
from typing import Any, Iterable, Mapping

import attrs

from ..errors import InputLimitError, RulesetError, describe_name, describe_value, is_name, suggest
from ..facts.model import FACT_SPECS, INPUT_SPECS, VOCABULARY, FactSpec, InputSpec, LOCAL_PREFIX, UNKNOWN, is_fact, local_specs
from ..facts.vocabulary import FILE_NAME as FACTS_FILE, load_local_vocabulary, national_path
from ..limits import MAX_YAML_BYTES, read_regular_file
from .model import (
    DEFAULT_RULESET,
    PRESUMED,
    RULE_KINDS,
    STATED,
    UNDETERMINED,
    VERDICT_FACT,
    ConclusionSpec,
    Condition,
    Doubt,
    LocalChange,
    ObligationSpec,
    Paragraph,
    Rule,
    Ruleset,
    Weakening,
)
from .conditions import MAX_ALTERNATIVES, AllOf, ConditionReader, Test, facts_tested, has_connectives, normalize, projection, render
from .conditions import conditions as conditions_of
from .conditions import str_list as _str_list
from .locate import available_rulesets, resolve_ruleset_path, rulesets_dirs
from .verdict import Verdict
from .yaml_lines import LineDict, load_yaml

__all__ = ["available_rulesets", "load_ruleset", "loaded_ruleset", "resolve_ruleset_path", "rulesets_dirs", "DEFAULT_RULESET", "UNDETERMINED", "Ruleset"]


# ---------------------------------------------------------------- loading once, reloading on change

#: A loaded ruleset's files are checked for changes (sizes and modification times) at most this often.
RECHECK_SECONDS = 2.0


@attrs.frozen
class _Loaded:
    ruleset: Ruleset
    folders: tuple[Path, ...]  # the ruleset's folder and those of the rulesets it extends
    stamp: tuple[tuple[str, int, int], ...]  # (file, size, mtime) of every YAML file in them


@attrs.define
class _Reference:
    path: Path
    checked: float


_loaded: dict[Path, _Loaded] = {}
_references: dict[str, _Reference] = {}
_cache_lock = threading.RLock()


def _refuse_hidden_defaults(rules: list[Rule]) -> None:
    """A rule reads known values: ``unknown`` in a condition is a default, and a default is a presumption.

    An unknown fact is decided by cases (decision/cases.py) unless a presumption states the guide's
    default for it; so ``unknown`` may appear only in a presumption, and only for a fact some
    presumption presumes (its own, or a neighbour's it waits for, as 4.24's two presumptions do).
    """
    presumed = {fact for r in rules for fact, _ in r.presumes}
    for rule in rules:
        # (not rule.when: for a rule with alternatives it is their projection, whole domains included)
        for cond in dict.fromkeys(c for alternative in rule.disjuncts for c in alternative):
            if UNKNOWN not in cond.values or not is_fact(cond.fact):
                continue
            if not rule.presumes:
                raise RulesetError(
                    f"rule {rule.id!r}: {cond.fact} lists {UNKNOWN!r} outside a presumption; a rule reads known values "
                    "(an unknown fact is decided by cases): state the default as a presumption, with the guide's wording",
                    file=rule.file,
                    line=rule.line,
                )
            if cond.fact not in presumed:
                raise RulesetError(
                    f"rule {rule.id!r}: {cond.fact} lists {UNKNOWN!r}, but no presumption presumes it: read its known "
                    "values, or presume it where the guide states a default",
                    file=rule.file,
                    line=rule.line,
                )


_FOLDER_FILES = ("ruleset.yaml", "paragraphs.yaml", "conclusions.yaml", "obligations.yaml")


def _fresh_lock_in_child() -> None:
    # A fork while another thread holds the lock would leave the child's copy held forever.
    global _cache_lock
    _cache_lock = threading.RLock()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_fresh_lock_in_child)


def _stamp(folders: Iterable[Path]) -> tuple[tuple[str, int, int], ...]:
    entries = []
    for folder in folders:
        for file in sorted(folder.rglob("*.yaml")):
            try:
                info = file.stat()
            except OSError:
                continue
            entries.append((str(file), info.st_size, info.st_mtime_ns))
    return tuple(entries)


def load_ruleset(ref: str | Path = DEFAULT_RULESET) -> Ruleset:
    """Load, validate and compile a ruleset; the same object while its files are unchanged.

    A bare id names a shipped ruleset (or one under ``INFOSHARE_RULESETS_PATH``); a folder is
    given as a path (see ``ruleset.locate``). Deciding must not touch the file system on every
    call, so a reference is re-resolved, and its files' sizes and times compared, at most every
    ``RECHECK_SECONDS``; when they changed the folder is hashed again, and reloaded if its
    content hash changed.
    """
    key = str(ref)
    now = time.monotonic()
    # The common case, on every decision: a recent answer, read without the lock (a dict read is
    # atomic; a stale or missing entry falls through to the locked path below).
    known = _references.get(key)
    if known is not None and now - known.checked < RECHECK_SECONDS:
        loaded = _loaded.get(known.path)
        if loaded is not None:
            return loaded.ruleset
    with _cache_lock:
        known = _references.get(key)
        if known is not None and now - known.checked < RECHECK_SECONDS:
            loaded = _loaded.get(known.path)
            if loaded is not None:
                return loaded.ruleset
        path = resolve_ruleset_path(ref)
        ruleset = _load_path(path)
        _references[key] = _Reference(path, now)
        return ruleset


def _load_path(path: Path, chain: tuple[Path, ...] = ()) -> Ruleset:
    """The ruleset in a resolved folder, reloaded if its files (or its bases' files) changed."""
    if path in chain:
        names = " -> ".join(p.name for p in chain + (path,))
        raise RulesetError(f"extends forms a cycle: {names}", file=f"{chain[-1].name}/ruleset.yaml")
    with _cache_lock:
        loaded = _loaded.get(path)
        if loaded is not None and _stamp(loaded.folders) == loaded.stamp:
            return loaded.ruleset
        loader = _Loader(path, chain + (path,))
        ruleset = loader.load()
        if loaded is not None and loaded.ruleset.hash == ruleset.hash:
            ruleset = loaded.ruleset  # touched but not changed: keep the object (and its compiled engines)
        folders = (path,) + loader.base_folders
        _loaded[path] = _Loaded(ruleset, folders, _stamp(folders))
        return ruleset


def loaded_ruleset(content_hash: str) -> Ruleset | None:
    """A ruleset this process has loaded, found by its content hash (as a Decision records it)."""
    for loaded in list(_loaded.values()):
        if loaded.ruleset.hash == content_hash:
            return loaded.ruleset
    return None


# ---------------------------------------------------------------- loading


def _check_keys(mapping: Any, file: str, what: str, required: Iterable[str], optional: Iterable[str] = ()) -> None:
    required, optional = list(required), list(optional)
    line = getattr(mapping, "line", None)
    if not isinstance(mapping, dict):
        raise RulesetError(f"{what} must be a mapping, got {type(mapping).__name__}", file=file, line=line)
    allowed = required + optional
    for key in mapping:
        if key not in allowed:
            raise RulesetError(
                f"{what}: unknown key {describe_value(key)}; allowed keys: {', '.join(allowed)}",
                file=file,
                line=mapping.key_lines.get(key, line) if isinstance(mapping, LineDict) else line,
                suggestion=suggest(str(key), allowed),
            )
    for key in required:
        if key not in mapping:
            raise RulesetError(f"{what}: missing required key {key!r}", file=file, line=line)


def _text(value: Any, file: str, line: int | None, what: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise RulesetError(f"{what} must be non-empty text, got {describe_value(value)}", file=file, line=line)
    return " ".join(value.split()) if "\n" not in value.strip() else value.strip()


def _name(value: Any, file: str, line: int | None, what: str) -> str:
    """A name the ruleset declares (rule, conclusion, value, obligation, paragraph): errors and traces show it."""
    if not is_name(value):
        raise RulesetError(
            f"{what} must be a name: a letter, then at most 63 letters, digits, '.', '_', ':' or '-' (or a paragraph "
            f"number such as 4.30); got {describe_name(value)}",
            file=file,
            line=line,
        )
    return str(value)


class _Loader:
    def __init__(self, path: Path, chain: tuple[Path, ...] = ()) -> None:
        self.path = path
        self.display = path.name
        self.chain = chain or (path,)  # folders being loaded, this one last: to report extends cycles
        self.base_folders: tuple[Path, ...] = ()

    def _file(self, rel: str) -> tuple[Path, str]:
        return self.path / rel, f"{self.display}/{rel}"

    def _read(self, rel: str, *, required: bool) -> Any:
        path, shown = self._file(rel)
        if not path.is_file():
            if required:
                raise RulesetError("missing file", file=shown)
            return LineDict()
        data = load_yaml(path, shown)
        if data is None:
            return LineDict()
        return data

    def _check_files(self, extends: bool) -> None:
        # A file the loader does not read would be silently ignored (a misspelt "obligation.yaml", a
        # protocol's facts.yaml): refuse it, naming the file, rather than decide without it.
        for file in sorted(p for p in self.path.rglob("*.yaml") if p.is_file()):
            rel = file.relative_to(self.path).as_posix()
            if rel in _FOLDER_FILES or (rel.startswith("rules/") and rel.count("/") == 1):
                continue
            if rel == "facts.yaml":
                # A protocol's facts.yaml declares its own facts (read by _load_facts). A national ruleset's
                # vocabulary is the one the library's fact model is built from: a folder may carry it
                # unchanged (a copy of the national ruleset), but a different one would not be read.
                if extends or read_regular_file(file, MAX_YAML_BYTES) == read_regular_file(national_path(), MAX_YAML_BYTES):
                    continue
                raise RulesetError(
                    "facts.yaml differs from the national vocabulary, which is the only national one read: "
                    "a local protocol (with extends:) declares facts of its own in its facts.yaml",
                    file=f"{self.display}/{rel}",
                )
            expected = ", ".join(_FOLDER_FILES) + " and rules/*.yaml"
            raise RulesetError(f"not a file a ruleset folder holds: expected {expected}", file=f"{self.display}/{rel}", suggestion=suggest(rel, _FOLDER_FILES))

    def load(self) -> Ruleset:
        meta_file = self._file("ruleset.yaml")[1]
        meta = self._read("ruleset.yaml", required=True)
        self._check_files(extends="extends" in meta)
        _check_keys(meta, meta_file, "ruleset.yaml", ["id", "title", "version", "source"], ["extends", "description", "verdict_precedence", "precedence_reason", "doubts", "effective_from", "normative", "disable", "replace", "weakens"])
        ruleset_id = _text(meta["id"], meta_file, meta.key_lines["id"], "id")
        if ruleset_id != self.path.name:
            raise RulesetError(
                f"id {describe_name(ruleset_id)} must match the folder name {describe_name(self.path.name)}", file=meta_file, line=meta.key_lines["id"]
            )
        source = meta["source"]
        _check_keys(source, meta_file, "source", ["title", "reference"], ["publisher", "year", "url"])

        base: Ruleset | None = None
        if "extends" in meta:
            extends = meta["extends"]
            line = meta.key_lines["extends"]
            if not isinstance(extends, str) or not extends.strip():
                raise RulesetError("extends must be a ruleset id or a path relative to this folder", file=meta_file, line=line)
            try:
                base_path = resolve_ruleset_path(extends, near=self.path)
            except RulesetError as exc:
                raise RulesetError(f"extends: {exc}", file=meta_file, line=line) from None
            base = _load_path(base_path, self.chain[:-1] + (self.path,))
            self.base_folders = _loaded[base_path].folders
        precedence = self._precedence(meta, meta_file, base)

        self.paragraphs: dict[str, Paragraph] = dict(base.paragraphs) if base else {}
        self.conclusions: dict[str, ConclusionSpec] = dict(base.conclusions) if base else {}
        self.obligations: dict[str, ObligationSpec] = dict(base.obligations) if base else {}
        rules: list[Rule] = list(base.rules) if base else []
        self.new_rules_from = len(rules)
        self.lines: dict[tuple[str, str], int | None] = {}  # where this folder declares each conclusion, obligation, question

        self._load_paragraphs(required=base is None)
        self._load_facts(base)
        self._load_conclusions()
        self._load_obligations()
        doubts = self._doubts(meta, meta_file, base)
        rules += self._stated_rules(len(rules))
        rule_files = sorted((self.path / "rules").glob("*.yaml"))
        if not rule_files and base is None:
            raise RulesetError("no rule files: expected rules/*.yaml", file=f"{self.display}/rules")
        seen = {r.id: r for r in rules}
        changes = self._local_changes(meta, meta_file, base)
        replaced = {c.rule for c in changes if c.action == "replace"}
        for rule_path in rule_files:
            rel = f"rules/{rule_path.name}"
            data = self._read(rel, required=True)
            shown = self._file(rel)[1]
            if not isinstance(data, list):
                raise RulesetError("a rule file must be a list of rules", file=shown, line=getattr(data, "line", 1))
            for raw in data:
                rule = self._rule(raw, len(rules), shown)
                if rule.id in seen and not (rule.id in replaced and seen[rule.id].index < self.new_rules_from):
                    first = seen[rule.id]
                    raise RulesetError(
                        f"duplicate rule id {describe_name(rule.id)} (first defined at {first.file}:{first.line})", file=shown, line=rule.line
                    )
                seen[rule.id] = rule
                rules.append(rule)
        rules = self._apply_local_changes(rules, changes, meta_file)
        _refuse_hidden_defaults(rules)
        weakens = self._weakens(meta, meta_file)
        if base is not None:
            own = [r for r in rules if r.file.startswith(f"{self.display}/")]
            _refuse_silent_weakening(base, precedence, own, changes, doubts, weakens, meta_file, meta.line)
        self._check_usage(rules, meta_file)
        rules, closing = _stratify(rules, self.conclusions, self.display)
        statement, reason_cites = self._precedence_reason(meta, meta_file, base)
        tested = {c.fact for r in rules for c in r.when if c.fact in self.fact_specs} | {d.fact for d in doubts}

        return Ruleset(
            id=ruleset_id,
            title=_text(meta["title"], meta_file, meta.key_lines["title"], "title"),
            version=str(meta["version"]),
            source=dict(source),
            extends=base.id if base else None,
            hash=self._hash(base),
            path=self.path,
            precedence=precedence,
            precedence_statement=statement,
            precedence_cites=reason_cites,
            paragraphs=self.paragraphs,
            conclusions=self.conclusions,
            obligations=self.obligations,
            doubts=doubts,
            rules=tuple(rules),
            closing=closing,
            tested=frozenset(tested),
            effective_from=self._effective_from(meta, meta_file),
            normative=self._normative(meta, meta_file),
            local_changes=changes,
            weakens=weakens,
            vocabulary=self.vocabulary,
            fact_specs=self.fact_specs,
            input_specs=self.input_specs,
            local_facts=tuple(n for n in self.input_specs if n.startswith(LOCAL_PREFIX)),
        )

    def _effective_from(self, meta: LineDict, file: str) -> str:
        """The date this version applies from: YAML reads an unquoted date as a date, quoted as text."""
        if "effective_from" not in meta:
            return ""
        raw = meta["effective_from"]
        line = meta.key_lines["effective_from"]
        try:
            return datetime.date.fromisoformat(str(raw)).isoformat()
        except ValueError:
            raise RulesetError(f"effective_from must be a date YYYY-MM-DD, got {describe_value(raw)}", file=file, line=line) from None

    def _normative(self, meta: LineDict, file: str) -> tuple[str, ...]:
        if "normative" not in meta:
            return ()
        line = meta.key_lines["normative"]
        ids = _str_list(meta["normative"], file, line, "normative")
        for pid in ids:
            if pid not in self.paragraphs:
                raise RulesetError(
                    f"normative: no paragraph {describe_name(pid)} in paragraphs.yaml", file=file, line=line, suggestion=suggest(pid, self.paragraphs)
                )
        return ids

    def _own_cites(self, raw: Any, file: str, what: str, base: Ruleset | None) -> tuple[str, ...]:
        """A local protocol's change cites the protocol's own paragraphs, not the guide it changes."""
        cites = self._cites(raw, file, what)
        for cite in cites:
            if base is not None and cite in base.paragraphs:
                raise RulesetError(
                    f"{what}: cites {describe_name(cite)} of {base.id}; cite this protocol's own paragraph (in its paragraphs.yaml)",
                    file=file,
                    line=raw.key_lines["cites"],
                )
        return cites

    def _local_changes(self, meta: LineDict, file: str, base: Ruleset | None) -> tuple[LocalChange, ...]:
        out: list[LocalChange] = []
        for action in ("disable", "replace"):
            if action not in meta:
                continue
            line = meta.key_lines[action]
            if base is None:
                raise RulesetError(f"{action}: only a local protocol (with 'extends') disables or replaces rules", file=file, line=line)
            entries = meta[action]
            if not isinstance(entries, list):
                raise RulesetError(f"{action} must be a list of {{rule, reason, cites}}", file=file, line=line)
            base_ids = [r.id for r in base.rules]
            for raw in entries:
                eline = getattr(raw, "line", line)
                _check_keys(raw, file, action, ["rule", "reason", "cites"])
                rule_id = _text(raw["rule"], file, eline, f"{action}: rule")
                if rule_id not in base_ids:
                    raise RulesetError(
                        f"{action}: no rule {describe_name(rule_id)} in {base.id}", file=file, line=eline, suggestion=suggest(rule_id, base_ids)
                    )
                reason = _text(raw["reason"], file, eline, f"{action}: reason")
                out.append(LocalChange(action, rule_id, reason, self._own_cites(raw, file, f"{action} {rule_id!r}", base)))
        return tuple(out)

    def _apply_local_changes(self, rules: list[Rule], changes: tuple[LocalChange, ...], file: str) -> list[Rule]:
        """Drop disabled rules and the replaced originals; number the rest again (engines index by position)."""
        if not changes:
            return rules
        dropped: set[int] = set()
        for change in changes:
            original = next(r for r in rules[: self.new_rules_from] if r.id == change.rule)
            dropped.add(original.index)
            if change.action == "replace" and not any(r.id == change.rule for r in rules[self.new_rules_from :]):
                raise RulesetError(
                    f"replace {change.rule!r}: no replacement rule with that id in rules/*.yaml", file=file
                )
        kept = [r for r in rules if r.index not in dropped]
        return [attrs.evolve(r, index=i) for i, r in enumerate(kept)]

    def _weakens(self, meta: LineDict, file: str) -> tuple[Weakening, ...]:
        if "weakens" not in meta:
            return ()
        line = meta.key_lines["weakens"]
        if not isinstance(meta["weakens"], list):
            raise RulesetError("weakens must be a list of {what, reason, cites}", file=file, line=line)
        out = []
        for raw in meta["weakens"]:
            eline = getattr(raw, "line", line)
            _check_keys(raw, file, "weakens", ["what", "reason", "cites"])
            what = _text(raw["what"], file, eline, "weakens: what")
            out.append(Weakening(what, _text(raw["reason"], file, eline, "weakens: reason"), self._cites(raw, file, f"weakens {describe_name(what)}")))
        return tuple(out)

    def _hash(self, base: Ruleset | None) -> str:
        digest = hashlib.sha256()
        if base:
            digest.update(base.hash.encode())
        for file in sorted(p for p in self.path.rglob("*.yaml") if p.is_file()):
            shown = f"{self.display}/{file.relative_to(self.path).as_posix()}"
            try:
                content = read_regular_file(file, MAX_YAML_BYTES)
            except OSError as exc:
                raise RulesetError(f"cannot read file: {exc.strerror}", file=shown) from None
            except InputLimitError as exc:
                raise RulesetError(exc.message, file=shown) from None
            digest.update(file.relative_to(self.path).as_posix().encode() + b"\0")
            digest.update(content + b"\0")
        return "sha256:" + digest.hexdigest()

    def _precedence(self, meta: LineDict, file: str, base: Ruleset | None) -> tuple[Verdict, ...]:
        if "verdict_precedence" not in meta:
            if base is None:
                raise RulesetError("missing required key 'verdict_precedence'", file=file, line=meta.line)
            return base.precedence
        line = meta.key_lines["verdict_precedence"]
        names = _str_list(meta["verdict_precedence"], file, line, "verdict_precedence")
        allowed = [v.value for v in Verdict if v is not Verdict.UNDETERMINED]
        for name in names:
            if name not in allowed:
                raise RulesetError(
                    f"verdict_precedence: unknown verdict {describe_name(name)}; allowed: {', '.join(allowed)}",
                    file=file,
                    line=line,
                    suggestion=suggest(name, allowed),
                )
        if sorted(names) != sorted(allowed):
            raise RulesetError(
                f"verdict_precedence must list each of {', '.join(allowed)} exactly once", file=file, line=line
            )
        return tuple(Verdict(n) for n in names)

    def _cites(self, raw: LineDict, file: str, what: str) -> tuple[str, ...]:
        if "cites" not in raw:
            raise RulesetError(f"{what}: missing required key 'cites' (every rule cites the guide)", file=file, line=raw.line)
        cites = _str_list(raw["cites"], file, raw.key_lines["cites"], f"{what}: cites")
        for cite in cites:
            if cite not in self.paragraphs:
                raise RulesetError(
                    f"{what}: cites paragraph {describe_name(cite)}, which is not in paragraphs.yaml",
                    file=file,
                    line=raw.key_lines["cites"],
                    suggestion=suggest(cite, self.paragraphs),
                )
        return cites

    def _read_mapping(self, rel: str, maps: str, *, required: bool = False) -> tuple[str, LineDict]:
        """A ruleset file that must be a mapping (of ``maps``), with the name it is shown by in errors."""
        shown = self._file(rel)[1]
        data = self._read(rel, required=required)
        if not isinstance(data, LineDict):
            raise RulesetError(f"{rel} must be a mapping of {maps}, got " + describe_value(data), file=shown, line=getattr(data, "line", 1))
        return shown, data

    def _load_paragraphs(self, required: bool) -> None:
        shown, data = self._read_mapping("paragraphs.yaml", "paragraph ids to {heading, text}", required=required)
        for pid, raw in data.items():
            line = data.key_lines.get(pid)
            pid = _name(str(pid), shown, line, "a paragraph id")
            if pid in self.paragraphs:
                raise RulesetError(f"paragraph {describe_name(pid)} is already defined by the base ruleset", file=shown, line=line)
            _check_keys(raw, shown, f"paragraph {describe_name(pid)}", ["heading", "text"])
            self.paragraphs[pid] = Paragraph(pid, _text(raw["heading"], shown, line, "heading"), _text(raw["text"], shown, line, "text"))

    def _load_facts(self, base: Ruleset | None) -> None:
        """The facts its rules may test: the national ones, the base's local ones and, for a protocol, its own."""
        self.vocabulary = base.vocabulary if base else VOCABULARY
        self.fact_specs: dict[str, FactSpec] = dict(base.fact_specs) if base else dict(FACT_SPECS)
        self.input_specs: dict[str, InputSpec] = dict(base.input_specs) if base else dict(INPUT_SPECS)
        path, shown = self._file(FACTS_FILE)
        if base is None or not path.is_file():
            return
        self.vocabulary = load_local_vocabulary(path, shown, base.vocabulary, self.paragraphs)
        facts, inputs = local_specs(self.vocabulary)
        self.fact_specs.update(facts)
        self.input_specs.update(inputs)

    def _load_conclusions(self) -> None:
        shown, data = self._read_mapping("conclusions.yaml", "names to definitions")
        for name, raw in data.items():
            line = data.key_lines.get(name)
            what = f"conclusion {describe_name(_name(name, shown, line, 'a conclusion'))}"
            if name in self.fact_specs or name == VERDICT_FACT or name in self.conclusions:
                raise RulesetError(f"{what}: name already used by a fact or conclusion", file=shown, line=line)
            if is_fact(name):
                raise RulesetError(f"{what}: names starting {LOCAL_PREFIX!r} are a local protocol's own facts (its facts.yaml)", file=shown, line=line)
            _check_keys(raw, shown, what, ["values", "statement", "cites"], ["stated_by"])
            values = tuple(_name(v, shown, raw.key_lines["values"], f"{what}: a value") for v in _str_list(raw["values"], shown, raw.key_lines["values"], f"{what}: values"))
            if UNDETERMINED in values:
                raise RulesetError(f"{what}: {UNDETERMINED!r} is reserved: the engine sets it", file=shown, line=raw.key_lines["values"])
            stated_by = None
            if "stated_by" in raw:
                stated_by = _text(raw["stated_by"], shown, raw.key_lines["stated_by"], f"{what}: stated_by")
                spec = self.fact_specs.get(stated_by)
                if spec is None:
                    raise RulesetError(
                        f"{what}: stated_by names unknown fact {describe_name(stated_by)}",
                        file=shown,
                        line=raw.key_lines["stated_by"],
                        suggestion=suggest(stated_by, self.fact_specs),
                    )
                if sorted(spec.values) != sorted(values + (UNKNOWN,)):
                    raise RulesetError(
                        f"{what}: stated_by fact {describe_name(stated_by)} must have exactly the values {', '.join(values)} and unknown",
                        file=shown,
                        line=raw.key_lines["stated_by"],
                    )
            self.lines[("conclusion", name)] = line
            self.conclusions[name] = ConclusionSpec(
                name, values, _text(raw["statement"], shown, line, "statement"), self._cites(raw, shown, what), stated_by
            )

    def _load_obligations(self) -> None:
        shown, data = self._read_mapping("obligations.yaml", "names to definitions")
        for oid, raw in data.items():
            line = data.key_lines.get(oid)
            what = f"obligation {describe_name(_name(oid, shown, line, 'an obligation'))}"
            if oid in self.obligations:
                raise RulesetError(f"{what}: already defined by the base ruleset", file=shown, line=line)
            _check_keys(raw, shown, what, ["text", "cites"])
            self.lines[("obligation", oid)] = line
            self.obligations[oid] = ObligationSpec(oid, _text(raw["text"], shown, line, "text"), self._cites(raw, shown, what))

    def _domain(self, name: str) -> tuple[str, ...] | None:
        """Allowed values of a name rules may test."""
        if name in self.fact_specs:
            return self.fact_specs[name].values
        if name in self.conclusions:
            return self.conclusions[name].values + (UNDETERMINED,)
        if name == VERDICT_FACT:
            return tuple(v.value for v in Verdict)
        return None

    def _rule(self, raw: Any, index: int, file: str) -> Rule:
        line = getattr(raw, "line", None)
        _check_keys(raw, file, "rule", ["id", "statement", "cites", "when", "then"], ["presumes", "wording", "ask"])
        rule_id = _name(_text(raw["id"], file, line, "id"), file, line, "a rule id")
        what = f"rule {describe_name(rule_id)}"
        cites = self._cites(raw, file, what)
        wline = raw.key_lines["when"]
        reader = ConditionReader(what, file, self._domain, lambda: [*self.fact_specs, *self.conclusions, VERDICT_FACT])
        written = reader.read(raw["when"], wline)
        conditions: dict[str, Condition] = {t.fact: Condition(t.fact, t.values) for t in written.terms if isinstance(t, Test)}
        connectives = has_connectives(written)
        then = raw["then"]
        tline = raw.key_lines["then"]
        if not isinstance(then, dict) or len(then) != 1:
            raise RulesetError(f"{what}: 'then' must have exactly one of {', '.join(RULE_KINDS)}", file=file, line=tline)
        kind, target = next(iter(then.items()))
        if kind not in RULE_KINDS:
            raise RulesetError(
                f"{what}: unknown conclusion kind {describe_name(kind)}; allowed: {', '.join(RULE_KINDS)}",
                file=file,
                line=tline,
                suggestion=suggest(str(kind), RULE_KINDS),
            )
        name, value = self._target(what, kind, target, file, tline)
        read = facts_tested(written)
        if VERDICT_FACT in read and kind != "obligation":
            raise RulesetError(f"{what}: a rule that reads the verdict may only raise obligations", file=file, line=tline)
        presumes = self._presumes(raw, conditions, what, file, cites)
        stated_by = self.conclusions[name].stated_by if kind == "conclude" else None
        if presumes and stated_by and stated_by not in conditions:
            # A default gives way to the practitioner's own answer to the same question.
            conditions[stated_by] = Condition(stated_by, (UNKNOWN,))
        when = tuple(conditions.values())
        alternatives: tuple[tuple[Condition, ...], ...] = ()
        if connectives:
            when, alternatives = self._normalize(written, conditions, presumes, what, file, wline)
        return Rule(
            index,
            rule_id,
            _text(raw["statement"], file, line, "statement"),
            cites,
            when,
            kind,
            name,
            value,
            0,  # set by _stratify once every rule is known
            file,
            line or 0,
            origin=PRESUMED if presumes else "derived",
            presumes=presumes,
            wording=_text(raw["wording"], file, raw.key_lines["wording"], "wording") if presumes else "",
            ask=self._ask(raw, what, file, presumes),
            alternatives=alternatives,
            written=render(written) if connectives else "",
        )

    def _normalize(
        self, written: AllOf, conditions: dict[str, Condition], presumes: tuple[tuple[str, str], ...], what: str, file: str, line: int
    ) -> tuple[tuple[Condition, ...], tuple[tuple[Condition, ...], ...]]:
        """A when with any:/not: as (its projection, its alternatives); a single alternative is a plain when."""
        nested = [t for t in written.terms if not isinstance(t, Test)]
        for fact, _ in presumes:
            if fact in facts_tested(AllOf(tuple(nested))):
                raise RulesetError(
                    f"{what}: a presumption tests the fact it presumes ({fact}) at the top of its when, not inside any: or not:",
                    file=file,
                    line=line,
                )
        tree = AllOf((*(Test(c.fact, c.values) for c in conditions.values()), *nested))
        domain = self._known_domain
        try:
            found = normalize(tree, domain)
        except ValueError:
            raise RulesetError(
                f"{what}: its any: and not: come to more than {MAX_ALTERNATIVES} alternatives; split it into several rules",
                file=file,
                line=line,
            ) from None
        if not found:
            raise RulesetError(f"{what}: its conditions can never all hold (any: and not: leave no case)", file=file, line=line)
        alternatives = tuple(conditions_of(alt, domain) for alt in found)
        if len(alternatives) == 1:
            return alternatives[0], ()
        return projection(alternatives, domain), alternatives

    def _known_domain(self, name: str) -> tuple[str, ...]:
        domain = self._domain(name)
        assert domain is not None  # every name was checked when read
        return domain

    def _ask(self, raw: Any, what: str, file: str, presumes: tuple[tuple[str, str], ...]) -> bool:
        if "ask" not in raw:
            return True
        if not presumes or not isinstance(raw["ask"], bool):
            raise RulesetError(f"{what}: 'ask' (true or false) belongs to a presumption", file=file, line=raw.key_lines["ask"])
        return bool(raw["ask"])

    def _presumes(self, raw: Any, conditions: dict[str, Condition], what: str, file: str, cites: tuple[str, ...]) -> tuple[tuple[str, str], ...]:
        """A presumption takes facts as given only while they are unknown, in the guide's own words."""
        if "presumes" not in raw:
            if "wording" in raw:
                raise RulesetError(f"{what}: 'wording' belongs to a presumption; add 'presumes'", file=file, line=raw.key_lines["wording"])
            return ()
        pline = raw.key_lines["presumes"]
        presumes = raw["presumes"]
        if not isinstance(presumes, dict) or not presumes:
            raise RulesetError(f"{what}: 'presumes' must map facts to the value presumed", file=file, line=pline)
        if "wording" not in raw:
            raise RulesetError(f"{what}: a presumption needs 'wording': the guide's words that state the default", file=file, line=pline)
        out = []
        for fact, value in presumes.items():
            spec = self.fact_specs.get(fact)
            if spec is None or fact not in self.input_specs:
                raise RulesetError(
                    f"{what}: presumes unknown fact {describe_name(fact)}", file=file, line=pline, suggestion=suggest(str(fact), self.input_specs)
                )
            value = str(value)
            if value not in spec.values or value == UNKNOWN:
                raise RulesetError(f"{what}: cannot presume {fact} = {describe_name(value)}; allowed: {', '.join(v for v in spec.values if v != UNKNOWN)}", file=file, line=pline)
            cond = conditions.get(fact)
            if cond is None:
                conditions[fact] = Condition(fact, (UNKNOWN,))
            elif UNKNOWN not in cond.values or not set(cond.values) <= {UNKNOWN, value}:
                raise RulesetError(
                    f"{what}: a presumption about {fact} applies only while it is unknown: its condition must be "
                    f"[{UNKNOWN}] or [{value}, {UNKNOWN}]",
                    file=file,
                    line=pline,
                )
            out.append((fact, value))
        return tuple(out)

    def _stated_rules(self, first_index: int) -> list[Rule]:
        """One rule per value of each conclusion a caller can answer directly: the stated answer is the conclusion."""
        rules: list[Rule] = []
        shown = self._file("conclusions.yaml")[1]
        for spec in self.conclusions.values():
            if spec.stated_by is None or ("conclusion", spec.name) not in self.lines:
                continue
            for value in spec.values:
                rules.append(
                    Rule(
                        first_index + len(rules),
                        f"stated-{spec.name.replace('_', '-')}-{value.replace('_', '-')}",
                        f"You answered the question directly: {spec.statement.rstrip('.')}: {value}.",
                        spec.cites,
                        (Condition(spec.stated_by, (value,)),),
                        "conclude",
                        spec.name,
                        value,
                        0,
                        shown,
                        self.lines[("conclusion", spec.name)] or 0,
                        origin=STATED,
                    )
                )
        return rules

    def _doubts(self, meta: LineDict, file: str, base: Ruleset | None) -> tuple[Doubt, ...]:
        doubts = list(base.doubts) if base else []
        raw_list = meta.get("doubts", [])
        if not isinstance(raw_list, list):
            raise RulesetError("doubts must be a list", file=file, line=meta.key_lines.get("doubts"))
        for raw in raw_list:
            line = getattr(raw, "line", None)
            _check_keys(raw, file, "doubt", ["fact", "value", "statement", "cites"], ["between"])
            fact = _text(raw["fact"], file, line, "doubt: fact")
            spec = self.fact_specs.get(fact)
            if spec is None:
                raise RulesetError(f"doubt: unknown fact {describe_name(fact)}", file=file, line=line, suggestion=suggest(fact, self.fact_specs))
            value = _text(raw["value"], file, line, "doubt: value")
            between = _str_list(raw["between"], file, line, "doubt: between") if "between" in raw else ()
            for v in (value, *between):
                if v not in spec.values or v == UNKNOWN:
                    raise RulesetError(f"doubt about {fact}: no value {describe_name(v)}; allowed: {', '.join(spec.values)}", file=file, line=line)
            doubts.append(Doubt(fact, value, between, _text(raw["statement"], file, line, "doubt: statement"), self._cites(raw, file, "doubt")))
        return tuple(doubts)

    def _precedence_reason(self, meta: LineDict, file: str, base: Ruleset | None) -> tuple[str, tuple[str, ...]]:
        if "precedence_reason" not in meta:
            if base is None:
                raise RulesetError("missing required key 'precedence_reason' (why verdict_precedence is ordered so)", file=file, line=meta.line)
            return base.precedence_statement, base.precedence_cites
        raw = meta["precedence_reason"]
        _check_keys(raw, file, "precedence_reason", ["statement", "cites"])
        return _text(raw["statement"], file, meta.key_lines["precedence_reason"], "statement"), self._cites(raw, file, "precedence_reason")

    def _target(self, what: str, kind: str, target: Any, file: str, line: int) -> tuple[str, str]:
        if kind == "conclude":
            if not isinstance(target, dict) or len(target) != 1:
                raise RulesetError(f"{what}: 'conclude' must be one name: value", file=file, line=line)
            name, value = next(iter(target.items()))
            if name not in self.conclusions:
                raise RulesetError(
                    f"{what}: concludes undeclared conclusion {describe_name(name)} (declare it in conclusions.yaml)",
                    file=file,
                    line=line,
                    suggestion=suggest(str(name), self.conclusions),
                )
            allowed = self.conclusions[name].values
            if str(value) not in allowed:
                raise RulesetError(
                    f"{what}: {name} has no value {describe_name(value)}; allowed: {', '.join(allowed)}",
                    file=file,
                    line=line,
                    suggestion=suggest(str(value), allowed),
                )
            return name, str(value)
        known: Iterable[str]
        if kind == "verdict":
            known = [v.value for v in Verdict if v is not Verdict.UNDETERMINED]
        else:
            known = self.obligations
        if not isinstance(target, str) or target not in known:
            raise RulesetError(
                f"{what}: unknown {kind} {describe_name(target)}", file=file, line=line, suggestion=suggest(str(target), known)
            )
        return target, "yes"

    def _check_usage(self, rules: list[Rule], file: str) -> None:
        concluded = {r.name for r in rules if r.kind == "conclude"}
        used = {c.fact for r in rules for c in r.when}
        shown = self._file("conclusions.yaml")[1]
        for name in self.conclusions:
            line = self.lines.get(("conclusion", name))
            if name not in concluded:
                raise RulesetError(f"conclusion {describe_name(name)} is declared but no rule concludes it", file=shown, line=line)
            if name not in used:
                raise RulesetError(f"conclusion {describe_name(name)} is concluded but no rule uses it", file=shown, line=line)
        for kind, specs, shown in (("obligation", self.obligations, "obligations.yaml"),):
            raised = {r.name for r in rules if r.kind == kind}
            for key in specs:
                if key not in raised:
                    raise RulesetError(
                        f"{kind} {describe_name(key)} is declared but no rule raises it", file=self._file(shown)[1], line=self.lines.get((kind, key))
                    )


def must_share_cone(rules: Iterable[Rule]) -> tuple[set[str], set[str]]:
    """The rules a must_share verdict rests on (ids), and the names (conclusions, candidate) they conclude.

    A must_share verdict is reached by its verdict rules, which read conclusions, which other rules
    reach: every rule concluding a name in this cone can change where must_share holds.
    """
    rules = list(rules)
    names = {"candidate.must_share"}
    ids: set[str] = set()
    changed = True
    while changed:
        changed = False
        for rule in rules:
            if rule.asserts[0] in names and rule.id not in ids:
                ids.add(rule.id)
                changed = True
                names |= {c.fact for c in rule.when if not is_fact(c.fact)}
    return ids, names


def _refuse_silent_weakening(
    base: Ruleset,
    precedence: tuple[Verdict, ...],
    own: list[Rule],
    changes: tuple[LocalChange, ...],
    doubts: tuple[Doubt, ...],
    weakens: tuple[Weakening, ...],
    file: str,
    line: int | None,
) -> None:
    """A local protocol may not silently weaken the guide it extends (a sound, structural test).

    Anything that could turn the base's must_share (a statutory duty or court order) into another
    verdict must be declared under ``weakens`` with a reason: reordering verdict_precedence;
    disabling or replacing a rule the must_share verdict rests on; adding a rule concluding something
    it rests on; adding a doubt (a decisive doubt turns any verdict into seek_advice). ``infoshare
    check`` then reports, exactly, which cases change.
    """
    declared = {w.what for w in weakens}
    cone_ids, cone_names = must_share_cone(base.rules)
    problems: list[str] = []
    if precedence != base.precedence and "verdict_precedence" not in declared:
        problems.append(
            f"it reorders verdict_precedence ({', '.join(v.value for v in base.precedence)} -> {', '.join(v.value for v in precedence)})"
        )
    for change in changes:
        if change.rule in cone_ids and change.rule not in declared:
            problems.append(f"it {'disables' if change.action == 'disable' else 'replaces'} rule {change.rule!r}, which must_share rests on")
    replaced = {c.rule for c in changes}
    for rule in own:
        if rule.asserts[0] in cone_names and rule.id not in declared and rule.id not in replaced:
            problems.append(f"its rule {describe_name(rule.id)} concludes {rule.asserts[0]}, which must_share rests on")
    for doubt in doubts[len(base.doubts) :]:
        if f"doubt:{doubt.fact}" not in declared:
            problems.append(f"it adds a doubt about {doubt.fact}, which can turn must_share into seek_advice")
    if problems:
        raise RulesetError(
            f"this local protocol may weaken {base.id}'s must_share (a statutory duty or court order): "
            + "; ".join(problems)
            + ". Declare each under 'weakens' (what, reason, cites) if that is intended.",
            file=file,
            line=line,
        )


def _stratify(rules: list[Rule], conclusions: Mapping[str, ConclusionSpec], display: str) -> tuple[list[Rule], tuple[tuple[str, ...], ...]]:
    """Give each rule its stratum, and say after which stratum each conclusion is settled.

    A rule's stratum is at least that of every conclusion it tests, and one more than that of every
    conclusion it tests for ``undetermined`` (it may only run once the conclusion is settled). A
    conclusion's stratum is the highest of the rules concluding it. Rules that read the verdict come
    after all of them. A cycle through ``undetermined`` has no such order and is refused.
    """
    level = {name: 1 for name in conclusions}
    rule_level = [1] * len(rules)
    for _ in range(len(conclusions) + 2):
        changed = False
        for i, rule in enumerate(rules):
            lv = 1
            for cond in (c for alternative in rule.disjuncts for c in alternative):
                if cond.fact in level:
                    lv = max(lv, level[cond.fact] + (1 if UNDETERMINED in cond.values else 0))
            rule_level[i] = lv
            if rule.kind == "conclude" and level[rule.name] < lv:
                level[rule.name] = lv
                changed = True
        if not changed:
            break
    else:
        cyclic = sorted(n for n in conclusions if level[n] > len(conclusions))
        raise RulesetError(
            f"conclusions depend on each other through 'undetermined' in a cycle: {', '.join(cyclic)}", file=f"{display}/rules"
        )
    last = max([*level.values(), *rule_level, 1])
    staged = [
        attrs.evolve(rule, stratum=last + 1 if any(c.fact == VERDICT_FACT for c in rule.when) else rule_level[i])
        for i, rule in enumerate(rules)
    ]
    closing = tuple(tuple(n for n in conclusions if level[n] == k) for k in range(1, last + 1))
    return staged, closing
