"""Rulesets as data: load a ruleset folder, validate every reference, compile it once.

A ruleset folder holds ``ruleset.yaml`` (metadata), ``paragraphs.yaml`` (the cited text),
``conclusions.yaml``, ``obligations.yaml``, ``questions.yaml`` and ``rules/*.yaml``. A local
protocol extends a national ruleset with ``extends: <id>`` and adds to each of these (4.5, 4.31).
"""

from __future__ import annotations

import hashlib
import os
import threading
import time
from pathlib import Path
from typing import Any, Iterable

import attrs

from ..errors import InputLimitError, RulesetError, describe_value, suggest
from ..limits import MAX_YAML_BYTES, read_regular_file
from ..facts.model import FACT_SPECS, INPUT_FIELDS
from .model import (
    DEFAULT_RULESET,
    RULE_KINDS,
    UNDETERMINED,
    VERDICT_FACT,
    ConclusionSpec,
    Condition,
    ObligationSpec,
    Paragraph,
    QuestionSpec,
    Rule,
    Ruleset,
)
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


def _str_list(value: Any, file: str, line: int | None, what: str) -> tuple[str, ...]:
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

    def load(self) -> Ruleset:
        meta_file = self._file("ruleset.yaml")[1]
        meta = self._read("ruleset.yaml", required=True)
        _check_keys(meta, meta_file, "ruleset.yaml", ["id", "title", "version", "source"], ["extends", "description", "verdict_precedence"])
        ruleset_id = _text(meta["id"], meta_file, meta.key_lines["id"], "id")
        if ruleset_id != self.path.name:
            raise RulesetError(
                f"id {ruleset_id!r} must match the folder name {self.path.name!r}", file=meta_file, line=meta.key_lines["id"]
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
        self.questions: dict[str, QuestionSpec] = dict(base.questions) if base else {}
        rules: list[Rule] = list(base.rules) if base else []
        self.new_rules_from = len(rules)
        self.lines: dict[tuple[str, str], int | None] = {}  # where this folder declares each conclusion, obligation, question

        self._load_paragraphs(required=base is None)
        self._load_conclusions()
        self._load_obligations()
        self._load_questions()
        rule_files = sorted((self.path / "rules").glob("*.yaml"))
        if not rule_files and base is None:
            raise RulesetError("no rule files: expected rules/*.yaml", file=f"{self.display}/rules")
        seen = {r.id: r for r in rules}
        for rule_path in rule_files:
            rel = f"rules/{rule_path.name}"
            data = self._read(rel, required=True)
            shown = self._file(rel)[1]
            if not isinstance(data, list):
                raise RulesetError("a rule file must be a list of rules", file=shown, line=getattr(data, "line", 1))
            for raw in data:
                rule = self._rule(raw, len(rules), shown)
                if rule.id in seen:
                    first = seen[rule.id]
                    raise RulesetError(
                        f"duplicate rule id {rule.id!r} (first defined at {first.file}:{first.line})", file=shown, line=rule.line
                    )
                seen[rule.id] = rule
                rules.append(rule)
        self._check_usage(rules, meta_file)

        return Ruleset(
            id=ruleset_id,
            title=_text(meta["title"], meta_file, meta.key_lines["title"], "title"),
            version=str(meta["version"]),
            source=dict(source),
            extends=base.id if base else None,
            hash=self._hash(base),
            path=self.path,
            precedence=precedence,
            paragraphs=self.paragraphs,
            conclusions=self.conclusions,
            obligations=self.obligations,
            questions=self.questions,
            rules=tuple(rules),
        )

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
                    f"verdict_precedence: unknown verdict {name!r}; allowed: {', '.join(allowed)}",
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
                    f"{what}: cites paragraph {cite!r}, which is not in paragraphs.yaml",
                    file=file,
                    line=raw.key_lines["cites"],
                    suggestion=suggest(cite, self.paragraphs),
                )
        return cites

    def _load_paragraphs(self, required: bool) -> None:
        shown = self._file("paragraphs.yaml")[1]
        data = self._read("paragraphs.yaml", required=required)
        if not isinstance(data, LineDict):
            raise RulesetError("paragraphs.yaml must map paragraph ids to {heading, text}", file=shown, line=getattr(data, "line", 1))
        for pid, raw in data.items():
            line = data.key_lines.get(pid)
            pid = str(pid)
            if pid in self.paragraphs:
                raise RulesetError(f"paragraph {pid!r} is already defined by the base ruleset", file=shown, line=line)
            _check_keys(raw, shown, f"paragraph {pid!r}", ["heading", "text"])
            self.paragraphs[pid] = Paragraph(pid, _text(raw["heading"], shown, line, "heading"), _text(raw["text"], shown, line, "text"))

    def _load_conclusions(self) -> None:
        shown = self._file("conclusions.yaml")[1]
        data = self._read("conclusions.yaml", required=False)
        if not isinstance(data, LineDict):
            raise RulesetError("conclusions.yaml must be a mapping of names to definitions, got " + describe_value(data), file=shown, line=getattr(data, "line", 1))
        for name, raw in data.items():
            line = data.key_lines.get(name)
            what = f"conclusion {name!r}"
            if name in FACT_SPECS or name == VERDICT_FACT or name in self.conclusions:
                raise RulesetError(f"{what}: name already used by a fact or conclusion", file=shown, line=line)
            _check_keys(raw, shown, what, ["values", "statement", "cites"])
            values = _str_list(raw["values"], shown, raw.key_lines["values"], f"{what}: values")
            if UNDETERMINED in values:
                raise RulesetError(f"{what}: {UNDETERMINED!r} is reserved: the engine sets it", file=shown, line=raw.key_lines["values"])
            self.lines[("conclusion", name)] = line
            self.conclusions[name] = ConclusionSpec(name, values, _text(raw["statement"], shown, line, "statement"), self._cites(raw, shown, what))

    def _load_obligations(self) -> None:
        shown = self._file("obligations.yaml")[1]
        data = self._read("obligations.yaml", required=False)
        if not isinstance(data, LineDict):
            raise RulesetError("obligations.yaml must be a mapping of names to definitions, got " + describe_value(data), file=shown, line=getattr(data, "line", 1))
        for oid, raw in data.items():
            line = data.key_lines.get(oid)
            what = f"obligation {oid!r}"
            if oid in self.obligations:
                raise RulesetError(f"{what}: already defined by the base ruleset", file=shown, line=line)
            _check_keys(raw, shown, what, ["text", "cites"])
            self.lines[("obligation", oid)] = line
            self.obligations[oid] = ObligationSpec(oid, _text(raw["text"], shown, line, "text"), self._cites(raw, shown, what))

    def _load_questions(self) -> None:
        shown = self._file("questions.yaml")[1]
        data = self._read("questions.yaml", required=False)
        if not isinstance(data, LineDict):
            raise RulesetError("questions.yaml must be a mapping of names to definitions, got " + describe_value(data), file=shown, line=getattr(data, "line", 1))
        for qid, raw in data.items():
            line = data.key_lines.get(qid)
            what = f"question {qid!r}"
            if qid in self.questions:
                raise RulesetError(f"{what}: already defined by the base ruleset", file=shown, line=line)
            _check_keys(raw, shown, what, ["text", "cites", "asks"])
            asks = _str_list(raw["asks"], shown, raw.key_lines["asks"], f"{what}: asks")
            for fact in asks:
                if fact not in INPUT_FIELDS:
                    raise RulesetError(
                        f"{what}: asks about unknown fact {fact!r}",
                        file=shown,
                        line=raw.key_lines["asks"],
                        suggestion=suggest(fact, INPUT_FIELDS),
                    )
            self.lines[("question", qid)] = line
            self.questions[qid] = QuestionSpec(qid, _text(raw["text"], shown, line, "text"), self._cites(raw, shown, what), asks)

    def _domain(self, name: str) -> tuple[tuple[str, ...], bool] | None:
        """Allowed values of a name rules may test, and whether testing it makes the rule stratum 2."""
        if name in FACT_SPECS:
            return FACT_SPECS[name].values, False
        if name in self.conclusions:
            return self.conclusions[name].values + (UNDETERMINED,), False
        if name == VERDICT_FACT:
            return tuple(v.value for v in Verdict), True
        return None

    def _rule(self, raw: Any, index: int, file: str) -> Rule:
        line = getattr(raw, "line", None)
        _check_keys(raw, file, "rule", ["id", "statement", "cites", "when", "then"])
        rule_id = _text(raw["id"], file, line, "id")
        what = f"rule {rule_id!r}"
        cites = self._cites(raw, file, what)
        when_raw = raw["when"]
        if not isinstance(when_raw, LineDict) or not when_raw:
            raise RulesetError(f"{what}: 'when' must be a non-empty mapping of fact: value(s)", file=file, line=raw.key_lines["when"])
        stratum = 1
        conditions = []
        for name, wanted in when_raw.items():
            cline = when_raw.key_lines.get(name, line)
            known = self._domain(name)
            if known is None:
                names = list(FACT_SPECS) + list(self.conclusions) + [VERDICT_FACT]
                raise RulesetError(f"{what}: unknown fact or conclusion {name!r}", file=file, line=cline, suggestion=suggest(name, names))
            domain, late = known
            values = _str_list(wanted, file, cline, f"{what}: {name}")
            for value in values:
                if value not in domain:
                    raise RulesetError(
                        f"{what}: {name} has no value {value!r}; allowed: {', '.join(domain)}",
                        file=file,
                        line=cline,
                        suggestion=suggest(value, domain),
                    )
            if late or UNDETERMINED in values:
                stratum = 2
            conditions.append(Condition(name, values))
        then = raw["then"]
        tline = raw.key_lines["then"]
        if not isinstance(then, dict) or len(then) != 1:
            raise RulesetError(f"{what}: 'then' must have exactly one of {', '.join(RULE_KINDS)}", file=file, line=tline)
        kind, target = next(iter(then.items()))
        if kind not in RULE_KINDS:
            raise RulesetError(
                f"{what}: unknown conclusion kind {kind!r}; allowed: {', '.join(RULE_KINDS)}",
                file=file,
                line=tline,
                suggestion=suggest(str(kind), RULE_KINDS),
            )
        name, value = self._target(what, kind, target, file, tline)
        if stratum == 2 and kind in ("conclude", "verdict"):
            raise RulesetError(
                f"{what}: a rule that reads the verdict or an undetermined conclusion may only raise obligations or questions",
                file=file,
                line=tline,
            )
        return Rule(index, rule_id, _text(raw["statement"], file, line, "statement"), cites, tuple(conditions), kind, name, value, stratum, file, line or 0)

    def _target(self, what: str, kind: str, target: Any, file: str, line: int) -> tuple[str, str]:
        if kind == "conclude":
            if not isinstance(target, dict) or len(target) != 1:
                raise RulesetError(f"{what}: 'conclude' must be one name: value", file=file, line=line)
            name, value = next(iter(target.items()))
            if name not in self.conclusions:
                raise RulesetError(
                    f"{what}: concludes undeclared conclusion {name!r} (declare it in conclusions.yaml)",
                    file=file,
                    line=line,
                    suggestion=suggest(str(name), self.conclusions),
                )
            allowed = self.conclusions[name].values
            if str(value) not in allowed:
                raise RulesetError(
                    f"{what}: {name} has no value {value!r}; allowed: {', '.join(allowed)}",
                    file=file,
                    line=line,
                    suggestion=suggest(str(value), allowed),
                )
            return name, str(value)
        known: Iterable[str]
        if kind == "verdict":
            known = [v.value for v in Verdict if v is not Verdict.UNDETERMINED]
        elif kind == "obligation":
            known = self.obligations
        else:
            known = self.questions
        if not isinstance(target, str) or target not in known:
            raise RulesetError(
                f"{what}: unknown {kind} {target!r}", file=file, line=line, suggestion=suggest(str(target), known)
            )
        return target, "yes"

    def _check_usage(self, rules: list[Rule], file: str) -> None:
        concluded = {r.name for r in rules if r.kind == "conclude"}
        used = {c.fact for r in rules for c in r.when}
        shown = self._file("conclusions.yaml")[1]
        for name in self.conclusions:
            line = self.lines.get(("conclusion", name))
            if name not in concluded:
                raise RulesetError(f"conclusion {name!r} is declared but no rule concludes it", file=shown, line=line)
            if name not in used:
                raise RulesetError(f"conclusion {name!r} is concluded but no rule uses it", file=shown, line=line)
        for kind, specs, shown in (
            ("obligation", self.obligations, "obligations.yaml"),
            ("question", self.questions, "questions.yaml"),
        ):
            raised = {r.name for r in rules if r.kind == kind}
            for key in specs:
                if key not in raised:
                    raise RulesetError(
                        f"{kind} {key!r} is declared but no rule raises it", file=self._file(shown)[1], line=self.lines.get((kind, key))
                    )
