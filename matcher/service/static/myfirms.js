// "My firms": the coordinator's register (GET/POST v1/register/...), shown when the service
// has one (`matcher serve --db`). The coordinator's key is kept in sessionStorage (this tab
// only, until it is closed) and sent as X-API-Key; it is not the service's own API key.
//
// The view: what is new for the firms since the coordinator's last visit (alerts), the
// firms (paginated, searchable), importing a firm list (the register's import report with
// each bad row by number), a firm's programs with one-click outcome buttons, and a
// program's call list. Labels in myfirms-i18n.js.

import { reasonsList } from "./cards.js";
import { $, fill, h } from "./dom.js";
import { addMessages, language, pick, t } from "./i18n.js";
import { MYFIRMS_MESSAGES } from "./myfirms-i18n.js";
import { state as page } from "./state.js";

addMessages(MYFIRMS_MESSAGES);

const KEY_STORAGE = "shien-matcher.register-key";
const OUTCOMES = ["contacted", "interested", "applied", "awarded", "declined", "not_relevant"];
const PAGE_SIZE = 20;

const mf = {
  me: null,          // {name, role, firms} of the key
  list: null,        // the page of firms shown
  search: "",
  offset: 0,
  alerts: null,      // GET alerts?since=last_visit
  seen: null,        // the visit just recorded
  imported: null,    // the last import's report
  firm: null,        // {record, matches} of the firm opened
  calls: null,       // {program, hits} of the call list shown
  programs: [],      // the register's programs, for the call list's picker
  notice: null,
};

export class RegisterApiError extends Error {
  constructor(problem, status) {
    super(problem.detail || problem.title || `HTTP ${status}`);
    this.problem = problem;
    this.status = status;
  }
}

function key() {
  try { return sessionStorage.getItem(KEY_STORAGE) || ""; } catch (_) { return ""; }
}

function setKey(value) {
  try {
    if (value) sessionStorage.setItem(KEY_STORAGE, value); else sessionStorage.removeItem(KEY_STORAGE);
  } catch (_) { /* kept for no one */ }
}

/** A request to v1/register/`path`: JSON back, or a RegisterApiError with the problem. */
export async function registerApi(path, { method = "GET", json, body, type } = {}) {
  const headers = { Accept: "application/json, application/problem+json", "Accept-Language": language() };
  if (key()) headers["X-API-Key"] = key();
  const init = { method, headers };
  if (json !== undefined) {
    headers["Content-Type"] = "application/json";
    init.body = JSON.stringify(json);
  } else if (body !== undefined) {
    headers["Content-Type"] = type || "application/octet-stream";
    init.body = body;
  }
  let res;
  try {
    res = await fetch(`v1/register/${path}`, init);
  } catch (_) {
    throw new RegisterApiError({ detail: t("error.network") }, 0);
  }
  const data = (res.headers.get("content-type") || "").includes("json") ? await res.json() : { detail: await res.text() };
  if (!res.ok) throw new RegisterApiError(data, res.status);
  return data;
}

const programName = (id, fallback) => {
  const p = page.programs.get(id);
  return p ? pick(p.name, p.name_ja) : (fallback || id);
};
const outcomeLabel = (status) => t(`mf.outcome.${status}`);

// ------------------------------------------------------------------ errors and notices

function showError(err) {
  const box = $("mf-error");
  if (!box) return;
  box.textContent = err?.message || String(err);
  box.hidden = false;
  if (err?.status === 401 && mf.me) { signOut(); $("mf-error").textContent = err.message; $("mf-error").hidden = false; }
}

function clearError() {
  const box = $("mf-error");
  if (box) { box.hidden = true; box.textContent = ""; }
}

async function guarded(busyId, work) {
  clearError();
  const busy = busyId && $(busyId);
  if (busy) busy.hidden = false;
  try {
    await work();
  } catch (err) {
    if (!(err instanceof RegisterApiError)) throw err;
    showError(err);
  } finally {
    if (busy && busy.isConnected) busy.hidden = true;
  }
}

// ------------------------------------------------------------------ the panel

