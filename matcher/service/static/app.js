// The coordinators' page: describe a firm and see the support programs and municipalities
// that fit it, with the reasons; or choose a program and see which firms of a list to
// call first. Plain JavaScript, no build step; it talks to the JSON API under v1/.

import { download, firmsFromCsv, toCsv } from "./csv.js";
import { applyLanguage, initialLanguage, kindLabel, language, pick, t } from "./i18n.js";
import { PREFECTURES } from "./prefectures.js";

const SCHEME_COMPONENTS = ["text", "needs", "kind", "industry", "locality"];
const PLACE_COMPONENTS = ["support", "assets", "industry", "distance"];
const EXAMPLE_CSV = [
  "id,name,prefecture,municipality,industry,employees,capital_jpy,founded,needs,description",
  "k01,Oji Precision Press,Tokyo,Kita,E24,25,10000000,1978-04-01,trade_fair;marketing,Metal press work; we want to exhibit at a trade fair",
  "k02,Akabane Plastics,Tokyo,Kita,E18,12,5000000,1990-06-01,marketing,Plastic injection moulding",
  "k03,Tabata Software,Tokyo,Kita,G39,8,3000000,2019-09-01,website;it_adoption,Business software for small shops",
].join("\n");

const state = {
  vocabulary: { needs: [], industries: [], kinds: new Map(), prefectures: PREFECTURES },
  programs: [],
  rank: null,   // {data} of the last ranking shown
  reach: null,  // {data, program, lines, csvErrors} of the last reverse view shown
};

// ------------------------------------------------------------------ small helpers

/** An element with attributes and children; text is always inserted as text, never as HTML. */
function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === null || v === undefined || v === false) continue;
    if (k === "class") el.className = v;
    else if (k === "dataset") Object.assign(el.dataset, v);
    else if (k.startsWith("on")) el.addEventListener(k.slice(2), v);
    else el.setAttribute(k, v === true ? "" : v);
  }
  for (const c of children.flat(Infinity)) {
    if (c === null || c === undefined || c === false) continue;
    el.append(c instanceof Node ? c : String(c));
  }
  return el;
}

/** Replace the children of `el` (lists of children are flattened, as in h()). */
function fill(el, ...children) {
  el.replaceChildren(...children.flat(Infinity).filter((c) => c !== null && c !== undefined && c !== false));
}

const $ = (id) => document.getElementById(id);
const score2 = (x) => (typeof x === "number" ? x.toFixed(2) : "");
const yen = (n) => Number(n).toLocaleString(language() === "ja" ? "ja-JP" : "en-US");

/** A prefecture [code, English, Japanese] from a code, a name or an object. */
function prefectureOf(value) {
  if (!value) return null;
  if (typeof value === "object") value = value.code ?? value.name_en ?? value.name ?? value.name_ja;
  const text = String(value).trim().toLowerCase();
  return state.vocabulary.prefectures.find(([code, en, ja]) =>
    code === text.padStart(2, "0") || en.toLowerCase() === text || ja === value) ?? null;
}

function prefectureName(value) {
  const p = prefectureOf(value);
  return p ? pick(p[1], p[2]) : (typeof value === "string" ? value : "");
}

function kindName(kind) {
  const v = state.vocabulary.kinds.get(kind);
  if (language() === "ja") return v?.label_ja ?? kindLabel(kind);
  return v?.label_en ?? kindLabel(kind);
}

function providerName(provider) {
  if (!provider) return "";
  if (typeof provider === "string") return provider;
  return pick(provider.name, provider.name_ja);
}

// ------------------------------------------------------------------ talking to the API

class ApiError extends Error {
  constructor(problem, status) {
    super(problem.detail || problem.title || `HTTP ${status}`);
    this.problem = problem;
    this.status = status;
  }
}

const KEY_STORAGE = "shien-matcher.api-key";

function apiKey() {
  try { return sessionStorage.getItem(KEY_STORAGE) || ""; } catch (_) { return ""; }
}

