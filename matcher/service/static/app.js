// The coordinators' page: describe a firm and see the support programs and municipalities
// that fit it, with the reasons; or choose a program and see which firms of a list to
// call first. Plain JavaScript modules, no build step; it talks to the JSON API under v1/.
//
// The firm and the options live in the address (?municipality=131172&industry=E24&…&lang=ja):
// a result can be bookmarked, shared, reloaded, and the back button returns to the one before.

import { api, ApiError, fetchAll, requestFields, setApiKey } from "./api.js";
import { SCHEME_COMPONENTS, applicationText, benefitText, placeCard, possibleCard, programDetail, schemeCard, yen } from "./cards.js";
import { download, toCsv } from "./csv.js";
import { $, fill, h } from "./dom.js";
import { chooseMunicipality, clearErrors, focusField, hideError, municipalityByCode, showErrors,
  showFormError } from "./fielderrors.js";
import { applyLanguage, initialLanguage, language, pick, t } from "./i18n.js";
import { problemErrors } from "./problems.js";
import "./myfirms.js";  // the "My firms" view (shown when the service has a register)
import { readCsvFile, renderReach, submitReach } from "./reach.js";
import { industryLabel, kindName, needLabel, prefectureName, providerName, state } from "./state.js";

const EXAMPLE_CSV = [
  "id,name,prefecture,municipality,industry,employees,capital_jpy,founded,needs,description",
  "k01,Oji Precision Press,Tokyo,Kita,E24,25,10000000,1978-04-01,trade_fair;marketing,Metal press work; we want to exhibit at a trade fair",
  "k02,Akabane Plastics,Tokyo,Kita,E18,12,5000000,1990-06-01,marketing,Plastic injection moulding",
  "k03,Tabata Software,Tokyo,Kita,G39,8,3000000,2019-09-01,website;it_adoption,Business software for small shops",
].join("\n");

/** The firm's fields kept in the address, in this order; needs are comma-separated. */
const FIRM_PARAMS = ["name", "municipality", "prefecture", "industry", "employees", "capital_jpy", "founded",
  "environment_conscious", "seeking_location", "needs", "description"];
const OPTION_PARAMS = ["as_of", "top", "max_distance_km"];
/** Fields of a firm the service may name in an error but the form does not show. */
const TEXT_FIELDS = ["name", "description", "founded", "prefecture", "industry"];

const cardContext = () => ({ kindName, providerName, prefectureName, focusField, asOf: state.rank?.data?.as_of });

// ------------------------------------------------------------------ the form's choices

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
  for (const p of state.programs.values()) {
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

/**
 * The suggestions under the municipality field. Each keystroke aborts the request of the
 * one before and hides the list it answered, so a list is never taken for a later prefix.
 */
function setupMunicipalitySuggestions() {
  const input = $("firm-municipality");
  const list = $("municipality-options");
  const status = $("municipality-status");
  let items = [];
  let answered = null;  // the text the list shown answers
  let active = -1;
  let controller = null;
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
  const choose = (m) => { chooseMunicipality(m); close(); };
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
    controller?.abort();  // the earlier question can no longer answer
    controller = null;
    if (!q) { items = []; close(); return; }
    const mine = new AbortController();
    controller = mine;
    const params = new URLSearchParams({ q, limit: "10" });
    if ($("firm-prefecture").value) params.set("prefecture", $("firm-prefecture").value);
    try {
      const data = await api(`v1/municipalities?${params}`, undefined, { signal: mine.signal });
      if (controller !== mine || input.value.trim() !== q) return; // a newer question is on its way
      items = Array.isArray(data) ? data : (data.items ?? []);
      answered = q;
      show();
    } catch (err) {
      if (err?.name === "AbortError") return;
      if (controller === mine) { items = []; close(); }
    }
  };

  input.addEventListener("input", () => {
    delete input.dataset.code;
    answered = null;
    close();  // the list shown answered an earlier text
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
    else if (ev.key === "Enter" && active >= 0 && answered === input.value.trim()) { ev.preventDefault(); choose(items[active]); }
    else if (ev.key === "Escape") close();
  });
  input.addEventListener("blur", close);
  $("firm-form").addEventListener("submit", () => { controller?.abort(); clearTimeout(timer); close(); });
}

