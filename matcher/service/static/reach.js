// The reverse view: a program and a list of firms, and whom to call first. The list (an
// uploaded file, any encoding or Excel, or pasted text) goes to v1/firms/check first: the
// service reads it as `matcher firms check` does and the page shows that reading, one row
// per input row with its problems marked, before it ranks the rows that read. Firms are
// numbered as the CLI numbers them ("row N" is the N-th data row).

import { api, ApiError } from "./api.js";
import { SCHEME_COMPONENTS, bars, reasonsList } from "./cards.js";
import { download, toCsv } from "./csv.js";
import { $, fill, h } from "./dom.js";
import { clearErrors, showErrors } from "./fielderrors.js";
import { language, pick, t } from "./i18n.js";
import { problemErrors } from "./problems.js";
import { checkList, prefectureSelect, renderReading, tr } from "./reading.js";
import { state } from "./state.js";

let reading = null;   // {data, src, name, lang} of the list shown
let readingTicket = 0;

// Typing in the list (or inserting the example) makes the text the list, not a file chosen before.
document.addEventListener("input", (ev) => { if (ev.target?.id === "reach-firms") forgetFile(); });
document.addEventListener("click", (ev) => { if (ev.target?.id === "reach-example") forgetFile(); });

function forgetFile() {
  const input = $("reach-file");
  if (input?.value) input.value = "";
  if (reading?.src.file) { reading = null; renderReading(null); }
}

function sameSource(src) {
  return reading && reading.lang === language() && reading.src.prefecture === src.prefecture
    && (src.file ? reading.src.file === src.file : reading.src.text === src.text);
}

function prefecture() {
  return prefectureSelect(rereadWithPrefecture).value;
}

function check(src) {
  return src.file ? checkList(src.file, src.file.name, src.file.type, src.prefecture)
    : checkList(new Blob([src.text], { type: "text/csv;charset=utf-8" }), "firms.csv", "text/csv; charset=utf-8",
      src.prefecture);
}

/** Another prefecture for the addresses that name none: the list shown reads again. */
async function rereadWithPrefecture() {
  if (!reading) return;
  const form = $("reach-form");
  clearErrors(form);
  state.reach = null;
  renderReach();
  await readList({ ...reading.src, prefecture: prefecture() }, form);
}

/** Read the list at the service and show the reading: the reading, or null (its problem shown). */
async function readList(src, form) {
  const ticket = ++readingTicket;
  const name = src.file ? src.file.name : tr("pasted");
  const busy = $("reach-busy");
  busy.hidden = false;
  busy.textContent = tr("busy");
  try {
    const data = await check(src);
    if (ticket !== readingTicket) return null;
    reading = { data, src, name, lang: language() };
    renderReading(reading);
    return reading;
  } catch (err) {
    if (!(err instanceof ApiError) || ticket !== readingTicket) throw err;
    reading = null;
    renderReading(null);
    const found = problemErrors(err.problem);
    const message = found[0]?.message ?? err.message;
    showErrors(form, [{ id: src.file ? "reach-file" : "reach-firms", error: { message } }]);
    return null;
  } finally {
    if (ticket === readingTicket) { busy.hidden = true; busy.textContent = t("reach.busy"); }
  }
}

/** The file input's change: read the file chosen at once, so its reading shows before anything is ranked. */
export async function readCsvFile() {
  const file = $("reach-file").files[0];
  const form = $("reach-form");
  clearErrors(form);
  state.reach = null;
  renderReach();
  if (!file) { reading = null; renderReading(null); return; }
  await readList({ file, prefecture: prefecture() }, form);
}

function rowProblems(data) {
  return data.rows.filter((r) => !r.ok).map((r) => t("error.csv.row", {
    line: r.row, message: r.problems.map((p) => p.message).join("; ") }));
}

