// Talking to the JSON API under v1/: problem+json errors, the API key, paging, and what
// the service's request models accept (read from its OpenAPI schema).

import { language, t } from "./i18n.js";

export class ApiError extends Error {
  constructor(problem, status) {
    super(problem.detail || problem.title || `HTTP ${status}`);
    this.problem = problem;
    this.status = status;
  }
}

const KEY_STORAGE = "shien-matcher.api-key";

export function apiKey() {
  try { return sessionStorage.getItem(KEY_STORAGE) || ""; } catch (_) { return ""; }
}

export function setApiKey(key) {
  try { sessionStorage.setItem(KEY_STORAGE, key); } catch (_) { /* kept for no one */ }
}

/**
 * GET `path`, or POST `body` as JSON; the answer's JSON, or an ApiError with the problem.
 * `signal` aborts the request (the AbortError is thrown as it is, not as an ApiError).
 */
export async function api(path, body, { signal } = {}) {
  const init = { headers: { Accept: "application/json, application/problem+json", "Accept-Language": language() } };
  if (signal) init.signal = signal;
  if (apiKey()) init.headers["X-API-Key"] = apiKey();
  if (body !== undefined) {
    init.method = "POST";
    init.headers["Content-Type"] = "application/json";
    init.body = JSON.stringify(body);
  }
  let res;
  try {
    res = await fetch(path, init);
  } catch (err) {
    if (err?.name === "AbortError") throw err;
    throw new ApiError({ detail: t("error.network") }, 0);
  }
  const type = res.headers.get("content-type") || "";
  const data = type.includes("json") ? await res.json() : { detail: await res.text() };
  if (res.status === 401) document.getElementById("key-form").hidden = false; // the service wants a key
  if (!res.ok) throw new ApiError(data, res.status);
  return data;
}

/** Every item of a paginated list (at most 100 pages, to stay finite whatever happens). */
export async function fetchAll(path) {
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

/**
 * The fields each request model accepts, from the service's OpenAPI schema:
 * {RankRequest: {top: {maximum: 100, ...}, ...}, ...}. Empty when the schema cannot be read,
 * so that an optional field stays hidden rather than sent to a service that refuses it.
 */
export async function requestFields() {
  let schema;
  try {
    const res = await fetch("openapi.json", { headers: { Accept: "application/json" } });
    if (!res.ok) return {};
    schema = await res.json();
  } catch (_) {
    return {};
  }
  const out = {};
  for (const [name, model] of Object.entries(schema?.components?.schemas ?? {})) {
    if (!model?.properties) continue;
    out[name] = Object.fromEntries(Object.entries(model.properties).map(([field, spec]) => {
      const options = [spec, ...(spec.anyOf ?? [])];
      const maximum = options.find((o) => typeof o.maximum === "number")?.maximum;
      const minimum = options.find((o) => typeof o.minimum === "number")?.minimum;
      const exclusiveMinimum = options.find((o) => typeof o.exclusiveMinimum === "number")?.exclusiveMinimum;
      return [field, { maximum, minimum, exclusiveMinimum }];
    }));
  }
  return out;
}