// ------------------------------------------------------------------ a firm: the form and the address

/** The request the form describes, and the problems the page can see itself: [[field id, message]]. */
function requestFromForm() {
  const firm = {};
  const problems = [];
  for (const name of TEXT_FIELDS) {
    const el = $(`firm-${name}`);
    const value = el.value.trim();
    if (value) firm[name] = value;
    else if (el.validity?.badInput) problems.push([`firm-${name}`, t("error.date")]);
  }
  const mun = $("firm-municipality");
  if (mun.dataset.code) firm.municipality = mun.dataset.code;
  else if (mun.value.trim()) firm.municipality = mun.value.trim();
  for (const name of ["employees", "capital_jpy"]) {
    const el = $(`firm-${name}`);
    const raw = el.value.trim();
    if ((!raw && el.validity.badInput) || (raw && !/^\d+$/.test(raw))) problems.push([`firm-${name}`, t("error.number")]);
    else if (raw) firm[name] = Number(raw);
  }
  for (const name of ["environment_conscious", "seeking_location"]) {
    const value = $(`firm-${name}`).value;
    if (value) firm[name] = value === "true";
  }
  firm.needs = [...document.querySelectorAll("#needs-list input:checked")].map((c) => c.value);
  if (!firm.municipality && !firm.prefecture) problems.push(["firm-municipality", t("error.location")]);

  const body = { firm, explain: false, lang: language() };
  const top = $("firm-top");
  const topMax = Number(top.max) || Infinity;
  if (top.value.trim()) {
    const n = Number(top.value);
    if (!Number.isInteger(n) || n < 1 || n > topMax) {
      problems.push(["firm-top", Number.isFinite(topMax) ? t("error.range", { min: 1, max: topMax }) : t("error.number")]);
    } else body.top = n;
  } else if (top.validity.badInput) problems.push(["firm-top", t("error.number")]);
  const asOf = $("firm-as_of");
  if (asOf.value) body.as_of = asOf.value;
  else if (asOf.validity.badInput) problems.push(["firm-as_of", t("error.date")]);
  const dist = $("firm-max_distance_km");
  if (!dist.closest(".field").hidden && (dist.value.trim() || dist.validity.badInput)) {
    const km = Number(dist.value);
    if (!dist.value.trim() || !(km > 0)) problems.push(["firm-max_distance_km", t("error.positive")]);
    else body.max_distance_km = km;
  }
  return { body, problems };
}

/** The address of a request: the firm's fields, the options and the language. */
function paramsOf(body) {
  const params = new URLSearchParams();
  for (const name of FIRM_PARAMS) {
    const v = body.firm[name];
    if (v === undefined || v === null || (Array.isArray(v) && !v.length)) continue;
    params.set(name, Array.isArray(v) ? v.join(",") : String(v));
  }
  for (const name of OPTION_PARAMS) if (body[name] !== undefined) params.set(name, String(body[name]));
  params.set("lang", body.lang);
  return params;
}

/** The request of an address, or null when it describes no firm. */
function requestOfParams(params) {
  if (!FIRM_PARAMS.some((name) => params.has(name))) return null;
  const firm = {};
  for (const name of FIRM_PARAMS) {
    const v = params.get(name);
    if (v === null || v === "") continue;
    if (name === "needs") firm.needs = v.split(",").filter(Boolean);
    else if (name === "employees" || name === "capital_jpy") firm[name] = /^\d+$/.test(v) ? Number(v) : v;
    else if (name === "environment_conscious" || name === "seeking_location") firm[name] = v === "true";
    else firm[name] = v;
  }
  const body = { firm, explain: false, lang: params.get("lang") === "ja" ? "ja" : "en" };
  if (params.get("as_of")) body.as_of = params.get("as_of");
  if (/^\d+$/.test(params.get("top") ?? "")) body.top = Number(params.get("top"));
  if (params.get("max_distance_km") && state.fields.RankRequest?.max_distance_km) {
    body.max_distance_km = Number(params.get("max_distance_km"));
  }
  return body;
}

