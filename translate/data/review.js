(function () {
  "use strict";
  // Every text of the input reaches the page through textContent or createTextNode, never
  // as markup. Documents are cut into chunks of CHUNK pairs, filled in when they come near
  // the viewport: a page of 50,000 pairs builds only the rows on screen.
  var CHUNK = 100;
  var ROW_EM = 2.6;

  function byId(id) { return document.getElementById(id); }
  function el(tag, cls, text) {
    var node = document.createElement(tag);
    if (cls) node.className = cls;
    if (text !== undefined) node.textContent = text;
    return node;
  }
  function number(n) { return n.toLocaleString("en-US"); }
  function plural(n, word) { return number(n) + " " + word + (n === 1 ? "" : "s"); }

  var data = JSON.parse(byId("vi2en-data").textContent);
  var summary = JSON.parse(byId("vi2en-summary").textContent);
  var pairs = [];
  var docCounts = [];
  data.documents.forEach(function (doc, d) {
    var flagged = 0;
    doc.pairs.forEach(function (row) {
      var checks = Object.create(null);
      row[6].forEach(function (flag) { checks[flag[0]] = true; });
      if (row[6].length) flagged++;
      pairs.push({
        doc: d, p: row[0], s: row[1], src: row[2], tgt: row[3], origin: row[4],
        score: row[5], flags: row[6], checks: checks, text: null
      });
    });
    docCounts.push({ pairs: doc.pairs.length, flagged: flagged });
  });

  var filterBox = byId("filter");
  var searchBox = byId("search");
  var filter = "all";
  var query = "";
  var view = [];          // pair indices shown, in corpus order
  var flaggedView = [];   // positions in view of the flagged pairs
  var position = new Int32Array(pairs.length);  // pair index -> position in view, or -1
  var chunkOf = [];       // position in view -> its chunk
  var current = -1;       // pair index of the current pair
  var observer = null;
  var firstRows = false;

  function textOf(pair) {
    if (pair.text === null) pair.text = (pair.src + "\n" + pair.tgt).normalize("NFC").toLowerCase();
    return pair.text;
  }

  function shown(pair) {
    if (filter === "flagged" && !pair.flags.length) return false;
    if (filter.lastIndexOf("check:", 0) === 0 && !pair.checks[filter.slice(6)]) return false;
    return !query || textOf(pair).indexOf(query) >= 0;
  }

  function appendText(node, text) {
    var lower = text.toLowerCase();
    if (!query || lower.length !== text.length) { node.textContent = text; return; }
    var at = 0;
    var hit;
    while ((hit = lower.indexOf(query, at)) >= 0) {
      if (hit > at) node.appendChild(document.createTextNode(text.slice(at, hit)));
      node.appendChild(el("mark", "", text.slice(hit, hit + query.length)));
      at = hit + query.length;
    }
    if (at < text.length) node.appendChild(document.createTextNode(text.slice(at)));
  }

  function place(pair) {
    return "\u00b6 " + (pair.p + 1) + ", sentence " + (pair.s + 1);
  }

  function pairRow(index) {
    var pair = pairs[index];
    var row = el("div", pair.flags.length ? "pair flagged" : "pair");
    row.id = "pair-" + index;
    row.setAttribute("data-index", String(index));
    row.tabIndex = -1;
    if (index === current) row.classList.add("current");
    var src = el("div", "src");
    src.lang = summary.source_lang;
    appendText(src, pair.src);
    var tgt = el("div", "tgt");
    tgt.lang = summary.target_lang;
    appendText(tgt, pair.tgt);
    row.appendChild(src);
    row.appendChild(tgt);
    var meta = [place(pair)];
    if (pair.origin !== "mt") meta.push(pair.origin);
    if (pair.score !== null) meta.push("score " + pair.score.toFixed(2));
    if (pair.flags.length) {
      row.appendChild(el("div", "meta", meta.join(" \u00b7 ")));
      var list = el("ul", "flags");
      pair.flags.forEach(function (flag) {
        var item = el("li");
        item.appendChild(el("span", "check", flag[0]));
        item.appendChild(document.createTextNode(flag[1]));
        list.appendChild(item);
      });
      row.appendChild(list);
    } else {
      row.title = meta.join(" \u00b7 ");
    }
    return row;
  }

  function fill(chunk) {
    if (chunk.done) return;
    chunk.done = true;
    observer.unobserve(chunk.node);
    var frag = document.createDocumentFragment();
    var para = null;
    for (var k = chunk.from; k < chunk.to; k++) {
      var pair = pairs[view[k]];
      if (para === null || pair.p !== pairs[view[k - 1]].p) {
        var before = k > 0 ? pairs[view[k - 1]] : null;
        var continued = k === chunk.from && before !== null && before.doc === pair.doc &&
          before.p === pair.p;
        para = el("div", "para");
        para.appendChild(el("div", "para-label",
          "\u00b6 " + (pair.p + 1) + (continued ? " (continued)" : "")));
        frag.appendChild(para);
      }
      para.appendChild(pairRow(view[k]));
    }
    chunk.node.replaceChildren(frag);
    chunk.node.className = "chunk";
    chunk.node.style.height = "";
    if (!firstRows) {
      firstRows = true;
      document.body.setAttribute("data-first-rows-ms", String(Math.round(performance.now())));
    }
  }

  function onVisible(entries) {
    entries.forEach(function (entry) {
      if (entry.isIntersecting) fill(chunks.get(entry.target));
    });
  }

  var chunks = new Map();

  function docSection(d, from, to) {
    var doc = data.documents[d];
    var section = el("section", "doc");
    section.appendChild(el("h2", "", doc.id));
    var counts = docCounts[d];
    var line = plural(counts.pairs, "pair") + " \u00b7 " + number(counts.flagged) + " flagged";
    if (to - from !== counts.pairs) line += " \u00b7 " + number(to - from) + " shown";
    section.appendChild(el("p", "doc-counts", line));
    var columns = el("div", "columns");
    columns.appendChild(el("div", "", summary.source_name));
    columns.appendChild(el("div", "", summary.target_name));
    section.appendChild(columns);
    for (var c = from; c < to; c += CHUNK) {
      var chunk = { from: c, to: Math.min(c + CHUNK, to), node: el("div", "chunk pending"), done: false };
      chunk.node.style.height = ((chunk.to - chunk.from) * ROW_EM) + "em";
      chunks.set(chunk.node, chunk);
      for (var k = chunk.from; k < chunk.to; k++) chunkOf[k] = chunk;
      observer.observe(chunk.node);
      section.appendChild(chunk.node);
    }
    return section;
  }

  function render() {
    if (observer) observer.disconnect();
    observer = new IntersectionObserver(onVisible, { rootMargin: "1500px 0px" });
    chunks = new Map();
    chunkOf = new Array(view.length);
    var frag = document.createDocumentFragment();
    var i = 0;
    while (i < view.length) {
      var d = pairs[view[i]].doc;
      var j = i;
      while (j < view.length && pairs[view[j]].doc === d) j++;
      frag.appendChild(docSection(d, i, j));
      i = j;
    }
    if (!view.length) frag.appendChild(el("p", "empty", pairs.length ? "No pair matches." : "No pairs."));
    byId("docs").replaceChildren(frag);
    // The first rows at once: no blank page while the observer waits for the next frame.
    for (var k = 0; k < view.length && k < CHUNK; k = chunkOf[k].to) fill(chunkOf[k]);
  }

  function rebuild() {
    view = [];
    flaggedView = [];
    position.fill(-1);
    for (var i = 0; i < pairs.length; i++) {
      if (!shown(pairs[i])) continue;
      position[i] = view.length;
      if (pairs[i].flags.length) flaggedView.push(view.length);
      view.push(i);
    }
    if (current >= 0 && position[current] < 0) current = -1;
    render();
    var docs = 0;
    for (var k = 0; k < view.length; k++) {
      if (k === 0 || pairs[view[k]].doc !== pairs[view[k - 1]].doc) docs++;
    }
    byId("view-count").textContent = "Showing " + number(view.length) + " of " +
      plural(pairs.length, "pair") + " in " + plural(docs, "document") + ", " +
      number(flaggedView.length) + " flagged.";
    setStatus(current >= 0 ? describe(current) : "");
  }

  function setStatus(text) { byId("status").textContent = text; }

  function describe(index) {
    var pair = pairs[index];
    var rank = flaggedView.indexOf(position[index]);
    var head = rank >= 0
      ? "Flagged pair " + number(rank + 1) + " of " + number(flaggedView.length)
      : "Pair " + number(position[index] + 1) + " of " + number(view.length);
    var checks = pair.flags.map(function (flag) { return flag[0]; }).join(", ");
    return head + ": " + data.documents[pair.doc].id + ", " + place(pair) + (checks ? " \u2014 " + checks : "");
  }

  function makeCurrent(index, scroll) {
    var old = current >= 0 ? byId("pair-" + current) : null;
    if (old) old.classList.remove("current");
    current = index;
    fill(chunkOf[position[index]]);
    var row = byId("pair-" + index);
    row.classList.add("current");
    row.focus({ preventScroll: true });
    if (scroll) row.scrollIntoView({ block: "center" });
    setStatus(describe(index));
  }

  function step(direction) {
    if (!flaggedView.length) { setStatus("No flagged pair is shown."); return; }
    var pos = current >= 0 ? position[current] : (direction > 0 ? -1 : view.length);
    var lo = 0;
    var hi = flaggedView.length;
    var mid;
    if (direction > 0) {  // the first flagged position after pos, else wrap to the first
      while (lo < hi) { mid = (lo + hi) >> 1; if (flaggedView[mid] > pos) hi = mid; else lo = mid + 1; }
      makeCurrent(view[flaggedView[lo < flaggedView.length ? lo : 0]], true);
    } else {  // the last flagged position before pos, else wrap to the last
      while (lo < hi) { mid = (lo + hi) >> 1; if (flaggedView[mid] < pos) lo = mid + 1; else hi = mid; }
      makeCurrent(view[flaggedView[lo > 0 ? lo - 1 : flaggedView.length - 1]], true);
    }
  }

  function fillControls() {
    var checks = summary.checks;
    var counts = byId("counts");
    counts.appendChild(el("span", "", plural(summary.documents, "document") + " \u00b7 " +
      plural(summary.pairs, "pair") + " \u00b7 " + number(summary.flagged) + " flagged" +
      (checks.length ? ": " : "")));
    var options = [["all", "All pairs (" + number(summary.pairs) + ")"],
      ["flagged", "Flagged pairs, any check (" + number(summary.flagged) + ")"]];
    checks.forEach(function (check) {
      var item = el("span", "check");
      item.setAttribute("data-check", check[0]);
      item.textContent = check[0] + " " + number(check[1]);
      counts.appendChild(item);
      options.push(["check:" + check[0], "Only " + check[0] + " (" + number(check[1]) + ")"]);
    });
    options.forEach(function (option) {
      var node = el("option", "", option[1]);
      node.value = option[0];
      filterBox.appendChild(node);
    });
    var run = [];
    if (summary.model) run.push("model " + summary.model);
    if (summary.vi2en) run.push("vi2en " + summary.vi2en);
    byId("run").textContent = run.join(" \u00b7 ");
  }

  var pendingSearch = 0;
  function searchNow() {
    clearTimeout(pendingSearch);
    var value = searchBox.value.trim().normalize("NFC").toLowerCase();
    if (value !== query) { query = value; rebuild(); window.scrollTo(0, 0); }
  }

  fillControls();
  filterBox.addEventListener("change", function () {
    filter = filterBox.value;
    filterBox.blur();  // the keys go to the page again, not to the list
    rebuild();
    window.scrollTo(0, 0);
  });
  searchBox.addEventListener("input", function () {
    clearTimeout(pendingSearch);
    pendingSearch = setTimeout(searchNow, 150);
  });
  searchBox.addEventListener("keydown", function (event) {
    if (event.key === "Enter") { searchNow(); searchBox.blur(); }
  });
  byId("next").addEventListener("click", function () { step(1); });
  byId("prev").addEventListener("click", function () { step(-1); });
  byId("docs").addEventListener("click", function (event) {
    var row = event.target.closest ? event.target.closest(".pair") : null;
    if (row) makeCurrent(Number(row.getAttribute("data-index")), false);
  });
  document.addEventListener("keydown", function (event) {
    if (event.ctrlKey || event.metaKey || event.altKey) return;
    var tag = event.target.tagName;
    if (tag === "INPUT" || tag === "SELECT" || tag === "TEXTAREA") {
      if (event.key === "Escape") event.target.blur();
      return;
    }
    if (event.key === "j" || event.key === "n") { step(1); event.preventDefault(); }
    else if (event.key === "k" || event.key === "p") { step(-1); event.preventDefault(); }
    else if (event.key === "/") { searchBox.focus(); event.preventDefault(); }
  });
  rebuild();
  document.body.setAttribute("data-ready-ms", String(Math.round(performance.now())));
})();
