// Reading a list of firms from CSV, and writing results as CSV.
//
// The first row names the columns with the fields of a firm profile; several needs in
// one cell are separated by ";". Empty cells are left out (a missing fact is not zero).
// Firms are numbered as the CLI numbers them: "row N" is the N-th data row after the
// header (a quoted cell may span lines; an empty line is no row, as for Python's csv).

export const FIRM_FIELDS = [
  "id", "name", "prefecture", "municipality", "industry", "employees", "capital_jpy",
  "founded", "needs", "description", "environment_conscious", "seeking_location",
];
const WHOLE_NUMBERS = new Set(["employees", "capital_jpy"]);
const YES_NO = new Set(["environment_conscious", "seeking_location"]);
const YES = new Set(["true", "yes", "y", "1", "はい", "有", "○"]);
const NO = new Set(["false", "no", "n", "0", "いいえ", "無", "×"]);

/**
 * Split CSV text into records of cells (RFC 4180: quoted cells may hold commas,
 * quotes written twice and line breaks). Each record knows the line it starts on.
 * Returns {records: [{line, cells}], error: {line, key} | null}.
 */
export function parseCsv(text) {
  text = text.replace(/^\uFEFF/, "");
  const records = [];
  let cells = [];
  let cell = "";
  let quoted = false;
  let line = 1;
  let start = 1;
  let i = 0;
  while (i < text.length) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') { cell += '"'; i += 2; continue; }
      if (c === '"') { quoted = false; i += 1; continue; }
      if (c === "\n") line += 1;
      cell += c;
      i += 1;
      continue;
    }
    if (c === '"' && cell === "") { quoted = true; i += 1; continue; }
    if (c === ",") { cells.push(cell); cell = ""; i += 1; continue; }
    if (c === "\r" || c === "\n") {
      cells.push(cell);
      records.push({ line: start, cells });
      cells = []; cell = "";
      i += c === "\r" && text[i + 1] === "\n" ? 2 : 1;
      line += 1;
      start = line;
      continue;
    }
    cell += c;
    i += 1;
  }
  if (quoted) return { records, error: { line: start, key: "error.csv.quote", vars: {} } };
  if (cell !== "" || cells.length) { cells.push(cell); records.push({ line: start, cells }); }
  return { records: records.filter((r) => !(r.cells.length === 1 && r.cells[0] === "")), error: null };
}

function cellValue(field, raw) {
  const text = raw.trim();
  if (field === "needs") return text.split(/[;；、|]/).map((s) => s.trim()).filter(Boolean);
  if (WHOLE_NUMBERS.has(field)) {
    const digits = text.replace(/[,，\s円]/g, "");
    if (!/^\d+$/.test(digits)) throw { key: "error.csv.number", vars: { field, value: text } };
    return Number(digits);
  }
  if (YES_NO.has(field)) {
    const word = text.toLowerCase();
    if (YES.has(word)) return true;
    if (NO.has(word)) return false;
  }
  return text; // anything else the service checks, and names the field if it is wrong
}

/**
 * Firms from CSV text: {firms: [...profiles], rows: [data-row number of each firm],
 * errors: [{row, key, vars}]}, row 0 being the header. A bad row is reported by its
 * number and left out; the others are kept.
 */
export function firmsFromCsv(text) {
  const { records, error } = parseCsv(text);
  const out = { firms: [], rows: [], errors: [] };
  if (error) out.errors.push({ row: records.length, key: error.key, vars: error.vars }); // the row left open
  if (!records.length) return out;
  const header = records[0].cells.map((h) => h.trim().toLowerCase());
  const unknown = header.filter((h) => !FIRM_FIELDS.includes(h));
  if (unknown.length) {
    out.errors.push({ row: 0, key: "error.csv.columns",
                      vars: { column: unknown[0], expected: FIRM_FIELDS.join(", ") } });
    return out;
  }
  records.slice(1).forEach(({ cells }, i) => {
    const row = i + 1;
    if (cells.length > header.length) {
      out.errors.push({ row, key: "error.csv.width", vars: { n: cells.length, m: header.length } });
      return;
    }
    try {
      const firm = {};
      header.forEach((field, k) => {
        const raw = cells[k] ?? "";
        if (raw.trim() !== "") firm[field] = cellValue(field, raw);
      });
      out.firms.push(firm);
      out.rows.push(row);
    } catch (problem) {
      out.errors.push({ row, key: problem.key, vars: problem.vars });
    }
  });
  return out;
}

function quote(value) {
  const text = value === null || value === undefined ? "" : String(value);
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/** CSV text of `rows` (arrays of cells) under `header`, with a BOM so that Excel reads UTF-8. */
export function toCsv(header, rows) {
  return "\uFEFF" + [header, ...rows].map((r) => r.map(quote).join(",")).join("\r\n") + "\r\n";
}

/** Offer `text` as a file download named `filename`. */
export function download(filename, text) {
  const url = URL.createObjectURL(new Blob([text], { type: "text/csv;charset=utf-8" }));
  const a = document.createElement("a");
  a.href = url;
  a.download = filename;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 0);
}