async function api(path, body) {
  const init = { headers: { Accept: "application/json, application/problem+json" } };
  if (apiKey()) init.headers["X-API-Key"] = apiKey();
  if (body !== undefined) {
    init.method = "POST";
    init.headers["Content-Type"] = "application/json";
    init.body = JSON.stringify(body);
  }
  let res;
  try {
    res = await fetch(path, init);
  } catch (_) {
    throw new ApiError({ detail: t("error.network") }, 0);
  }
  const type = res.headers.get("content-type") || "";
  const data = type.includes("json") ? await res.json() : { detail: await res.text() };
  if (res.status === 401) $("key-form").hidden = false; // the service wants a key: ask for it
  if (!res.ok) throw new ApiError(data, res.status);
  return data;
}

/** Every item of a paginated list (at most 100 pages, to stay finite whatever happens). */
async function fetchAll(path) {
  const items = [];
  const sep = path.includes("?") ? "&" : "?";
  let url = `${path}${sep}limit=100`;
  for (let page = 0; url && page < 100; page += 1) {
    const data = await api(url);
    const got = Array.isArray(data) ? data : (data.items ?? []);
    items.push(...got);
    url = null;
    if (!Array.isArray(data) && got.length) {
      const offset = data.next_offset ?? (typeof data.total === "number" && items.length < data.total ? items.length : null);
      if (offset !== null) url = `${path}${sep}limit=100&offset=${offset}`;
    }
  }
  return items;
}

/** Split a field path ("firm.needs[2]", "/firms/3/municipality", ["body", "firm", "x"]) into parts. */
function pathParts(path) {
  const parts = Array.isArray(path) ? path : String(path ?? "").match(/[^./[\]]+/g) ?? [];
  return parts.map((p) => (/^\d+$/.test(String(p)) ? Number(p) : String(p)));
}

/** The errors of a problem+json answer as [{parts, message}]; parts is empty for the whole request. */
function problemErrors(problem) {
  const list = Array.isArray(problem.errors) ? problem.errors
    : Array.isArray(problem.detail) ? problem.detail
      : [{ field: problem.field ?? problem.pointer, message: problem.detail ?? problem.title }];
  return list.map((e) => {
    let message = e.message ?? e.msg ?? e.detail ?? e.reason ?? problem.title ?? t("error.general");
    const candidates = e.candidates ?? e.did_you_mean;
    if (Array.isArray(candidates) && candidates.length && !message.includes(String(candidates[0]))) {
      message += ` (${candidates.slice(0, 5).join(", ")})`;
    }
    let parts = pathParts(e.field ?? e.loc ?? e.path ?? e.pointer);
    if (parts[0] === "body") parts = parts.slice(1);
    return { parts, message };
  });
}

// ------------------------------------------------------------------ showing errors next to fields

function showFieldError(id, message) {
  const box = $(`${id}-error`);
  if (!box) return false;
  box.textContent = message;
  box.hidden = false;
  const control = $(id);
  if (control) {
    control.setAttribute("aria-invalid", "true");
    const described = new Set((control.getAttribute("aria-describedby") || "").split(" ").filter(Boolean));
    described.add(box.id);
    control.setAttribute("aria-describedby", [...described].join(" "));
  }
  return true;
}

function clearErrors(form) {
  for (const box of form.querySelectorAll(".field-error, .form-error")) {
    box.hidden = true;
    box.replaceChildren();
  }
  for (const el of form.querySelectorAll("[aria-invalid]")) el.removeAttribute("aria-invalid");
}

function showFormError(form, message) {
  const box = $(`${form.id}-error`);
  box.append(h("p", {}, message));
  box.hidden = false;
}

// ------------------------------------------------------------------ filling the form's choices

function fillPrefectures() {
  const select = $("firm-prefecture");
  const chosen = select.value;
  fill(select, h("option", { value: "" }, t("field.prefecture.any")),
    state.vocabulary.prefectures.map(([code, en, ja]) => h("option", { value: code }, pick(en, ja))));
  select.value = chosen;
}