function draw() {
  const panel = $("myfirms-panel");
  const error = h("div", { class: "form-error", id: "mf-error", role: "alert", hidden: true });
  if (!mf.me) {
    fill(panel, error, h("form", { id: "mf-key-form", class: "mf-key", novalidate: true, onsubmit: signIn },
      h("fieldset", {}, h("legend", {}, t("mf.key.legend")),
        h("div", { class: "field" },
          h("label", { for: "mf-key" }, t("mf.key.label")),
          h("input", { id: "mf-key", type: "password", autocomplete: "off", "aria-describedby": "mf-key-hint" }),
          h("p", { class: "hint", id: "mf-key-hint" }, t("mf.key.hint"))),
        h("button", { type: "submit", class: "primary" }, t("mf.key.use")))));
    return;
  }
  fill(panel, error,
    h("div", { class: "mf-who" },
      h("p", { id: "mf-who" }, t("mf.key.who", { name: mf.me.name, role: t(`mf.role.${mf.me.role}`), n: mf.me.firms })),
      h("button", { type: "button", id: "mf-signout", onclick: signOut }, t("mf.key.signout"))),
    h("p", { id: "mf-notice", class: "mf-notice", role: "status" }, mf.notice || ""),
    h("section", { id: "mf-alerts", class: "mf-block", "aria-labelledby": "mf-alerts-heading" }),
    h("section", { id: "mf-firm", class: "mf-block", "aria-labelledby": "mf-firm-heading", hidden: true }),
    h("section", { class: "mf-block", "aria-labelledby": "mf-firms-heading" },
      h("h2", { id: "mf-firms-heading" }, t("mf.firms")),
      h("form", { id: "mf-search-form", class: "mf-row", role: "search", onsubmit: searchFirms },
        h("label", { for: "mf-search", class: "visually-hidden" }, t("mf.search")),
        h("input", { id: "mf-search", type: "search", placeholder: t("mf.search"), value: mf.search }),
        h("button", { type: "submit" }, t("mf.search.go"))),
      h("div", { id: "mf-list" })),
    h("section", { class: "mf-block", "aria-labelledby": "mf-import-heading" },
      h("h2", { id: "mf-import-heading" }, t("mf.import")),
      h("form", { id: "mf-import-form", class: "mf-row", onsubmit: importFile },
        h("label", { for: "mf-file" }, t("mf.import.file")),
        h("input", { id: "mf-file", type: "file", accept: ".csv,.tsv,.txt,.xlsx,.xls,.xlsm,.jsonl,.json" }),
        h("button", { type: "submit" }, t("mf.import.go")),
        h("span", { class: "busy", id: "mf-import-busy", role: "status", hidden: true }, t("mf.import.busy"))),
      h("div", { id: "mf-import-report" })),
    h("section", { class: "mf-block", "aria-labelledby": "mf-calls-heading" },
      h("h2", { id: "mf-calls-heading" }, t("mf.calls")),
      h("form", { id: "mf-calls-form", class: "mf-row", onsubmit: showCalls },
        h("label", { for: "mf-program" }, t("mf.calls.program")),
        h("input", { id: "mf-program", type: "text", list: "mf-program-list", autocomplete: "off",
          value: mf.calls?.program ?? "" }),
        h("datalist", { id: "mf-program-list" },
          mf.programs.map((p) => h("option", { value: p.id }, programName(p.id, p.name)))),
        h("label", { class: "check" }, h("input", { type: "checkbox", id: "mf-skip", checked: !!mf.calls?.skip }),
          " ", t("mf.calls.skip")),
        h("button", { type: "submit" }, t("mf.calls.go")),
        h("span", { class: "busy", id: "mf-calls-busy", role: "status", hidden: true }, t("mf.busy"))),
      h("div", { id: "mf-calls" })));
  renderAlerts();
  renderList();
  renderImport();
  renderFirm();
  renderCalls();
}

function notice(text) {
  mf.notice = text;
  const box = $("mf-notice");
  if (box) box.textContent = text;
}

// ------------------------------------------------------------------ key

async function signIn(ev) {
  ev.preventDefault();
  const value = $("mf-key").value.trim();
  if (!value) { showError(new Error(t("mf.key.empty"))); return; }
  setKey(value);
  await guarded(null, async () => {
    try {
      await openRegister();
    } catch (err) {
      setKey("");
      throw err;
    }
  });
}

function signOut() {
  setKey("");
  Object.assign(mf, { me: null, list: null, alerts: null, firm: null, calls: null, imported: null, seen: null,
    notice: null, search: "", offset: 0 });
  draw();
}

async function openRegister() {
  const me = await registerApi("me");
  mf.me = me;
  draw();
  await Promise.all([loadList(), loadAlerts(), loadPrograms()]);
}

