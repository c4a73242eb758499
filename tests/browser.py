"""Headless Chromium for the tests that look at a page (the explorer, the comparison report).

`make test` installs Chromium (Debian's); where it is missing the browser tests skip, except in CI, which
fails them; `make test SKIP_BROWSER=1` (LABSIM_SKIP_BROWSER) skips them everywhere.
"""

import os
import shutil

import pytest

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
         "--disable-component-update", "--disable-sync"]

needs_browser = pytest.mark.skipif(
    bool(os.environ.get("LABSIM_SKIP_BROWSER")) or (CHROMIUM is None and not os.environ.get("CI")),
    reason="no Chromium here, or make test SKIP_BROWSER=1 (make test installs it; CI requires it)")


def playwright():
    """Playwright's sync API; skipped where it is not installed, except in CI (as a missing browser)."""
    if not os.environ.get("CI"):
        pytest.importorskip("playwright", reason="Playwright is in the [dev] extra")
    from playwright.sync_api import sync_playwright

    assert CHROMIUM, "Chromium is required in CI"
    return sync_playwright()