function fillIndustries() {
  const select = $("firm-industry");
  const chosen = select.value;
  const isDivision = (i) => (i.level ? i.level === "division" : i.code.length === 1);
  const divisions = state.vocabulary.industries.filter(isDivision);
  fill(select, h("option", { value: "" }, t("field.industry.none")),
    divisions.map((d) => h("optgroup", { label: `${d.code} ${pick(d.name_en, d.name_ja)}` },
      h("option", { value: d.code }, `${d.code} — ${pick(d.name_en, d.name_ja)}`),
      state.vocabulary.industries
        .filter((i) => !isDivision(i) && i.code.startsWith(d.code))
        .map((i) => h("option", { value: i.code }, `${i.code} — ${pick(i.name_en, i.name_ja)}`)))));
  select.value = chosen;
}

function fillNeeds() {
  const box = $("needs-list");
  const checked = new Set([...box.querySelectorAll("input:checked")].map((c) => c.value));
  box.replaceChildren(...state.vocabulary.needs.map((n) => h("label", { class: "check" },
    h("input", { type: "checkbox", name: "needs", value: n.id, checked: checked.has(n.id) }),
    " ", pick(n.label_en, n.label_ja))));
}

function fillYesNo() {
  for (const select of document.querySelectorAll("select.yes-no")) {
    const chosen = select.value;
    fill(select, h("option", { value: "" }, t("field.unknown")),
      h("option", { value: "true" }, t("field.yes")), h("option", { value: "false" }, t("field.no")));
    select.value = chosen;
  }
}

function fillPrograms() {
  const select = $("reach-program");
  const chosen = select.value;
  const groups = new Map();
  for (const p of state.programs) {
    const provider = providerName(p.provider) || "—";
    if (!groups.has(provider)) groups.set(provider, []);
    groups.get(provider).push(p);
  }
  fill(select, h("option", { value: "" }, t("reach.program.choose")),
    [...groups].map(([provider, programs]) => h("optgroup", { label: provider },
      programs.map((p) => h("option", { value: p.id }, `${pick(p.name, p.name_ja)} (${kindName(p.kind)})`)))));
  select.value = chosen;
}

// ------------------------------------------------------------------ municipality suggestions

function setupMunicipalitySuggestions() {
  const input = $("firm-municipality");
  const list = $("municipality-options");
  const status = $("municipality-status");
  let items = [];
  let active = -1;
  let asked = 0;
  let timer = null;

  const close = () => {
    list.hidden = true;
    input.setAttribute("aria-expanded", "false");
    input.removeAttribute("aria-activedescendant");
    active = -1;
  };
  // "Kita Ward, Sapporo, Hokkaido" / "北海道 札幌市北区": enough to tell the many Kitas apart.
  const label = (m) => (language() === "ja"
    ? `${m.prefecture_ja ?? prefectureName(m.prefecture_code ?? m.prefecture)} ${m.full_name_ja ?? m.name_ja}`
    : m.label ?? `${m.name}, ${prefectureName(m.prefecture_code ?? m.prefecture)}`);
  const choose = (m) => {
    input.value = pick(m.name, m.name_ja);
    Object.assign(input.dataset, { code: m.code, nameEn: m.name ?? "", nameJa: m.name_ja ?? "" });
    const p = prefectureOf(m.prefecture_code ?? m.prefecture) ?? prefectureOf(String(m.code).slice(0, 2));
    if (p) $("firm-prefecture").value = p[0];
    close();
    hideError("firm-municipality");
  };
  const highlight = (i) => {
    active = i;
    [...list.children].forEach((li, k) => li.setAttribute("aria-selected", String(k === i)));
    if (i >= 0) {
      input.setAttribute("aria-activedescendant", list.children[i].id);
      list.children[i].scrollIntoView({ block: "nearest" });
    }
  };
  const show = () => {
    list.replaceChildren(...items.map((m, i) => h("li", {
      id: `municipality-option-${i}`, role: "option", "aria-selected": "false", dataset: { code: m.code },
      onmousedown: (ev) => { ev.preventDefault(); choose(m); },
    }, label(m))));
    list.hidden = items.length === 0;
    input.setAttribute("aria-expanded", String(items.length > 0));
    status.textContent = items.length ? t("suggest.count", { n: items.length }) : t("suggest.none");
    active = -1;
  };
  const suggest = async () => {
    const q = input.value.trim();
    const ticket = ++asked;
    if (!q) { items = []; close(); return; }
    const params = new URLSearchParams({ q, limit: "10" });
    if ($("firm-prefecture").value) params.set("prefecture", $("firm-prefecture").value);
    try {
      const data = await api(`v1/municipalities?${params}`);
      if (ticket !== asked) return; // a newer question is on its way
      items = Array.isArray(data) ? data : (data.items ?? []);
      show();
    } catch (_) {
      if (ticket === asked) { items = []; close(); }
    }
  };

  input.addEventListener("input", () => {
    delete input.dataset.code;
    clearTimeout(timer);
    timer = setTimeout(suggest, 120);
  });
  input.addEventListener("keydown", (ev) => {
    if (list.hidden) {
      if (ev.key === "ArrowDown" && input.value.trim()) suggest();
      return;
    }
    if (ev.key === "ArrowDown") { ev.preventDefault(); highlight(Math.min(active + 1, items.length - 1)); }
    else if (ev.key === "ArrowUp") { ev.preventDefault(); highlight(Math.max(active - 1, 0)); }
    else if (ev.key === "Enter" && active >= 0) { ev.preventDefault(); choose(items[active]); }
    else if (ev.key === "Escape") close();
  });
  input.addEventListener("blur", close);
}

