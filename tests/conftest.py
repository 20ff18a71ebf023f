"""Shared fixtures and the suite's rules for what tests need from the machine.

Tests marked ``data`` need the datasets under $LENET_DATA_DIR and tests marked
``browser`` need Debian's chromium. Where either is missing they are skipped with
the reason, so ``python -m pytest -m "not data and not browser"`` runs anywhere;
in CI ($CI set) a missing resource fails the test instead, and any skipped test
fails the run: CI must run every test.
"""
from __future__ import annotations

import os
from pathlib import Path
from typing import Iterator

import pytest

from lenet.datasets import DATA_DIR_ENV
from tools.browser import BROWSER_ARGS, CHROMIUM

CI_ENV = "CI"
CI_OFF_VALUES = {"", "0", "false", "no"}  # CI=false (some shells export it so) is not CI
# Each dataset's folder under $LENET_DATA_DIR; CIFAR-10 may also be torchvision's own pickled batches.
DATASET_FOLDERS = {"MNIST": ("MNIST",), "FashionMNIST": ("FashionMNIST",), "cifar10": ("cifar10", "cifar-10-batches-py")}
DATASETS_HOWTO = f"set ${DATA_DIR_ENV} to the folder holding MNIST/, FashionMNIST/ and cifar10/ (see README)"
CHROMIUM_HOWTO = f"{CHROMIUM} is missing: apt-get install -y chromium (.ci/run does)"
DATA_MARKER, BROWSER_MARKER = "data", "browser"
BROWSER_TESTS = "test_browser.py"
TRAIN_LIMIT = 2000  # training jobs started through the test app use this many images of each split


def in_ci() -> bool:
    """Whether this run is CI, where nothing may be skipped for lack of a dataset or a browser."""
    return os.environ.get(CI_ENV, "").strip().lower() not in CI_OFF_VALUES


def missing_datasets() -> str | None:
    """Why the datasets cannot be read (the how-to first, then what is wrong), or None when they are there."""
    root = os.environ.get(DATA_DIR_ENV)
    if not root:
        return f"{DATASETS_HOWTO}; ${DATA_DIR_ENV} is not set"
    if not Path(root).is_dir():
        return f"{DATASETS_HOWTO}; {root} is not a folder"
    absent = [name for name, folders in DATASET_FOLDERS.items() if not any((Path(root) / f).is_dir() for f in folders)]
    if absent:
        return f"{DATASETS_HOWTO}; {root} has no {', '.join(name + '/' for name in absent)}"
    return None


def missing_browser() -> str | None:
    """Why the browser tests cannot run, or None when chromium is installed."""
    return None if Path(CHROMIUM).exists() else CHROMIUM_HOWTO


def require(problem: str | None) -> None:
    """Skip the current test for ``problem``, or fail it in CI, where a missing resource is a broken setup."""
    if problem is None:
        return
    if in_ci():
        pytest.fail(f"${CI_ENV} is set, so this must not be skipped: {problem}", pytrace=False)
    pytest.skip(problem)


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Refuse to run with a test that needs a resource but lacks its marker: ``-m "not data"`` would run it."""
    unmarked = [
        f"{item.nodeid} needs @pytest.mark.{marker}"
        for item in items
        for marker, needed in ((DATA_MARKER, "data_dir" in getattr(item, "fixturenames", ())),
                               (BROWSER_MARKER, item.path.name == BROWSER_TESTS))
        if needed and item.get_closest_marker(marker) is None
    ]
    if unmarked:
        raise pytest.UsageError("tests without the marker for what they need:\n  " + "\n  ".join(unmarked))


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item: pytest.Item) -> None:
    """Before any fixture starts (the app, a browser): skip, or in CI fail, when the marked resource is missing."""
    if item.get_closest_marker(DATA_MARKER):
        require(missing_datasets())
    if item.get_closest_marker(BROWSER_MARKER):
        require(missing_browser())


class SkipsFailCi:
    """In CI, any skipped test turns the exit status into a failure and is listed at the end."""

    def __init__(self) -> None:
        self.skipped: list[str] = []

    def _record(self, report: pytest.TestReport | pytest.CollectReport) -> None:
        if report.skipped and not hasattr(report, "wasxfail"):  # an expected failure is not a skip
            reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else str(report.longrepr)
            self.skipped.append(f"{report.nodeid}: {reason}")

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        self._record(report)

    def pytest_collectreport(self, report: pytest.CollectReport) -> None:
        self._record(report)

    def pytest_sessionfinish(self, session: pytest.Session) -> None:
        if self.skipped and session.exitstatus == pytest.ExitCode.OK:
            session.exitstatus = pytest.ExitCode.TESTS_FAILED

    def pytest_terminal_summary(self, terminalreporter: pytest.TerminalReporter) -> None:
        if not self.skipped:
            return
        terminalreporter.section(f"skipped under ${CI_ENV}: this run fails", red=True, bold=True)
        for line in self.skipped:
            terminalreporter.line(line, red=True)
        terminalreporter.line(f"{len(self.skipped)} skipped; CI must run every test (${CI_ENV}={os.environ[CI_ENV]!r})")


def pytest_configure(config: pytest.Config) -> None:
    if in_ci():
        config.pluginmanager.register(SkipsFailCi(), "lenet-skips-fail-ci")


@pytest.fixture(scope="session")
def data_dir() -> Path:
    """The dataset root ($LENET_DATA_DIR); the test is skipped (failed in CI) when the datasets are not there."""
    require(missing_datasets())
    return Path(os.environ[DATA_DIR_ENV])


@pytest.fixture(scope="session")
def app_url() -> Iterator[str]:
    """The real app, served on a free local port for the whole session."""
    from demo.serving import launch_app

    app, url = launch_app(train_limit=TRAIN_LIMIT)
    yield url
    app.close()


@pytest.fixture(scope="module")
def browser():
    """Debian's chromium, headless, for one test module (its tests are marked ``browser``)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=BROWSER_ARGS)
        yield browser
        browser.close()
