// Every label of the page in English and Japanese.
//
// Elements carry data-i18n="key" (their text), data-i18n-placeholder="key" or
// data-i18n-aria-label="key"; applyLanguage() fills them in. The chosen language is
// remembered in localStorage; the first visit follows the browser's language.

const MESSAGES = {
  en: {
    "app.title": "Support matcher",
    "app.subtitle": "Public support programs for small and medium firms, with the reasons",
    "lang.label": "Language",
    "tab.rank": "Find support for a firm",
    "tab.reach": "Whom to call about a program",

    "firm.legend": "The firm",
    "firm.intro": "Only the location is required. Leave a field empty when you do not know it: a missing fact is never taken as zero.",
    "field.name": "Firm name",
    "field.municipality": "Municipality",
    "field.municipality.hint": "Type the first letters in English, Japanese or kana, then pick from the list.",
    "field.prefecture": "Prefecture",
    "field.prefecture.any": "— not chosen —",
    "field.industry": "Industry",
    "field.industry.none": "— not chosen —",
    "field.employees": "Employees",
    "field.capital_jpy": "Capital (yen)",
    "field.founded": "Founded",
    "field.needs": "What the firm needs",
    "field.description": "Description",
    "field.description.hint": "What the firm does and what it wants, in its own words (English or Japanese).",
    "field.environment_conscious": "Environment-conscious business",
    "field.seeking_location": "Looking for a new business site",
    "field.unknown": "not known",
    "field.yes": "yes",
    "field.no": "no",
    "field.as_of": "Programs open on",
    "field.top": "How many programs",
    "field.options": "More options",
    "rank.submit": "Find support",
    "rank.busy": "Looking for support…",

    "results.schemes": "Recommended programs",
    "results.schemes.none": "No program is open to this firm on that date.",
    "results.possible": "Possible if you provide…",
    "results.possible.intro": "These programs may be open to the firm; the rules need facts that were not given.",
    "results.possible.none": "Nothing is waiting on a missing fact.",
    "results.provide": "Provide:",
    "results.municipalities": "Where the firm would be well supported",
    "results.municipalities.none": "No municipality to recommend.",
    "results.export": "Download as CSV",
    "results.for": "Results for {firm}, programs open on {date}",
    "results.score": "score",
    "results.reasons": "Why",
    "results.provider": "Offered by",
    "results.benefit": "Up to ¥{amount}",
    "results.km": "{km} km away",

    "component.text": "Description match",
    "component.needs": "Needs served",
    "component.kind": "Kind of support",
    "component.industry": "Industry",
    "component.locality": "Locality",
    "component.support": "Local support",
    "component.assets": "Local assets",
    "component.distance": "Distance",

    "reach.legend": "A program and the firms to consider",
    "reach.program": "Program",
    "reach.program.choose": "— choose a program —",
    "reach.csv": "Firms (CSV)",
    "reach.csv.hint": "One firm per line, with a header row of field names: id, name, prefecture, municipality, industry, employees, capital_jpy, founded, needs, description, environment_conscious, seeking_location. Separate several needs with “;”.",
    "reach.file": "…or upload a CSV file",
    "reach.example": "Insert an example",
    "reach.top": "How many firms",
    "reach.submit": "Whom to call first",
    "reach.busy": "Ranking the firms…",
    "reach.results": "Whom to call first",
    "reach.results.for": "{n} firms read for {program}; those that cannot use it are not listed.",
    "reach.none": "No firm in the list can use this program.",
    "reach.rank": "#",
    "reach.firm": "Firm",
    "reach.status": "Status",
    "reach.score": "Score",
    "reach.why": "Why",
    "reach.row": "line {row}",
    "reach.rowErrors": "Rows that could not be read",
    "status.eligible": "eligible",
    "status.possible": "possible: facts missing",

    "error.general": "The request could not be completed.",
    "error.network": "The service could not be reached. Is it running?",
    "error.fix": "Please check the fields marked below.",
    "error.location": "Give a municipality or a prefecture.",
    "error.program": "Choose a program.",
    "error.csv.empty": "Paste or upload at least one firm.",
    "error.csv.row": "Line {line}: {message}",
    "error.csv.columns": "unknown column “{column}” (expected: {expected})",
    "error.csv.quote": "a quoted value is not closed",
    "error.csv.width": "{n} values but the header has {m} columns",
    "error.csv.number": "{field} must be a whole number, got “{value}”",
    "error.number": "Give a whole number of 0 or more.",
    "suggest.none": "No municipality starts with these letters.",
    "suggest.count": "{n} suggestions; use the arrow keys to choose.",
    "key.label": "API key",
    "key.use": "Use this key",
    "key.hint": "This service asks for a key. Your administrator can give it to you; it is kept only until you close the browser tab.",
  },
  ja: {
    "app.title": "支援マッチャー",
    "app.subtitle": "中小企業が使える公的支援制度を、理由とともに探します",
    "lang.label": "表示言語",
    "tab.rank": "企業に合う支援を探す",
    "tab.reach": "制度を案内すべき企業を探す",

    "firm.legend": "企業の情報",
    "firm.intro": "必須なのは所在地だけです。分からない項目は空欄のままにしてください（空欄をゼロとは見なしません）。",
    "field.name": "企業名",
    "field.municipality": "市区町村",
    "field.municipality.hint": "英語・漢字・かなの先頭の数文字を入力し、候補から選んでください。",
    "field.prefecture": "都道府県",
    "field.prefecture.any": "— 未選択 —",
    "field.industry": "業種",
    "field.industry.none": "— 未選択 —",
    "field.employees": "従業員数",
    "field.capital_jpy": "資本金（円）",
    "field.founded": "創業日",
    "field.needs": "企業のニーズ",
    "field.description": "事業内容",
    "field.description.hint": "事業の内容と、やりたいことを自由に書いてください（日本語・英語）。",
    "field.environment_conscious": "環境配慮型の事業者",
    "field.seeking_location": "新しい事業用地を探している",
    "field.unknown": "不明",
    "field.yes": "はい",
    "field.no": "いいえ",
    "field.as_of": "基準日（この日に募集中の制度）",
    "field.top": "表示する制度の数",
    "field.options": "詳細設定",
    "rank.submit": "支援を探す",
    "rank.busy": "支援制度を探しています…",

    "results.schemes": "おすすめの支援制度",
    "results.schemes.none": "この日にこの企業が使える制度はありません。",
    "results.possible": "情報を追加すれば使える可能性がある制度",
    "results.possible.intro": "要件の判定に必要な情報が足りない制度です。",
    "results.possible.none": "不足している情報はありません。",
    "results.provide": "必要な情報：",
    "results.municipalities": "支援が手厚い市区町村",
    "results.municipalities.none": "おすすめできる市区町村はありません。",
    "results.export": "CSVでダウンロード",
    "results.for": "{firm}の結果（{date}時点で募集中の制度）",
    "results.score": "スコア",
    "results.reasons": "理由",
    "results.provider": "実施機関",
    "results.benefit": "上限 {amount}円",
    "results.km": "{km} km",

    "component.text": "事業内容の一致",
    "component.needs": "ニーズの一致",
    "component.kind": "支援の種類",
    "component.industry": "業種",
    "component.locality": "地域",
    "component.support": "地元の支援",
    "component.assets": "地域資源",
    "component.distance": "距離",

    "reach.legend": "制度と候補企業",
    "reach.program": "支援制度",
    "reach.program.choose": "— 制度を選んでください —",
    "reach.csv": "企業の一覧（CSV）",
    "reach.csv.hint": "1行に1社。1行目は項目名です：id, name, prefecture, municipality, industry, employees, capital_jpy, founded, needs, description, environment_conscious, seeking_location。ニーズが複数あるときは「;」で区切ります。",
    "reach.file": "…またはCSVファイルを選ぶ",
    "reach.example": "記入例を入れる",
    "reach.top": "表示する企業の数",
    "reach.submit": "案内すべき企業を探す",
    "reach.busy": "企業を順位付けしています…",
    "reach.results": "先に連絡すべき企業",
    "reach.results.for": "{program}：{n}社を読み込みました（この制度を使えない企業は表示していません）。",
    "reach.none": "一覧の中にこの制度を使える企業はありません。",
    "reach.rank": "順位",
    "reach.firm": "企業",
    "reach.status": "判定",
    "reach.score": "スコア",
    "reach.why": "理由",
    "reach.row": "{row}行目",
    "reach.rowErrors": "読み込めなかった行",
    "status.eligible": "対象",
    "status.possible": "情報不足（対象の可能性あり）",

    "error.general": "処理できませんでした。",
    "error.network": "サービスに接続できません。起動していますか？",
    "error.fix": "下の印の付いた項目を確認してください。",
    "error.location": "市区町村または都道府県を入力してください。",
    "error.program": "支援制度を選んでください。",
    "error.csv.empty": "企業を1社以上、貼り付けるかファイルで指定してください。",
    "error.csv.row": "{line}行目：{message}",
    "error.csv.columns": "不明な項目名「{column}」（使える項目：{expected}）",
    "error.csv.quote": "引用符（\"）が閉じられていません",
    "error.csv.width": "値が{n}個ありますが、1行目の項目は{m}個です",
    "error.csv.number": "{field}は整数で入力してください（入力：「{value}」）",
    "error.number": "0以上の整数を入力してください。",
    "suggest.none": "この文字で始まる市区町村はありません。",
    "suggest.count": "候補が{n}件あります。矢印キーで選べます。",
    "key.label": "APIキー",
    "key.use": "このキーを使う",
    "key.hint": "このサービスにはキーが必要です。管理者に確認してください。キーはこのタブを閉じるまでだけ保存されます。",
  },
};