function hideError(id) {
  const box = $(`${id}-error`);
  if (box) { box.hidden = true; box.replaceChildren(); }
  $(id)?.removeAttribute("aria-invalid");
}

// ------------------------------------------------------------------ a firm: programs and places

/** The firm described by the form; numbers that are not whole numbers are reported. */
function firmFromForm() {
  const firm = {};
  const problems = [];
  for (const name of ["name", "description", "founded", "prefecture", "industry"]) {
    const value = $(`firm-${name}`).value.trim();
    if (value) firm[name] = value;
  }
  const mun = $("firm-municipality");
  if (mun.dataset.code) firm.municipality = mun.dataset.code;
  else if (mun.value.trim()) firm.municipality = mun.value.trim();
  for (const name of ["employees", "capital_jpy"]) {
    const raw = $(`firm-${name}`).value.trim();
    if (!raw && $(`firm-${name}`).validity.badInput) problems.push([`firm-${name}`, t("error.number")]);
    else if (raw && !/^\d+$/.test(raw)) problems.push([`firm-${name}`, t("error.number")]);
    else if (raw) firm[name] = Number(raw);
  }
  for (const name of ["environment_conscious", "seeking_location"]) {
    const value = $(`firm-${name}`).value;
    if (value) firm[name] = value === "true";
  }
  firm.needs = [...document.querySelectorAll("#needs-list input:checked")].map((c) => c.value);
  if (!firm.municipality && !firm.prefecture) problems.push(["firm-municipality", t("error.location")]);
  return { firm, problems };
}

async function submitFirm(ev) {
  ev.preventDefault();
  const form = $("firm-form");
  clearErrors(form);
  $("municipality-options").hidden = true;
  const { firm, problems } = firmFromForm();
  if (problems.length) {
    for (const [id, message] of problems) showFieldError(id, message);
    showFormError(form, t("error.fix"));
    $(problems[0][0]).focus();
    return;
  }
  const body = { firm, explain: false, lang: language() };
  const top = Number($("firm-top").value);
  if (Number.isInteger(top) && top > 0) body.top = top;
  if ($("firm-as_of").value) body.as_of = $("firm-as_of").value;

  $("firm-busy").hidden = false;
  try {
    state.rank = { data: await api("v1/rank", body), body };
    renderRank();
    $("rank-results-heading").focus();
  } catch (err) {
    if (!(err instanceof ApiError)) throw err;
    showProblem(form, err.problem, (parts) => {
      const rest = parts[0] === "firm" ? parts.slice(1) : parts;
      return rest.length ? `firm-${rest[0]}` : null;
    });
  } finally {
    $("firm-busy").hidden = true;
  }
}

