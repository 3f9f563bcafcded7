"""Whole-space analyses over the engine: lint, tables, diffs, timelines, cases, interviews and
reviews."""
