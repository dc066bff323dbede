"""Headless Debian Chromium driven by Playwright, for the map tests and the benchmark.

Never a browser download: Playwright drives ``/usr/bin/chromium`` (Debian's package,
installed by ``.ci/run``) with a fresh profile and every background service off, and
the page's requests are recorded so that a test can prove nothing left 127.0.0.1.
"""

from __future__ import annotations

import shutil
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from playwright.sync_api import BrowserContext, Page, sync_playwright

from cesp.storage.settings import REPO_ROOT

CHROMIUM = "/usr/bin/chromium"
FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
LAPTOP = {"width": 1366, "height": 800}
PHONE = {"width": 390, "height": 780}
SCREENSHOTS = REPO_ROOT / "var" / "screenshots"
LOCAL_HOSTS = {"127.0.0.1"}


@dataclass
class Session:
    """A browser context and the URLs its pages requested."""

    context: BrowserContext
    requests: list[str] = field(default_factory=list)
    console_errors: list[str] = field(default_factory=list)

    def page(self, viewport: dict[str, int]) -> Page:
        """A new page at a viewport size, recording requests and console errors."""
        page = self.context.new_page()
        page.set_viewport_size(viewport)  # type: ignore[arg-type]
        page.on("request", lambda request: self.requests.append(request.url))
        page.on(
            "console",
            lambda message: (
                self.console_errors.append(message.text) if message.type == "error" else None
            ),
        )
        page.on("pageerror", lambda error: self.console_errors.append(str(error)))
        return page

    def outside_requests(self) -> list[str]:
        """Requests to anything but 127.0.0.1 (data: URIs are not requests)."""
        return [
            url
            for url in self.requests
            if not url.startswith(("data:", "blob:", "about:"))
            and urlsplit(url).hostname not in LOCAL_HOSTS
        ]


def chromium_available() -> bool:
    """Whether Debian's Chromium is installed here."""
    return Path(CHROMIUM).is_file() and shutil.which(CHROMIUM) is not None


@contextmanager
def chromium(locale: str = "fr-FR") -> Iterator[Session]:
    """A headless Chromium with a fresh, throw-away profile, in a browser language."""
    profile = tempfile.mkdtemp(prefix="cesp-chromium-")
    try:
        with sync_playwright() as playwright:
            context = playwright.chromium.launch_persistent_context(
                profile,
                executable_path=CHROMIUM,
                headless=True,
                args=FLAGS,
                locale=locale,
            )
            try:
                yield Session(context)
            finally:
                context.close()
    finally:
        shutil.rmtree(profile, ignore_errors=True)


def wait_ready(page: Page, timeout_ms: int = 30_000) -> None:
    """Wait until our script says every layer is drawn (``data-cesp-ready``)."""
    page.wait_for_selector("html[data-cesp-ready]", state="attached", timeout=timeout_ms)


def screenshot(page: Page, name: str) -> Path:
    """Save a screenshot under var/screenshots (ignored by git) and return its path."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path))
    return path


def wait_until(page: Page, expression: str, arg: object = None, timeout: int = 30_000) -> None:
    """Poll ``expression`` (or a function of ``arg``) until it is truthy.

    ``page.wait_for_function`` compiles its expression with ``new Function`` inside the
    page, which the pages' Content-Security-Policy refuses (no ``'unsafe-eval'``, issue
    20); ``page.evaluate`` goes through the DevTools protocol, which the policy does not
    govern, so the map is tested under the policy it is served with."""
    deadline = time.monotonic() + timeout / 1000
    while not page.evaluate(expression, arg):
        if time.monotonic() > deadline:
            raise AssertionError(f"not true after {timeout} ms: {expression}")
        page.wait_for_timeout(100)