/** Put each error of `problem` next to the field it names (fieldId maps a path to an id). */
function showProblem(form, problem, fieldId) {
  let placed = 0;
  for (const { parts, message } of problemErrors(problem)) {
    const id = fieldId(parts);
    if (id && showFieldError(id, message)) placed += 1;
    else showFormError(form, message);
  }
  if (placed) {
    showFormError(form, t("error.fix"));
    form.querySelector("[aria-invalid=true]")?.focus();
  }
}

function bars(components, keys) {
  return h("dl", { class: "bars" }, keys.filter((k) => components && k in components).map((k) => {
    const v = Math.max(0, Math.min(1, Number(components[k]) || 0));
    return h("div", { class: "bar-row", dataset: { component: k } },
      h("dt", {}, t(`component.${k}`)),
      h("dd", {},
        h("span", { class: "bar", "aria-hidden": "true" }, h("span", { class: "fill", style: `width:${(v * 100).toFixed(1)}%` })),
        h("span", { class: "bar-value" }, score2(v))));
  }));
}

function reasonsList(reasons) {
  // The reasons come from the engine in English.
  // the reasons come in the language they were asked in (a rule's own conditions stay English)
  return h("ul", { class: "reasons", lang: language() }, (reasons ?? []).map((r) => h("li", {}, r)));
}

function programTitle(p, rank) {
  const other = language() === "ja" ? p.name : p.name_ja;
  return h("h4", {},
    rank ? h("span", { class: "rank" }, `${rank}`) : null,
    h("span", { class: "name" }, pick(p.name, p.name_ja)),
    other ? h("span", { class: "other-name", lang: language() === "ja" ? "en" : "ja" }, other) : null);
}

function schemeCard(s, rank) {
  const benefit = s.benefit?.max_amount_jpy ? t("results.benefit", { amount: yen(s.benefit.max_amount_jpy) }) : null;
  return h("li", { class: "card", dataset: { id: s.id } },
    programTitle(s, rank),
    h("p", { class: "meta" },
      h("span", { class: "kind" }, kindName(s.kind)),
      s.provider ? [" · ", t("results.provider"), " ", providerName(s.provider)] : null,
      benefit ? [" · ", h("strong", {}, benefit)] : null),
    h("p", { class: "score" }, `${t("results.score")} `, h("strong", {}, score2(s.score))),
    bars(s.components, SCHEME_COMPONENTS),
    h("h5", {}, t("results.reasons")),
    reasonsList(s.reasons));
}

function possibleCard(p) {
  return h("li", { class: "card possible", dataset: { id: p.id } },
    programTitle(p),
    h("p", { class: "meta" }, h("span", { class: "kind" }, kindName(p.kind)),
      p.provider ? [" · ", providerName(p.provider)] : null),
    h("p", { class: "missing" }, t("results.provide"), " ",
      (p.missing ?? []).map((field) => h("button", {
        type: "button", class: "chip", dataset: { field },
        onclick: () => focusField(field),
      }, t(`field.${field}`)))),
    reasonsList(p.reasons));
}

function placeCard(m, rank) {
  return h("li", { class: "card place", dataset: { code: m.code ?? "" } },
    h("h4", {}, h("span", { class: "rank" }, `${rank}`),
      h("span", { class: "name" }, pick(m.name, m.name_ja)),
      h("span", { class: "other-name" }, prefectureName(m.prefecture))),
    h("p", { class: "score" }, `${t("results.score")} `, h("strong", {}, score2(m.score)),
      typeof m.distance_km === "number" ? [" · ", t("results.km", { km: m.distance_km })] : null),
    // Distance scores only when a largest distance is asked for, which this form does not do.
    bars(m.components, PLACE_COMPONENTS.filter((k) => k !== "distance" || m.components?.distance > 0)),
    h("h5", {}, t("results.reasons")),
    reasonsList(m.reasons));
}

function focusField(field) {
  const el = $(`firm-${field}`);
  if (!el) return;
  el.closest("details")?.setAttribute("open", "");
  el.focus();
  el.scrollIntoView({ block: "center" });
}

