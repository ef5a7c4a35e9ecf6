// runbook site: search, copy buttons, persistent checklists, review dates.
// Vanilla JS, no dependencies, no network: works from file:// and any sub-path.
(function () {
  "use strict";

  var root = document.body.getAttribute("data-root") || "";
  // The 404 page, served at any depth, reads this to find its way back to the site.
  try { localStorage.setItem("runbook:root", new URL(root || "./", location.href).href); } catch (e) { /* storage off */ }

  // ---------- copy buttons ----------
  function copyText(text) {
    if (navigator.clipboard && window.isSecureContext) {
      return navigator.clipboard.writeText(text).catch(function () { return fallbackCopy(text); });
    }
    return fallbackCopy(text);
  }
  function fallbackCopy(text) {
    var area = document.createElement("textarea");
    area.value = text;
    area.setAttribute("readonly", "");
    area.style.position = "fixed";
    area.style.opacity = "0";
    document.body.appendChild(area);
    area.select();
    var ok = false;
    try { ok = document.execCommand("copy"); } catch (e) { ok = false; }
    document.body.removeChild(area);
    return ok ? Promise.resolve() : Promise.reject(new Error("copy failed"));
  }
  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest("button.copy");
    if (!button) return;
    copyText(button.getAttribute("data-copy") || "").then(function () {
      button.textContent = "Copied";
      button.classList.add("copied");
    }, function () {
      button.textContent = "Select and copy";
    });
    setTimeout(function () { button.textContent = "Copy"; button.classList.remove("copied"); }, 1800);
  });

  // ---------- checklists, kept per runbook in localStorage ----------
  var main = document.querySelector("main[data-page]");
  var boxes = main ? Array.prototype.slice.call(main.querySelectorAll("input.task-box")) : [];
  if (main && boxes.length) {
    var key = "runbook:checks:" + main.getAttribute("data-page");
    var load = function () {
      try { return JSON.parse(localStorage.getItem(key) || "{}") || {}; } catch (e) { return {}; }
    };
    var save = function (state) {
      try { localStorage.setItem(key, JSON.stringify(state)); } catch (e) { /* storage full or disabled */ }
    };
    var progress = document.querySelector(".check-progress");
    var showProgress = function () {
      if (!progress) return;
      var done = boxes.filter(function (b) { return b.checked; }).length;
      progress.textContent = done + " of " + boxes.length + " checked";
    };
    var state = load();
    boxes.forEach(function (box) {
      box.defaultCheckedFromDoc = box.defaultChecked;
      var id = box.getAttribute("data-step");
      if (id && Object.prototype.hasOwnProperty.call(state, id)) box.checked = !!state[id];
      box.addEventListener("change", function () {
        var current = load();
        current[id] = box.checked;
        save(current);
        showProgress();
      });
    });
    main.addEventListener("click", function (event) {
      var li = event.target.closest && event.target.closest("li.task");
      if (!li || event.target.closest("a, input, button, code, pre")) return;
      var own = li.querySelector("input.task-box");
      if (own && own.closest("li.task") === li) { own.click(); }
    });
    var reset = document.querySelector("button.reset-checks");
    if (reset) {
      reset.addEventListener("click", function () {
        try { localStorage.removeItem(key); } catch (e) { /* ignore */ }
        boxes.forEach(function (box) { box.checked = box.defaultCheckedFromDoc; });
        showProgress();
      });
    }
    showProgress();
  }

  // ---------- review dates: judged against the reader's today, not the build's ----------
  var today = (function () {
    var d = new Date();
    var pad = function (n) { return (n < 10 ? "0" : "") + n; };
    return d.getFullYear() + "-" + pad(d.getMonth() + 1) + "-" + pad(d.getDate());
  })();
  Array.prototype.forEach.call(document.querySelectorAll("[data-review]"), function (el) {
    var overdue = el.getAttribute("data-review") < today;
    el.classList.toggle("is-overdue", overdue);
    var badge = el.querySelector(".badge-overdue");
    if (badge) badge.hidden = !overdue;
  });

  // ---------- table of contents: folded on small screens, marks the section being read ----------
  var tocDetails = document.querySelector(".toc details");
  if (tocDetails && window.matchMedia && window.matchMedia("(max-width: 900px)").matches) {
    tocDetails.removeAttribute("open");
  }
  var tocLinks = Array.prototype.slice.call(document.querySelectorAll(".toc a[href^='#']"));
  if (tocLinks.length && "IntersectionObserver" in window) {
    var byId = {};
    tocLinks.forEach(function (a) { byId[decodeURIComponent(a.getAttribute("href").slice(1))] = a; });
    var observer = new IntersectionObserver(function (entries) {
      entries.forEach(function (entry) {
        if (!entry.isIntersecting) return;
        tocLinks.forEach(function (a) { a.classList.remove("active"); });
        var link = byId[entry.target.id];
        if (link) link.classList.add("active");
      });
    }, { rootMargin: "0px 0px -70% 0px" });
    Object.keys(byId).forEach(function (id) {
      var heading = document.getElementById(id);
      if (heading) observer.observe(heading);
    });
  }

  // ---------- search ----------
  var input = document.getElementById("search-input");
  var panel = document.getElementById("search-panel");
  var list = document.getElementById("search-results");
  var status = document.getElementById("search-status");
  if (!input || !panel || !list) return;

  var KINDS = { s: "section", c: "command", k: "check", m: "step", n: "snippet", v: "severity" };
  // The index: a manifest (search-index.js), then term and document shards loaded as
  // <script> tags (no fetch: it works from file://). See src/site/search.rs for the format.
  var manifest = null;
  var loading = false;
  var shards = { t: {}, d: {} };
  var pending = {};
  var indexUrl = input.getAttribute("data-index") || root + "search-index.js";
  var base = indexUrl.replace(/[^\/]*$/, "");
  var active = -1;
  var timer = null;
  var seq = 0;
  var MAX_TERM = 32;

  // Called by every shard script.
  window.RUNBOOK_SEARCH_SHARD = function (kind, id, data) {
    if (!shards[kind]) return;
    shards[kind][id] = data;
    var waiting = pending[kind + id];
    delete pending[kind + id];
    (waiting || []).forEach(function (cb) { cb(null); });
  };

  function shard(kind, id) {
    return new Promise(function (resolve, reject) {
      var done = function (err) { if (err) reject(err); else resolve(shards[kind][id]); };
      if (shards[kind][id]) { done(null); return; }
      var key = kind + id;
      if (pending[key]) { pending[key].push(done); return; }
      pending[key] = [done];
      var script = document.createElement("script");
      script.src = base + manifest.dir + kind + id + ".js";
      var fail = function () {
        var waiting = pending[key];
        delete pending[key];
        (waiting || []).forEach(function (cb) { cb(new Error("cannot load " + script.src)); });
      };
      script.onload = fail; // a shard that loaded has already registered itself
      script.onerror = fail;
      document.head.appendChild(script);
    });
  }

  function loadIndex() {
    if (manifest || loading) return;
    loading = true;
    status.textContent = "Loading the search index…";
    var script = document.createElement("script");
    script.src = indexUrl;
    script.onload = function () {
      loading = false;
      var m = window.RUNBOOK_SEARCH;
      if (!m || m.v !== 2) { status.textContent = "The search index could not be read."; return; }
      if (!m.keys) {
        // A small book: the entries are inline; derive the term index here.
        shards.d[0] = m.docs;
        shards.t[0] = deriveTerms(m.docs);
        m.keys = [""];
      }
      manifest = m;
      search();
    };
    script.onerror = function () {
      loading = false;
      status.textContent = "The search index could not be loaded.";
    };
    document.head.appendChild(script);
  }

  // Same rule as search::terms in Rust: split at ASCII non-alphanumerics, lower case, cut.
  function terms(text) {
    return text.toLowerCase().split(/[\x00-\x2f\x3a-\x40\x5b-\x60\x7b-\x7f]+/)
      .filter(function (t) { return t.length > 0; })
      .map(function (t) { return t.slice(0, MAX_TERM); });
  }

  // Postings as the build writes them: (item - previous) << 4 | flags.
  function deriveTerms(docs) {
    var out = {}, last = {};
    docs.i.forEach(function (item, id) {
      var flags = {}, command = item[4] === "c" ? 8 : 0;
      var add = function (t, f) { flags[t] = (flags[t] || 0) | f | command; };
      terms(docs.p[item[0]][1]).forEach(function (t) { add(t, 0); });
      terms(item[2]).forEach(function (t) { add(t, 4); });
      terms(item[3]).forEach(function (t, i) { add(t, i === 0 ? 3 : 2); });
      Object.keys(flags).forEach(function (t) {
        if (!Object.prototype.hasOwnProperty.call(out, t)) { out[t] = []; last[t] = 0; }
        out[t].push(((id - last[t]) << 4) | flags[t]);
        last[t] = id;
      });
    });
    return out;
  }

  // Shards a query word needs: the one of its longest key, and those under the word.
  function shardsFor(word) {
    var best = -1, ids = [];
    manifest.keys.forEach(function (key, id) {
      if (word.lastIndexOf(key, 0) === 0 && (best === -1 || key.length > manifest.keys[best].length)) best = id;
      else if (word.length > 1 && key.length > word.length && key.lastIndexOf(word, 0) === 0) ids.push(id);
    });
    if (best !== -1) ids.push(best);
    return ids;
  }

  // Entry → flags (OR over every term the word matches).
  function postings(word) {
    var hits = new Map();
    shardsFor(word).forEach(function (id) {
      var table = shards.t[id];
      Object.keys(table).forEach(function (term) {
        if (word.length > 1 ? term.lastIndexOf(word, 0) !== 0 : term !== word) return;
        var list = table[term], item = 0;
        for (var i = 0; i < list.length; i++) {
          item += list[i] >> 4;
          hits.set(item, (hits.get(item) || 0) | (list[i] & 15));
        }
      });
    });
    return hits;
  }

  function weight(flags) { return (flags & 4 ? 3 : 0) + (flags & 2 ? 2 : 0) + (flags & 1 ? 1 : 0); }

  function entry(id) {
    var docs = shards.d[Math.floor(id / manifest.per)];
    var item = docs.i[id % manifest.per];
    return { item: item, page: docs.p[item[0]] };
  }

  // Appends `text` to `el` as text nodes, with each term wrapped in <mark>. No innerHTML:
  // document text can never become markup.
  function appendMarked(el, text, words) {
    var lower = text.toLowerCase();
    var pos = 0;
    while (pos < text.length) {
      var best = -1, bestLen = 0;
      words.forEach(function (w) {
        var at = lower.indexOf(w, pos);
        if (at !== -1 && (best === -1 || at < best || (at === best && w.length > bestLen))) { best = at; bestLen = w.length; }
      });
      if (best === -1) { el.appendChild(document.createTextNode(text.slice(pos))); return; }
      if (best > pos) el.appendChild(document.createTextNode(text.slice(pos, best)));
      var mark = document.createElement("mark");
      mark.textContent = text.slice(best, best + bestLen);
      el.appendChild(mark);
      pos = best + bestLen;
    }
  }

  function excerpt(text, words) {
    if (text.length <= 160) return text;
    var lower = text.toLowerCase();
    var at = -1;
    words.forEach(function (w) { var i = lower.indexOf(w); if (i !== -1 && (at === -1 || i < at)) at = i; });
    var start = Math.max(0, at - 50);
    return (start > 0 ? "…" : "") + text.slice(start, start + 160) + (start + 160 < text.length ? "…" : "");
  }

  function setActive(i) {
    var items = list.children;
    if (!items.length) { active = -1; input.removeAttribute("aria-activedescendant"); return; }
    active = (i + items.length) % items.length;
    Array.prototype.forEach.call(items, function (li, n) { li.setAttribute("aria-selected", n === active ? "true" : "false"); });
    input.setAttribute("aria-activedescendant", items[active].id);
    items[active].scrollIntoView({ block: "nearest" });
  }

  function open(show) {
    panel.hidden = !show;
    input.setAttribute("aria-expanded", show ? "true" : "false");
  }

  function search() {
    var query = input.value.trim();
    var mine = ++seq;
    if (!query) { list.textContent = ""; active = -1; status.textContent = ""; open(false); return; }
    open(true);
    if (!manifest) { loadIndex(); return; }
    var words = terms(query);
    var needed = {};
    words.forEach(function (w) { shardsFor(w).forEach(function (id) { needed[id] = true; }); });
    Promise.all(Object.keys(needed).map(function (id) { return shard("t", id); })).then(function () {
      if (mine !== seq) return null;
      var maps = words.map(postings).sort(function (a, b) { return a.size - b.size; });
      var hits = [];
      if (maps.length) {
        maps[0].forEach(function (flags, id) {
          var score = weight(flags), any = flags;
          for (var w = 1; w < maps.length; w++) {
            var f = maps[w].get(id);
            if (f === undefined) return;
            score += weight(f);
            any |= f;
          }
          hits.push([score + (any & 8 ? 1 : 0), id]);
        });
      }
      var total = hits.length;
      hits.sort(function (a, b) { return b[0] - a[0] || a[1] - b[1]; });
      hits = hits.slice(0, 20);
      var docs = {};
      hits.forEach(function (h) { docs[Math.floor(h[1] / manifest.per)] = true; });
      return Promise.all(Object.keys(docs).map(function (id) { return shard("d", id); })).then(function () {
        if (mine === seq) show(query, words, hits, total);
      });
    }).catch(function () {
      if (mine === seq) status.textContent = "The search index could not be loaded.";
    });
  }

  function show(query, words, hits, total) {
    list.textContent = "";
    active = -1;
    status.textContent = total ? (total > 20 ? "Top 20 of " + total + " matches" : total + (total === 1 ? " match" : " matches")) : "No matches for “" + query + "”";
    hits.forEach(function (pair, n) {
      var found = entry(pair[1]);
      var item = found.item, page = found.page;
      var li = document.createElement("li");
      li.id = "search-hit-" + n;
      li.setAttribute("role", "option");
      li.setAttribute("aria-selected", "false");
      var a = document.createElement("a");
      a.href = root + page[0] + "#" + item[1];
      a.tabIndex = -1;
      var title = document.createElement("span");
      title.className = "hit-title";
      var kind = document.createElement("span");
      kind.className = "hit-kind";
      kind.textContent = KINDS[item[4]] || "";
      title.appendChild(kind);
      appendMarked(title, item[2] || (item[3].split("\n")[0]) || page[1], words);
      a.appendChild(title);
      if (item[2] && item[3]) {
        var text = document.createElement("span");
        text.className = "hit-text";
        appendMarked(text, excerpt(item[3], words), words);
        a.appendChild(text);
      }
      var where = document.createElement("span");
      where.className = "hit-page";
      appendMarked(where, page[1], words);
      a.appendChild(where);
      li.appendChild(a);
      list.appendChild(li);
    });
    if (hits.length) setActive(0);
  }

  input.addEventListener("focus", loadIndex);
  input.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(search, manifest && manifest.n > 50000 ? 120 : 30);
  });
  input.addEventListener("keydown", function (event) {
    if (event.key === "ArrowDown") { event.preventDefault(); setActive(active + 1); }
    else if (event.key === "ArrowUp") { event.preventDefault(); setActive(active - 1); }
    else if (event.key === "Enter") {
      var li = list.children[active >= 0 ? active : 0];
      if (li) { event.preventDefault(); open(false); window.location.href = li.firstChild.href; }
    } else if (event.key === "Escape") {
      input.value = ""; search(); input.blur();
    }
  });
  document.addEventListener("keydown", function (event) {
    if (event.key !== "/" || event.ctrlKey || event.metaKey || event.altKey) return;
    var t = event.target;
    if (t && (t.tagName === "INPUT" || t.tagName === "TEXTAREA" || t.isContentEditable)) return;
    event.preventDefault();
    input.focus();
    input.select();
  });
  document.addEventListener("click", function (event) {
    if (!event.target.closest || !event.target.closest(".search")) open(false);
  });
  input.addEventListener("focus", function () { if (input.value.trim()) search(); });
})();
