"""A compiled reading: a reading's rules compiled into a decision diagram over the fact space.

For one reading (as_of, known_by, sources, speakers → `context.Context`) the one search
(`search.explore`) runs once with no fact known (`Reading.leaves`, which `table` and `lint`
read too). Its search tree is the diagram: each node splits on a fact (real facts first,
pseudo-facts — what the reporting leaves open — last), each leaf is a box of the fact space
with one verdict; a split on a pseudo-fact below real facts only is folded into an `Opening`
of the leaves below it. A scenario is a walk: a known fact follows its value; a missing fact
(and every pseudo-fact) follows every branch. The leaves reached
partition the scenario's completions, just as the per-scenario search from the scenario would
(`explain.decide`), and the decision is built from them by the same code (`explain.*_core`), so
it is the same: what holds in every completion does not depend on how the completions were
cut into boxes (the verdicts possible, the rules standing, the facts whose value alone changes
the verdict, the verdicts each value leaves possible).

Each leaf holds one shared, never-changed decision core (every field but the scenario's facts
and rule outcomes), built when a scenario first reaches it (leaves with the same rules
standing share one); scenarios with missing facts share a core per set of leaves reached. A
scenario's decision is that core with its facts and, when asked for, its rule outcomes: those
a leaf's path settles are built once per leaf, the others (a rule whose failing test more
facts may change, `why.settled_by`) per scenario. Decisions are remembered by canonical key —
the values in vocabulary order, an absent fact and None alike — so key order never matters.

The diagram is built lazily, on a reading's second scenario (so a command that asks one
question never pays for it: the first takes the per-scenario search), and readings are kept
per compiled ruleset — one per ruleset object, never shared between loads — the `READINGS`
most recently used. A reading has no diagram (and every
scenario takes the per-scenario search, with the same answers) when its vocabulary has number
or date facts, when the ruleset has constraints between facts, when it has more than
`DIAGRAM_RULES` rules in force, or when the diagram would have more than `DIAGRAM_LEAVES`
leaves (and so fewer inner nodes). A scenario with so many missing facts that the per-scenario
search could give up (`search.MAX_LEAVES`) takes it too.
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Mapping
from dataclasses import field
from datetime import date

from claimrules.collector import paused
from claimrules.engine.compile import (
    CompiledRule,
    CompiledRuleset,
    Facts,
    is_pseudo,
)
from claimrules.engine.context import Context, build_context
from claimrules.engine.decision import Decision, RuleOutcome, Verdict, build_decision
from claimrules.engine.explain import (
    Core,
    completed,
    decide,
    explained,
    leaves_core,
    path_outcomes,
    reading_fields,
    settled_core,
    split,
)
from claimrules.engine.search import MAX_LEAVES, Branch, Leaf, branch, explore
from claimrules.load.domain import FactType, FactValue
from claimrules.values import record

#: Readings a compiled ruleset keeps, the least recently used dropped first.
READINGS = 8
#: A diagram has at most this many leaves (and fewer inner nodes than leaves).
DIAGRAM_LEAVES = 4096
#: A reading with more rules in force than this is not compiled into a diagram.
DIAGRAM_RULES = 2000
#: Decisions a reading remembers per `explain`, before starting afresh...
DECISIONS = 1 << 14
#: ...and explained decisions hold one outcome per rule: at most this many outcomes in all.
OUTCOMES = 1 << 20
#: Cores of scenarios with missing facts a reading keeps, before starting afresh.
CORES = 1 << 12


#: A split of the diagram: the position of its fact in the canonical key (the vocabulary in
#: order, then the pseudo-facts the rules read, which no scenario gives: always None), and the
#: subtree of each value. A plain tuple: a walk reads two fields per split.
Split = tuple[int, dict[FactValue, "Node"]]


@record(slots=True)
class Box:
    """A leaf of the diagram: its leaf of the search (the facts its path fixes, the verdict,
    the rules standing), its number in leaf order, and what scenarios fixing every fact on its
    path share, built when first asked."""

    leaf: Leaf
    number: int
    core: Core | None = None
    applicable: list[CompiledRule] | None = None  # the rules that apply on its path
    # The rule outcomes its path settles (None: those that depend on more facts).
    outcomes: tuple[RuleOutcome | None, ...] | None = None


@record(slots=True)
class Opening:
    """A split on a pseudo-fact (what the reporting leaves open) below which the search
    splits on pseudo-facts only (real facts come first): a scenario that reaches it reaches
    every leaf below (`boxes`, in leaf order; `tree`, the splits folded). Its core, and the
    rules that apply and are left undecided on its path, are built when first asked (see
    `Reading.opening`)."""

    boxes: tuple[Box, ...]
    tree: Split
    found: tuple[Core, list[CompiledRule], list[CompiledRule]] | None = None


#: A node of the diagram: a split, a leaf, or an opening (splits on pseudo-facts, folded).
Node = Split | Box | Opening


@record
class Reading:
    """A reading compiled: its context, its diagram (None: too large, or not built yet) and
    its walker, and the decisions and cores it remembers."""

    compiled: CompiledRuleset
    ctx: Context
    known_by: date | None
    sources: tuple[str, ...] | None
    speakers: tuple[str, ...] | None
    shared: Core
    built: bool = False
    asked: int = 0  # scenarios asked before the diagram was built
    root: Node | None = None
    boxes: int = 0
    names: tuple[str, ...] = ()  # the canonical key's names (see Split)
    known: frozenset[str] = frozenset()  # the names a scenario may give
    allowed: tuple[frozenset[object], ...] = ()  # by position: the values it may give, None too
    booleans: tuple[int, ...] = ()  # the positions of boolean facts
    sizes: tuple[int, ...] = ()  # domain size of each fact the rules read (1: none reads it)
    pseudo: tuple[None, ...] = ()  # a None per pseudo-fact: the rest of a canonical key
    limits: tuple[int, int] = (DECISIONS, 1)  # decisions remembered, by `explain`
    # The walk of a scenario (see `_walker`): its remembered decision, (box or opening, key)
    # for a scenario that fixes every fact on its path, (OPEN, key) for one missing a fact on it,
    # or None for one the per-scenario path must answer (or report).
    walker: Walker | None = None
    # The one search from nothing known under this reading, and whether it was complete
    # (see `leaves`); None until asked for (or until the diagram is built from it).
    raw: tuple[tuple[Leaf, ...], bool] | None = None
    decisions: tuple[dict[tuple[object, ...], Decision], ...] = field(
        default_factory=lambda: ({}, {})  # by `explain`
    )
    cores: dict[tuple[object, ...], Core] = field(default_factory=dict)
    settled_cores: dict[tuple[int, ...], Core] = field(default_factory=dict)  # by rules standing
    shapes: dict[tuple[object, ...], Core] = field(default_factory=dict)  # see `opening`

    def decide(self, facts: Mapping[str, object], explain: bool) -> Decision | None:
        """The decision for a scenario given as a plain dict of exact enum strings, booleans
        and Nones, remembered or from the diagram (and then remembered); None when the
        scenario (or the reading) needs the per-scenario path (which also reports what is
        wrong with the scenario). The diagram is built on the reading's second scenario: a
        command that asks one question never pays for it."""
        walker = self.walker
        if walker is None:
            if self.built:
                return None
            if self.asked == 0:
                self.asked = 1
                return None
            self.build()
            walker = self.walker
            if walker is None:
                return None
        if facts.__class__ is not dict:
            return None
        memo = self.decisions[explain]
        found = walker(facts, memo)
        if found is None or found.__class__ is Decision:
            return found
        return self.conclude(found, facts, explain)

    def conclude(self, found: object, facts: Mapping[str, object], explain: bool
                 ) -> Decision | None:
        """The decision of a walk that ended at a node (see `Reading.walker`), remembered;
        None for one the per-scenario path must answer."""
        memo = self.decisions[explain]
        node: object
        key: tuple[object, ...]
        node, key = found  # type: ignore[misc]  # (a node, the canonical key)
        if node.__class__ is Box:
            core = node.core
            if core is not None and not explain:  # the common case, `settled` in short
                typed = dict(facts) if None not in key else _typed(facts)
                decision = build_decision(core, typed, ())  # type: ignore[arg-type]
            else:
                decision = self.settled(node, facts, explain)
        elif node.__class__ is Opening:
            decision = self.opening(node, facts, explain)
        else:
            opened = self.walk_open(key + self.pseudo, facts, explain)
            if opened is None:
                return None
            decision = opened
        if len(memo) >= self.limits[explain]:
            memo.clear()
        memo[key] = decision
        return decision

    def remember(self, decision: Decision, explain: bool) -> Decision:
        """Keep a decision the per-scenario path gave (for typed facts), so that the same
        scenario asked again, its keys in any order, gets the same object back (unless the
        reading has no diagram: then nothing is remembered); returns it."""
        if self.walker is not None or (not self.built and self.compilable()):
            memo = self.decisions[explain]
            if len(memo) >= self.limits[explain]:
                memo.clear()
            memo[tuple(map(decision.facts.get, self.compiled.ruleset.facts))] = decision
        return decision

    def leaves(self) -> tuple[list[Leaf], bool]:
        """The one search from nothing known under this reading: every box of the fact space
        with its verdict and the rules standing, pseudo-facts split (`search.settle_open`
        merges them), and whether the search was complete (within `search.MAX_LEAVES`). Run
        once per reading: the diagram is built from the same leaves, and `table` and `lint`
        read them."""
        if self.raw is None:
            with paused():  # many small acyclic objects (see claimrules.collector)
                found, complete = explore(self.compiled, self.ctx.active, {})
            self.raw = (tuple(found), complete)
        return list(self.raw[0]), self.raw[1]

    def known_order(self) -> tuple[str, ...]:
        """The names of the canonical key a scenario gives: the vocabulary, in order."""
        return self.names[: len(self.known)]

    def compilable(self) -> bool:
        """Whether the reading's fact space may be compiled into a diagram (it may still be
        too large: see `build`)."""
        compiled = self.compiled
        if compiled.ruleset.meta.constraints or len(self.ctx.active) > DIAGRAM_RULES:
            return False
        simple = (FactType.ENUM, FactType.BOOL)
        return all(f.type in simple for f in compiled.ruleset.facts.values())

    def settled(self, box: Box, facts: Mapping[str, object], explain: bool) -> Decision:
        """The decision of a scenario that fixes every fact on the path to `box`: every rule
        is decided, as on the path."""
        typed = _typed(facts)
        core = box.core
        if core is None:
            # Leaves with the same rules standing share one core.
            standing = box.leaf.standing
            key = tuple(r.index for r in standing)
            core = self.settled_cores.get(key)
            if core is None:
                core = self.settled_cores[key] = settled_core(self.ctx, standing, self.shared)
            box.core = core
        if not explain:
            return build_decision(core, typed, ())
        applicable = box.applicable
        known = box.outcomes
        if applicable is None or known is None:
            path = dict(box.leaf.assigned)
            applicable = box.applicable = [r for r in self.ctx.active if r.test(path) is True]
            known = box.outcomes = path_outcomes(self.compiled, self.ctx, applicable, path)
        return build_decision(core, typed, completed(
            self.compiled, self.ctx, applicable, typed, known
        ))

    def opening(self, node: Opening, facts: Mapping[str, object], explain: bool) -> Decision:
        """The decision of a scenario whose walk fixes every real fact on its path and meets
        an opening: every leaf below it, decided as the per-scenario search decides them.

        Below a split on a pseudo-fact the search splits on pseudo-facts only (real facts
        come first), so the rules that apply and those left undecided are those of the
        opening's path, and the leaves below say everything (no missing fact can matter).
        The rules left undecided there read no real fact the path does not fix (else the
        search would have split on that fact first), so they are the scenario's too."""
        typed = _typed(facts)
        found = node.found
        if found is None:
            path = {n: v for n, v in node.boxes[0].leaf.assigned if not is_pseudo(n)}
            applicable, undecided, _ = split(self.compiled, self.ctx, path)
            # The core depends only on the rules that apply and the leaves with the real
            # facts (all given) left out: openings alike in those share one.
            shape = (
                tuple(r.index for r in applicable),
                tuple(
                    (
                        tuple((n, v) for n, v in box.leaf.assigned if is_pseudo(n)),
                        box.leaf.verdict,
                        tuple(r.index for r in box.leaf.standing),
                    )
                    for box in node.boxes
                ),
            )
            core = self.shapes.get(shape)
            if core is None:
                values = tuple(map(typed.get, self.names))
                core = self.shapes[shape] = self.core_of(node.tree, values, applicable, True)
            found = node.found = (core, applicable, undecided)
        core, applicable, undecided = found
        rules = explained(self.compiled, self.ctx, applicable, undecided, typed) if explain else ()
        return build_decision(core, typed, rules)

    def walk_open(
        self, values: tuple[object, ...], facts: Mapping[str, object], explain: bool
    ) -> Decision | None:
        """The decision for values a real fact on the walk is missing from (a walk that
        fixes every real fact on its path ends at a leaf or an opening): every leaf reached,
        decided as the per-scenario search decides its leaves."""
        space = 1
        for size, value in zip(self.sizes, values, strict=True):
            if value is None:
                space *= size
        if space >= MAX_LEAVES:
            return None  # the per-scenario search could give up: ask it
        reached: list[Box] = []
        stack: list[Node] = [self.root]  # type: ignore[list-item]
        while stack:
            node = stack.pop()
            if node.__class__ is Box:
                reached.append(node)
                continue
            if node.__class__ is Opening:
                reached.extend(node.boxes)
                continue
            position, children = node  # type: ignore[misc]
            value = values[position]
            if value is None:
                stack.extend(reversed(children.values()))
            else:
                stack.append(children[value])  # type: ignore[index]
        typed = _typed(facts)
        numbers = tuple(box.number for box in reached)
        applicable: list[CompiledRule] = []
        undecided: list[CompiledRule] = []
        single = len({box.leaf.verdict for box in reached}) == 1
        if explain or (single and reached[0].leaf.verdict is not Verdict.NOT_ADDRESSED):
            applicable, undecided, _ = split(self.compiled, self.ctx, typed)
        key = (numbers, tuple(r.index for r in applicable)) if single else (explain, numbers)
        core = self.cores.get(key)
        if core is None:
            core = self.core_of(self.root, values, applicable, explain)  # type: ignore[arg-type]
            if len(self.cores) >= CORES:
                self.cores.clear()
            self.cores[key] = core
        rules = explained(self.compiled, self.ctx, applicable, undecided, typed) if explain else ()
        return build_decision(core, typed, rules)

    def core_of(
        self,
        node: Node,
        values: tuple[object, ...],
        applicable: list[CompiledRule],
        explain: bool,
    ) -> Core:
        """The core of the decision whose walk from `node` with these values (the canonical
        key, pseudo-facts included) reaches the leaves below it (see `leaves_core`): their
        paths less the facts the scenario gives are the leaves of the per-scenario search, and
        the diagram less the splits on those facts is its tree (see `_restricted`)."""
        leaves, tree = self.restricted(values, node)
        return leaves_core(self.compiled, self.ctx, applicable, leaves, explain, self.shared, tree)

    def restricted(
        self, values: tuple[object, ...], node: Node | None = None
    ) -> tuple[list[Leaf], Branch | Leaf]:
        """The leaves the walk of these values (the canonical key, pseudo-facts included, a
        missing fact None) reaches from `node` (the root by default), each path less the
        facts the values give, and their search tree (see `_restricted`)."""
        return _restricted(self.root if node is None else node, values, self.names)  # type: ignore[arg-type]

    def build(self) -> None:
        """Compile the diagram and its walker, unless it would be too large (see the
        module's notes)."""
        self.built = True
        compiled, ctx = self.compiled, self.ctx
        if not self.compilable():
            return
        if self.raw is not None:  # the search has run already: the diagram is its tree
            leaves, complete = list(self.raw[0]), self.raw[1] and len(self.raw[0]) <= DIAGRAM_LEAVES
        else:
            with paused():  # many small acyclic objects (see claimrules.collector)
                leaves, complete = explore(compiled, ctx.active, {}, max_leaves=DIAGRAM_LEAVES)
            if complete:
                self.raw = (tuple(leaves), True)
        if not complete:
            return
        vocabulary = compiled.ruleset.facts
        read = {n for r in ctx.active for n in r.reads}
        pseudo = sorted(n for n in read if is_pseudo(n))
        names = (*vocabulary, *pseudo)
        self.names = names
        self.known = frozenset(vocabulary)
        self.pseudo = (None,) * len(pseudo)
        self.allowed = tuple(frozenset([None, *compiled.domain(n)]) for n in names)
        self.booleans = tuple(
            i for i, n in enumerate(vocabulary) if vocabulary[n].type is FactType.BOOL
        )
        self.sizes = tuple(len(compiled.domain(n)) if n in read else 1 for n in names)
        self.limits = (DECISIONS, max(1, min(DECISIONS, OUTCOMES // max(1, len(compiled.rules)))))
        with paused():
            root = _openings(
                _diagram(leaves, {n: i for i, n in enumerate(names)}), len(vocabulary)
            )
            self.walker = _walker(root, self)
        self.root = root
        self.boxes = len(leaves)

    def nodes(self) -> int:
        """The diagram's nodes, leaves included, an opening counted with the leaves below it
        (0: no diagram)."""
        if self.root is None:
            return 0
        count, stack = 0, [self.root]
        while stack:
            node = stack.pop()
            count += 1
            if isinstance(node, tuple):
                stack.extend(node[1].values())
            elif isinstance(node, Opening):
                count += len(node.boxes)
        return count


def _typed(facts: Mapping[str, object]) -> dict[str, FactValue]:
    """The scenario's facts (checked values), None left out."""
    if None in facts.values():
        return {n: v for n, v in facts.items() if v is not None}  # type: ignore[misc]
    return dict(facts)  # type: ignore[arg-type]


#: A walker: (scenario, memo) -> a Decision, (Box or OPEN, canonical key), or None.
Walker = Callable[[dict[str, object], dict[tuple[object, ...], Decision]], object]

#: What a walk returns, beside the canonical key, for a scenario missing a fact on its path.
OPEN = object()

def _walker(root: Node, reading: Reading) -> Walker:
    """The walk of a scenario through the diagram (see `Reading.walker`): the canonical key,
    checked, looked up in the memo, then followed down the diagram's splits (every one on a
    real fact: splits on pseudo-facts are folded into openings)."""
    names = tuple(reading.known_order())
    real = len(names)
    known, booleans = reading.known, reading.booleans
    allowed = reading.allowed[:real]
    contains = operator.contains

    def walk(facts: dict[str, object], memo: dict[tuple[object, ...], Decision]) -> object:
        key = tuple(map(facts.get, names))
        # Every fact given (none None) and nothing more: exactly the vocabulary's keys.
        if (len(facts) != real or None in key) and not facts.keys() <= known:
            return None
        # A boolean fact takes exactly a boolean (`1 == True`, so neither the memo nor the
        # diagram's branches would tell them apart).
        for position in booleans:
            value = key[position]
            if value is not None and value is not True and value is not False:
                return None
        try:
            found = memo.get(key)
        except TypeError:  # an unhashable value
            return None
        if found is not None:
            return found
        if not all(map(contains, allowed, key)):
            return None
        node: Node = root
        while node.__class__ is tuple:
            position, children = node
            if key[position] is None:
                return OPEN, key
            node = children[key[position]]  # type: ignore[index]  # a value checked above
        return node, key

    return walk


def _diagram(leaves: list[Leaf], positions: Mapping[str, int]) -> Split | Box:
    """The search tree again, from the leaves' paths (each path lists the facts split on)."""
    if len(leaves) == 1 and not leaves[0].assigned:
        return Box(leaves[0], 0)
    def split(name: str) -> Split:
        return (positions[name], {})

    root = split(leaves[0].assigned[0][0])
    for number, leaf in enumerate(leaves):
        at = root
        *through, (_, last) = leaf.assigned
        for depth, (_, value) in enumerate(through):
            child = at[1].get(value)
            if not isinstance(child, tuple):
                child = at[1][value] = split(leaf.assigned[depth + 1][0])
            at = child
        at[1][last] = Box(leaf, number)
    return root


def _restricted(
    node: Node, values: tuple[object, ...], names: tuple[str, ...]
) -> tuple[list[Leaf], Branch | Leaf]:
    """The leaves reached from `node` by the walk of these values (the canonical key,
    pseudo-facts included, a missing fact None), each path less the facts the values give,
    and their search tree: the diagram with each split on a given fact replaced by its
    value's subtree, and each opening by the splits it folds. The same leaves, in leaf order,
    and the same tree that `search.mattering_facts` would build again from their paths."""
    leaves: list[Leaf] = []

    def down(node: Node, path: tuple[tuple[str, FactValue], ...]) -> Branch | Leaf:
        while True:
            if node.__class__ is Box:
                leaf = node.leaf
                made = Leaf(path, leaf.verdict, leaf.standing)
                leaves.append(made)
                return made
            if node.__class__ is Opening:
                node = node.tree
                continue
            position, children = node  # type: ignore[misc]
            value = values[position]
            if value is None:
                break
            node = children[value]  # type: ignore[index]
        name = names[position]
        return branch(
            name, {v: down(child, (*path, (name, v))) for v, child in children.items()}
        )

    tree = down(node, ())
    return leaves, tree


def _openings(root: Split | Box, real: int) -> Node:
    """The diagram with each split on a pseudo-fact (position `real` or more) whose parent
    splits on a real fact made an `Opening` of the leaves below it."""
    def opening(node: Split) -> Opening:
        boxes: list[Box] = []
        stack: list[Node] = [node]
        while stack:
            at = stack.pop()
            if isinstance(at, Box):
                boxes.append(at)
            elif isinstance(at, tuple):
                stack.extend(reversed(at[1].values()))
        return Opening(tuple(boxes), node)

    if isinstance(root, tuple) and root[0] >= real:
        return opening(root)
    stack: list[Node] = [root]
    while stack:
        node = stack.pop()
        if not isinstance(node, tuple):
            continue
        children = node[1]
        for value, child in children.items():
            if isinstance(child, tuple) and child[0] >= real:
                children[value] = opening(child)
            else:
                stack.append(child)
    return root


def reading_of(
    compiled: CompiledRuleset,
    as_of: date | None,
    known_by: date | None,
    sources: tuple[str, ...] | None,
    speakers: tuple[str, ...] | None,
) -> Reading:
    """The compiled reading under these arguments (checked by the caller), built on first use
    and kept among the `READINGS` most recently used."""
    key = (as_of, known_by, sources, speakers)
    readings = compiled.readings
    found: Reading | None = readings.get(key)
    if found is not None:
        if len(readings) > 1:
            readings[key] = readings.pop(key)  # most recently used last
        return found
    ctx = build_context(compiled, as_of, known_by, sources, speakers)
    reading = Reading(
        compiled, ctx, known_by, sources, speakers,
        reading_fields(compiled, ctx, known_by, sources, speakers),
    )
    if len(readings) >= READINGS:
        del readings[next(iter(readings))]
    readings[key] = reading
    return reading


def decide_in(reading: Reading, facts: Facts, explain: bool) -> Decision:
    """The per-scenario search under a reading, for typed facts."""
    return decide(
        reading.compiled, facts, as_of=reading.ctx.as_of, known_by=reading.known_by,
        sources=reading.sources, speakers=reading.speakers, explain=explain,
    )