function renderRank() {
  const box = $("rank-results");
  if (!state.rank) { box.hidden = true; return; }
  const d = state.rank.data;
  const firm = d.company?.name || d.company?.location || d.company?.id || "";
  const section = (id, title, intro, items, empty, card) => h("section", { id, "aria-labelledby": `${id}-title` },
    h("h3", { id: `${id}-title` }, title),
    intro ? h("p", { class: "hint" }, intro) : null,
    items.length ? h("ol", { class: "cards" }, items.map((x, i) => card(x, i + 1))) : h("p", { class: "empty" }, empty));
  fill(box,
    h("div", { class: "results-head" },
      h("h2", { id: "rank-results-heading", tabindex: "-1" }, t("results.for", { firm, date: d.as_of })),
      h("button", { type: "button", id: "rank-export", onclick: exportRank }, t("results.export"))),
    section("schemes", t("results.schemes"), null, d.schemes ?? [], t("results.schemes.none"), schemeCard),
    section("possible", t("results.possible"), t("results.possible.intro"), d.possible ?? [], t("results.possible.none"), possibleCard),
    section("municipalities", t("results.municipalities"), null, d.municipalities ?? [], t("results.municipalities.none"), placeCard));
  box.hidden = false;
}

function exportRank() {
  const d = state.rank.data;
  const comps = (c, keys) => keys.map((k) => (c && k in c ? c[k] : ""));
  const header = ["type", "rank", "id", "name", "name_ja", "program_kind", "score",
    ...SCHEME_COMPONENTS, "support", "assets", "distance_km", "missing", "reasons"];
  const rows = [
    ...(d.schemes ?? []).map((s, i) => ["scheme", i + 1, s.id, s.name, s.name_ja, s.kind, s.score,
      ...comps(s.components, SCHEME_COMPONENTS), "", "", "", "", (s.reasons ?? []).join("; ")]),
    ...(d.possible ?? []).map((s, i) => ["possible", i + 1, s.id, s.name, s.name_ja, s.kind, s.score,
      ...comps(s.components, SCHEME_COMPONENTS), "", "", "", (s.missing ?? []).join(";"), (s.reasons ?? []).join("; ")]),
    ...(d.municipalities ?? []).map((m, i) => ["municipality", i + 1, m.code, m.name, m.name_ja, "", m.score,
      "", "", "", m.components?.industry ?? "", "", m.components?.support ?? "", m.components?.assets ?? "",
      m.distance_km ?? "", "", (m.reasons ?? []).join("; ")]),
  ];
  const who = String(d.company?.id || d.company?.name || "firm").replace(/[^\w\u3040-\u9fff-]+/g, "-");
  download(`support-${who}-${d.as_of}.csv`, toCsv(header, rows));
}

// ------------------------------------------------------------------ a program: whom to call first

async function readCsvFile() {
  const file = $("reach-file").files[0];
  if (file) $("reach-firms").value = await file.text();
}

async function submitReach(ev) {
  ev.preventDefault();
  const form = $("reach-form");
  clearErrors(form);
  if ($("reach-file").files[0] && !$("reach-firms").value.trim()) await readCsvFile();
  const program = $("reach-program").value;
  const parsed = firmsFromCsv($("reach-firms").value);
  let stop = false;
  if (!program) { showFieldError("reach-program", t("error.program")); stop = true; }
  if (parsed.errors.length) showCsvErrors(parsed.errors.map((e) => t("error.csv.row", { line: e.line, message: t(e.key, e.vars) })));
  if (!parsed.firms.length) {
    if (!parsed.errors.length) showFieldError("reach-firms", t("error.csv.empty"));
    stop = true;
  }
  if (stop) {
    showFormError(form, t("error.fix"));
    form.querySelector("[aria-invalid=true]")?.focus();
    return;
  }
  const body = { program, firms: parsed.firms, lang: language() };
  const top = Number($("reach-top").value);
  if (Number.isInteger(top) && top > 0) body.top = top;

  $("reach-busy").hidden = false;
  try {
    const data = await api("v1/reach", body);
    state.reach = { data, program, lines: parsed.lines, body };
    renderReach();
    $("reach-results-heading").focus();
  } catch (err) {
    if (!(err instanceof ApiError)) throw err;
    showProblem(form, err.problem, (parts) => (parts.length ? `reach-${parts[0]}` : null));
    // Errors inside the list name the CSV line and the column.
    const lines = problemErrors(err.problem)
      .filter(({ parts }) => parts[0] === "firms" && typeof parts[1] === "number")
      .map(({ parts, message }) => t("error.csv.row", {
        line: parsed.lines[parts[1]] ?? parts[1] + 2,
        message: parts.length > 2 ? `${parts.slice(2).join(".")}: ${message}` : message,
      }));
    if (lines.length) showCsvErrors(lines);
  } finally {
    $("reach-busy").hidden = true;
  }
}

