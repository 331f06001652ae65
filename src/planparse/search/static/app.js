// planparse search page: search, filter, sort, compare targets across plans, open the source passage.
// Every piece of data goes into the page through textContent (never innerHTML).
"use strict";

const $ = (id) => document.getElementById(id);
const FIELDS = ["q", "min", "max", "unit", "agency", "role", "province", "doc_type", "kind", "sort", "limit"];
let lastParams = null;
let offset = 0;
const compare = new Map(); // key → hit
let compareSort = null;
let currentPassage = null;

function el(tag, attrs, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (k === "class") e.className = v;
    else if (k.startsWith("data-")) e.setAttribute(k, v);
    else e[k] = v;
  }
  for (const c of children) if (c !== null && c !== undefined) e.append(c instanceof Node ? c : document.createTextNode(String(c)));
  return e;
}

function num(v) { return Number.isInteger(v) ? String(v) : String(+v.toFixed(4)); }

function valueText(h) {
  let s = h.comparator === "range" && h.value_max !== null ? `${num(h.value)}–${num(h.value_max)}`
    : `${h.comparator.replace(">=", "≥").replace("<=", "≤")} ${num(h.value)}`;
  return h.unit ? `${s} ${h.unit}` : s;
}

function placeText(d) {
  if (!d.province) return d.scope === "national" ? "national" : "";
  let p = d.province_now && d.province_now !== d.province ? `${d.province} → now ${d.province_now}` : d.province;
  return d.locality ? `${d.locality}, ${p}` : p;
}

function docText(d) {
  const head = [d.doc_type, d.number].filter(Boolean).join(" ");
  return [head, d.issuer, d.issued_date].filter(Boolean).join(" · ") || d.id;
}

// text with [start, end) ranges wrapped in <mark>
function marked(text, ranges) {
  const frag = document.createDocumentFragment();
  let pos = 0;
  for (const [s, e] of ranges || []) {
    if (s > pos) frag.append(text.slice(pos, s));
    frag.append(el("mark", {}, text.slice(s, e)));
    pos = e;
  }
  frag.append(text.slice(pos));
  return frag;
}

function paramsFromForm() {
  const p = new URLSearchParams();
  for (const f of FIELDS) {
    const v = $(f).value.trim();
    if (v !== "" && !(f === "sort" && v === "relevance") && !(f === "limit" && v === "20")) p.set(f, v);
  }
  const y = $("year").value.trim();
  if (y) p.set($("dmode").value, y);
  return p;
}

function formFromParams(p) {
  for (const f of FIELDS) {
    const v = p.get(f);
    if (v !== null) $(f).value = v;
  }
  if (p.get("deadline")) { $("dmode").value = "deadline"; $("year").value = p.get("deadline"); }
  else if (p.get("by")) { $("dmode").value = "by"; $("year").value = p.get("by"); }
}

async function getJSON(url) {
  const r = await fetch(url, { headers: { Accept: "application/json" } });
  let body = null;
  try { body = await r.json(); } catch (e) { /* not JSON */ }
  if (!r.ok) {
    let msg = body && body.detail;
    if (Array.isArray(msg)) msg = msg.map((d) => `${(d.loc || []).slice(-1)[0]}: ${d.msg}`).join("; ");
    throw new Error(msg || `${r.status} ${r.statusText}`);
  }
  return body;
}

function showError(msg) {
  $("error").hidden = !msg;
  $("error").textContent = msg || "";
}

async function runSearch(append) {
  const p = append ? new URLSearchParams(lastParams) : paramsFromForm();
  if (!append) {
    offset = 0;
    history.replaceState(null, "", p.toString() ? `?${p}` : location.pathname);
  }
  lastParams = p.toString();
  const q = new URLSearchParams(p);
  if (offset) q.set("offset", offset);
  $("status").textContent = "searching…";
  showError("");
  try {
    const res = await getJSON(`/search?${q}`);
    if (!append) $("results").replaceChildren();
    res.hits.forEach((h, i) => $("results").append(renderHit(h, offset + i + 1)));
    offset += res.hits.length;
    $("more").hidden = !res.more;
    const n = $("results").children.length;
    $("status").textContent = n ? `${n}${res.more ? "+" : ""} target${n === 1 ? "" : "s"} · ${res.took_ms} ms` : "no targets found";
  } catch (e) {
    if (!append) $("results").replaceChildren();
    $("status").textContent = "";
    $("more").hidden = true;
    showError(e.message);
  }
}

