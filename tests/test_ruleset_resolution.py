"""Which folder a ruleset reference names: never the working directory by accident (issue 11)."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from infoshare_rules import CaseFacts, Legal, RulesetError, RulesetNotFoundError, decide, load_ruleset
from infoshare_rules.ruleset import loader
from infoshare_rules.ruleset.loader import DEFAULT_RULESET, resolve_ruleset_path
from infoshare_rules.ruleset.locate import SEARCH_PATH_ENV

SHIPPED = resolve_ruleset_path(DEFAULT_RULESET)
MINI = Path(__file__).resolve().parent / "fixtures" / "rulesets" / "engine-mini"


@pytest.fixture
def tampered(tmp_path: Path) -> Path:
    """A modified copy of the national ruleset under the same id, as a folder in tmp_path."""
    copy = tmp_path / DEFAULT_RULESET
    shutil.copytree(SHIPPED, copy)
    meta = copy / "ruleset.yaml"
    meta.write_text(meta.read_text() + "\n# tampered\n")
    return copy


def test_a_folder_in_the_working_directory_does_not_replace_a_shipped_id(tampered, monkeypatch):
    monkeypatch.chdir(tampered.parent)
    assert resolve_ruleset_path(DEFAULT_RULESET) == SHIPPED
    assert load_ruleset(DEFAULT_RULESET).path == SHIPPED
    assert decide(CaseFacts(legal=Legal(court_order="yes")), engine="reference").ruleset.hash == load_ruleset().hash
    # given as a path, the folder is what the caller asked for
    assert resolve_ruleset_path(f"./{DEFAULT_RULESET}") == tampered.resolve()
    assert load_ruleset(f"./{DEFAULT_RULESET}").hash != load_ruleset().hash


def test_cli_decide_without_ruleset_uses_the_shipped_one(tampered, monkeypatch, tmp_path):
    import json
    import subprocess
    import sys

    facts = tmp_path / "f.json"
    facts.write_text('{"legal": {"court_order": "yes"}}')
    run = subprocess.run(
        [sys.executable, "-m", "infoshare_rules", "decide", "--engine", "reference", str(facts)],
        capture_output=True, text=True, cwd=tampered.parent, timeout=300,
    )
    assert run.returncode == 0, run.stderr
    assert json.loads(run.stdout)["ruleset"]["hash"] == load_ruleset().hash


def test_bare_ids_that_are_not_ids_are_refused(monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "engine-mini").mkdir()
    with pytest.raises(RulesetNotFoundError, match="given as ./engine-mini"):
        resolve_ruleset_path("engine-mini")  # exists in the cwd, but a bare id is not a path
    with pytest.raises(RulesetNotFoundError, match="not a ruleset id"):
        resolve_ruleset_path("two words")


def test_search_path_adds_rulesets_but_never_replaces_a_shipped_one(tampered, monkeypatch, tmp_path):
    shutil.copytree(MINI, tmp_path / "engine-mini")
    monkeypatch.setenv(SEARCH_PATH_ENV, str(tmp_path))
    assert resolve_ruleset_path("engine-mini") == (tmp_path / "engine-mini").resolve()
    assert resolve_ruleset_path(DEFAULT_RULESET) == SHIPPED
    monkeypatch.setenv(SEARCH_PATH_ENV, "relative/dir")  # relative entries would depend on the cwd
    with pytest.raises(RulesetNotFoundError):
        resolve_ruleset_path("engine-mini")


def local_protocol(folder: Path, extends: str) -> Path:
    (folder / "rules").mkdir(parents=True)
    (folder / "ruleset.yaml").write_text(
        f"id: {folder.name}\ntitle: Local\nversion: '0.1'\nextends: {extends}\nsource: {{title: Local, reference: L-1}}\n"
    )
    return folder


def test_extends_by_id_ignores_the_working_directory(tampered, monkeypatch, tmp_path):
    local = local_protocol(tmp_path / "elsewhere" / "local-a", DEFAULT_RULESET)
    monkeypatch.chdir(tampered.parent)
    ruleset = load_ruleset(local)
    assert ruleset.extends == DEFAULT_RULESET
    assert set(ruleset.paragraphs) == set(load_ruleset().paragraphs)
    assert loader._loaded[ruleset.path].folders[1] == SHIPPED


def test_extends_by_relative_path_is_relative_to_the_extending_folder(tmp_path, monkeypatch):
    base = tmp_path / "protocols" / "engine-mini"
    shutil.copytree(MINI, base)
    local = local_protocol(tmp_path / "protocols" / "local-b", "../engine-mini")
    monkeypatch.chdir(tmp_path)  # ../engine-mini from here does not exist
    assert load_ruleset(local).extends == "engine-mini"


def test_missing_base_names_the_extends_line(tmp_path):
    local = local_protocol(tmp_path / "local-c", "./no-such-base")
    with pytest.raises(RulesetError, match="extends: .*no such ruleset folder") as info:
        load_ruleset(local)
    assert info.value.file == "local-c/ruleset.yaml" and info.value.line == 4


def test_a_self_extending_ruleset_is_a_cycle(tmp_path):
    local = local_protocol(tmp_path / "local-d", ".")
    with pytest.raises(RulesetError, match="cycle: local-d -> local-d"):
        load_ruleset(local)


def test_edits_are_picked_up_and_untouched_folders_are_not_reloaded(tmp_path, monkeypatch):
    folder = tmp_path / "engine-mini"
    shutil.copytree(MINI, folder)
    monkeypatch.setattr(loader, "RECHECK_SECONDS", 0.0)
    first = load_ruleset(folder)
    assert load_ruleset(folder) is first  # nothing changed: the same object
    meta = folder / "ruleset.yaml"
    os.utime(meta)  # touched, same content: same object
    meta.write_text(meta.read_text())
    assert load_ruleset(folder) is first
    text = meta.read_text()
    meta.write_text(text + "\n# edited\n")
    second = load_ruleset(folder)
    assert second is not first and second.hash != first.hash


def test_reload_is_throttled(tmp_path, monkeypatch):
    folder = tmp_path / "engine-mini"
    shutil.copytree(MINI, folder)
    monkeypatch.setattr(loader, "RECHECK_SECONDS", 3600.0)
    first = load_ruleset(str(folder))
    (folder / "ruleset.yaml").write_text((folder / "ruleset.yaml").read_text() + "\n# edited\n")
    assert load_ruleset(str(folder)) is first  # within the recheck interval: no file system access
