// The result cards: a program the firm can use (with everything the catalog says about
// it: description, benefit, application window, who delivers it, contact, link, source),
// a program that needs a missing fact, and a municipality.

import { h } from "./dom.js";
import { language, pick, t } from "./i18n.js";

export const SCHEME_COMPONENTS = ["text", "needs", "kind", "industry", "locality"];
export const PLACE_COMPONENTS = ["support", "assets", "industry", "distance"];
/** A program whose newest source is older than this many years is marked "check it is still offered". */
export const STALE_YEARS = 5;
/** "closes in N days" is shown when the deadline is at most this many days away. */
export const NEAR_DAYS = 30;
const SHORT = 200;
const SHORT_JA = 100;

const score2 = (x) => (typeof x === "number" ? x.toFixed(2) : "");
export const yen = (n) => Number(n).toLocaleString(language() === "ja" ? "ja-JP" : "en-US");
const isJapanese = (text) => /[\u3040-\u30ff\u3400-\u9fff]/.test(text ?? "");
const textLang = (text) => (isJapanese(text) ? "ja" : "en");
const safeUrl = (url) => (typeof url === "string" && /^https?:\/\//i.test(url) ? url : null);

function days(from, to) {
  const a = Date.parse(`${from}T00:00:00Z`);
  const b = Date.parse(`${to}T00:00:00Z`);
  return Number.isFinite(a) && Number.isFinite(b) ? Math.round((b - a) / 86_400_000) : null;
}

export function bars(components, keys) {
  return h("dl", { class: "bars" }, keys.filter((k) => components && k in components).map((k) => {
    const v = Math.max(0, Math.min(1, Number(components[k]) || 0));
    return h("div", { class: "bar-row", dataset: { component: k } },
      h("dt", {}, t(`component.${k}`)),
      h("dd", {},
        h("span", { class: "bar", "aria-hidden": "true" }, h("span", { class: "fill", style: `width:${(v * 100).toFixed(1)}%` })),
        h("span", { class: "bar-value" }, score2(v))));
  }));
}

/** The reasons, in the language they were asked in; a reason in other words is marked as such. */
export function reasonsList(reasons) {
  return h("ul", { class: "reasons", lang: language() }, (reasons ?? []).map((r) => {
    const other = language() === "ja" ? !isJapanese(r) && /[A-Za-z]{3,}\s+[A-Za-z]{3,}/.test(r) : isJapanese(r);
    return h("li", other ? { lang: textLang(r) } : {}, r);
  }));
}

/** The address of a program's detail view, in the page's language. */
export const programHref = (id) => `?${new URLSearchParams({ program: id, lang: language() })}`;

function programTitle(p, rank, idPrefix, tag = "h4") {
  const other = language() === "ja" ? p.name : p.name_ja;
  const name = pick(p.name, p.name_ja);
  return h(tag, { id: `${idPrefix}-${p.id}-title` },
    rank ? h("span", { class: "rank" }, `${rank}`) : null,
    h("span", { class: "name" }, tag === "h4" ? h("a", { href: programHref(p.id), class: "program-link" }, name) : name),
    other && other !== pick(p.name, p.name_ja)
      ? h("span", { class: "other-name", lang: language() === "ja" ? "en" : "ja" }, other) : null);
}

/** "up to ¥200,000 · 50% of the costs" from a benefit, or null. */
export function benefitText(b) {
  if (!b) return null;
  const parts = [];
  if (typeof b.max_amount_jpy === "number") parts.push(t("card.max", { amount: yen(b.max_amount_jpy) }));
  if (typeof b.rate === "number") parts.push(t("card.rate", { pct: +(b.rate * 100).toFixed(2) }));
  if (b.free_of_charge) parts.push(t("card.free"));
  for (const s of b.shares ?? []) {
    if (typeof s.rate === "number") parts.push(`${pick(s.payer, s.payer_ja)} ${+(s.rate * 100).toFixed(2)}%`);
  }
  if (typeof b.budget_jpy === "number") parts.push(t("card.budget", { amount: yen(b.budget_jpy) }));
  return parts.length ? parts.join(" · ") : null;
}

/** The application window: [text, {closing: "near"|"closed"|null}]. */
export function applicationText(p, asOf) {
  const start = p.application_start ?? p.valid_from;
  const deadline = p.application_deadline ?? null;
  const until = p.valid_until ?? null;
  const parts = [];
  if (p.fiscal_year) parts.push(t("card.fiscalYear", { year: p.fiscal_year }));
  if (start) parts.push(t("card.from", { date: start }));
  if (deadline) parts.push(t("card.deadline", { date: deadline }));
  else if (until) parts.push(t("card.until", { date: until }));
  const end = deadline ?? until;
  const left = end && asOf ? days(asOf, end) : null;
  let closing = null;
  if (left !== null && left < 0) { parts.push(t("card.closed")); closing = "closed"; }
  else if (left === 0) { parts.push(t("card.closesToday")); closing = "near"; }
  else if (left !== null && left <= NEAR_DAYS) { parts.push(t("card.closesIn", { n: left })); closing = "near"; }
  return parts.length ? [parts.join(" · "), closing] : [t("card.application.none"), null];
}

/** The year of the newest dated source, when it is older than STALE_YEARS before asOf; else null. */
export function staleYear(sources, asOf) {
  const dates = (sources ?? []).map((s) => s.document_date).filter(Boolean).sort();
  if (!dates.length || !asOf) return null;
  const newest = dates[dates.length - 1];
  const limit = `${Number(asOf.slice(0, 4)) - STALE_YEARS}${asOf.slice(4)}`;
  return newest < limit ? Number(newest.slice(0, 4)) : null;
}

function sourceLine(s) {
  const where = [s.file, s.document_date, s.row ? t("card.source.row", { row: s.row }) : null,
    s.record ? t("card.source.record", { record: s.record }) : null].filter(Boolean).join(", ");
  return [h("span", { class: "source-doc" }, where),
    s.quote ? [" ", h("q", { lang: textLang(s.quote) }, s.quote)] : null];
}

function fact(key, ...value) {
  return h("div", { class: `fact fact-${key}` }, h("dt", {}, t(`card.${key}`)), h("dd", {}, ...value));
}

function contactParts(c) {
  if (!c) return null;
  const url = safeUrl(c.url);
  const parts = [pick(c.name, c.name_ja), pick(c.address, c.address_ja)].filter(Boolean);
  if (!parts.length && !c.phone && !url) return null;
  const sep = language() === "ja" ? "、" : ", ";
  return [parts.length ? h("span", { lang: textLang(parts.join(" ")) }, parts.join(sep)) : null,
    c.phone ? [parts.length ? sep : "", t("card.phone", { phone: c.phone })] : null,
    url ? [" ", h("a", { href: url, rel: "noopener" }, url)] : null];
}

/** A text in the other language than the page's, shown only on demand under a line in the page's language. */
function original(text, lang, cls = "original") {
  return h("details", { class: `more ${cls}` }, h("summary", {}, t("card.original")), h("p", { lang }, text));
}

/** Whether `text` is in the other language than the page's (English text in the Japanese view, and back). */
const foreign = (text) => (language() === "ja" ? !isJapanese(text) && /[A-Za-z]{2,}\s+[A-Za-z]{2,}/.test(text) : false);

/** A catalog text in the page's language, or on demand as the catalog gives it. */
function inPageLanguage(text, tag = "p") {
  return foreign(text) ? original(text, textLang(text), "original inline") : h(tag, { lang: textLang(text) }, text);
}

/** The description: a short summary, the whole on demand (in the Japanese view, an English one only on demand;
 * a Japanese rendering with the English it renders on demand). */
function descriptionBlock(p) {
  const summary = pick(p.summary, p.summary_ja);
  const text = pick(p.description, p.description_ja) || summary || "";
  if (!text) return null;
  const lang = textLang(text);
  if (foreign(text)) return original(text, lang, "original description");
  let short = summary && summary !== text && !foreign(summary) ? summary : text;
  // Japanese says as much in about half the characters: its short text is cut at SHORT_JA
  const [limit, least] = lang === "ja" ? [SHORT_JA, 20] : [SHORT, 60];
  if (short.length > limit) {
    const cut = short.slice(0, limit);
    const end = Math.max(cut.lastIndexOf(". "), cut.lastIndexOf("。"));
    short = end > least ? cut.slice(0, end + 1) : `${cut.slice(0, cut.lastIndexOf(" ") > least ? cut.lastIndexOf(" ") : limit)}…`;
  }
  const rendered = language() === "ja" && p.description_ja && p.description && text === p.description_ja
    && foreign(p.description);
  return [h("p", { class: "summary", lang }, short),
    short !== text ? h("details", { class: "more" }, h("summary", {}, t("card.more")), h("p", { lang }, text)) : null,
    rendered ? h("details", { class: "more original rendered" }, h("summary", {}, t("card.rendered")),
      h("p", { lang: "en" }, p.description)) : null];
}

/** The facts of a program: benefit, application, delivered by, contact, link, source. */
function facts(p, asOf) {
  const benefit = benefitText(p.benefit);
  const [application, closing] = applicationText(p, asOf);
  const delivered = p.delivered_by ? [pick(p.delivered_by.name, p.delivered_by.name_ja) || p.delivered_by.provider,
    pick(p.delivered_by.note, p.delivered_by.note_ja)].filter(Boolean).join(" — ") : null;
  const contact = contactParts(p.contact);
  const url = safeUrl(p.url);
  const source = (p.source ?? [])[0];
  return h("dl", { class: "facts" },
    benefit ? fact("benefit", benefit) : null,
    fact("application", h("span", { class: closing ? `closing ${closing}` : null }, application)),
    delivered ? fact("delivered", h("span", { lang: textLang(delivered) }, delivered)) : null,
    contact ? fact("contact", contact) : null,
    url ? fact("link", h("a", { href: url, rel: "noopener" }, url)) : null,
    source ? fact("source", sourceLine(source)) : null);
}

function staleNote(p, asOf) {
  const year = staleYear(p.source, asOf);
  return year ? h("p", { class: "stale", role: "note" }, t("card.stale", { year })) : null;
}

/** Everything else on demand: conditions, benefit notes, every source. */
function moreDetails(p) {
  const notes = [pick(p.benefit?.note, p.benefit?.note_ja),
    ...(p.benefit?.eligible_costs ?? []).map((c) => t("card.costs", { costs: c }))].filter(Boolean);
  const sources = p.source ?? [];
  const condition = pick(p.eligibility?.note, p.eligibility?.note_ja);
  if (!notes.length && sources.length < 2 && !condition) return null;
  return h("details", { class: "more details" }, h("summary", {}, t("card.details")),
    condition ? [h("h5", {}, t("card.conditions")), inPageLanguage(condition)] : null,
    notes.length ? [h("h5", {}, t("card.benefit")), h("ul", {}, notes.map((n) => h("li", {}, inPageLanguage(n, "span"))))] : null,
    sources.length > 1 ? [h("h5", {}, t("card.sources")), h("ol", { class: "sources" }, sources.map((s) => h("li", {}, sourceLine(s))))] : null);
}

/**
 * A program the firm can use. `program` is what the catalog says of it (its summary from
 * GET v1/programs and, once loaded, its detail from GET v1/programs/{id}); `ctx` names
 * kinds and providers and gives the date of the ranking.
 */
export function schemeCard(s, rank, program, ctx) {
  const p = { ...program, ...s, benefit: s.benefit ?? program?.benefit, url: s.url ?? program?.url };
  return h("li", { class: "card", dataset: { id: s.id, details: program?.source ? "loaded" : "pending" },
    "aria-labelledby": `scheme-${s.id}-title` },
  programTitle(p, rank, "scheme"),
  metaLine(p, ctx),
  descriptionBlock(p),
  facts(p, ctx.asOf),
  staleNote(p, ctx.asOf),
  h("p", { class: "score" }, `${t("results.score")} `, h("strong", {}, score2(s.score))),
  bars(s.components, SCHEME_COMPONENTS),
  h("h5", {}, t("results.reasons")),
  reasonsList(s.reasons),
  moreDetails(p));
}

/** A program the firm might use once it gives the missing facts (buttons go to their fields). */
export function possibleCard(s, rank, program, ctx) {
  const p = { ...program, ...s };
  return h("li", { class: "card possible", dataset: { id: s.id, details: program?.source ? "loaded" : "pending" },
    "aria-labelledby": `possible-${s.id}-title` },
  programTitle(p, rank, "possible"),
  h("p", { class: "meta" }, h("span", { class: "badge possible-badge" }, t("results.possible.badge")), " · ",
    h("span", { class: "kind" }, ctx.kindName(p.kind)),
    p.provider ? [" · ", ctx.providerName(p.provider)] : null),
  h("p", { class: "missing" }, t("results.provide"), " ",
    (s.missing ?? []).map((field) => h("button", {
      type: "button", class: "chip", dataset: { field }, onclick: () => ctx.focusField(field),
    }, t(`field.${field}`)))),
  descriptionBlock(p),
  facts(p, ctx.asOf),
  staleNote(p, ctx.asOf),
  reasonsList(s.reasons),
  moreDetails(p));
}

export function placeCard(m, rank, ctx) {
  return h("li", { class: "card place", dataset: { code: m.code ?? "" }, "aria-labelledby": `place-${m.code}-title` },
    h("h4", { id: `place-${m.code}-title` }, h("span", { class: "rank" }, `${rank}`),
      h("span", { class: "name" }, pick(m.name, m.name_ja)),
      h("span", { class: "other-name" }, ctx.prefectureName(m.prefecture))),
    h("p", { class: "score" }, `${t("results.score")} `, h("strong", {}, score2(m.score)),
      typeof m.distance_km === "number" ? [" · ", t("results.km", { km: m.distance_km })] : null),
    // The distance scores only when a largest distance is asked for.
    bars(m.components, PLACE_COMPONENTS.filter((k) => k !== "distance" || m.components?.distance > 0)),
    h("h5", {}, t("results.reasons")),
    reasonsList(m.reasons));
}

/** "subsidy · provider Kita City" under a program's name. */
function metaLine(p, ctx) {
  return h("p", { class: "meta" },
    h("span", { class: "kind" }, ctx.kindName(p.kind)),
    p.provider ? [" · ", t("results.provider"), " ", ctx.providerName(p.provider)] : null);
}

/** A program's detail view (the page's ?program=ID, /programs/ID): everything the catalog says of it. */
export function programDetail(p, ctx) {
  return h("article", { class: "card detail", dataset: { id: p.id }, "aria-labelledby": `program-${p.id}-title` },
    programTitle(p, null, "program", "h2"),
    metaLine(p, ctx),
    descriptionBlock(p),
    facts(p, ctx.asOf),
    staleNote(p, ctx.asOf),
    moreDetails(p));
}