function hitKey(h) { return `${h.document.id}#${h.target_id}`; }

function renderHit(h, n) {
  const d = h.document;
  const left = el("div", { class: "num" },
    el("div", { class: "value" }, valueText(h)),
    h.deadline_year ? el("span", { class: "deadline", title: h.deadline_raw || "" }, `by ${h.deadline_year}`) : null,
    h.kind !== "target" ? el("span", { class: "kind" }, h.kind) : null,
    h.exact ? el("span", { class: "exact", title: "matches the words as typed, accents included" }, "exact match") : null);
  const who = [];
  if (h.lead.length) who.push(el("span", {}, "Lead: ", el("b", {}, h.lead.join("; ")),
    h.agency_scope === "document" ? el("span", { class: "scope" }, " (plan-level)") : null));
  if (h.coordinating.length) who.push(el("span", {}, (who.length ? " · " : "") + "Coordinating: " + h.coordinating.join("; ")));
  const cb = el("input", { type: "checkbox", checked: compare.has(hitKey(h)) });
  cb.addEventListener("change", () => { cb.checked ? compare.set(hitKey(h), h) : compare.delete(hitKey(h)); renderCompare(); });
  const open = el("button", { type: "button", class: "open" }, "Open source");
  open.addEventListener("click", () => openPassage(h.document.id, h.section_id, h.target_id));
  const place = placeText(d);
  return el("li", { class: "hit", "data-doc": d.id, "data-target": h.target_id, "data-value": h.value },
    left,
    el("div", { class: "text" }, marked(h.text, h.highlights)),
    el("div", { class: "doc" }, docText(d), place ? el("span", { class: "place" }, ` · ${place}`) : null),
    el("div", { class: "path" }, h.section_path ? `§ ${h.section_path}` : ""),
    el("div", { class: "who" }, ...who),
    el("div", { class: "actions" }, h.section_id ? open : null, el("label", {}, cb, " compare"),
      el("span", { class: "muted" }, `${n}. ${d.id} · ${h.target_id}`)));
}

// the target's section and, for context, the one around it ("wider passage" goes further out)
async function openPassage(docId, sectionId, targetId, context = 1) {
  showError("");
  try {
    const q = new URLSearchParams({ context });
    if (targetId) q.set("target", targetId);
    const p = await getJSON(`/documents/${encodeURIComponent(docId)}/sections/${encodeURIComponent(sectionId)}?${q}`);
    currentPassage = { docId, sectionId, targetId, context };
    const d = p.document;
    $("pdoc").textContent = docText(d) + (placeText(d) ? ` · ${placeText(d)}` : "");
    $("ppath").textContent = p.section_path ? `§ ${p.section_path}` : p.section_id;
    $("pwider").hidden = !p.parent_id;
    const box = $("ptext");
    box.replaceChildren();
    let pos = 0;
    const spans = p.targets.map((t) => ({ ...t, me: t.id === targetId })).sort((a, b) => a.start - b.start);
    let mine = null;
    for (const t of spans) {
      if (t.start < pos) continue; // overlapping targets: the first one shows
      box.append(p.text.slice(pos, t.start));
      let node;
      if (t.me) {
        node = el("span", { class: "target", id: "the-target" });
        const v = p.value;
        if (v && v.start >= t.start && v.end <= t.end) {
          node.append(p.text.slice(t.start, v.start), el("strong", {}, p.text.slice(v.start, v.end)), p.text.slice(v.end, t.end));
        } else node.append(p.text.slice(t.start, t.end));
        mine = node;
      } else node = el("span", { class: "other", title: `${t.id}` }, p.text.slice(t.start, t.end));
      box.append(node);
      pos = t.end;
    }
    box.append(p.text.slice(pos));
    $("passage").hidden = false;
    if (mine) mine.scrollIntoView({ block: "center" });
    else box.scrollTop = 0;
  } catch (e) {
    showError(`cannot open the passage: ${e.message}`);
  }
}

