"""The engine: a checked Ruleset compiled per reading, searched, combined and explained."""