// ------------------------------------------------------------------ alerts

// Each firm's best ALERTS_PER_FIRM alerts (the count of the rest beside them), ALERT_FIRMS firms a page:
// a brand-new catalog makes hundreds of programs "new" for every firm.
const ALERTS_PER_FIRM = 5;
const ALERT_FIRMS = 20;

function alertsPath(offset) {
  const closing = $("mf-closing")?.checked ? "&closing_within=30" : "";
  return `alerts?since=last_visit${closing}&per_firm=${ALERTS_PER_FIRM}&limit=${ALERT_FIRMS}&offset=${offset}`;
}

async function loadAlerts() {
  const closing = Boolean($("mf-closing")?.checked);
  mf.alerts = await registerApi(alertsPath(0));
  mf.alerts.closing = closing;
  renderAlerts();
}

async function moreAlerts() {
  const data = mf.alerts;
  const next = await registerApi(alertsPath(data.next_offset));
  Object.assign(data, { firms: [...data.firms, ...next.firms], next_offset: next.next_offset });
  renderAlerts();
  const items = document.querySelectorAll("#mf-alert-list > li");
  items[next.offset]?.querySelector("h3 button")?.focus();  // where the new firms begin
}

function kindCounts(byKind) {
  return Object.entries(byKind).sort((a, b) => b[1] - a[1])
    .map(([k, n]) => t("mf.alerts.kind.count", { n: n.toLocaleString(), kind: t(`mf.kind.${k}`) }))
    .join(t("mf.alerts.kind.sep"));
}

function alertText(a) {
  if (a.kind === "closing" && a.deadline) return t("mf.kind.closing.on", { date: a.deadline });
  return language() === "ja" ? "" : a.detail;
}

function renderAlerts() {
  const box = $("mf-alerts");
  if (!box) return;
  const data = mf.alerts;
  const head = h("h2", { id: "mf-alerts-heading" }, t("mf.alerts"));
  if (!data) { fill(box, head); return; }
  const since = data.since_version && data.since_version !== data.catalog_version
    ? t("mf.alerts.since", { cur: data.catalog_version, since: data.since_version })
    : (data.last_visit ? "" : t("mf.alerts.first", { cur: data.catalog_version }));
  const total = data.total || data.firms.length;
  fill(box, head,
    since ? h("p", { class: "hint" }, since) : null,
    h("label", { class: "check" }, h("input", { type: "checkbox", id: "mf-closing", checked: !!data.closing,
      onchange: () => guarded(null, loadAlerts) }), " ", t("mf.alerts.closing")),
    data.firms.length ? h("p", { id: "mf-alert-count" }, t("mf.alerts.count", {
      alerts: (data.alerts || 0).toLocaleString(), firms: total.toLocaleString(), kinds: kindCounts(data.by_kind || {}) }))
      : null,
    data.firms.length ? h("ul", { class: "cards", id: "mf-alert-list" }, data.firms.map((f) => h("li", { class: "card", dataset: { firmId: f.firm_id } },
      h("h3", {}, h("button", { type: "button", class: "link", onclick: () => guarded(null, () => openFirm(f.firm_id)) },
        t("mf.firm", { name: f.name || f.firm_id, id: f.firm_id }))),
      h("ul", { class: "mf-alerts" }, f.alerts.map((a) => h("li", { dataset: { programId: a.program_id, kind: a.kind } },
        h("span", { class: `chip kind-${a.kind}` }, t(`mf.kind.${a.kind}`)), " ",
        h("span", { class: "name" }, programName(a.program_id, a.name)), " ",
        h("span", { class: "other-name" }, alertText(a))))),
      f.more ? h("p", { class: "hint mf-more" }, t("mf.alerts.more", { n: f.more.toLocaleString(),
        kinds: kindCounts(f.more_by_kind || {}) })) : null))) : h("p", { class: "empty" }, t("mf.alerts.none")),
    h("div", { class: "mf-row" },
      data.next_offset != null ? h("button", { type: "button", id: "mf-alerts-next", onclick: () => guarded(null, moreAlerts) },
        t("mf.alerts.next", { n: Math.min(ALERT_FIRMS, total - data.firms.length).toLocaleString(),
          left: (total - data.firms.length).toLocaleString() })) : null,
      h("button", { type: "button", id: "mf-seen", onclick: markSeen }, t("mf.alerts.seen"))));
}