function renderCompare() {
  const rows = [...compare.values()];
  $("compare").hidden = rows.length === 0;
  $("ccount").textContent = `${rows.length} target${rows.length === 1 ? "" : "s"}`;
  const key = {
    doc: (h) => docText(h.document), place: (h) => placeText(h.document), value: (h) => h.value,
    deadline: (h) => h.deadline_year || 9999, lead: (h) => h.lead.join("; "),
  };
  if (compareSort) {
    const f = key[compareSort];
    rows.sort((a, b) => (f(a) < f(b) ? -1 : f(a) > f(b) ? 1 : 0) * (compareSort === "value" ? -1 : 1));
  }
  const body = $("ctable").tBodies[0];
  body.replaceChildren(...rows.map((h) => {
    const rm = el("button", { type: "button", class: "link" }, "remove");
    rm.addEventListener("click", () => { compare.delete(hitKey(h)); renderCompare(); syncChecks(); });
    const open = el("button", { type: "button", class: "link" }, "open");
    open.addEventListener("click", () => openPassage(h.document.id, h.section_id, h.target_id));
    return el("tr", {}, el("td", {}, docText(h.document)), el("td", {}, placeText(h.document)),
      el("td", { class: "v" }, valueText(h)), el("td", {}, h.deadline_year || ""), el("td", {}, h.lead.join("; ")),
      el("td", {}, h.text), el("td", {}, open, " ", rm));
  }));
}

function syncChecks() {
  for (const li of $("results").children) {
    const cb = li.querySelector("input[type=checkbox]");
    if (cb) cb.checked = compare.has(`${li.dataset.doc}#${li.dataset.target}`);
  }
}

async function loadFacets() {
  try {
    const [st, places] = await Promise.all([getJSON("/stats"), getJSON("/places")]);
    $("stats").textContent = `${st.documents} plans · ${st.targets} targets · ${st.backend}`;
    for (const t of st.doc_types) if (t.name) $("doc_type").append(el("option", { value: t.name }, `${t.name} (${t.count})`));
    for (const u of st.units) if (u.name) $("units").append(el("option", { value: u.name }));
    const seen = new Set();
    for (const name of [...places.provinces_now, ...places.provinces]) {
      if (!seen.has(name)) { seen.add(name); $("provinces").append(el("option", { value: name })); }
    }
  } catch (e) {
    showError(`cannot reach the index: ${e.message}`);
  }
}

document.addEventListener("DOMContentLoaded", async () => {
  $("search").addEventListener("submit", (ev) => { ev.preventDefault(); runSearch(false); });
  for (const id of ["role", "doc_type", "kind", "sort", "limit", "dmode"]) $(id).addEventListener("change", () => runSearch(false));
  $("more").addEventListener("click", () => runSearch(true));
  $("reset").addEventListener("click", () => {
    for (const f of FIELDS) if (f !== "q") $(f).value = f === "sort" ? "relevance" : f === "limit" ? "20" : "";
    $("year").value = "";
    runSearch(false);
  });
  $("pclose").addEventListener("click", () => { $("passage").hidden = true; });
  document.addEventListener("keydown", (ev) => { if (ev.key === "Escape") $("passage").hidden = true; });
  $("pwider").addEventListener("click", () => {
    const c = currentPassage;
    if (c) openPassage(c.docId, c.sectionId, c.targetId, c.context + 1);
  });
  $("cclear").addEventListener("click", () => { compare.clear(); renderCompare(); syncChecks(); });
  for (const th of $("ctable").tHead.rows[0].cells) {
    if (th.dataset.k) th.addEventListener("click", () => { compareSort = th.dataset.k; renderCompare(); });
  }
  await loadFacets();
  const p = new URLSearchParams(location.search);
  formFromParams(p);
  if ([...p.keys()].length) runSearch(false);
  $("q").focus();
});