/** Fill the form from a request (the municipality's names are asked for by its code). */
async function fillForm(body) {
  $("firm-form").reset();
  const mun = $("firm-municipality");
  for (const key of ["code", "nameEn", "nameJa"]) delete mun.dataset[key];
  const firm = body.firm;
  for (const name of TEXT_FIELDS) if (firm[name] !== undefined) $(`firm-${name}`).value = firm[name];
  for (const name of ["employees", "capital_jpy"]) if (firm[name] !== undefined) $(`firm-${name}`).value = firm[name];
  for (const name of ["environment_conscious", "seeking_location"]) {
    if (typeof firm[name] === "boolean") $(`firm-${name}`).value = String(firm[name]);
  }
  const needs = new Set(firm.needs ?? []);
  for (const box of document.querySelectorAll("#needs-list input")) box.checked = needs.has(box.value);
  if (body.as_of) $("firm-as_of").value = body.as_of;
  if (body.top) $("firm-top").value = body.top;
  if (body.max_distance_km) $("firm-max_distance_km").value = body.max_distance_km;
  if (firm.municipality) {
    mun.value = firm.municipality;
    const m = /^\d{6}$/.test(firm.municipality) ? await municipalityByCode(firm.municipality) : null;
    if (m) {
      chooseMunicipality(m);
      if (firm.prefecture) $("firm-prefecture").value = firm.prefecture;
    }
  }
}

function submitFirm(ev) {
  ev.preventDefault();
  const { body, problems } = requestFromForm();
  runRank(body, problems, { push: true });
}

/** Remove the value an error names from a request; whether there was one to remove. */
function dropNamed(body, parts) {
  const [head, field] = parts;
  if (head === "firm" && field in body.firm) { delete body.firm[field]; return true; }
  if (head && head !== "firm" && head !== "lang" && head in body) { delete body[head]; return true; }
  return false;
}

/**
 * Ask for a ranking and learn of every error at once: while the service names bad values,
 * ask again without them (it stops at its first kind of error), so that an unknown
 * municipality and a number out of range are both reported. The answer is kept only when
 * nothing was wrong.
 */
async function askRank(body, known) {
  const errors = [];
  const ask = structuredClone(body);
  for (const [id] of known) {
    const field = id.replace(/^firm-/, "");
    if (field in ask.firm) delete ask.firm[field]; else delete ask[field];
  }
  for (let round = 0; round < 5; round += 1) {
    if (!ask.firm.municipality && !ask.firm.prefecture) break;  // nothing more to learn
    try {
      const data = await api("v1/rank", ask);
      return { data: errors.length || known.length ? null : data, errors };
    } catch (err) {
      if (!(err instanceof ApiError)) throw err;
      const found = problemErrors(err.problem);
      errors.push(...found);
      if (err.status !== 422 || !found.map((e) => dropNamed(ask, e.parts)).some(Boolean)) break;
    }
  }
  return { data: null, errors };
}

function fieldIdOf(parts) {
  const rest = parts[0] === "firm" ? parts.slice(1) : parts;
  return rest.length ? `firm-${rest[0]}` : null;
}

async function runRank(body, problems = [], { push = false } = {}) {
  const form = $("firm-form");
  const ticket = ++state.rankTicket;
  clearErrors(form);
  state.rank = null;  // a new question: the old answer goes
  renderRank();
  $("firm-busy").hidden = false;
  let answer;
  try {
    answer = await askRank(body, problems);
  } finally {
    if (ticket === state.rankTicket) $("firm-busy").hidden = true;
  }
  if (ticket !== state.rankTicket) return;  // a newer question was asked meanwhile
  const errors = [
    ...problems.map(([id, message]) => ({ id, error: { message, lang: language() } })),
    ...answer.errors.map((e) => ({ id: fieldIdOf(e.parts), error: e })),
  ];
  if (errors.length || !answer.data) {
    showErrors(form, errors.length ? errors : [{ id: null, error: { message: t("error.general") } }]);
    return;
  }
  state.rank = { data: answer.data, body };
  const query = `?${paramsOf(body)}`;
  if (query !== location.search) history[push ? "pushState" : "replaceState"](null, "", query);
  renderRank();
  $("rank-results-heading").focus();
  loadDetails(state.rank);
}