function showCsvErrors(messages) {
  const box = $("reach-firms-error");
  box.replaceChildren(h("ul", {}, messages.map((m) => h("li", {}, m))));
  box.hidden = false;
  $("reach-firms").setAttribute("aria-invalid", "true");
}

function reachHits(data) {
  return Array.isArray(data) ? data : (data.hits ?? data.items ?? []);
}

function renderReach() {
  const box = $("reach-results");
  if (!state.reach) { box.hidden = true; return; }
  const { data, program, lines } = state.reach;
  const p = state.programs.find((x) => x.id === program);
  const programName = p ? pick(p.name, p.name_ja) : program;
  const hits = reachHits(data);
  const lineOf = (hit) => lines[(hit.row ?? 0) - 1];
  const rowErrors = Array.isArray(data.errors) ? data.errors : [];
  fill(box,
    h("div", { class: "results-head" },
      h("h2", { id: "reach-results-heading", tabindex: "-1" }, t("reach.results")),
      h("button", { type: "button", id: "reach-export", onclick: exportReach, disabled: !hits.length }, t("results.export"))),
    h("p", {}, t("reach.results.for", { n: data.firms ?? lines.length, program: programName })),
    hits.length ? h("table", { class: "hits" },
      h("thead", {}, h("tr", {},
        ["reach.rank", "reach.firm", "reach.status", "reach.score", "reach.why"].map((k) => h("th", { scope: "col" }, t(k))))),
      h("tbody", {}, hits.map((hit) => h("tr", { dataset: { firmId: hit.firm_id ?? "", status: hit.status } },
        h("td", { class: "num" }, hit.rank),
        h("th", { scope: "row" }, h("span", { class: "name" }, hit.firm_name || hit.firm_id || ""),
          h("span", { class: "other-name" }, [hit.firm_id, lineOf(hit) ? t("reach.row", { row: lineOf(hit) }) : null].filter(Boolean).join(" · "))),
        h("td", {}, h("span", { class: `status ${hit.status}` }, t(`status.${hit.status}`))),
        h("td", { class: "score-cell" }, h("strong", {}, score2(hit.score)), bars(hit.components, SCHEME_COMPONENTS)),
        h("td", {},
          hit.missing?.length ? h("p", { class: "missing" }, t("results.provide"), " ",
            hit.missing.map((f) => h("span", { class: "chip" }, t(`field.${f}`)))) : null,
          reasonsList(hit.reasons)))))) : h("p", { class: "empty" }, t("reach.none")),
    rowErrors.length ? h("section", {}, h("h3", {}, t("reach.rowErrors")),
      h("ul", { lang: "en" }, rowErrors.map((e) => h("li", {},
        typeof e === "string" ? e : [e.row ? t("reach.row", { row: lines[e.row - 1] ?? e.row }) + ": " : "",
          e.field ? `${e.field}: ` : "", e.message ?? e.reason ?? JSON.stringify(e)])))) : null);
  box.hidden = false;
}

function exportReach() {
  const { data, program, lines } = state.reach;
  const header = ["rank", "firm_id", "firm_name", "csv_line", "status", "score", ...SCHEME_COMPONENTS, "missing", "reasons"];
  const rows = reachHits(data).map((hit) => [hit.rank, hit.firm_id, hit.firm_name, lines[(hit.row ?? 0) - 1] ?? "",
    hit.status, hit.score, ...SCHEME_COMPONENTS.map((k) => hit.components?.[k] ?? ""),
    (hit.missing ?? []).join(";"), (hit.reasons ?? []).join("; ")]);
  download(`whom-to-call-${program}.csv`, toCsv(header, rows));
}