// Labels of the program kinds and of the facts a rule may need, used when the API's
// vocabulary does not carry them.
const KINDS = {
  subsidy: ["subsidy", "補助金"], interest_subsidy: ["interest subsidy", "利子補給"],
  loan: ["loan", "融資"], tax_incentive: ["tax incentive", "税制優遇"],
  consulting: ["consulting", "相談"], expert_dispatch: ["expert dispatch", "専門家派遣"],
  seminar: ["seminar", "セミナー"], training: ["training", "研修"], matching: ["matching", "マッチング"],
  listing: ["listing", "企業紹介サイト"], site_information: ["site information", "立地情報"],
  networking: ["networking", "交流"], incubation: ["incubation", "インキュベーション"],
  export_support: ["export support", "海外展開支援"], collaboration: ["collaboration", "連携"],
  information: ["information", "情報提供"], publicity: ["publicity", "広報"],
  cluster_project: ["cluster project", "クラスター事業"], legal_framework: ["legal framework", "法制度"],
};

const LANGS = ["en", "ja"];
const STORAGE_KEY = "shien-matcher.lang";
let current = "en";

/** The language to start with: the remembered one, else the browser's. */
export function initialLanguage() {
  try {
    const saved = localStorage.getItem(STORAGE_KEY);
    if (LANGS.includes(saved)) return saved;
  } catch (_) { /* storage may be disabled */ }
  const browser = (navigator.languages && navigator.languages[0]) || navigator.language || "en";
  return browser.toLowerCase().startsWith("ja") ? "ja" : "en";
}

