"""The wheel users install carries the shipped rulesets, both entry points, the licences and one version."""

from __future__ import annotations

import email.parser
import importlib.metadata
import re
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

import infoshare_rules

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def wheel(tmp_path_factory):
    out = tmp_path_factory.mktemp("wheel")
    build = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(out), str(ROOT)],
        capture_output=True, text=True, timeout=600,
    )
    assert build.returncode == 0, build.stderr[-2000:]
    (built,) = out.glob("infoshare_rules-*.whl")
    return built


def _metadata(names, archive):
    (name,) = [n for n in names if n.endswith(".dist-info/METADATA")]
    return email.parser.Parser().parsestr(archive.read(name).decode())


def test_wheel_ships_rulesets_console_script_and_pytest_plugin(wheel):
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
        entry_points = next(archive.read(n).decode() for n in names if n.endswith("entry_points.txt"))
    shipped = {n.split("infoshare_rules/rulesets/", 1)[1] for n in names if "infoshare_rules/rulesets/" in n}
    on_disk = {p.relative_to(ROOT / "rulesets").as_posix() for p in (ROOT / "rulesets").rglob("*") if p.is_file()}
    assert on_disk and on_disk <= shipped
    assert "infoshare_rules/engines/_durable.py" in names
    assert "infoshare_rules/py.typed" in names  # PEP 561: type checkers use our annotations
    assert "infoshare_rules/facts/model.pyi" in names  # the facts as type checkers see them
    assert "infoshare = infoshare_rules.cli.main:main" in entry_points
    assert "infoshare_cases = infoshare_rules.cases.pytest_plugin" in entry_points


def test_wheel_carries_the_licences(wheel):
    """MIT for the code, the Open Government Licence for the guide's words the rulesets quote (NOTICE)."""
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
        meta = _metadata(names, archive)
        licences = {n.rsplit("/licenses/", 1)[1]: archive.read(n).decode() for n in names if ".dist-info/licenses/" in n}
    assert meta["License-Expression"] == "MIT AND OGL-UK-3.0"
    assert sorted(meta.get_all("License-File")) == ["LICENSE", "NOTICE"]
    assert licences == {"LICENSE": (ROOT / "LICENSE").read_text(), "NOTICE": (ROOT / "NOTICE").read_text()}
    assert licences["LICENSE"].startswith("MIT License") and "infoshare-rules contributors" in licences["LICENSE"]
    assert "Open Government Licence v3.0" in licences["NOTICE"]
    assert "Crown copyright" in (ROOT / "guidance" / "NOTICE").read_text()
    classifiers = meta.get_all("Classifier")
    assert "Typing :: Typed" in classifiers and "Framework :: Pytest" in classifiers
    assert not [c for c in classifiers if c.startswith("License ::")]  # PEP 639: the expression says it


def test_one_version_everywhere(wheel):
    """The version is written once, in __init__.py; the wheel, the installed metadata and CHANGELOG agree."""
    written = re.findall(r'^__version__ = "([^"]+)"$', (ROOT / "src/infoshare_rules/__init__.py").read_text(), re.M)
    assert written == [infoshare_rules.__version__]
    project = (ROOT / "pyproject.toml").read_text().split("[project]", 1)[1].split("\n[", 1)[0]
    assert not re.search(r"^version\s*=", project, re.M), "pyproject.toml must not write the version a second time"
    assert re.search(r'^dynamic = \["version"\]', project, re.M)
    with zipfile.ZipFile(wheel) as archive:
        assert _metadata(archive.namelist(), archive)["Version"] == infoshare_rules.__version__
    assert wheel.name.startswith(f"infoshare_rules-{infoshare_rules.__version__}-")
    # the installed distribution (an editable install's metadata is written when it is installed)
    assert importlib.metadata.version("infoshare-rules") == infoshare_rules.__version__
    changelog = (ROOT / "CHANGELOG.md").read_text()
    assert re.findall(r"^## \[([^\]]+)\]", changelog, re.M)[0] == "Unreleased"
    released = re.findall(r"^## \[(\d[^\]]*)\] - \d{4}-\d{2}-\d{2}$", changelog, re.M)
    assert released and released[0] == infoshare_rules.__version__, "CHANGELOG's latest release is not __version__"
