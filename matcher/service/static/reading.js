// How a firm list reads, before anything is ranked. The service reads the file's bytes (a
// Shift_JIS CSV from Excel, UTF-8 with or without a BOM, .xlsx, JSON Lines...) with the
// reader of `matcher firms check`, and the page shows its answer as a table: one row per
// input row, numbered as the CLI numbers it, with the values it found, where they came
// from, and the row's problems marked.

import { ApiError, apiKey } from "./api.js";
import { fill, h } from "./dom.js";
import { language, pick, t } from "./i18n.js";
import { industryLabel, needLabel, state } from "./state.js";

const WORDS = {
  en: {
    title: "How the list reads",
    summary: "{name}: {rows} rows, {readable} readable, {problems} with problems.",
    encoding: "Read as {format}{encoding}.",
    kept: "Kept beside each firm (not used to rank): {columns}.",
    none: "No row of the list could be read as a firm: see the problems in the table.",
    pasted: "the pasted list",
    busy: "Reading the list…",
    prefecture: "Region of the list (for addresses that omit it)",
    "prefecture.any": "— as each address says —",
    row: "Row",
    firm: "Firm",
    place: "Location",
    industry: "Industry",
    employees: "Employees",
    capital: "Capital",
    founded: "Founded",
    needs: "Needs",
    problems: "Problems",
    problem: "problem",
    ok: "read",
    from: "from {column}: {text}",
    yen: "{n} yen",
  },
  ja: {
    title: "一覧の読み取り結果",
    summary: "{name}：{rows}行（読めた行 {readable}、問題のある行 {problems}）。",
    encoding: "{format}{encoding}として読みました。",
    kept: "順位付けに使わず、そのまま残す列：{columns}。",
    none: "企業として読める行がありません。表の問題を確かめてください。",
    pasted: "貼り付けた一覧",
    busy: "一覧を読み取っています…",
    prefecture: "一覧の地域（住所に書いていないとき）",
    "prefecture.any": "— 住所のとおり —",
    row: "行",
    firm: "企業",
    place: "所在地",
    industry: "業種",
    employees: "従業員数",
    capital: "資本金",
    founded: "設立",
    needs: "ニーズ",
    problems: "問題",
    problem: "問題あり",
    ok: "読めました",
    from: "{column}：{text}",
    yen: "{n}円",
  },
};

/** A word of this module in the page's language. */
export function tr(key, vars = {}) {
  const text = (WORDS[language()] ?? WORDS.en)[key] ?? WORDS.en[key] ?? key;
  return text.replace(/\{(\w+)\}/g, (_, k) => String(vars[k] ?? ""));
}

/**
 * POST the list's bytes to v1/firms/check, as they are (the service tells the encoding):
 * the reading, or an ApiError with the problem.
 */
export async function checkList(blob, filename, type, prefecture = "") {
  const headers = {
    Accept: "application/json, application/problem+json", "Accept-Language": language(),
    "Content-Type": type || "application/octet-stream",
  };
  if (apiKey()) headers["X-API-Key"] = apiKey();
  let url = `v1/firms/check?filename=${encodeURIComponent(filename)}&lang=${language()}`;
  if (prefecture) url += `&prefecture=${encodeURIComponent(prefecture)}`;
  let res;
  try {
    res = await fetch(url, { method: "POST", headers, body: blob });
  } catch (_) {
    throw new ApiError({ detail: t("error.network") }, 0);
  }
  const ctype = res.headers.get("content-type") || "";
  const data = ctype.includes("json") ? await res.json() : { detail: await res.text() };
  if (res.status === 401) document.getElementById("key-form").hidden = false;
  if (!res.ok) throw new ApiError(data, res.status);
  return data;
}

/**
 * The prefecture of a list's addresses that do not name one (a city desk's own list: 北区… is
 * 東京都北区): a select made once beside the file input, its words in the page's language.
 */
export function prefectureSelect(onChange) {
  let select = document.getElementById("reach-prefecture");
  if (!select) {
    select = h("select", { id: "reach-prefecture", name: "prefecture" });
    if (onChange) select.addEventListener("change", onChange);
    const field = h("div", { class: "field" }, h("label", { for: "reach-prefecture" }), select);
    document.getElementById("reach-file").closest(".field").after(field);
  }
  const chosen = select.value;
  select.closest(".field").querySelector("label").textContent = tr("prefecture");
  fill(select, h("option", { value: "" }, tr("prefecture.any")),
    state.vocabulary.prefectures.map(([code, en, ja]) => h("option", { value: code }, pick(en, ja))));
  select.value = chosen;
  return select;
}

