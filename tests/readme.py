"""README.md's fenced code blocks, for the tests that run them (test_readme.py) and type-check them (test_typing.py)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

README = Path(__file__).resolve().parents[1] / "README.md"
FENCE = re.compile(r"^```(\S*)\s*$")
HEADING = re.compile(r"^(#{2,4}) (.+)$")


@dataclass(frozen=True)
class Block:
    lang: str  # the fence's info string: python, sh, yaml, ... ("" for plain output)
    text: str
    line: int  # README.md's line number of the first line inside the fence
    section: str  # the nearest heading above it

    @property
    def where(self) -> str:
        return f"README.md:{self.line} ({self.section})"


def blocks(path: Path = README) -> list[Block]:
    found, section, fence, start, body = [], "", None, 0, []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if fence is None:
            if m := FENCE.match(line):
                fence, start, body = m.group(1), number + 1, []
            elif m := HEADING.match(line):
                section = m.group(2)
        elif line.startswith("```"):
            found.append(Block(fence, "\n".join(body) + "\n", start, section))
            fence = None
        else:
            body.append(line)
    assert fence is None, f"{path.name}: a code block opened at line {start - 1} is never closed"
    return found


def python_blocks() -> list[Block]:
    return [b for b in blocks() if b.lang == "python"]