// ------------------------------------------------------------------ tabs, language, start

function setupTabs() {
  const tabs = [$("tab-rank"), $("tab-reach")];
  const select = (tab) => {
    for (const other of tabs) {
      const on = other === tab;
      other.setAttribute("aria-selected", String(on));
      other.tabIndex = on ? 0 : -1;
      $(other.getAttribute("aria-controls")).hidden = !on;
    }
  };
  tabs.forEach((tab, i) => {
    tab.addEventListener("click", () => select(tab));
    tab.addEventListener("keydown", (ev) => {
      if (ev.key !== "ArrowRight" && ev.key !== "ArrowLeft") return;
      const next = tabs[(i + (ev.key === "ArrowRight" ? 1 : tabs.length - 1)) % tabs.length];
      select(next);
      next.focus();
    });
  });
}

function setLanguage(lang, remember = false) {
  applyLanguage(lang, remember);
  for (const b of document.querySelectorAll("[data-lang]")) b.setAttribute("aria-pressed", String(b.dataset.lang === language()));
  fillPrefectures();
  fillIndustries();
  fillNeeds();
  fillYesNo();
  fillPrograms();
  const mun = $("firm-municipality");
  if (mun.dataset.code) mun.value = pick(mun.dataset.nameEn, mun.dataset.nameJa) || mun.value;
  renderRank();
  renderReach();
  refetchReasons();
}

/** After a language switch, ask again for the results shown, so their reasons are in the new language. */
async function refetchReasons() {
  for (const [key, path, render] of [["rank", "v1/rank", renderRank], ["reach", "v1/reach", renderReach]]) {
    const shown = state[key];
    if (!shown?.body || shown.body.lang === language()) continue;
    const body = { ...shown.body, lang: language() };
    try {
      state[key] = { ...shown, data: await api(path, body), body };
      render();
    } catch (err) {
      if (!(err instanceof ApiError)) throw err;  // the earlier results stay, in the earlier language
    }
  }
}

async function loadVocabulary() {
  const v = await api("v1/vocabulary");
  state.vocabulary.needs = v.needs ?? [];
  state.vocabulary.industries = v.industries ?? [];
  const kinds = v.program_kinds ?? v.kinds ?? [];
  state.vocabulary.kinds = new Map(kinds.filter((k) => typeof k === "object").map((k) => [k.id ?? k.code, k]));
  if (Array.isArray(v.prefectures) && v.prefectures.length && typeof v.prefectures[0] === "object") {
    state.vocabulary.prefectures = v.prefectures.map((p) => [p.code, p.name_en ?? p.name, p.name_ja]);
  }
}

async function loadChoices() {
  await Promise.all([loadVocabulary(), fetchAll("v1/programs").then((items) => { state.programs = items; })]);
  setLanguage(language());
}

async function useKey(ev) {
  ev.preventDefault();
  try { sessionStorage.setItem(KEY_STORAGE, $("api-key").value.trim()); } catch (_) { /* kept for no one */ }
  clearErrors($("firm-form"));
  try {
    await loadChoices();
    $("key-form").hidden = true;
  } catch (err) {
    showFormError($("firm-form"), err.message || t("error.network"));
  }
}

async function start() {
  setupTabs();
  setupMunicipalitySuggestions();
  for (const b of document.querySelectorAll("[data-lang]")) b.addEventListener("click", () => setLanguage(b.dataset.lang, true));
  $("firm-form").addEventListener("submit", submitFirm);
  $("firm-form").addEventListener("input", (ev) => ev.target.id && hideError(ev.target.id));
  $("reach-form").addEventListener("submit", submitReach);
  $("reach-file").addEventListener("change", readCsvFile);
  $("reach-example").addEventListener("click", () => { $("reach-firms").value = EXAMPLE_CSV; hideError("reach-firms"); });
  $("key-form").addEventListener("submit", useKey);
  setLanguage(initialLanguage());
  try {
    await loadChoices();
  } catch (err) {
    showFormError($("firm-form"), err.message || t("error.network"));
  }
  document.body.dataset.ready = "true"; // the choices are filled in (or the error is shown)
}

start();
