"""The wheel users install carries the shipped rulesets and both entry points."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_wheel_ships_rulesets_console_script_and_pytest_plugin(tmp_path):
    build = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(tmp_path), str(ROOT)],
        capture_output=True, text=True, timeout=600,
    )
    assert build.returncode == 0, build.stderr[-2000:]
    (wheel,) = tmp_path.glob("infoshare_rules-*.whl")
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
        entry_points = next(archive.read(n).decode() for n in names if n.endswith("entry_points.txt"))
    shipped = {n.split("infoshare_rules/rulesets/", 1)[1] for n in names if "infoshare_rules/rulesets/" in n}
    on_disk = {p.relative_to(ROOT / "rulesets").as_posix() for p in (ROOT / "rulesets").rglob("*") if p.is_file()}
    assert on_disk and on_disk <= shipped
    assert "infoshare_rules/engines/_durable.py" in names
    assert "infoshare_rules/py.typed" in names  # PEP 561: type checkers use our annotations
    assert "infoshare = infoshare_rules.cli.main:main" in entry_points
    assert "infoshare_cases = infoshare_rules.cases.pytest_plugin" in entry_points