/** Eligible and possible programs in one list by their rank (as Ranking.in_order gives them). */
const inOrder = (d) => [...(d.schemes ?? []).map((item) => ({ item, possible: false })),
  ...(d.possible ?? []).map((item) => ({ item, possible: true }))]
  .sort((a, b) => (a.item.rank || 1e9) - (b.item.rank || 1e9) || a.possible - b.possible);
const shownIds = (d) => [...(d.schemes ?? []), ...(d.possible ?? [])].map((s) => s.id);

/** Ask for the whole record of each program shown, then show it on its card. */
async function loadDetails(shown) {
  const ids = shownIds(shown.data).filter((id) => !state.details.has(id));
  if (!ids.length) return;
  await Promise.all(ids.map((id) => {
    if (!state.asked.has(id)) {
      state.asked.set(id, api(`v1/programs/${encodeURIComponent(id)}`)
        .then((detail) => { state.details.set(id, detail); })
        .catch(() => { /* the card keeps what the ranking said */ })
        .finally(() => state.asked.delete(id)));
    }
    return state.asked.get(id);
  }));
  if (state.rank === shown) renderRank();
}

/** What the catalog says of a program: its summary and, once loaded, its whole record. */
const programOf = (id) => ({ ...state.programs.get(id), ...(state.details.get(id) ?? {}) });

// ------------------------------------------------------------------ a firm: the results

/** The firm's name for a heading: its name, else its municipality or prefecture in the page's language. */
function firmTitle(d) {
  const c = d.company ?? {};
  if (c.name) return c.name;
  const mun = $("firm-municipality");
  if (c.municipality && mun.dataset.code === c.municipality) return pick(mun.dataset.nameEn, mun.dataset.nameJa);
  const place = (d.municipalities ?? []).find((m) => m.code === c.municipality);
  if (place) return pick(place.name, place.name_ja);
  if (c.prefecture) return prefectureName(c.prefecture);
  return c.location || c.id || "";
}

/** What was asked, in one line: shown above the results and on paper, where the form is not. */
function firmLine(d, body) {
  const c = d.company ?? {};
  const mun = $("firm-municipality");
  const place = c.municipality && mun.dataset.code === c.municipality ? pick(mun.dataset.nameEn, mun.dataset.nameJa)
    : (d.municipalities ?? []).find((m) => m.code === c.municipality)?.[language() === "ja" ? "name_ja" : "name"] ?? null;
  const where = [place, prefectureName(c.prefecture)].filter(Boolean).join(language() === "ja" ? " " : ", ");
  const bits = [c.name ? where : null, c.industry ? industryLabel(c.industry) : null,
    typeof c.employees === "number" ? t("firm.employees", { n: c.employees }) : null,
    typeof c.capital_jpy === "number" ? t("firm.capital", { amount: yen(c.capital_jpy) }) : null,
    c.founded ? t("firm.founded", { date: c.founded }) : null,
    c.needs?.length ? t("firm.needs", { needs: c.needs.map(needLabel).join(language() === "ja" ? "、" : ", ") }) : null,
    body?.max_distance_km ? `${t("results.distance")} ≤ ${body.max_distance_km} km` : null].filter(Boolean);
  return bits.join(" · ");
}

/** A label with some of its {placeholders} filled by elements (a firm's name stays marked as a name). */
function labelWith(key, nodes, vars = {}) {
  const names = Object.keys(nodes);
  const marks = Object.fromEntries(names.map((name, i) => [name, `\u0000${i}\u0000`]));
  return t(key, { ...vars, ...marks }).split(/\u0000(\d+)\u0000/)
    .map((part, i) => (i % 2 ? nodes[names[Number(part)]] : part)).filter((part) => part !== "");
}

