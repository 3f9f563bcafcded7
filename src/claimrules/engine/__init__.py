"""The engine: a checked Ruleset compiled (`compile`), read under as_of / known_by / sources /
speakers (`context`), searched (`search`, with `combine` the verdict of a set of rules),
compiled per reading into a decision diagram (`reading`) and explained (`explain`, with `why`
the one walker of conditions); `evaluator` holds the public `evaluate` / `evaluate_many`."""
