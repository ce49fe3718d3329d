// The explorer page's script (inlined by explore_page.py); window.tbExplorer's contract is in explore.py.
(function () {
  "use strict";
  var DATA = __DATA__;
  var steps = DATA.steps;
  var panel = document.getElementById("tb-step-panel");
  var slider = document.getElementById("tb-slider");
  var counter = document.getElementById("tb-counter");
  var svg = document.querySelector("#tb-graph svg");
  var nodeEls = {};
  var edgeEls = [];
  if (svg) {
    svg.querySelectorAll("g.tb-node").forEach(function (g) { nodeEls[g.id] = g; });
    edgeEls = Array.prototype.slice.call(svg.querySelectorAll("g.tb-edge"));
  }
  var targetByName = {}, targetByItem = {};
  DATA.targets.forEach(function (t) { targetByName[t.name] = t; targetByItem[t.item] = t; });
  var revealed = {};

  function esc(s) {
    return String(s).replace(/[&<>"]/g, function (c) { return {"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;"}[c]; });
  }
  function fmt(v) {  // 4 significant digits, as Python's "%.4g"
    if (typeof v !== "number") return String(v);
    if (v === 0) return "0";
    if (!isFinite(v)) return isNaN(v) ? "nan" : (v > 0 ? "inf" : "-inf");
    var e = Math.floor(Math.log10(Math.abs(v)));
    var s = (e < -4 || e >= 4) ? v.toExponential(3) : v.toPrecision(4);
    if (s.indexOf("e") >= 0) {
      var parts = s.split("e");
      var m = parts[0].indexOf(".") >= 0 ? parts[0].replace(/0+$/, "").replace(/\.$/, "") : parts[0];
      var x = parseInt(parts[1], 10);
      return m + "e" + (x < 0 ? "-" : "+") + (Math.abs(x) < 10 ? "0" : "") + Math.abs(x);
    }
    return s.indexOf(".") >= 0 ? s.replace(/0+$/, "").replace(/\.$/, "") : s;
  }
  function num(v) { return '<td class="tb-num" data-v="' + esc(v) + '">' + fmt(v) + "</td>"; }
  function flat(v) { return Array.isArray(v) ? v.reduce(function (a, x) { return a.concat(flat(x)); }, []) : [v]; }
  function tensor(v, role) {
    var r = ' data-role="' + role + '"';
    if (v === null || v === undefined) return '<span class="tb-unknown"' + r + ">not recorded</span>";
    if (typeof v === "string") return '<span class="tb-summary"' + r + ">" + esc(v) + "</span>";
    if (!Array.isArray(v)) return '<table class="tb-t"' + r + "><tr>" + num(v) + "</tr></table>";
    if (v.length && Array.isArray(v[0]) && !Array.isArray(v[0][0])) {
      return '<table class="tb-t"' + r + ">" + v.map(function (row) {
        return "<tr>" + row.map(num).join("") + "</tr>"; }).join("") + "</table>";
    }
    return '<table class="tb-t"' + r + "><tr>" + flat(v).map(num).join("") + "</tr></table>";
  }
  function hidden(item) {
    var t = targetByItem[item];
    return api.exercise.enabled && t && t.hidden && !revealed[t.name];
  }
  var HIDE = '<span class="tb-hidden" data-role="hidden" title="exercise: work it out below">?</span>';

  function forwardPanel(s) {
    var h = '<div class="tb-label">' + esc(s.label) + "</div>";
    if (s.formula.length) h += '<div class="tb-formula">' + esc(s.formula.join("\n")) + "</div>";
    s.inputs.forEach(function (i) {
      h += '<div class="tb-row" data-from="' + esc(i.from) + '">input <b>' + esc(i.name) + "</b> = " +
           tensor(i.value, "input") + "</div>";
    });
    h += '<div class="tb-row">output value (' + s.shape.join(", ") + ") = " + tensor(s.value, "value") + "</div>";
    if (s.value === null) h += '<div class="tb-caption">value not recorded: run the forward pass under ' +
                               "tb.viz.capture() to see it</div>";
    return h;
  }
  function backwardPanel(s) {
    var h = '<div class="tb-label">' + esc(s.label) + "</div>";
    if (s.formula.length) h += '<div class="tb-formula">' + esc(s.formula.join("\n")) + "</div>";
    h += '<div class="tb-row" data-role="upstream-row">upstream gradient dL/d(out) = ' + tensor(s.upstream, "upstream") + "</div>";
    if (s.seed) h += '<div class="tb-caption">the chain rule starts here: the output\'s gradient with respect to itself</div>';
    s.contributions.forEach(function (c, k) {
      var loc = s.local[k] || {};
      var hide = hidden(c.to);
      h += '<div class="tb-contrib" data-to="' + esc(c.to) + '"><div>to <b>' + esc(c.name) +
           "</b>: upstream × local = contribution</div><div class=\"tb-eq\">" + tensor(s.upstream, "upstream") +
           '<span class="tb-op">×</span>';
      if (loc.value === null || loc.value === undefined) {
        h += '<span class="tb-caption" data-role="local">local derivative: the formula above</span>';
      } else {
        h += '<span class="tb-scroll">' + tensor(loc.value, "local") + '<div class="tb-caption">' +
             (loc.kind === "elementwise" ? "∂out/∂in, elementwise: multiply element by element"
             : "Jacobian ∂out/∂in: row i = output element i, column j = input element j (upstream read row by " +
               "row as a vector, times this matrix)") +
             "</div></span>";
      }
      h += '<span class="tb-op">=</span>' + (hide ? HIDE : tensor(c.value, "contribution")) + "</div>";
      if (c.summed) h += '<div class="tb-summed" data-role="summed">broadcast undone: ' + esc(c.summed) + "</div>";
      s.accumulated.forEach(function (a) {
        if (a.slot !== k) return;
        h += '<div class="tb-accumulated">running sum for <b>' + esc(a.name) + "</b> (" + a.received + " of " + a.of +
             " contributions) = " + (hide ? HIDE : tensor(a.value, "accumulated")) + "</div>";
      });
      h += "</div>";
    });
    return h;
  }
  function render() {
    var s = steps[api.index];
    var n = steps.length;
    counter.textContent = "step " + (api.index + 1) + " of " + n;
    slider.value = String(api.index);
    panel.setAttribute("data-index", String(api.index));
    panel.innerHTML = '<div><span class="tb-phase tb-phase-' + s.phase + '">' + s.phase + "</span> step " +
        (api.index + 1) + " of " + n + "</div>" + (s.phase === "forward" ? forwardPanel(s) : backwardPanel(s));
    Object.keys(nodeEls).forEach(function (k) { nodeEls[k].classList.remove("tb-current", "tb-done"); });
    edgeEls.forEach(function (e) { e.classList.remove("tb-edge-active"); });
    for (var i = 0; i < api.index; i++) {
      if (steps[i].phase === s.phase && steps[i].node && nodeEls[steps[i].node]) nodeEls[steps[i].node].classList.add("tb-done");
    }
    var el = s.node && nodeEls[s.node];
    if (el) {
      el.classList.add("tb-current");
      el.classList.remove("tb-done");
      edgeEls.forEach(function (e) {
        if (e.getAttribute("data-head") === s.node && !e.querySelector("path[stroke-dasharray]")) e.classList.add("tb-edge-active");
      });
      if (el.scrollIntoView && api._scroll) el.scrollIntoView({block: "nearest", inline: "nearest"});
    }
    renderExercise();
  }
  function go(i) {
    i = Math.max(0, Math.min(steps.length - 1, Math.round(Number(i)) || 0));
    api.index = i;
    render();
    return i;
  }
  function stepOf(id) {  // the step a click on SVG node `id` shows
    var phase = steps[api.index].phase, first = -1, last = -1;
    for (var i = 0; i < steps.length; i++) {
      if (steps[i].node !== id) continue;
      if (first < 0 || (steps[first].phase !== phase && steps[i].phase === phase)) first = i;
    }
    if (first >= 0) return first;
    steps.forEach(function (s, i) {  // a leaf: the last step that sent it a gradient
      s.contributions.forEach(function (c) { if (c.to === id) last = i; });
    });
    return last;
  }

  // ---------------------------------------------------------------- exercise mode
  function parseNumbers(text) {
    var m = String(text).match(/[-+]?(\d+\.?\d*|\.\d+)(e[-+]?\d+)?/gi);
    return m ? m.map(Number) : [];
  }
  function check(name, text) {
    var t = targetByName[name];
    if (!t) throw new Error("tbExplorer.exercise.check: no target named " + name);
    var want = flat(t.answer), got = parseNumbers(text), ok = got.length === want.length;
    for (var i = 0; ok && i < want.length; i++) ok = Math.abs(got[i] - want[i]) <= DATA.rtol * Math.max(Math.abs(want[i]), 1e-12);
    var box = document.querySelector('.tb-target[data-name="' + CSS.escape(name) + '"] .tb-result');
    if (box) {
      box.className = "tb-result " + (ok ? "tb-result-right" : "tb-result-wrong");
      box.textContent = ok ? "right" : (got.length !== want.length ? "wrong: expected " + want.length + " number(s), got " + got.length : "wrong");
    }
    return ok;
  }
  function reveal(name) {
    var t = targetByName[name];
    if (!t) throw new Error("tbExplorer.exercise.reveal: no target named " + name);
    revealed[name] = true;
    render();
  }
  function setEnabled(flag) {
    api.exercise.enabled = !!flag;
    if (api.exercise.enabled && !DATA.targets.some(function (t) { return t.hidden; })) DATA.targets.forEach(function (t) { t.hidden = true; });
    api.exercise.targets = DATA.targets.filter(function (t) { return t.hidden; }).map(function (t) { return t.name; });
    document.getElementById("tb-exercise-toggle").checked = api.exercise.enabled;
    render();
  }
  function renderExercise() {
    var box = document.getElementById("tb-targets");
    if (!api.exercise.enabled) { box.innerHTML = ""; box.removeAttribute("data-built"); return; }
    if (!box.getAttribute("data-built")) {
      box.setAttribute("data-built", "1");
      box.innerHTML = DATA.targets.filter(function (t) { return t.hidden; }).map(function (t) {
        return '<div class="tb-target" data-name="' + esc(t.name) + '"><div>dL/d<b>' + esc(t.name) + "</b> (shape (" +
            t.shape.join(", ") + ')): type its value (numbers row by row)</div><textarea rows="2"></textarea>' +
            '<div><button class="tb-check">Check</button> <button class="tb-reveal">Reveal</button> ' +
            '<span class="tb-result"></span></div><div class="tb-answer"></div></div>';
      }).join("") || "<div>no gradient to work out in this graph</div>";
      box.querySelectorAll(".tb-target").forEach(function (div) {
        var name = div.getAttribute("data-name");
        div.querySelector(".tb-check").addEventListener("click", function () { check(name, div.querySelector("textarea").value); });
        div.querySelector(".tb-reveal").addEventListener("click", function () { reveal(name); });
      });
    }
    box.querySelectorAll(".tb-target").forEach(function (div) {
      var t = targetByName[div.getAttribute("data-name")], a = div.querySelector(".tb-answer");
      if (!revealed[t.name]) { a.innerHTML = ""; return; }
      a.innerHTML = "answer: " + tensor(t.answer, "answer") + "<div>the sum of " + t.derivation.length +
          " contribution(s), each upstream × local:</div>" + t.derivation.map(function (d) {
            return '<div>from step <a href="#" data-step="' + d.step + '">' + (d.step + 1) + "</a> (" + esc(steps[d.step].label) +
                   "): " + tensor(d.value, "derivation") + "</div>"; }).join("");
      a.querySelectorAll("a[data-step]").forEach(function (link) {
        link.addEventListener("click", function (ev) { ev.preventDefault(); go(Number(link.getAttribute("data-step"))); });
      });
    });
  }

  var api = {
    steps: steps, index: 0, data: DATA, _scroll: false,
    next: function () { return go(api.index + 1); },
    prev: function () { return go(api.index - 1); },
    go: go,
    exercise: {enabled: false, targets: [], setEnabled: setEnabled, check: check, reveal: reveal}
  };
  window.tbExplorer = api;

  slider.max = String(steps.length - 1);
  slider.addEventListener("input", function () { go(slider.value); });
  document.getElementById("tb-next").addEventListener("click", function () { api.next(); });
  document.getElementById("tb-prev").addEventListener("click", function () { api.prev(); });
  document.getElementById("tb-exercise-toggle").addEventListener("change", function (ev) { setEnabled(ev.target.checked); });
  document.addEventListener("keydown", function (ev) {
    var tag = ev.target && ev.target.tagName;
    if (tag === "INPUT" || tag === "TEXTAREA" || ev.altKey || ev.ctrlKey || ev.metaKey) return;
    if (ev.key === "ArrowRight") { api.next(); ev.preventDefault(); }
    else if (ev.key === "ArrowLeft") { api.prev(); ev.preventDefault(); }
  });
  Object.keys(nodeEls).forEach(function (id) {
    nodeEls[id].addEventListener("click", function () { var i = stepOf(id); if (i >= 0) go(i); });
  });
  var note = [];
  if (DATA.collapsed) note.push("This graph has " + DATA.total_ops + " operations, more than max_nodes=" + DATA.max_nodes +
      ": the picture " + (DATA.modules ? "collapses modules and " : "") + "shows the " + DATA.drawn_ops + " operations nearest the output; every step is still listed.");
  if (!DATA.jacobians) note.push("The graph's saved values were freed by backward(): the local derivatives are given as formulas only.");
  document.getElementById("tb-note").textContent = note.join(" ");
  if (DATA.exercise) setEnabled(true); else render();
  api._scroll = true;
})();