/** The box the reading is shown in (made once, above the ranking). */
export function readingBox() {
  let box = document.getElementById("reach-reading");
  if (!box) {
    box = h("div", { id: "reach-reading", class: "results reading", hidden: true });
    document.getElementById("reach-results").before(box);
  }
  return box;
}

function from(row, field) {
  const s = row.sources?.[field];
  return s ? tr("from", { column: s.column, text: s.text }) : null;
}

function value(row, field, text) {
  if (text === null || text === undefined || text === "") return "—";
  const source = from(row, field);
  return source ? h("span", { title: source }, text) : text;
}

function place(row) {
  const name = pick(row.municipality_en, row.municipality) || pick(row.prefecture_en, row.prefecture);
  if (!name) return "—";
  const source = from(row, "municipality") ?? from(row, "prefecture");
  return [h("span", { class: "name" }, name), source ? h("span", { class: "from" }, source) : null];
}

function industry(row) {
  if (!row.industry) return "—";
  const label = industryLabel(row.industry);
  return label !== row.industry ? label : `${row.industry} ${pick(row.industry_name_en, row.industry_name) ?? ""}`.trim();
}

function firmCell(row) {
  const name = row.name || row.cells?.[Object.keys(row.cells ?? {})[0]] || "";
  return h("th", { scope: "row" },
    h("span", { class: "name" }, name),
    row.ok ? null : h("span", { class: "mark" }, "⚠ ", tr("problem")),
    Object.keys(row.kept ?? {}).length ? h("span", { class: "other-name" },
      Object.entries(row.kept).filter(([, v]) => v !== "").slice(0, 3).map(([k, v]) => `${k} ${v}`).join(" · ")) : null);
}

function readingRow(row) {
  const cell = (key, content, cls) => h("td", { class: cls, dataset: { label: tr(key) } }, content);
  return h("tr", { class: row.ok ? "ok" : "problem", dataset: { row: row.row, ok: String(row.ok) } },
    cell("row", row.row, "num"),
    firmCell(row),
    cell("place", place(row)),
    cell("industry", value(row, "industry", industry(row))),
    cell("employees", value(row, "employees", row.employees ?? null), "num"),
    cell("capital", value(row, "capital_jpy", row.capital_jpy === null ? null
      : tr("yen", { n: Number(row.capital_jpy).toLocaleString(language() === "ja" ? "ja-JP" : "en-US") })), "num"),
    cell("founded", value(row, "founded", row.founded), "date"),
    cell("needs", row.needs?.length ? row.needs.map(needLabel).join(language() === "ja" ? "、" : ", ") : "—"),
    cell("problems", [
      row.problems.length ? h("ul", { class: "problems" }, row.problems.map((p) => h("li", {}, p.message))) : null,
      row.notes?.length ? h("ul", { class: "notes hint" }, row.notes.map((p) => h("li", {}, p.message))) : null,
      !row.problems.length && !row.notes?.length ? tr("ok") : null,
    ], "problems-cell"));
}

/** Show `reading` ({data, name}) in its box, or hide the box (null). */
export function renderReading(reading) {
  const box = readingBox();
  if (!reading) { box.hidden = true; box.replaceChildren(); return; }
  const { data, name } = reading;
  const s = data.summary;
  const heads = ["row", "firm", "place", "industry", "employees", "capital", "founded", "needs", "problems"];
  fill(box,
    h("h2", { id: "reach-reading-heading", tabindex: "-1" }, tr("title")),
    h("p", { class: "reading-summary" }, tr("summary", { name, rows: s.rows, readable: s.readable, problems: s.with_problems }),
      " ", h("span", { class: "hint" }, tr("encoding", { format: s.format.toUpperCase(), encoding: s.encoding ? ` (${s.encoding})` : "" }))),
    s.kept?.length ? h("p", { class: "hint" }, tr("kept", { columns: s.kept.join(language() === "ja" ? "、" : ", ") })) : null,
    s.readable ? null : h("p", { class: "empty" }, tr("none")),
    h("table", { class: "hits reading-table" },
      h("thead", {}, h("tr", {}, heads.map((k) => h("th", { scope: "col" }, tr(k))))),
      h("tbody", {}, data.rows.map(readingRow))));
  box.hidden = false;
}