function renderRank() {
  const box = $("rank-results");
  if (!state.rank) { box.hidden = true; box.replaceChildren(); delete box.dataset.details; return; }
  const { data: d, body } = state.rank;
  const ctx = cardContext();
  const pending = shownIds(d).filter((id) => !state.details.has(id)).length;
  const section = (id, title, intro, items, empty, card) => h("section", { id, "aria-labelledby": `${id}-title` },
    h("h3", { id: `${id}-title` }, title),
    intro ? h("p", { class: "hint" }, intro) : null,
    items.length ? h("ol", { class: "cards" }, items.map((x, i) => card(x, i + 1))) : h("p", { class: "empty" }, empty));
  fill(box,
    h("div", { class: "results-head" },
      h("h2", { id: "rank-results-heading", tabindex: "-1" }, labelWith("results.for",
        { firm: h("span", { class: "firm-name", translate: "no" }, firmTitle(d)) }, { date: d.as_of })),
      h("div", { class: "results-actions" },
        h("button", { type: "button", id: "rank-print", onclick: () => window.print() }, t("results.print")),
        h("button", { type: "button", id: "rank-export", onclick: exportRank }, t("results.export")))),
    h("p", { class: "firm-line" }, firmLine(d, body)),
    h("p", { class: "print-only permalink" }, t("results.link"), " ", h("span", {}, location.href)),
    // one list in the firm's order (rank): a program waiting on a missing fact is shown in place,
    // with the fact to give, so the firm's own question leads even when its size is not given
    section("schemes", t("results.schemes"), (d.possible ?? []).length ? t("results.schemes.intro") : null,
      inOrder(d), t("results.schemes.none"),
      (x, i) => (x.possible ? possibleCard(x.item, i, programOf(x.item.id), ctx) : schemeCard(x.item, i, programOf(x.item.id), ctx))),
    section("municipalities", t("results.municipalities"), null, d.municipalities ?? [], t("results.municipalities.none"),
      (m, i) => placeCard(m, i, ctx)));
  box.dataset.details = pending ? "pending" : "loaded";
  box.hidden = false;
}

function exportRank() {
  const { data: d } = state.rank;
  const comps = (c, keys) => keys.map((k) => (c && k in c ? c[k] : ""));
  const header = ["type", "rank", "id", "name", "name_ja", "kind", "score"].map((k) => t(`csv.${k}`)).concat(
    SCHEME_COMPONENTS.map((k) => t(`component.${k}`)), [t("component.support"), t("component.assets")],
    ["distance_km", "missing", "description", "benefit", "deadline", "url", "contact", "source", "reasons"].map((k) => t(`csv.${k}`)));
  const programCells = (s) => {
    const p = { ...programOf(s.id), ...s };
    const c = p.contact;
    const source = (p.source ?? [])[0];
    return [pick(p.description, p.description_ja) ?? "", benefitText(p.benefit) ?? "", applicationText(p, d.as_of)[0],
      p.url ?? "", c ? [pick(c.name, c.name_ja), pick(c.address, c.address_ja), c.phone, c.url].filter(Boolean).join(", ") : "",
      source ? [source.file, source.document_date, source.quote].filter(Boolean).join(" | ") : ""];
  };
  const rows = [
    ...(d.schemes ?? []).map((s, i) => [t("csv.scheme"), i + 1, s.id, s.name, s.name_ja, kindName(s.kind), s.score,
      ...comps(s.components, SCHEME_COMPONENTS), "", "", "", "", ...programCells(s), (s.reasons ?? []).join("; ")]),
    ...(d.possible ?? []).map((s, i) => [t("csv.possible"), i + 1, s.id, s.name, s.name_ja, kindName(s.kind), s.score,
      ...comps(s.components, SCHEME_COMPONENTS), "", "", "", (s.missing ?? []).map((f) => t(`field.${f}`)).join("; "),
      ...programCells(s), (s.reasons ?? []).join("; ")]),
    ...(d.municipalities ?? []).map((m, i) => [t("csv.municipality"), i + 1, m.code, m.name, m.name_ja, "", m.score,
      "", "", "", m.components?.industry ?? "", "", m.components?.support ?? "", m.components?.assets ?? "",
      m.distance_km ?? "", "", "", "", "", "", "", "", (m.reasons ?? []).join("; ")]),
  ];
  const who = String(d.company?.id || d.company?.name || "firm").replace(/[^\w\u3040-\u9fff-]+/g, "-");
  download(`support-${who}-${d.as_of}.csv`, toCsv(header, rows));
}
// ------------------------------------------------------------------ tabs, language, start