export async function submitReach(ev) {
  ev.preventDefault();
  const form = $("reach-form");
  const ticket = ++state.reachTicket;
  clearErrors(form);
  state.reach = null;  // a new question: the old answer goes
  renderReach();
  const program = $("reach-program").value;
  const file = $("reach-file").files[0];
  const text = $("reach-firms").value;
  const errors = [];
  if (!program) errors.push({ id: "reach-program", error: { message: t("error.program") } });
  if (!file && !text.trim()) errors.push({ id: "reach-firms", error: { message: t("error.csv.empty") } });
  const top = $("reach-top");
  const topMax = Number(top.max) || Infinity;
  const n = Number(top.value);
  if (top.value.trim() && (!Number.isInteger(n) || n < 1 || n > topMax)) {
    errors.push({ id: "reach-top", error: { message: t("error.range", { min: 1, max: topMax }) } });
  }
  if (errors.length) { showErrors(form, errors); return; }
  const src = file ? { file, prefecture: prefecture() } : { text, prefecture: prefecture() };
  const read = sameSource(src) ? reading : await readList(src, form);
  if (!read || ticket !== state.reachTicket) return;
  const rowErrors = rowProblems(read.data);
  const good = read.data.rows.filter((r) => r.ok && r.firm);
  if (!good.length) {
    if (rowErrors.length) showCsvErrors(rowErrors);
    showErrors(form, [{ id: file ? "reach-file" : "reach-firms", error: { message: tr("none") } }]);
    return;
  }
  let firms = good.map((r) => r.firm);
  let rows = good.map((r) => r.row);
  let kept = good.map((r) => r.kept ?? {});
  const body = { program, firms, lang: language() };
  if (top.value.trim()) body.top = n;

  $("reach-busy").hidden = false;
  try {
    // A firm the service cannot rank is reported by its row and left out; the others are ranked.
    for (let round = 0; round < 3 && firms.length; round += 1) {
      try {
        const data = await api("v1/reach", { ...body, firms });
        if (ticket !== state.reachTicket) return;
        state.reach = { data, program, rows, kept, rowErrors, body: { ...body, firms } };
        renderReach();
        if (rowErrors.length) showCsvErrors(rowErrors);
        $("reach-results-heading").focus();
        return;
      } catch (err) {
        if (!(err instanceof ApiError)) throw err;
        if (ticket !== state.reachTicket) return;
        const found = problemErrors(err.problem);
        const bad = new Set();
        for (const e of found) {
          if (e.parts[0] === "firms" && typeof e.parts[1] === "number" && e.parts[1] < firms.length) {
            bad.add(e.parts[1]);
            const field = e.parts.slice(2).join(".");
            rowErrors.push(t("error.csv.row", { line: rows[e.parts[1]], message: field ? `${field}: ${e.message}` : e.message }));
          } else {
            errors.push({ id: e.parts.length ? `reach-${e.parts[0]}` : null, error: e });
          }
        }
        if (errors.length || !bad.size) break;
        firms = firms.filter((_, i) => !bad.has(i));
        rows = rows.filter((_, i) => !bad.has(i));
        kept = kept.filter((_, i) => !bad.has(i));
      }
    }
    if (rowErrors.length) showCsvErrors(rowErrors);
    showErrors(form, errors.length ? errors : [{ id: "reach-firms", error: { message: rowErrors[0] ?? t("error.general") } }]);
  } finally {
    if (ticket === state.reachTicket) $("reach-busy").hidden = true;
  }
}

/** The rows left out, listed under the list (the pasted text is marked invalid; a file's rows are in the reading). */
function showCsvErrors(messages) {
  const box = $("reach-firms-error");
  box.replaceChildren(h("ul", {}, messages.map((m) => h("li", {}, m))));
  box.hidden = false;
  if (!reading?.src.file) $("reach-firms").setAttribute("aria-invalid", "true");
}

function reachHits(data) {
  return Array.isArray(data) ? data : (data.hits ?? data.items ?? []);
}

/** After a language switch, read the list shown again, so that its problems are in the new language. */
async function rereadInLanguage() {
  if (!reading || reading.lang === language()) return;
  const shown = reading;
  try {
    const data = await check(shown.src);
    if (reading !== shown) return;
    reading = { ...shown, data, lang: language(), name: shown.src.file ? shown.name : tr("pasted") };
    renderReading(reading);
    if (state.reach) {
      state.reach = { ...state.reach, rowErrors: rowProblems(data) };
      if (state.reach.rowErrors.length) showCsvErrors(state.reach.rowErrors);
    }
  } catch (err) {
    if (!(err instanceof ApiError)) throw err;  // the reading stays, in the earlier language
  }
}

