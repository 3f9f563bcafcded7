"""Loading: files → safe YAML → models (shape) → checks (meaning) → a checked Ruleset."""
