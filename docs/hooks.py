"""mkdocs hook: pages made from what the tests already keep true, so the site cannot drift from them.

* ``guide.md`` is README.md and ``changelog.md`` is CHANGELOG.md (README's code blocks are run by
  tests/test_readme.py).
* ``api.md`` documents every name in ``infoshare_rules.__all__`` (the public API), each from where
  it is defined, grouped by kind; a name added to ``__all__`` appears without editing the docs.
"""

from __future__ import annotations

import enum
import inspect
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
PAGES = {"guide.md": ROOT / "README.md", "changelog.md": ROOT / "CHANGELOG.md"}
GROUPS = (
    ("Deciding", "decide() and decide_many(): facts in, decisions out."),
    ("Facts", "The facts of a case: frozen attrs classes in groups; every fact defaults to unknown."),
    ("Fact values", "The enumerations fact fields take (each also takes its values as strings)."),
    ("Decisions", "What a decision holds: verdict, obligations, trace, questions, presumptions."),
    ("JSON", "Facts and decisions as JSON documents, and their JSON Schemas."),
    ("Rulesets", "Loading the rules (shipped rulesets by id, or folders)."),
    ("Errors", "One base class, InfoshareError; each error names where and what was expected."),
)


def _definition(name: str, value: Any) -> str:
    """The dotted path where ``value`` (public as ``infoshare_rules.<name>``) is defined."""
    value = inspect.unwrap(value) if callable(value) else value  # functools.cache and the like
    module, qualname = getattr(value, "__module__", None), getattr(value, "__qualname__", None)
    if inspect.isclass(value) or (callable(value) and isinstance(module, str) and module.startswith("infoshare_rules.") and qualname):
        return f"{module}.{qualname}"
    for module_name, module in sorted(sys.modules.items()):
        if module_name.startswith("infoshare_rules.") and getattr(module, "__file__", None):
            source = Path(module.__file__).read_text(encoding="utf-8")
            if any(line.startswith((f"{name} =", f"{name}:")) for line in source.splitlines()):
                return f"{module_name}.{name}"
    raise LookupError(f"cannot tell where infoshare_rules.{name} is defined")


def _group(name: str, value: Any) -> str:
    from infoshare_rules.facts.model import GROUPS as FACT_GROUPS, CaseFacts, _FactEnum

    if inspect.isclass(value) and issubclass(value, Exception):
        return "Errors"
    if inspect.isclass(value) and issubclass(value, _FactEnum):
        return "Fact values"
    if value in (*FACT_GROUPS, CaseFacts) or name == "with_fact":
        return "Facts"
    if name in ("decide", "decide_many", "EngineName", "RecordError"):
        return "Deciding"
    if "json" in name or "dict" in name:
        return "JSON"
    if "ruleset" in name.lower() or name == "DEFAULT_RULESET":
        return "Rulesets"
    return "Decisions"


def api_markdown() -> str:
    import infoshare_rules

    placed: dict[str, list[str]] = {title: [] for title, _ in GROUPS}
    for name in infoshare_rules.__all__:
        value = getattr(infoshare_rules, name)
        placed[_group(name, value)].append(f"::: {_definition(name, value)}\n")
    lines = [
        "# API reference\n",
        "Every name in `infoshare_rules.__all__`: import them from `infoshare_rules` "
        "(the subpackages they are defined in are internal and may move).\n",
    ]
    for title, blurb in GROUPS:
        lines += [f"## {title}\n", f"{blurb}\n", *placed[title]]
    return "\n".join(lines)


def on_page_markdown(markdown: str, page: Any, **kwargs: Any) -> str:
    if page.file.src_uri == "api.md":
        return api_markdown()
    source = PAGES.get(page.file.src_uri)
    return source.read_text(encoding="utf-8") if source else markdown