export function language() {
  return current;
}

/** The label `key` in the current language, with {placeholders} filled from `vars`. */
export function t(key, vars = {}) {
  const text = MESSAGES[current][key] ?? MESSAGES.en[key] ?? key;
  return text.replace(/\{(\w+)\}/g, (m, name) => (name in vars ? String(vars[name]) : m));
}

/** The label of a program kind. */
export function kindLabel(kind) {
  const pair = KINDS[kind];
  if (!pair) return kind.replaceAll("_", " ");
  return current === "ja" ? pair[1] : pair[0];
}

/** Pick the English or Japanese one of two names, falling back to the other. */
export function pick(en, ja) {
  return current === "ja" ? (ja || en) : (en || ja);
}

/** Switch the page to `lang` and relabel every marked element; `remember` it for the next visits. */
export function applyLanguage(lang, remember = false) {
  current = LANGS.includes(lang) ? lang : "en";
  if (remember) {
    try { localStorage.setItem(STORAGE_KEY, current); } catch (_) { /* not remembered */ }
  }
  document.documentElement.lang = current;
  for (const el of document.querySelectorAll("[data-i18n]")) el.textContent = t(el.dataset.i18n);
  for (const el of document.querySelectorAll("[data-i18n-placeholder]")) el.placeholder = t(el.dataset.i18nPlaceholder);
  for (const el of document.querySelectorAll("[data-i18n-aria-label]")) el.setAttribute("aria-label", t(el.dataset.i18nAriaLabel));
  document.title = t("app.title");
}
