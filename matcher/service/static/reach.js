// The reverse view: a program and a list of firms (CSV), and whom to call first. Firms are
// numbered as the CLI numbers them ("row N" is the N-th data row); a row the page or the
// service cannot read is reported by its number and left out, and the others are ranked.

import { api, ApiError } from "./api.js";
import { SCHEME_COMPONENTS, bars, reasonsList } from "./cards.js";
import { download, firmsFromCsv, toCsv } from "./csv.js";
import { $, fill, h } from "./dom.js";
import { clearErrors, showErrors } from "./fielderrors.js";
import { language, pick, t } from "./i18n.js";
import { problemErrors } from "./problems.js";
import { state } from "./state.js";


export async function readCsvFile() {
  const file = $("reach-file").files[0];
  if (file) $("reach-firms").value = await file.text();
}

function csvError(e) {
  const message = t(e.key, e.vars);
  return e.row === 0 ? t("error.csv.header", { message }) : t("error.csv.row", { line: e.row, message });
}

export async function submitReach(ev) {
  ev.preventDefault();
  const form = $("reach-form");
  const ticket = ++state.reachTicket;
  clearErrors(form);
  state.reach = null;  // a new question: the old answer goes
  renderReach();
  if ($("reach-file").files[0] && !$("reach-firms").value.trim()) await readCsvFile();
  const program = $("reach-program").value;
  const parsed = firmsFromCsv($("reach-firms").value);
  const errors = [];
  const rowErrors = parsed.errors.map(csvError);
  if (!program) errors.push({ id: "reach-program", error: { message: t("error.program") } });
  if (!parsed.firms.length && !parsed.errors.length) errors.push({ id: "reach-firms", error: { message: t("error.csv.empty") } });
  const top = $("reach-top");
  const topMax = Number(top.max) || Infinity;
  const n = Number(top.value);
  if (top.value.trim() && (!Number.isInteger(n) || n < 1 || n > topMax)) {
    errors.push({ id: "reach-top", error: { message: t("error.range", { min: 1, max: topMax }) } });
  }
  if (errors.length || !parsed.firms.length) {
    if (rowErrors.length) showCsvErrors(rowErrors);
    showErrors(form, errors.length ? errors : [{ id: "reach-firms", error: { message: rowErrors[0] } }]);
    return;
  }
  let firms = parsed.firms;
  let rows = parsed.rows;
  const body = { program, firms, lang: language() };
  if (top.value.trim()) body.top = n;

  $("reach-busy").hidden = false;
  try {
    // A firm the service cannot read is reported by its row and left out; the others are ranked.
    for (let round = 0; round < 3 && firms.length; round += 1) {
      try {
        const data = await api("v1/reach", { ...body, firms });
        if (ticket !== state.reachTicket) return;
        state.reach = { data, program, rows, rowErrors, body: { ...body, firms } };
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
      }
    }
    if (rowErrors.length) showCsvErrors(rowErrors);
    showErrors(form, errors.length ? errors : [{ id: "reach-firms", error: { message: rowErrors[0] ?? t("error.general") } }]);
  } finally {
    if (ticket === state.reachTicket) $("reach-busy").hidden = true;
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

export function renderReach() {
  const box = $("reach-results");
  if (!state.reach) { box.hidden = true; box.replaceChildren(); return; }
  const { data, program, rows, rowErrors } = state.reach;
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
          h("span", { class: "other-name" }, [hit.firm_id, rowOf(hit) ? t("reach.row", { row: rowOf(hit) }) : null].filter(Boolean).join(" · "))),
        h("td", { dataset: { label: t("reach.status") } }, h("span", { class: `status ${hit.status}` }, t(`status.${hit.status}`))),
        h("td", { class: "score-cell", dataset: { label: t("reach.score") } }, h("strong", {}, hit.score.toFixed(2)),
          bars(hit.components, SCHEME_COMPONENTS)),
        h("td", { dataset: { label: t("reach.why") } },
          hit.missing?.length ? h("p", { class: "missing" }, t("results.provide"), " ",
            hit.missing.map((f) => h("span", { class: "chip" }, t(`field.${f}`)))) : null,
          reasonsList(hit.reasons)))))) : h("p", { class: "empty" }, t("reach.none")));
  box.hidden = false;
}

function exportReach() {
  const { data, program, rows } = state.reach;
  const header = ["rank", "firm_id", "firm_name", "row", "status", "score"].map((k) => t(`csv.${k}`)).concat(
    SCHEME_COMPONENTS.map((k) => t(`component.${k}`)), [t("csv.missing"), t("csv.reasons")]);
  const out = reachHits(data).map((hit) => [hit.rank, hit.firm_id, hit.firm_name, rows[(hit.row ?? 0) - 1] ?? "",
    t(`status.${hit.status}`), hit.score, ...SCHEME_COMPONENTS.map((k) => hit.components?.[k] ?? ""),
    (hit.missing ?? []).map((f) => t(`field.${f}`)).join("; "), (hit.reasons ?? []).join("; ")]);
  download(`whom-to-call-${program}.csv`, toCsv(header, out));
}