async function markSeen() {
  await guarded(null, async () => {
    const seen = await registerApi("visits", { method: "POST" });
    notice(t("mf.alerts.seen.done", { v: seen.catalog_version }));
  });
}

// ------------------------------------------------------------------ the list of firms

async function loadList() {
  const params = new URLSearchParams({ limit: String(PAGE_SIZE), offset: String(mf.offset) });
  if (mf.search) params.set("search", mf.search);
  mf.list = await registerApi(`firms?${params}`);
  renderList();
}

function searchFirms(ev) {
  ev.preventDefault();
  mf.search = $("mf-search").value.trim();
  mf.offset = 0;
  guarded(null, loadList);
}

function turnPage(delta) {
  mf.offset = Math.max(0, mf.offset + delta * PAGE_SIZE);
  guarded(null, loadList);
}

function renderList() {
  const box = $("mf-list");
  if (!box || !mf.list) return;
  const { total, offset, firms } = mf.list;
  if (!firms.length) { fill(box, h("p", { class: "empty" }, t("mf.page.none"))); return; }
  fill(box,
    h("p", { id: "mf-page" }, t("mf.page", { from: offset + 1, to: offset + firms.length, total })),
    h("ul", { class: "mf-firms", id: "mf-firm-list" }, firms.map((f) => h("li", { dataset: { firmId: f.firm_id } },
      h("button", { type: "button", class: "link", onclick: () => guarded(null, () => openFirm(f.firm_id)) },
        f.name || f.firm_id),
      h("span", { class: "other-name" }, [f.firm_id, f.profile?.municipality, f.kept?.phone].filter(Boolean).join(" · "))))),
    h("div", { class: "mf-row" },
      h("button", { type: "button", id: "mf-prev", disabled: offset === 0, onclick: () => turnPage(-1) }, t("mf.prev")),
      h("button", { type: "button", id: "mf-next", disabled: offset + firms.length >= total, onclick: () => turnPage(1) },
        t("mf.next"))));
}

// ------------------------------------------------------------------ import

async function importFile(ev) {
  ev.preventDefault();
  const file = $("mf-file").files[0];
  if (!file) { showError(new Error(t("mf.import.nofile"))); return; }
  await guarded("mf-import-busy", async () => {
    const bytes = await file.arrayBuffer();
    mf.imported = await registerApi(`firms/import?filename=${encodeURIComponent(file.name)}`, { method: "POST", body: bytes });
    renderImport();
    mf.me = await registerApi("me");
    $("mf-who").textContent = t("mf.key.who", { name: mf.me.name, role: t(`mf.role.${mf.me.role}`), n: mf.me.firms });
    await loadList();
  });
}

function renderImport() {
  const box = $("mf-import-report");
  if (!box) return;
  const r = mf.imported;
  if (!r) { fill(box); return; }
  fill(box, h("div", { class: "mf-report", id: "mf-report" },
    h("p", {}, t("mf.import.report", { file: r.file, rows: r.rows })),
    h("dl", { class: "facts" }, ["added", "updated", "unchanged"].map((k) => h("div", { class: "fact", dataset: { count: k } },
      h("dt", {}, t(`mf.import.${k}`)), h("dd", {}, r[k]))),
    h("div", { class: "fact", dataset: { count: "errors" } }, h("dt", {}, t("mf.import.errors")), h("dd", {}, r.errors.length))),
    r.errors.length ? h("ul", { class: "field-error", id: "mf-import-errors" }, r.errors.map((e) => h("li", { dataset: { row: e.row } },
      `${t("mf.import.row", { row: e.row })}: ${e.field ? `${e.field}: ` : ""}${e.message}`,
      e.value !== null && e.value !== undefined ? ` (${e.value})` : ""))) : null));
}

// ------------------------------------------------------------------ a firm and its outcomes

async function openFirm(firmId) {
  const [record, matches] = await Promise.all([registerApi(`firms/${encodeURIComponent(firmId)}`),
    registerApi(`firms/${encodeURIComponent(firmId)}/matches`)]);
  mf.firm = { record, matches: matches.matches };
  renderFirm();
  $("mf-firm-heading")?.focus();
}

