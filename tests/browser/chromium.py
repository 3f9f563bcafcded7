"""Run a headless Chromium on a local file, with everything that could reach the network or
write outside a temporary profile turned off.

CI installs the browser when it is missing (`apt-get install -y chromium`); tests skip with a
clear message only when no browser is found.
"""

from __future__ import annotations

import shutil
import struct
import subprocess
import zlib
from pathlib import Path

#: Names the browser goes by, in the order they are tried.
NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")

#: A phone's viewport (an iPhone 12-14 in CSS pixels).
PHONE = (390, 844)

_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--hide-scrollbars",
)

SKIP_REASON = (
    "no headless browser found (tried: " + ", ".join(NAMES) + "); "
    "install one with `apt-get install -y chromium`"
)


def find_browser() -> str | None:
    """The path of the first browser found on PATH, or None."""
    for name in NAMES:
        path = shutil.which(name)
        if path:
            return path
    return None


#: Seconds after which a browser run is taken to be hung and killed: a hang guard, never a
#: budget (a headless page load takes a few seconds even on a busy machine).
HANG_SECONDS = 600.0


def _run(browser: str, profile: Path, *args: str, timeout: float = HANG_SECONDS) -> str:
    profile.mkdir(parents=True, exist_ok=True)
    done = subprocess.run(
        [browser, *_FLAGS, f"--user-data-dir={profile}", *args],
        capture_output=True, text=True, timeout=timeout, check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"{browser} exited {done.returncode}: {done.stderr[-2000:]}")
    return done.stdout


def dump_dom(browser: str, page: Path, profile: Path) -> str:
    """The DOM of a local page after it has loaded, serialised as HTML."""
    return _run(browser, profile, "--dump-dom", page.resolve().as_uri())


def screenshot(browser: str, page: Path, out: Path, profile: Path,
               size: tuple[int, int] = PHONE) -> Path:
    """A PNG of the top of a local page in a window of `size` CSS pixels."""
    _run(browser, profile, f"--screenshot={out}", f"--window-size={size[0]},{size[1]}",
         page.resolve().as_uri())
    return out


def png_info(data: bytes) -> tuple[int, int, int]:
    """(width, height, distinct byte values in the decompressed image data) of a PNG: the last
    says whether the picture has content (a blank page compresses to a handful of values)."""
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        raise ValueError("not a PNG file")
    pos, width, height, idat = 8, 0, 0, b""
    while pos < len(data):
        (length,) = struct.unpack(">I", data[pos : pos + 4])
        kind = data[pos + 4 : pos + 8]
        body = data[pos + 8 : pos + 8 + length]
        if kind == b"IHDR":
            width, height = struct.unpack(">II", body[:8])
        elif kind == b"IDAT":
            idat += body
        pos += 12 + length
    return width, height, len(set(zlib.decompress(idat)))
