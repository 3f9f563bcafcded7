"""A Selenium-driven headless Chromium (Debian's `chromium` and `chromium-driver`), with the
browser's console and network log kept, so tests can click through a page and check that it
logged no error and asked the network for nothing.

Tests skip with a clear message when the browser or its driver is missing; CI installs both.
"""

from __future__ import annotations

import json
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from browser.chromium import find_browser

DRIVER_NAMES = ("chromedriver", "chromium-driver")

SKIP_REASON = (
    "no headless Chromium with its WebDriver found; "
    "install them with `apt-get install -y chromium chromium-driver`"
)


def find_driver() -> str | None:
    """The path of chromedriver on PATH (or Debian's usual place), or None."""
    for name in DRIVER_NAMES:
        path = shutil.which(name)
        if path:
            return path
    debian = Path("/usr/lib/chromium/chromedriver")
    return str(debian) if debian.is_file() else None


def available() -> bool:
    """Whether Selenium, a browser and its driver are all here."""
    try:
        import selenium  # noqa: F401
    except ImportError:
        return False
    return find_browser() is not None and find_driver() is not None


#: The window a driver opens with, and goes back to after `resized`.
DESKTOP = (1280, 900)


def resize(driver: Any, width: int, height: int) -> None:
    """Make the page's viewport `width` x `height` CSS pixels."""
    driver.set_window_size(width, height)
    # A window cannot be made as narrow as a phone everywhere: emulate the phone's viewport.
    driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", {
        "width": width, "height": height, "deviceScaleFactor": 1, "mobile": width < 600})


@contextmanager
def resized(driver: Any, width: int, height: int) -> Iterator[Any]:
    """The driver with a `width` x `height` viewport for the block, then `DESKTOP` again."""
    resize(driver, width, height)
    try:
        yield driver
    finally:
        resize(driver, *DESKTOP)


@contextmanager
def chromium(width: int = DESKTOP[0], height: int = DESKTOP[1]) -> Iterator[Any]:
    """A headless Chromium WebDriver with a fresh profile, closed afterwards."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    profile = tempfile.mkdtemp(prefix="claimrules-chromium-")
    options = webdriver.ChromeOptions()
    options.binary_location = find_browser() or "chromium"
    for flag in ("--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--disable-dev-shm-usage", "--hide-scrollbars",
                 f"--user-data-dir={profile}", f"--window-size={width},{height}"):
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL", "performance": "ALL"})
    driver = webdriver.Chrome(options=options, service=Service(find_driver()))
    try:
        resize(driver, width, height)
        yield driver
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)


def console_errors(driver: Any) -> list[str]:
    """Console messages at level SEVERE (errors) logged since the last call."""
    return [e["message"] for e in driver.get_log("browser") if e.get("level") == "SEVERE"]


def requested_urls(driver: Any) -> list[str]:
    """The URLs the page asked for since the last call (from the performance log)."""
    out = []
    for entry in driver.get_log("performance"):
        message = json.loads(entry["message"])["message"]
        if message.get("method") == "Network.requestWillBeSent":
            out.append(message["params"]["request"]["url"])
    return out