function setupTabs() {
  const tabs = [...document.querySelectorAll(".tabs [role=tab]")];
  const select = (tab) => {
    for (const other of tabs) {
      const on = other === tab;
      other.setAttribute("aria-selected", String(on));
      other.tabIndex = on ? 0 : -1;
      $(other.getAttribute("aria-controls")).hidden = !on;
    }
  };
  for (const tab of tabs) {
    tab.addEventListener("click", () => select(tab));
    tab.addEventListener("keydown", (ev) => {
      if (ev.key !== "ArrowRight" && ev.key !== "ArrowLeft") return;
      const shown = tabs.filter((other) => !other.hidden);
      const at = shown.indexOf(tab);
      const next = shown[(at + (ev.key === "ArrowRight" ? 1 : shown.length - 1)) % shown.length];
      select(next);
      next.focus();
    });
  }
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
  if (state.detailId) showProgram(state.detailId, state.detailAsOf);
  refetchReasons();
}

/** After a language switch, ask again for the results shown, so their reasons are in the new language. */
async function refetchReasons() {
  for (const [key, path, render] of [["rank", "v1/rank", renderRank], ["reach", "v1/reach", renderReach]]) {
    const shown = state[key];
    if (!shown?.body || shown.body.lang === language()) continue;
    const body = { ...shown.body, lang: language() };
    try {
      const data = await api(path, body);
      if (state[key] !== shown) continue;  // another question was asked meanwhile
      state[key] = { ...shown, data, body };
      if (key === "rank") history.replaceState(null, "", `?${paramsOf(body)}`);
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

/** Show the options the service accepts: the largest `top`, and the distance field only if it is there. */
function applyRequestFields() {
  const rank = state.fields.RankRequest ?? {};
  if (typeof rank.top?.maximum === "number") $("firm-top").max = String(rank.top.maximum);
  $("firm-max_distance_km").closest(".field").hidden = !rank.max_distance_km;
  const reach = state.fields.ReachRequest ?? {};
  if (typeof reach.top?.maximum === "number") $("reach-top").max = String(reach.top.maximum);
}

async function loadChoices() {
  await Promise.all([loadVocabulary(),
    fetchAll("v1/programs").then((items) => { state.programs = new Map(items.map((p) => [p.id, p])); }),
    requestFields().then((fields) => { state.fields = fields; applyRequestFields(); })]);
  setLanguage(language());
}

/** Show what the address describes: the firm's result, or an empty form. */
async function showAddress() {
  const params = new URLSearchParams(location.search);
  const lang = params.get("lang");
  if ((lang === "en" || lang === "ja") && lang !== language()) setLanguage(lang);
  await showProgram(params.get("program"), params.get("as_of"));
  const body = params.get("program") ? null : requestOfParams(params);
  if (!body) {
    state.rankTicket += 1;
    $("firm-form").reset();
    clearErrors($("firm-form"));
    state.rank = null;
    renderRank();
    return;
  }
  body.lang = language();
  await fillForm(body);
  await runRank(body, [], { push: false });
}

/** The detail view of the program the address names (or none), with the catalog's whole record of it. */
async function showProgram(id, asOf = null) {
  const box = $("program-detail");
  state.detailId = id || null;
  state.detailAsOf = asOf;
  $("firm-form").hidden = Boolean(id);  // the program's page is the program alone (back returns to the search)
  if (!id) { box.hidden = true; box.replaceChildren(); delete box.dataset.state; return; }
  box.dataset.state = "pending";
  try {
    const p = await api(`v1/programs/${encodeURIComponent(id)}`);
    state.details.set(id, p);
    if (state.detailId !== id) return;
    fill(box, programDetail({ ...state.programs.get(id), ...p }, { ...cardContext(), asOf: asOf || new Date().toISOString().slice(0, 10) }));
    box.dataset.state = "loaded";
  } catch (err) {
    if (!(err instanceof ApiError)) throw err;
    fill(box, h("p", { class: "error", role: "alert" }, err.message));
    box.dataset.state = "error";
  }
  box.hidden = false;
}

async function useKey(ev) {
  ev.preventDefault();
  setApiKey($("api-key").value.trim());
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
  window.addEventListener("popstate", () => { showAddress(); });
  setLanguage(initialLanguage());
  try {
    await loadChoices();
    await showAddress();
  } catch (err) {
    showFormError($("firm-form"), err.message || t("error.network"));
  }
  document.body.dataset.ready = "true"; // the choices are filled in (or the error is shown)
}

start();