async function recordOutcome(programId, status) {
  const firmId = mf.firm.record.firm_id;
  await guarded(null, async () => {
    await registerApi("outcomes", { method: "POST", json: { firm_id: firmId, program_id: programId, status } });
    notice(t("mf.outcome.recorded", { status: outcomeLabel(status), program: programName(programId) }));
    await openFirm(firmId);
  });
}

async function saveFirm(ev) {
  ev.preventDefault();
  const f = mf.firm.record;
  const changes = {};
  const name = $("mf-edit-name").value.trim();
  if (name !== (f.name || "")) changes.name = name || null;
  const employees = $("mf-edit-employees").value.trim();
  if (employees !== String(f.profile.employees ?? "")) changes.employees = employees === "" ? null : Number(employees);
  for (const input of document.querySelectorAll("#mf-edit-form input[data-kept]")) {
    const v = input.value.trim();
    if (v !== String(f.kept[input.dataset.kept] ?? "")) changes[input.dataset.kept] = v || null;
  }
  const box = $("mf-edit-error");
  box.hidden = true;
  fill(box);
  try {
    const saved = await registerApi(`firms/${encodeURIComponent(f.firm_id)}`, { method: "PATCH", json: { version: f.version, changes } });
    notice(t("mf.edit.saved", { v: saved.version }));
    await openFirm(f.firm_id);
  } catch (err) {
    if (!(err instanceof RegisterApiError)) throw err;
    if (err.status !== 409) { fill(box, err.message); box.hidden = false; return; }
    let by = t("mf.edit.someone");
    try { by = (await registerApi(`firms/${encodeURIComponent(f.firm_id)}`)).updated_by || by; } catch (_) { /* the message names no one */ }
    fill(box, h("p", {}, t("mf.edit.conflict", { by, expected: err.problem.expected_version ?? f.version,
      current: err.problem.current_version ?? "?" })),
    h("button", { type: "button", id: "mf-edit-reload", onclick: () => openFirm(f.firm_id) }, t("mf.edit.reload")));
    box.hidden = false;
  }
}

function editForm(f) {
  const field = (id, label, value, extra = {}) => h("div", { class: "field" },
    h("label", { for: id }, label), h("input", { id, value: value ?? "", ...extra }));
  const kept = Object.keys(f.kept || {});
  return h("details", { class: "mf-edit" }, h("summary", {}, t("mf.edit")),
    h("form", { id: "mf-edit-form", novalidate: true, onsubmit: saveFirm },
      field("mf-edit-name", t("mf.edit.name"), f.name, { type: "text", autocomplete: "off" }),
      field("mf-edit-employees", t("mf.edit.employees"), f.profile.employees, { type: "number", min: "0", inputmode: "numeric" }),
      kept.map((k, i) => field(`mf-edit-kept-${i}`, k, f.kept[k], { type: "text", autocomplete: "off", dataset: { kept: k } })),
      h("div", { class: "form-error", id: "mf-edit-error", role: "alert", hidden: true }),
      h("button", { type: "submit" }, t("mf.edit.save"))));
}

function renderFirm() {
  const box = $("mf-firm");
  if (!box) return;
  if (!mf.firm) { box.hidden = true; fill(box); return; }
  const { record: f, matches } = mf.firm;
  const kept = Object.entries(f.kept || {}).filter(([, v]) => v !== null && v !== "");
  fill(box,
    h("h2", { id: "mf-firm-heading", tabindex: "-1" }, t("mf.firm", { name: f.name || f.firm_id, id: f.firm_id })),
    h("p", { class: "meta" }, t("mf.firm.meta", { v: f.version, by: f.added_by, changed: f.updated_by })),
    kept.length ? h("dl", { class: "facts" }, kept.map(([k, v]) => h("div", { class: "fact" }, h("dt", {}, k), h("dd", {}, String(v))))) : null,
    editForm(f),
    h("h3", {}, t("mf.firm.matches")),
    matches.length ? h("ul", { class: "cards", id: "mf-matches" }, matches.map((m) => h("li", {
      class: `card ${m.status}`, dataset: { programId: m.program_id } },
    h("h4", {}, h("span", { class: "name" }, programName(m.program_id, m.name)),
      h("span", { class: `status ${m.status}` }, t(`mf.status.${m.status}`)),
      m.score !== null && m.score !== undefined ? h("span", { class: "other-name" }, Number(m.score).toFixed(2)) : null),
    m.last_outcome ? h("p", { class: "meta mf-last" }, t("mf.firm.last", { status: outcomeLabel(m.last_outcome.status),
      date: m.last_outcome.date, by: m.last_outcome.recorded_by })) : null,
    h("div", { class: "mf-outcomes", role: "group", "aria-label": t("mf.outcome.group", { program: programName(m.program_id, m.name) }) },
      OUTCOMES.map((s) => h("button", { type: "button", dataset: { status: s },
        "aria-pressed": String(m.last_outcome?.status === s), onclick: () => recordOutcome(m.program_id, s) },
      outcomeLabel(s))))))) : h("p", { class: "empty" }, t("mf.firm.nomatch")),
    h("h3", {}, t("mf.firm.history")),
    f.history.length ? h("ul", { class: "mf-history", id: "mf-history" }, [...f.history].reverse().map((o) => h("li", {},
      `${o.date} · ${outcomeLabel(o.status)} · ${programName(o.program_id)} · ${o.recorded_by}`, o.note ? ` — ${o.note}` : ""))) :
      h("p", { class: "empty" }, t("mf.firm.nohistory")),
    h("button", { type: "button", class: "link", onclick: () => { mf.firm = null; renderFirm(); } }, t("mf.firm.close")));
  box.hidden = false;
}

