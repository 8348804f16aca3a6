import os

from hypothesis import HealthCheck, Phase, settings

# Deciding is fast, but the first decision of a process compiles the ruleset: no deadlines.
settings.register_profile("default", deadline=None, max_examples=60, suppress_health_check=[HealthCheck.too_slow])
settings.register_profile("thorough", deadline=None, max_examples=3000, suppress_health_check=[HealthCheck.too_slow])
# Quick triage of a broken suite: few examples, no shrinking.
settings.register_profile("triage", deadline=None, max_examples=15, phases=[Phase.explicit, Phase.reuse, Phase.generate], suppress_health_check=list(HealthCheck))
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))

# Case files under fixtures/ are inputs to the runner's own tests (some fail on purpose).
collect_ignore_glob = ["fixtures/*"]


def pytest_report_header(config):
    """Say up front whether the browser the HTML tests need is here (without it they fail, never skip)."""
    from browser import MISSING, find_browser

    found = find_browser()
    return f"chromium: {found}" if found else f"chromium: NOT FOUND, 2 tests will fail: {MISSING}"
