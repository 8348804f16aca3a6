"""Headless Chromium for the tests that check HTML as a browser parses it (explain's and diff's pages).

The browser is found as ``$INFOSHARE_CHROMIUM`` or the first of ``chromium``, ``chromium-browser``,
``google-chrome`` and ``google-chrome-stable`` on PATH. Without one those tests fail, saying how
to install it (README, Set up): they are never skipped.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
MISSING = (
    "headless Chromium is needed to render HTML in this test and none was found "
    f"(looked for $INFOSHARE_CHROMIUM, then {', '.join(NAMES)} on PATH). Install it: on Debian or Ubuntu "
    "`apt-get install -y chromium` (.ci/run does this); elsewhere install Chromium or Chrome and set "
    "INFOSHARE_CHROMIUM=/path/to/the/browser. See README.md, Set up."
)
FLAGS = (
    "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
    "--disable-component-update", "--disable-sync",
)


def find_browser() -> str | None:
    """The browser's path, or None."""
    given = os.environ.get("INFOSHARE_CHROMIUM")
    if given:
        return shutil.which(given)
    return next((path for name in NAMES if (path := shutil.which(name))), None)


def dump_dom(page: Path, profile: Path) -> str:
    """The DOM of the HTML file ``page`` as headless Chromium builds it (fails the test if there is no browser)."""
    browser = find_browser()
    if browser is None:
        pytest.fail(MISSING, pytrace=False)
    run = subprocess.run(
        [browser, *FLAGS, f"--user-data-dir={profile}", "--dump-dom", page.as_uri()], capture_output=True, text=True, timeout=120
    )
    assert run.returncode == 0, run.stderr[-2000:]
    return run.stdout