// ------------------------------------------------------------------ a program's call list

async function loadPrograms() {
  const items = [];
  let offset = 0;
  let limit = "limit=100&";  // the service's default page size instead where its largest is smaller
  for (let round = 0; round < 50 && offset !== null; round += 1) {
    let data;
    try {
      data = await registerApi(`programs?${limit}offset=${offset}`);
    } catch (err) {
      if (!(err instanceof RegisterApiError) || err.status !== 422 || !limit) throw err;
      limit = "";
      data = await registerApi(`programs?offset=${offset}`);
    }
    items.push(...data.items);
    offset = data.next_offset;
  }
  mf.programs = items;
  const list = $("mf-program-list");
  if (list) fill(list, items.map((p) => h("option", { value: p.id }, programName(p.id, p.name))));
}

async function showCalls(ev) {
  ev.preventDefault();
  const program = $("mf-program").value.trim();
  const skip = $("mf-skip").checked;
  if (!program) return;
  await guarded("mf-calls-busy", async () => {
    const params = new URLSearchParams({ top: "20", lang: language(), skip_contacted: String(skip) });
    const data = await registerApi(`programs/${encodeURIComponent(program)}/reach?${params}`);
    mf.calls = { program, skip, hits: data.hits };
    renderCalls();
  });
}

function renderCalls() {
  const box = $("mf-calls");
  if (!box || !mf.calls) return;
  const { hits } = mf.calls;
  fill(box, hits.length ? h("ol", { class: "cards", id: "mf-call-list" }, hits.map((c) => h("li", { class: `card ${c.status}`, dataset: { firmId: c.firm_id } },
    h("h3", {}, h("span", { class: "rank" }, c.rank),  // under the call list's h2: heading levels go one at a time
      h("button", { type: "button", class: "link", onclick: () => guarded(null, () => openFirm(c.firm_id)) }, c.name || c.firm_id),
      h("span", { class: `status ${c.status}` }, t(`mf.status.${c.status}`)),
      h("span", { class: "other-name" }, Number(c.score).toFixed(2))),
    h("p", { class: "meta" }, [c.firm_id, c.kept?.phone, c.kept?.["担当者"]].filter(Boolean).join(" · ")),
    h("p", { class: "meta" }, c.last_contact_program
      ? t("mf.calls.last", { status: outcomeLabel(c.last_contact_program.status), date: c.last_contact_program.date })
      : t("mf.calls.never")),
    reasonsList(c.reasons)))) : h("p", { class: "empty" }, t("mf.calls.none")));
}

// ------------------------------------------------------------------ start

async function start() {
  const panel = $("myfirms-panel");
  const tab = $("tab-myfirms");
  if (!panel || !tab) return;
  document.addEventListener("pagelanguage", () => { if (!tab.hidden) draw(); });
  let res;
  try {
    res = await fetch("v1/register/me", { headers: { Accept: "application/json" } });
  } catch (_) {
    res = null;
  }
  if (res && res.status !== 404) {  // 401: the service has a register and asks for a key
    tab.hidden = false;
    draw();
    if (key()) await guarded(null, openRegister);
  }
  panel.dataset.ready = "true";
}

start();
