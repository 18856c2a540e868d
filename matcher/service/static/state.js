// What the page holds: the pickers' words, the catalog's programs, the results shown;
// and the names of prefectures, kinds, providers, needs and industries in the page's language.

import { kindLabel, language, pick } from "./i18n.js";
import { PREFECTURES } from "./prefectures.js";

export const state = {
  vocabulary: { needs: [], industries: [], kinds: new Map(), prefectures: PREFECTURES },
  programs: new Map(),  // id -> the program's summary (GET v1/programs)
  details: new Map(),   // id -> the program's whole record (GET v1/programs/{id}), once loaded
  asked: new Map(),     // id -> the request for it, while it is on its way
  fields: {},           // what each request model accepts, from the OpenAPI schema
  rank: null,           // {data, body} of the ranking shown
  rankTicket: 0,        // the latest ranking asked for; earlier answers are dropped
  reach: null,          // {data, program, rows, errors, body} of the reverse view shown
  reachTicket: 0,
};

// ------------------------------------------------------------------ names

/** A prefecture [code, English, Japanese] from a code, a name or an object. */
export function prefectureOf(value) {
  if (!value) return null;
  if (typeof value === "object") value = value.code ?? value.name_en ?? value.name ?? value.name_ja;
  const text = String(value).trim().toLowerCase();
  return state.vocabulary.prefectures.find(([code, en, ja]) =>
    code === text.padStart(2, "0") || en.toLowerCase() === text || ja === value) ?? null;
}

export function prefectureName(value) {
  const p = prefectureOf(value);
  return p ? pick(p[1], p[2]) : (typeof value === "string" ? value : "");
}

export function kindName(kind) {
  const v = state.vocabulary.kinds.get(kind);
  if (language() === "ja") return v?.label_ja ?? kindLabel(kind);
  return v?.label_en ?? kindLabel(kind);
}

export function providerName(provider) {
  if (!provider) return "";
  if (typeof provider === "string") return provider;
  return pick(provider.name, provider.name_ja);
}

export function needLabel(id) {
  const n = state.vocabulary.needs.find((x) => x.id === id);
  return n ? pick(n.label_en, n.label_ja) : id;
}

export function industryLabel(code) {
  const i = state.vocabulary.industries.find((x) => x.code === code);
  return i ? `${code} ${pick(i.name_en, i.name_ja)}` : code;
}

