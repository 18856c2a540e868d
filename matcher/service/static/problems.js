// The errors of a problem+json answer (RFC 9457), each with the field it names, its
// message in the page's language where the page knows the words, and the "did you mean"
// candidates the service lists.

import { serverMessage, t } from "./i18n.js";

/** Split a field path ("firm.needs[2]", "/firms/3/municipality", ["body", "firm", "x"]) into parts. */
export function pathParts(path) {
  const parts = Array.isArray(path) ? path : String(path ?? "").match(/[^./[\]]+/g) ?? [];
  return parts.map((p) => (/^\d+$/.test(String(p)) ? Number(p) : String(p)));
}

const DID_YOU_MEAN = /\s*\(did you mean:\s*(.*?)\??\)\s*$/s;

/**
 * The candidates of a message and the message without them. Municipality candidates
 * begin with their 6-digit code ("011029 Kita Ward, Sapporo, Hokkaido"), so a comma
 * inside a label is not taken for a separator.
 *
 * splitCandidates("unknown (did you mean: 131172 Kita City, Tokyo, 011029 Kita Ward, Sapporo, Hokkaido?)")
 *   -> {message: "unknown", candidates: [{code: "131172", label: "Kita City, Tokyo"}, ...]}
 */
export function splitCandidates(message) {
  const m = DID_YOU_MEAN.exec(message ?? "");
  if (!m) return { message, candidates: [] };
  const list = m[1].trim();
  const items = /^\d{6}\s/.test(list) ? list.split(/,\s*(?=\d{6}\s)/) : list.split(/,\s*/);
  const candidates = items.map((s) => s.replace(/,?\s*(\.\.\.|…)$/, "").trim()).filter((s) => s && s !== "..." && s !== "…")
    .map((s) => {
      const code = /^(\d{6})\s+(.*)$/.exec(s);
      return code ? { code: code[1], label: code[2], value: code[1] } : { label: s, value: s };
    });
  return { message: message.slice(0, m.index), candidates };
}

function structured(candidates) {
  return candidates.map((c) => (typeof c === "object" && c !== null
    ? { code: c.code, label: c.label ?? c.name ?? c.code, labelJa: c.label_ja ?? c.name_ja, value: c.code ?? c.value ?? c.name }
    : splitCandidates(`x (did you mean: ${c}?)`).candidates[0] ?? { label: String(c), value: String(c) }));
}

/**
 * The errors of a problem as [{parts, message, lang, candidates}]; parts is empty for the
 * whole request. Messages the service gave in English are put in the page's language
 * where the page knows the words (lang says which language the message is in).
 */
export function problemErrors(problem) {
  const list = Array.isArray(problem.errors) && problem.errors.length ? problem.errors
    : Array.isArray(problem.detail) ? problem.detail
      : [{ field: problem.field ?? problem.pointer, message: problem.detail ?? problem.title }];
  const problemLang = problem.lang ?? problem.language ?? null;
  return list.map((e) => {
    const raw = e.message ?? e.msg ?? e.detail ?? e.reason ?? problem.title ?? t("error.general");
    const split = splitCandidates(String(raw));
    const given = e.candidates ?? e.did_you_mean;
    const candidates = Array.isArray(given) && given.length ? structured(given) : split.candidates;
    const { text, lang } = problemLang && problemLang !== "en"
      ? { text: split.message, lang: problemLang } : serverMessage(split.message);
    let parts = pathParts(e.field ?? e.loc ?? e.path ?? e.pointer);
    if (parts[0] === "body" || parts[0] === "query") parts = parts.slice(1);
    return { parts, message: text, lang, candidates };
  });
}
