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


#: Run in the page once it is laid out: the document's widths and every element that overflows the
#: viewport or its own box, written to an attribute of <html> (which --dump-dom then shows).
_LAYOUT_PROBE = """<script>
(function () {
  var de = document.documentElement, bad = [];
  var all = document.body.getElementsByTagName("*");
  for (var i = 0; i < all.length; i++) {
    var el = all[i], r = el.getBoundingClientRect(), style = getComputedStyle(el);
    var name = el.tagName.toLowerCase() + (el.id ? "#" + el.id : "") + (el.className ? "." + el.className : "");
    if (r.width > 0 && (r.right > de.clientWidth + 0.5 || r.left < -0.5)) bad.push(name + " spans " + Math.round(r.left) + ".." + Math.round(r.right));
    if (style.display !== "inline" && el.clientWidth > 0 && el.scrollWidth > el.clientWidth + 1) bad.push(name + " content " + el.scrollWidth + " > box " + el.clientWidth);
  }
  de.setAttribute("data-layout", JSON.stringify({
    scrollWidth: de.scrollWidth, clientWidth: de.clientWidth, innerWidth: window.innerWidth, elements: all.length, overflowing: bad.slice(0, 30)
  }));
})();
</script>"""


def layout(page: Path, profile: Path, width: int = 1280, height: int = 900) -> dict:
    """How headless Chromium lays out the HTML file ``page`` in a ``width`` x ``height`` window:
    ``scrollWidth`` and ``clientWidth`` of the document, ``innerWidth``, and ``overflowing``: each element
    (up to 30) that reaches outside the viewport, or whose content is wider than its box.
    The page is probed in a copy beside it (the report itself has no script)."""
    import json
    import re

    probe = page.with_name(page.stem + ".probe.html")
    probe.write_text(page.read_text(encoding="utf-8").replace("</body>", _LAYOUT_PROBE + "</body>"), encoding="utf-8")
    browser = find_browser()
    if browser is None:
        pytest.fail(MISSING, pytrace=False)
    run = subprocess.run(
        [browser, *FLAGS, f"--user-data-dir={profile}", "--hide-scrollbars", f"--window-size={width},{height}", "--dump-dom", probe.as_uri()],
        capture_output=True, text=True, timeout=120,
    )
    assert run.returncode == 0, run.stderr[-2000:]
    found = re.search(r'data-layout="([^"]*)"', run.stdout)
    assert found, run.stdout[:2000]
    import html

    return json.loads(html.unescape(found.group(1)))


def screenshot(page: Path, png: Path, profile: Path, width: int = 1280, height: int = 2400) -> Path:
    """A PNG of the top ``width`` x ``height`` of the HTML file ``page`` in headless Chromium."""
    browser = find_browser()
    if browser is None:
        pytest.fail(MISSING, pytrace=False)
    run = subprocess.run(
        [browser, *FLAGS, f"--user-data-dir={profile}", "--hide-scrollbars", f"--window-size={width},{height}", f"--screenshot={png}", page.as_uri()],
        capture_output=True, text=True, timeout=120,
    )
    assert run.returncode == 0, run.stderr[-2000:]
    assert png.exists() and png.stat().st_size > 1000, run.stderr[-2000:]
    return png