export function renderReach() {
  prefectureSelect(rereadWithPrefecture);  // its words in the page's language
  if (reading) { renderReading(reading); rereadInLanguage(); }
  const box = $("reach-results");
  if (!state.reach) { box.hidden = true; box.replaceChildren(); return; }
  const { data, program, rows, kept = [], rowErrors } = state.reach;
  const p = state.programs.get(program);
  const programName = p ? pick(p.name, p.name_ja) : program;
  const hits = reachHits(data);
  const rowOf = (hit) => rows[(hit.row ?? 0) - 1];
  fill(box,
    h("div", { class: "results-head" },
      h("h2", { id: "reach-results-heading", tabindex: "-1" }, t("reach.results")),
      h("button", { type: "button", id: "reach-export", onclick: exportReach, disabled: !hits.length }, t("results.export"))),
    h("p", {}, t("reach.results.for", { n: rows.length, program: programName })),
    rowErrors.length ? h("p", { class: "hint" }, t("reach.skipped", { n: rowErrors.length })) : null,
    hits.length ? h("table", { class: "hits" },
      h("thead", {}, h("tr", {},
        ["reach.rank", "reach.firm", "reach.status", "reach.score", "reach.why"].map((k) => h("th", { scope: "col" }, t(k))))),
      h("tbody", {}, hits.map((hit) => h("tr", { dataset: { firmId: hit.firm_id ?? "", status: hit.status } },
        h("td", { class: "num", dataset: { label: t("reach.rank") } }, hit.rank),
        h("th", { scope: "row" }, h("span", { class: "name" }, hit.firm_name || hit.firm_id || ""),
          h("span", { class: "other-name" }, [hit.firm_id, rowOf(hit) ? t("reach.row", { row: rowOf(hit) }) : null].filter(Boolean).join(" · ")),
          keptLine(kept[(hit.row ?? 0) - 1])),
        h("td", { dataset: { label: t("reach.status") } }, h("span", { class: `status ${hit.status}` }, t(`status.${hit.status}`))),
        h("td", { class: "score-cell", dataset: { label: t("reach.score") } }, h("strong", {}, hit.score.toFixed(2)),
          bars(hit.components, SCHEME_COMPONENTS)),
        h("td", { dataset: { label: t("reach.why") } },
          hit.missing?.length ? h("p", { class: "missing" }, t("results.provide"), " ",
            hit.missing.map((f) => h("span", { class: "chip" }, t(`field.${f}`)))) : null,
          reasonsList(hit.reasons)))))) : h("p", { class: "empty" }, t("reach.none")));
  box.hidden = false;
}

/** The list's other columns of a firm (a phone number, a contact), on its line of the ranking. */
function keptLine(kept) {
  const shown = Object.entries(kept ?? {}).filter(([, v]) => v !== "" && v !== null && v !== undefined);
  return shown.length ? h("span", { class: "kept" }, shown.slice(0, 4).map(([k, v]) => `${k}: ${v}`).join(" · ")) : null;
}

function exportReach() {
  const { data, program, rows, kept = [] } = state.reach;
  const names = [...new Set(kept.flatMap((k) => Object.keys(k ?? {})))];
  const header = ["rank", "firm_id", "firm_name", "row", "status", "score"].map((k) => t(`csv.${k}`)).concat(
    SCHEME_COMPONENTS.map((k) => t(`component.${k}`)), [t("csv.missing"), t("csv.reasons")], names);
  const out = reachHits(data).map((hit) => [hit.rank, hit.firm_id, hit.firm_name, rows[(hit.row ?? 0) - 1] ?? "",
    t(`status.${hit.status}`), hit.score, ...SCHEME_COMPONENTS.map((k) => hit.components?.[k] ?? ""),
    (hit.missing ?? []).map((f) => t(`field.${f}`)).join("; "), (hit.reasons ?? []).join("; "),
    ...names.map((k) => kept[(hit.row ?? 0) - 1]?.[k] ?? "")]);
  download(`whom-to-call-${program}.csv`, toCsv(header, out));
}
