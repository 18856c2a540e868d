// Errors shown next to the fields they name, listed at the top of their form with a link
// to each; "did you mean" candidates as buttons that fill the field.

import { api } from "./api.js";
import { $, h } from "./dom.js";
import { language, pick, t } from "./i18n.js";
import { prefectureOf } from "./state.js";

// ------------------------------------------------------------------ errors next to fields

/** Show `error` ({message, lang, candidates}) below the field `id`; false if there is no such field. */
export function showFieldError(id, error) {
  const box = $(`${id}-error`);
  if (!box) return false;
  const { message, lang, candidates } = typeof error === "string" ? { message: error } : error;
  box.append(h("p", { lang: lang && lang !== language() ? lang : null }, message));
  if (candidates?.length) box.append(candidateButtons(id, candidates));
  box.hidden = false;
  const control = $(id);
  if (control) {
    control.setAttribute("aria-invalid", "true");
    const described = new Set((control.getAttribute("aria-describedby") || "").split(" ").filter(Boolean));
    described.add(box.id);
    control.setAttribute("aria-describedby", [...described].join(" "));
  }
  return true;
}

/** "Did you mean:" and a button per candidate; a button fills the field with it. */
export function candidateButtons(id, candidates) {
  const group = h("div", { class: "candidates", role: "group", "aria-label": t("error.candidates") },
    h("span", { class: "candidates-label" }, t("error.candidates")));
  for (const c of candidates.slice(0, 12)) {
    const button = h("button", { type: "button", class: "candidate", dataset: { value: c.value ?? "" } },
      c.code ? (c.labelJa && language() === "ja" ? c.labelJa : c.label) : c.label);
    button.addEventListener("click", () => useCandidate(id, c));
    group.append(button);
    if (c.code && id === "firm-municipality") {
      // The service names candidates in English: the page asks for each one's Japanese name.
      municipalityByCode(c.code).then((m) => {
        if (!m) return;
        c.municipality = m;
        c.labelJa = `${m.prefecture_ja} ${m.full_name_ja ?? m.name_ja}`;
        button.textContent = language() === "ja" ? c.labelJa : c.label;
      });
    }
  }
  return group;
}

export function useCandidate(id, c) {
  const input = $(id);
  if (!input) return;
  if (id === "firm-municipality" && c.code) {
    chooseMunicipality(c.municipality ?? { code: c.code, name: c.label.split(",")[0], name_ja: "" });
  } else {
    input.value = c.value;
    hideError(id);
  }
  input.focus();
}

const municipalityCache = new Map();
/** A local government's names by its code (GET v1/municipalities/{code}), or null. */
export function municipalityByCode(code) {
  if (!municipalityCache.has(code)) {
    municipalityCache.set(code, api(`v1/municipalities/${encodeURIComponent(code)}`).catch(() => null));
  }
  return municipalityCache.get(code);
}

export function hideError(id) {
  const box = $(`${id}-error`);
  if (box) { box.hidden = true; box.replaceChildren(); }
  $(id)?.removeAttribute("aria-invalid");
}

export function clearErrors(form) {
  for (const box of form.querySelectorAll(".field-error, .form-error")) {
    box.hidden = true;
    box.replaceChildren();
  }
  for (const el of form.querySelectorAll("[aria-invalid]")) el.removeAttribute("aria-invalid");
}

export function showFormError(form, message, lang) {
  const box = $(`${form.id}-error`);
  box.append(h("p", { lang: lang && lang !== language() ? lang : null }, message));
  box.hidden = false;
}

/** Every error of a form: beside its field, and listed at the top with a link to each field. */
export function showErrors(form, errors) {
  const placed = [];
  for (const { id, error } of errors) {
    if (id && showFieldError(id, error)) placed.push({ id, error });
    else showFormError(form, error.message, error.lang);
  }
  if (!placed.length) return;
  const fields = [...new Set(placed.map((p) => p.id))];
  const box = $(`${form.id}-error`);
  box.prepend(h("p", {}, fields.length === 1 ? t("error.summary.one") : t("error.summary.many", { n: fields.length })),
    h("ul", { class: "error-summary" }, placed.map(({ id, error }) => h("li", {},
      h("a", { href: `#${id}`, onclick: (ev) => { ev.preventDefault(); focusControl(id); } },
        `${fieldLabel(id)}: `, h("span", { lang: error.lang && error.lang !== language() ? error.lang : null }, error.message))))));
  box.hidden = false;
  focusControl(placed[0].id);
}

export function fieldLabel(id) {
  const label = document.querySelector(`label[for="${id}"]`) ?? $(id)?.querySelector("legend");
  return label?.textContent?.trim() ?? id;
}

export function focusControl(id) {
  const el = $(id);
  if (!el) return;
  el.closest("details")?.setAttribute("open", "");
  (el.matches("fieldset") ? el.querySelector("input, select, textarea") : el)?.focus();
}

export function focusField(field) {
  const el = $(`firm-${field}`);
  if (!el) return;
  focusControl(`firm-${field}`);
  el.scrollIntoView({ block: "center" });
}

/** Put a local government in the municipality field (its code is what is sent). */
export function chooseMunicipality(m) {
  const input = $("firm-municipality");
  input.value = pick(m.name, m.name_ja) || m.code;
  Object.assign(input.dataset, { code: m.code, nameEn: m.name ?? "", nameJa: m.name_ja ?? "" });
  const p = prefectureOf(m.prefecture_code ?? m.prefecture) ?? prefectureOf(String(m.code).slice(0, 2));
  if (p) $("firm-prefecture").value = p[0];
  hideError("firm-municipality");
}

