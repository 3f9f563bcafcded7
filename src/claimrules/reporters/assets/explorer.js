/* claimrules explorer. Part 1 is the evaluator: a line-for-line image of the engine's
   (evaluator.py: build_context, decide, explore, _mattering_facts, _value_outcomes,
   _deciding_under_unknowns, combine; compile.py: rule_period, the Kleene tests;
   decision.py: Period.in_force, Support.of). It reads only the data the page embeds, and
   tests/reporters/test_explorer.py holds its answers equal to `claimrules eval --format json` on
   random scenarios and readings in a real browser. Part 2 draws the page. */
"use strict";
(function () {
  var DATA = JSON.parse(document.getElementById("claimrules-data").textContent);
  var CLAIMS = DATA.claims;
  var RULES = DATA.rules;
  var MAX_LEAVES = 50000;
  var STRENGTHS = ["on_record", "anonymous", "hedged", "speculative", "none"];
  var FACT_ORDER = {};
  var DOMAINS = {};
  DATA.facts.forEach(function (f, i) {
    FACT_ORDER[f.name] = i;
    DOMAINS[f.name] = f.values.map(function (v) { return v.value; });
  });

  // ---- part 1: the evaluator ---------------------------------------------------------------
  function isPseudo(name) { return name.charAt(0) === "@"; }
  function domain(name) { return isPseudo(name) ? [true, false] : DOMAINS[name]; }
  function fold(s) { return s.toLowerCase(); }  // Python's casefold, for the names at hand
  function and3(a, b) { return a === false || b === false ? false : (a === null || b === null ? null : true); }
  function or3(a, b) { return a === true || b === true ? true : (a === null || b === null ? null : false); }
  function byString(a, b) { return a < b ? -1 : (a > b ? 1 : 0); }
  function uniqSorted(xs) {
    return xs.filter(function (x, i) { return xs.indexOf(x) === i; }).sort(byString);
  }

  function cond(c, facts) {
    if (c.fact !== undefined) {
      if (!Object.prototype.hasOwnProperty.call(facts, c.fact)) return null;
      var v = facts[c.fact], w = c.value;
      switch (c.op) {
        case "is": return v === w;
        case "in": return (Array.isArray(w) ? w : [w]).indexOf(v) >= 0;
        case "lt": return v < w;
        case "le": return v <= w;
        case "gt": return v > w;
        case "ge": return v >= w;
      }
      throw new Error("unknown operator " + c.op);
    }
    if (c.not !== undefined) { var x = cond(c.not, facts); return x === null ? null : !x; }
    var parts = c.all !== undefined ? c.all : c.any, isAll = c.all !== undefined;
    var out = isAll ? true : false;
    for (var i = 0; i < parts.length; i++) {
      out = isAll ? and3(out, cond(parts[i], facts)) : or3(out, cond(parts[i], facts));
    }
    return out;
  }
  function gate(name, facts) {
    return Object.prototype.hasOwnProperty.call(facts, name) ? Boolean(facts[name]) : null;
  }
  function readsOf(c, out) {
    if (c.fact !== undefined) { out[c.fact] = true; return out; }
    if (c.not !== undefined) return readsOf(c.not, out);
    (c.all !== undefined ? c.all : c.any).forEach(function (p) { readsOf(p, out); });
    return out;
  }
  RULES.forEach(function (r) {
    var reads = readsOf(r.when, {});
    if (r.terms) {
      if (r.terms.within) readsOf(r.terms.within, reads);
      reads["@terms:" + r.id] = true;
    }
    r.reads = Object.keys(reads);
  });

  // A rule's Kleene value: `when`, its unreported terms, and (gated) whether it was in force.
  function ruleValue(a, facts) {
    var r = a.rule, v = cond(r.when, facts);
    if (r.terms) {
      var g = gate("@terms:" + r.id, facts);
      v = and3(v, r.terms.within ? or3(cond(r.terms.within, facts), g) : g);
    }
    return a.gated ? and3(gate("@period:" + r.id, facts), v) : v;
  }

  function keeps(id, c, wanted, said, knownBy, undated) {
    if (wanted && !wanted[c.source]) return false;
    if (said && !said[fold(c.speaker)]) return false;
    if (knownBy) {
      if (c.latest !== null && c.latest <= knownBy) return true;
      if (c.earliest === null || c.earliest <= knownBy) undated[id] = true;
      return false;
    }
    return true;
  }

  function rulePeriod(rule, kept) {
    var eff = rule.effective;
    if (eff && (kept === null || eff.claims.every(function (c) { return kept[c]; }))) {
      return { start: eff.from.date, startU: eff.from.unknown, until: eff.until.date,
               untilU: eff.until.unknown, basis: eff.basis, derived: null };
    }
    var recs = rule.because.filter(function (c) {
      return (kept === null || kept[c]) && CLAIMS[c] && CLAIMS[c].grounds;
    });
    if (!recs.length) return { start: null, startU: { not_before: null, not_after: null }, until: null, untilU: null };
    var lows = recs.map(function (c) { return CLAIMS[c].earliest; });
    var low = lows.indexOf(null) >= 0 ? null : lows.slice().sort(byString)[0];
    var highs = recs.filter(function (c) { return CLAIMS[c].latest !== null; })
      .map(function (c) { return [CLAIMS[c].latest, c]; })
      .sort(function (a, b) { return byString(a[0], b[0]) || byString(a[1], b[1]); });
    if (!highs.length) return { start: null, startU: { not_before: low, not_after: null }, until: null, untilU: null };
    if (low === highs[0][0]) return { start: highs[0][0], startU: null, until: null, untilU: null, derived: highs[0][1] };
    return { start: null, startU: { not_before: low, not_after: highs[0][0] }, until: null, untilU: null, derived: highs[0][1] };
  }
  function inForce(p, asOf) {
    var after, before, u;
    if ((u = p.startU)) {
      after = u.not_after !== null && asOf >= u.not_after ? true
        : (u.not_before !== null && asOf < u.not_before ? false : null);
    } else after = p.start === null || p.start <= asOf;
    if ((u = p.untilU)) {
      before = u.not_before !== null && asOf <= u.not_before ? true
        : (u.not_after !== null && asOf > u.not_after ? false : null);
    } else before = p.until === null || asOf <= p.until;
    return and3(after, before);
  }

  // The reading: the rules that count under (as_of, known_by, sources, speakers).
  function buildContext(reading) {
    var wanted = null, said = null, undated = {}, kept = null;
    if (reading.sources) { wanted = {}; reading.sources.forEach(function (s) { wanted[s] = true; }); }
    if (reading.speakers) { said = {}; reading.speakers.forEach(function (s) { said[fold(s)] = true; }); }
    if (wanted || said || reading.known_by) {
      kept = {};
      Object.keys(CLAIMS).forEach(function (id) {
        if (keeps(id, CLAIMS[id], wanted, said, reading.known_by, undated)) kept[id] = true;
      });
    }
    var ctx = { active: [], cited: {}, context: {}, periods: {}, inactive: {}, kept: kept };
    var relevant = {};
    RULES.forEach(function (rule) {
      rule.because.concat(rule.context).forEach(function (c) { relevant[c] = true; });
      var claims = rule.because.filter(function (c) { return kept === null || kept[c]; });
      if (!claims.some(function (c) { return CLAIMS[c].grounds; })) { ctx.inactive[rule.id] = "not counted"; return; }
      var period = rulePeriod(rule, kept);
      ctx.periods[rule.id] = period;
      var gated = false;
      if (reading.as_of) {
        var state = inForce(period, reading.as_of);
        if (state === false) { ctx.inactive[rule.id] = "out of period"; return; }
        gated = state === null;
      }
      var reads = gated ? rule.reads.concat(["@period:" + rule.id]) : rule.reads;
      ctx.active.push({ rule: rule, gated: gated, reads: reads });
      ctx.cited[rule.id] = claims;
      ctx.context[rule.id] = rule.context.filter(function (c) { return kept === null || kept[c]; });
    });
    ctx.excluded = Object.keys(undated).filter(function (c) { return relevant[c]; }).sort(byString);
    return ctx;
  }

  function combine(applicable) {
    if (!applicable.length) return ["not_addressed", []];
    var overridden = {};
    applicable.forEach(function (a) { a.rule.overrides.forEach(function (o) { overridden[o] = true; }); });
    var standing = applicable.filter(function (a) { return !overridden[a.rule.id]; });
    var permits = standing.some(function (a) { return a.rule.effect === "permit"; });
    var prohibits = standing.some(function (a) { return a.rule.effect !== "permit"; });
    if (permits && prohibits) return ["contested", standing];
    if (permits) return ["permitted", standing];
    if (prohibits) return ["prohibited", standing];
    return ["not_addressed", []];
  }

  function explore(active, facts) {
    var leaves = [], f = Object.assign({}, facts), assigned = [], complete = true;
    function run() {
      if (!complete) return;
      if (leaves.length >= MAX_LEAVES) { complete = false; return; }
      var applicable = [], counts = {};
      active.forEach(function (a) {
        var v = ruleValue(a, f);
        if (v === true) applicable.push(a);
        else if (v === null) a.reads.forEach(function (n) {
          if (!Object.prototype.hasOwnProperty.call(f, n)) counts[n] = (counts[n] || 0) + 1;
        });
      });
      var names = Object.keys(counts);
      if (!names.length) {
        var c = combine(applicable);
        leaves.push({ assigned: assigned.slice(), verdict: c[0], standing: c[1] });
        return;
      }
      var last = DATA.facts.length;
      function key(n) { var p = isPseudo(n); return [p ? 1 : 0, -counts[n], p ? last : FACT_ORDER[n], n]; }
      names.sort(function (a, b) {
        var x = key(a), y = key(b);
        for (var i = 0; i < 3; i++) if (x[i] !== y[i]) return x[i] - y[i];
        return byString(x[3], y[3]);
      });
      var name = names[0];
      domain(name).forEach(function (choice) {
        f[name] = choice; assigned.push([name, choice]);
        run();
        assigned.pop(); delete f[name];
      });
    }
    run();
    return { leaves: leaves, complete: complete };
  }

  // Facts whose value alone changes the verdict (evaluator._mattering_facts, on the search tree).
  function searchTree(leaves) {
    if (leaves.length === 1 && !leaves[0].assigned.length) return leaves[0];
    var root = { fact: leaves[0].assigned[0][0], children: new Map() };
    leaves.forEach(function (leaf) {
      var node = root, path = leaf.assigned;
      for (var d = 0; d < path.length - 1; d++) {
        var child = node.children.get(path[d][1]);
        if (!child || child.fact === undefined) {
          child = { fact: path[d + 1][0], children: new Map() };
          node.children.set(path[d][1], child);
        }
        node = child;
      }
      node.children.set(path[path.length - 1][1], leaf);
    });
    return root;
  }
  function leavesBelow(node, out) {
    if (node.fact === undefined) { out.push(node); return out; }
    node.children.forEach(function (c) { leavesBelow(c, out); });
    return out;
  }
  function partsWays(one, other) {
    var mine = leavesBelow(one, []);
    for (var i = 0; i < mine.length; i++) {
      var leaf = mine[i], fixed = new Map(leaf.assigned), stack = [other];
      while (stack.length) {
        var node = stack.pop();
        if (node.fact === undefined) { if (node.verdict !== leaf.verdict) return true; }
        else if (fixed.has(node.fact)) {
          var below = node.children.get(fixed.get(node.fact));
          if (below) stack.push(below);
        } else node.children.forEach(function (c) { stack.push(c); });
      }
    }
    return false;
  }
  function mattering(leaves) {
    var out = {};
    if (leaves.length < 2) return out;
    var stack = [searchTree(leaves)];
    while (stack.length) {
      var node = stack.pop();
      if (node.fact === undefined) continue;
      var branches = Array.from(node.children.values());
      if (!out[node.fact]) {
        outer: for (var i = 0; i < branches.length; i++)
          for (var j = i + 1; j < branches.length; j++)
            if (partsWays(branches[i], branches[j])) { out[node.fact] = true; break outer; }
      }
      branches.forEach(function (b) { stack.push(b); });
    }
    return out;
  }
  function valueOutcomes(name, leaves) {
    return domain(name).map(function (value) {
      var vs = [];
      leaves.forEach(function (leaf) {
        var at = leaf.assigned.filter(function (p) { return p[0] === name; });
        if (!at.length || at[0][1] === value) vs.push(leaf.verdict);
      });
      return { value: value, verdicts: uniqSorted(vs) };
    });
  }
  function decidingUnderUnknowns(verdict, applicable, leaves) {
    if (verdict === "not_addressed") return [];
    var standing = combine(applicable)[1];
    if (standing.length && combine(standing)[0] === verdict) return standing;
    var seen = {}, out = [];
    leaves.forEach(function (leaf) {
      leaf.standing.forEach(function (a) { if (!seen[a.rule.id]) { seen[a.rule.id] = true; out.push(a); } });
    });
    return out;
  }
  function support(ids) {
    if (!ids.length) return { strength: "none", sources: 0, claims: 0, undated_only: false, relayed_only: false };
    var best = ids.map(function (c) { return STRENGTHS.indexOf(CLAIMS[c].strength); }).sort()[0];
    return {
      strength: STRENGTHS[best],
      sources: uniqSorted(ids.map(function (c) { return CLAIMS[c].source; })).length,
      claims: ids.length,
      undated_only: ids.every(function (c) { return CLAIMS[c].reported_on === null; }),
      relayed_only: ids.every(function (c) { return CLAIMS[c].who !== null && CLAIMS[c].via.length > 0; })
    };
  }
  function uniqueClaims(rules, per) {
    var seen = {}, out = [];
    rules.forEach(function (a) {
      per[a.rule.id].forEach(function (c) { if (!seen[c]) { seen[c] = true; out.push(c); } });
    });
    return out;
  }

  /* The decision for typed facts (missing facts left out) under a reading
     {as_of, known_by, sources, speakers} (null: not set), in the shape of the JSON reporter. */
  function decide(facts, reading) {
    var ctx = buildContext(reading);
    var applicable = [], undecided = [], verdict, standing, possible;
    var missingNames = [], unknowns = [], missing = [];
    ctx.active.forEach(function (a) {
      var v = ruleValue(a, facts);
      if (v === true) applicable.push(a); else if (v === null) undecided.push(a);
    });
    if (!undecided.length) {
      var c = combine(applicable); verdict = c[0]; standing = c[1]; possible = [verdict];
    } else {
      var found = explore(ctx.active, facts), leaves = found.leaves;
      var verdicts = uniqSorted(leaves.map(function (l) { return l.verdict; }));
      possible = verdicts;
      if (verdicts.length === 1 && found.complete) {
        verdict = verdicts[0]; standing = decidingUnderUnknowns(verdict, applicable, leaves);
      } else {
        verdict = "indeterminate"; standing = [];
        var names = {};
        if (found.complete) names = mattering(leaves);
        else undecided.forEach(function (a) { a.reads.forEach(function (n) { if (!(n in facts)) names[n] = true; }); });
        missingNames = Object.keys(names).filter(function (n) { return !isPseudo(n); })
          .sort(function (a, b) { return FACT_ORDER[a] - FACT_ORDER[b]; });
        unknowns = Object.keys(names).filter(isPseudo).sort(byString).map(function (n) {
          var kind = n.slice(1, n.indexOf(":")), id = n.slice(n.indexOf(":") + 1);
          var rule = RULES.filter(function (r) { return r.id === id; })[0];
          var q = { type: kind === "terms" ? "terms_not_reported" : "period_unknown", rule: id,
                    undated_sources: [], claim: null, note: null,
                    outcomes: valueOutcomes(n, leaves) };
          if (kind === "terms") {
            var kept = ctx.kept;
            q.claim = kept === null || kept[rule.terms.claim] ? rule.terms.claim : null;
            // evaluator._terms_note_shown: a reading of the rule's claims, shown only where the
            // reading keeps every one of them and the claim that says terms exist
            q.note = kept === null || (kept[rule.terms.claim] &&
              rule.because.every(function (c) { return kept[c]; })) ? rule.terms.note : null;
          } else {
            q.undated_sources = uniqSorted((ctx.cited[id] || []).filter(function (c) {
              return CLAIMS[c].reported_on === null;
            }).map(function (c) { return CLAIMS[c].source; }));
          }
          return q;
        });
        missing = missingNames.map(function (n) { return { fact: n, outcomes: valueOutcomes(n, leaves) }; });
      }
    }
    var deciding = standing.length < 2 ? standing : standing.slice().sort(function (a, b) {
      return byString(a.rule.id, b.rule.id);
    });
    var claims = uniqueClaims(deciding, ctx.cited);
    return {
      verdict: verdict,
      deciding_rules: deciding.map(function (a) { return a.rule.id; }),
      claims: claims,
      missing_facts: missingNames,
      missing: missing,
      unknowns: unknowns,
      possible_verdicts: possible,
      support: support(claims.filter(function (c) { return CLAIMS[c].grounds; })),
      context: deciding.length ? uniqueClaims(deciding, ctx.context) : [],
      excluded_undated_claims: ctx.excluded,
      ctx: ctx
    };
  }

  // The reading note as far as the reading may show it (evaluator._note).
  function noteOf(rule, kept) {
    if (kept === null) return { text: rule.note, withheld: false };
    if (!rule.note_parts.length) {
      return rule.because.every(function (c) { return kept[c]; })
        ? { text: rule.note, withheld: false } : { text: null, withheld: true };
    }
    var shown = rule.note_parts.filter(function (p) { return p.claims.every(function (c) { return kept[c]; }); })
      .map(function (p) { return p.text; });
    return { text: shown.join(" ") || null, withheld: shown.length < rule.note_parts.length };
  }

  window.claimrulesExplorer = {
    decide: function (facts, reading) {
      var d = decide(facts, reading || {});
      delete d.ctx;
      return d;
    },
    data: DATA
  };

  // ---- part 2: the page --------------------------------------------------------------------
  var VERDICT_WORDS = {
    permitted: "Permitted", prohibited: "Prohibited", contested: "Contested",
    indeterminate: "Indeterminate", not_addressed: "Not addressed"
  };
  var VERDICT_HELP = {
    permitted: "A reported permission covers this case, and no reported limit stands against it.",
    prohibited: "A reported limit bars this case, and no reported exception lifts it.",
    contested: "Sources disagree: a reported permission and a reported limit both cover this case, and neither is an exception to the other. Both sides are quoted.",
    indeterminate: "The answer depends on something not known: a fact you left open, or something the reporting leaves open.",
    not_addressed: "No reported rule covers this case, whatever the facts left open: the reporting says nothing about it."
  };
  var STRENGTH_WORDS = {
    on_record: "on the record", anonymous: "anonymous officials", hedged: "hedged reporting",
    speculative: "forecasts or speculation only", none: "nothing cited"
  };
  var RULE_BY_ID = {};
  RULES.forEach(function (r) { RULE_BY_ID[r.id] = r; });
  var SOURCE_BY_ID = {};
  DATA.sources.forEach(function (s) { SOURCE_BY_ID[s.id] = s; });
  var FACT_BY_NAME = {};
  DATA.facts.forEach(function (f) { FACT_BY_NAME[f.name] = f; });

  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) {
      if (k === "text") node.textContent = attrs[k];
      else if (attrs[k] !== null && attrs[k] !== undefined) node.setAttribute(k, attrs[k]);
    });
    (children || []).forEach(function (c) { if (c) node.appendChild(typeof c === "string" ? document.createTextNode(c) : c); });
    return node;
  }
  function valueKey(v) { return typeof v === "boolean" ? (v ? "true" : "false") : String(v); }
  function valueLabel(fact, v) {
    var found = fact.values.filter(function (x) { return x.value === v; })[0];
    if (typeof v === "boolean") return v ? "yes" : "no";
    return found && found.label ? found.label : String(v);
  }
  function httpUrl(u) { return u && /^https?:\/\//i.test(u) ? u : null; }

  var form = document.getElementById("choices");
  var factBox = document.getElementById("facts");
  DATA.facts.forEach(function (f) {
    var id = "fact-" + f.name;
    var select = el("select", { id: id, name: f.name, "data-fact": f.name, "aria-describedby": id + "-desc" });
    select.appendChild(el("option", { value: "", text: "not known" }));
    f.values.forEach(function (v) {
      var label = valueLabel(f, v.value);
      select.appendChild(el("option", { value: valueKey(v.value), text: label === String(v.value) ? label : label }));
    });
    factBox.appendChild(el("div", { "class": "field" }, [
      el("label", { "for": id, text: f.question }),
      select,
      el("small", { id: id + "-desc", text: f.description })
    ]));
  });
  function toggles(boxId, items, name) {
    var box = document.getElementById(boxId);
    items.forEach(function (item, i) {
      var id = name + "-" + i;
      var input = el("input", { type: "checkbox", id: id, value: item.value, checked: "checked", ["data-" + name]: item.value });
      box.appendChild(el("div", { "class": "toggle" }, [input, el("label", { "for": id, text: item.label })]));
    });
  }
  toggles("sources", DATA.sources.map(function (s) {
    return { value: s.id, label: (s.outlet || s.id) + " · " + (s.published || "undated") + (s.title ? " — " + s.title : "") };
  }), "source");
  toggles("speakers", DATA.speakers.map(function (s) { return { value: s, label: s }; }), "speaker");

  function checked(name) {
    var all = Array.prototype.slice.call(form.querySelectorAll("input[data-" + name + "]"));
    var on = all.filter(function (i) { return i.checked; }).map(function (i) { return i.value; });
    return on.length === all.length ? null : on;
  }
  function readForm() {
    var facts = {};
    DATA.facts.forEach(function (f) {
      var raw = document.getElementById("fact-" + f.name).value;
      if (raw === "") return;
      f.values.forEach(function (v) { if (valueKey(v.value) === raw) facts[f.name] = v.value; });
    });
    var asOf = document.getElementById("as_of").value || null;
    var knownBy = document.getElementById("known_by").value || null;
    return { facts: facts, reading: { as_of: asOf, known_by: knownBy, sources: checked("source"), speakers: checked("speaker") } };
  }

  function fragmentOf(state) {
    var parts = [];
    DATA.facts.forEach(function (f) {
      if (Object.prototype.hasOwnProperty.call(state.facts, f.name)) {
        parts.push(encodeURIComponent(f.name) + "=" + encodeURIComponent(valueKey(state.facts[f.name])));
      }
    });
    var r = state.reading;
    if (r.as_of) parts.push("as_of=" + r.as_of);
    if (r.known_by) parts.push("known_by=" + r.known_by);
    if (r.sources) parts.push("source=" + r.sources.map(encodeURIComponent).join(","));
    if (r.speakers) parts.push("speaker=" + r.speakers.map(encodeURIComponent).join(","));
    return parts.join("&");
  }
  function applyFragment(hash) {
    var params = {};
    hash.replace(/^#/, "").split("&").forEach(function (kv) {
      if (!kv) return;
      var i = kv.indexOf("=");
      if (i < 0) return;
      params[decodeURIComponent(kv.slice(0, i))] = kv.slice(i + 1);
    });
    DATA.facts.forEach(function (f) {
      var select = document.getElementById("fact-" + f.name);
      var want = params[f.name] !== undefined ? decodeURIComponent(params[f.name]) : "";
      select.value = Array.prototype.some.call(select.options, function (o) { return o.value === want; }) ? want : "";
    });
    var date = /^\d{4}-\d{2}-\d{2}$/;
    document.getElementById("as_of").value = date.test(params.as_of || "") ? params.as_of : "";
    document.getElementById("known_by").value = date.test(params.known_by || "") ? params.known_by : "";
    ["source", "speaker"].forEach(function (name) {
      var list = params[name] === undefined ? null
        : params[name].split(",").filter(Boolean).map(decodeURIComponent);
      Array.prototype.forEach.call(form.querySelectorAll("input[data-" + name + "]"), function (input) {
        input.checked = list === null || list.indexOf(input.value) >= 0;
      });
    });
  }

  function dateLine(c) {
    if (c.reported_on) return c.reported_on;
    if (c.earliest || c.latest) {
      return "undated (reported " + (c.earliest ? "not before " + c.earliest : "") +
        (c.earliest && c.latest ? ", " : "") + (c.latest ? "not after " + c.latest : "") + ")";
    }
    return "undated";
  }
  function quote(id) {
    var c = CLAIMS[id], s = SOURCE_BY_ID[c.source] || {};
    var who = c.who === null ? "the source's own voice"
      : "attributed to " + c.who + (c.on_record ? " (on record)" : " (anonymous)") +
        (c.via.length ? ", via " + c.via.join(" ← ") : "");
    var link = httpUrl(s.url);
    var where = link ? el("a", { href: link, rel: "noopener noreferrer", text: s.outlet || c.source })
      : el("span", { text: (s.outlet || c.source) + " (no URL recorded)" });
    return el("li", { "class": "quote", "data-claim": id }, [
      el("blockquote", { text: "“" + c.quote + "”" }),
      el("p", { "class": "cite" }, [where, " · " + dateLine(c) + " · " + who + " · " + c.modality + (c.kind !== "provision" ? " · " + c.kind : "")])
    ]);
  }
  function ruleBlock(id, d) {
    var rule = RULE_BY_ID[id], note = noteOf(rule, d.ctx.kept);
    var quotes = el("ul", { "class": "quotes" }, d.ctx.cited[id].map(quote));
    var context = (d.ctx.context[id] || []);
    return el("article", { "class": "rule " + rule.effect, "data-rule": id }, [
      el("h4", {}, [el("span", { "class": "effect", text: rule.effect }), " " + (rule.title || id)]),
      el("p", { "class": "rule-id", text: "rule " + id }),
      quotes,
      note.text ? el("p", { "class": "note" }, [el("strong", { text: "How the reporting was read: " }), note.text]) : null,
      note.withheld ? el("p", { "class": "note", text: "Part of the reading rests on claims this reading leaves out, so it is not shown." }) : null,
      context.length ? el("details", {}, [el("summary", { text: "Context beside this rule" }), el("ul", { "class": "quotes" }, context.map(quote))]) : null
    ]);
  }
  function verdictList(vs) { return vs.map(function (v) { return VERDICT_WORDS[v]; }).join(" or "); }
  function render(state) {
    var d = decide(state.facts, state.reading);
    var answer = document.getElementById("answer");
    answer.setAttribute("data-verdict", d.verdict);
    answer.textContent = "";
    var s = d.support;
    answer.appendChild(el("h2", { id: "verdict", tabindex: "-1", "class": "verdict " + d.verdict, text: VERDICT_WORDS[d.verdict] + " — as reported" }));
    answer.appendChild(el("p", { "class": "help", text: VERDICT_HELP[d.verdict] }));
    if (d.deciding_rules.length) {
      answer.appendChild(el("p", { "class": "support", "data-support": s.strength, text:
        "Support: " + STRENGTH_WORDS[s.strength] + " — " + s.claims + " claim" + (s.claims === 1 ? "" : "s") +
        " from " + s.sources + " source" + (s.sources === 1 ? "" : "s") +
        (s.undated_only ? ", all undated" : "") + (s.relayed_only ? ", all relayed by other outlets" : "") }));
    }
    if (d.verdict === "contested") {
      var sides = el("div", { "class": "sides" });
      ["permit", "prohibit"].forEach(function (effect) {
        sides.appendChild(el("section", { "class": "side " + effect, "aria-label": effect === "permit" ? "Reported as allowed" : "Reported as barred" }, [
          el("h3", { text: effect === "permit" ? "Reported as allowed" : "Reported as barred" })
        ].concat(d.deciding_rules.filter(function (id) { return RULE_BY_ID[id].effect === effect; })
          .map(function (id) { return ruleBlock(id, d); }))));
      });
      answer.appendChild(sides);
    } else if (d.deciding_rules.length) {
      answer.appendChild(el("h3", { text: "Why" }));
      d.deciding_rules.forEach(function (id) { answer.appendChild(ruleBlock(id, d)); });
    }
    if (d.missing.length || d.unknowns.length) {
      answer.appendChild(el("h3", { text: "What would change the answer" }));
      var list = el("ul", { "class": "changes" });
      d.missing.forEach(function (m) {
        var fact = FACT_BY_NAME[m.fact];
        list.appendChild(el("li", { "data-missing": m.fact }, [el("strong", { text: fact.question }), el("ul", {},
          m.outcomes.map(function (o) { return el("li", { text: valueLabel(fact, o.value) + " → " + verdictList(o.verdicts) }); }))]));
      });
      d.unknowns.forEach(function (q) {
        var rule = RULE_BY_ID[q.rule];
        var what = q.type === "terms_not_reported"
          ? "The terms of “" + (rule.title || rule.id) + "” were not reported" + (q.note ? ": " + q.note : "")
          : "Whether “" + (rule.title || rule.id) + "” was in force then is not known" +
            (q.undated_sources.length ? " (it rests on undated reporting: " + q.undated_sources.join(", ") + ")" : "");
        list.appendChild(el("li", { "data-unknown": q.rule }, [el("strong", { text: what }), el("ul", {},
          q.outcomes.map(function (o) {
            return el("li", { text: (q.type === "terms_not_reported" ? (o.value ? "if the case is within them" : "if it is not") : (o.value ? "if it was" : "if it was not")) + " → " + verdictList(o.verdicts) });
          }))]));
      });
      answer.appendChild(list);
    }
    if (d.excluded_undated_claims.length) {
      answer.appendChild(el("p", { "class": "excluded", text: d.excluded_undated_claims.length +
        " undated claim(s) are left out: they cannot be shown to have been reported by " + state.reading.known_by + "." }));
    }
    document.getElementById("bar-verdict").textContent = VERDICT_WORDS[d.verdict] + " — as reported";
    var frag = fragmentOf(state);
    var share = document.getElementById("share");
    share.setAttribute("href", "#" + frag);
    try { history.replaceState(null, "", "#" + frag); } catch (e) { /* some embeds forbid it */ }
  }
  function update() { render(readForm()); }
  document.getElementById("title").textContent = DATA.ruleset.title;
  document.getElementById("to-answer").addEventListener("click", function () {
    document.getElementById("answer").scrollIntoView();
    document.getElementById("verdict").focus();
  });
  form.addEventListener("change", update);
  form.addEventListener("input", update);
  document.getElementById("reset").addEventListener("click", function () { applyFragment(""); update(); });
  window.addEventListener("hashchange", function () { applyFragment(location.hash); update(); });
  applyFragment(location.hash);
  update();
})();
