"""Case suites: YAML case files, the runner, its reports, record mode and the pytest plugin."""
