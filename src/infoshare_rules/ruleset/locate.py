"""Where a ruleset reference points: a bare id names a known ruleset, a path names a folder.

Never the working directory by accident: a folder called ``uk-2006-practitioners-guide`` in the
directory a command runs from must not replace the national ruleset of that id.

* A **path** is a ``Path`` object, or a string that starts with ``.`` or ``~``, is absolute, or
  contains a path separator: ``./my-protocol``, ``/srv/rules/lisp``, ``protocols/lisp``.
* A **bare id** (letters, digits, ``.``, ``_``, ``-``) names a shipped ruleset, or else one in a
  folder listed in the ``INFOSHARE_RULESETS_PATH`` environment variable (``os.pathsep``-
  separated, like ``PATH``). Shipped rulesets come first: a configured folder can add rulesets,
  never replace a shipped one.
* ``extends:`` in a ruleset is a bare id (as above) or a path relative to the extending
  ruleset's own folder (``../national-copy``), never to the working directory.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

from ..errors import RulesetNotFoundError, describe_path, describe_value, suggest
from ..limits import is_folder, is_regular_file

#: Environment variable listing extra folders that hold rulesets (searched after the shipped ones).
SEARCH_PATH_ENV = "INFOSHARE_RULESETS_PATH"
_BARE_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")


def shipped_rulesets_dirs() -> list[Path]:
    """Where shipped rulesets live: inside the installed package, or the source checkout."""
    package = Path(__file__).resolve().parents[1]
    candidates = [package / "rulesets", package.parents[1] / "rulesets"]
    return [p for p in candidates if p.is_dir()]


def configured_rulesets_dirs() -> list[Path]:
    """Folders named by ``INFOSHARE_RULESETS_PATH``; relative entries are ignored (they would depend on the cwd)."""
    raw = os.environ.get(SEARCH_PATH_ENV, "")
    return [Path(p) for p in raw.split(os.pathsep) if p and Path(p).is_absolute() and Path(p).is_dir()]


def rulesets_dirs() -> list[Path]:
    return shipped_rulesets_dirs() + configured_rulesets_dirs()


def available_rulesets() -> list[str]:
    return sorted({p.parent.name for d in rulesets_dirs() for p in d.glob("*/ruleset.yaml")})


def is_path_reference(ref: str | Path) -> bool:
    if isinstance(ref, Path):
        return True
    seps = {os.sep, "/"} | ({os.altsep} if os.altsep else set())
    return ref.startswith((".", "~")) or os.path.isabs(ref) or any(s in ref for s in seps)


def resolve_ruleset_path(ref: str | Path, near: Path | None = None) -> Path:
    """The folder of a ruleset id or path. ``near``: the folder of a ruleset whose ``extends`` this is."""
    if is_path_reference(ref):
        path = Path(ref).expanduser()
        if not path.is_absolute() and near is not None:
            path = near / path  # extends: relative to the extending ruleset, not the cwd
        shown = describe_path(str(ref))
        if not is_folder(path):
            raise RulesetNotFoundError("no such ruleset folder", file=shown)
        if not is_regular_file(path / "ruleset.yaml"):
            raise RulesetNotFoundError("not a ruleset folder: no ruleset.yaml", file=shown)
        return path.resolve()
    known = available_rulesets()
    if not _BARE_ID.fullmatch(str(ref)):
        raise RulesetNotFoundError(
            f"not a ruleset id: {describe_value(ref)}; a ruleset id is letters, digits, '.', '_' and '-', "
            f"and a folder is given as a path (./folder); known rulesets: {', '.join(known) or 'none'}"
        )
    for base in rulesets_dirs():
        candidate = base / ref
        if is_regular_file(candidate / "ruleset.yaml"):
            return candidate.resolve()
    hint = f" (a folder in the working directory is given as ./{ref})" if is_folder(ref) else ""
    raise RulesetNotFoundError(
        f"no ruleset {describe_value(str(ref))}; known rulesets: {', '.join(known) or 'none'}{hint}",
        suggestion=suggest(str(ref), known),
    )
