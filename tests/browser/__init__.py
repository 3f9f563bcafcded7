"""Helpers to drive a headless Chromium from tests: find it, dump a page's DOM, screenshot it."""
