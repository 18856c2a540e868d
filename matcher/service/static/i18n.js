// Every label of the page in English and Japanese.
//
// Elements carry data-i18n="key" (their text), data-i18n-placeholder="key" or
// data-i18n-aria-label="key"; applyLanguage() fills them in. The chosen language is
// remembered in localStorage; the first visit follows the browser's language.

import { PREFECTURES } from "./prefectures.js";

const MESSAGES = {
  en: {
    "app.title": "Support matcher",
    "app.subtitle": "Public support programs for small and medium firms, with the reasons",
    "lang.label": "Language",
    "tabs.label": "Views",
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
    "results.schemes.intro": "In order of fit. Programs marked “possible” may be open to the firm once it gives a fact the rules need.",
    "results.possible.badge": "possible",
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
    "reach.csv.hint": "One firm per line, with a header row: field names (id, name, prefecture, municipality, address, industry, employees, capital_jpy, founded, needs, description) or the headers of a Japanese list (会社名, 所在地, 従業員数, 資本金, 設立年月日, 業種…). Other columns, such as a phone number, are kept beside each firm. The page shows how every row reads before it ranks.",
    "reach.file": "…or upload a file (CSV in any encoding, Excel, JSON)",
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
    "reach.row": "row {row}",
    "reach.rowErrors": "Rows that could not be read",
    "status.eligible": "eligible",
    "status.possible": "possible: facts missing",

    "error.general": "The request could not be completed.",
    "error.network": "The service could not be reached. Is it running?",
    "error.fix": "Please check the fields marked below.",
    "error.location": "Give a municipality or a prefecture.",
    "error.program": "Choose a program.",
    "error.csv.empty": "Paste or upload at least one firm.",
    "error.csv.row": "Row {line}: {message}",
    "error.csv.columns": "unknown column “{column}” (expected: {expected})",
    "error.csv.quote": "a quoted value is not closed",
    "error.csv.width": "{n} values but the header has {m} columns",
    "error.csv.number": "{field} must be a whole number, got “{value}”",
    "error.number": "Give a whole number of 0 or more.",
    "suggest.none": "No municipality starts with these letters.",
    "suggest.count": "{n} suggestions; use the arrow keys to choose.",
    "key.label": "API key",
    "key.form": "Access to the service",
    "key.use": "Use this key",
    "key.hint": "This service asks for a key. Your administrator can give it to you; it is kept only until you close the browser tab.",
    "field.max_distance_km": "Municipalities within (km)",
    "field.max_distance_km.hint": "Recommend only municipalities this close to the firm. Leave empty for any distance.",
    "results.print": "Print",
    "results.firm": "The firm",
    "results.link": "This result:",
    "results.distance": "distance",
    "firm.employees": "{n} employees",
    "firm.capital": "capital ¥{amount}",
    "firm.founded": "founded {date}",
    "firm.needs": "needs: {needs}",
    "card.more": "Full description",
    "card.details": "Details and sources",
    "card.loading": "Loading the details…",
    "card.benefit": "Benefit",
    "card.max": "up to ¥{amount}",
    "card.rate": "{pct}% of the costs",
    "card.free": "free of charge",
    "card.budget": "budget ¥{amount}",
    "card.costs": "eligible costs: {costs}",
    "card.application": "Application",
    "card.application.none": "the catalog gives no dates: ask the contact desk",
    "card.from": "from {date}",
    "card.until": "until {date}",
    "card.deadline": "deadline {date}",
    "card.closesIn": "closes in {n} days",
    "card.closesToday": "closes today",
    "card.closed": "closed",
    "card.fiscalYear": "fiscal year {year}",
    "card.delivered": "Delivered by",
    "card.contact": "Contact",
    "card.phone": "Tel. {phone}",
    "card.link": "Website",
    "card.conditions": "Conditions",
    "card.source": "Source",
    "card.sources": "Sources",
    "card.source.row": "row {row}",
    "card.source.record": "record {record}",
    "card.stale": "Last described in {year}: check it is still offered.",
    "card.original": "The catalog's own text, in Japanese",
    "card.rendered": "The catalog's English text, which the Japanese renders",
    "error.summary.one": "One field needs attention:",
    "error.summary.many": "{n} fields need attention:",
    "error.candidates": "Did you mean:",
    "error.range": "Give a whole number from {min} to {max}.",
    "error.atMost": "Give a whole number of at most {max}.",
    "error.positive": "Give a number greater than 0.",
    "error.date": "Give a date as YYYY-MM-DD.",
    "error.csv.header": "Header row: {message}",
    "reach.skipped": "{n} rows could not be read and were left out; every other firm was ranked.",
    "csv.type": "type",
    "csv.rank": "rank",
    "csv.id": "id",
    "csv.name": "name",
    "csv.name_ja": "name_ja",
    "csv.kind": "program_kind",
    "csv.score": "score",
    "csv.distance_km": "distance_km",
    "csv.missing": "missing",
    "csv.reasons": "reasons",
    "csv.description": "description",
    "csv.benefit": "benefit",
    "csv.deadline": "application_deadline",
    "csv.valid_until": "valid_until",
    "csv.url": "url",
    "csv.contact": "contact",
    "csv.source": "source",
    "csv.firm_id": "firm_id",
    "csv.firm_name": "firm_name",
    "csv.row": "row",
    "csv.status": "status",
    "csv.scheme": "scheme",
    "csv.possible": "possible",
    "csv.municipality": "municipality",
    "server.unknownMunicipality": "unknown municipality",
    "server.unknownMunicipalityIn": "unknown municipality in {pref}",
    "server.noneOfThisNameIn": "no local government of this name in {pref}",
    "server.ambiguousName": "ambiguous: {n} local governments have this name; give the prefecture or the 6-digit code",
    "server.ambiguousAddress": "ambiguous: {n} local governments begin this address; give the prefecture or the postal code",
    "server.noSuchCode": "no local government has this code",
    "server.unknownPrefecture": "unknown prefecture",
    "server.unknownIndustry": "unknown industry",
    "server.unknownNeed": "unknown need",
    "server.location": "a location is required: give a municipality or a prefecture",
    "server.ge": "Give a value of {n} or more.",
    "server.le": "Give a value of {n} or less.",
    "server.gt": "Give a value greater than {n}.",
    "server.lt": "Give a value less than {n}.",
    "server.integer": "Give a whole number.",
    "server.number": "Give a number.",
    "server.date": "Give a date as YYYY-MM-DD.",
    "server.boolean": "Give yes or no.",
    "server.required": "This field is required.",
    "server.unknownField": "This field is not known to the service.",
    "server.tooLong": "At most {n} characters.",
    "server.noProgram": "no program with this id in the catalog",
  },
  ja: {
    "app.title": "支援マッチャー",
    "app.subtitle": "中小企業が使える公的支援制度を、理由とともに探します",
    "lang.label": "表示言語",
    "tabs.label": "表示の切り替え",
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
    "results.schemes.intro": "適合度の高い順です。「可能性あり」の制度は、要件の判定に必要な情報を追加すれば使える可能性があります。",
    "results.possible.badge": "可能性あり",
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
    "reach.csv.hint": "1行に1社。1行目は見出しです：会社名、所在地、従業員数、資本金、設立年月日、業種、相談内容などの見出し、または項目名（id, name, municipality, address, industry, employees, capital_jpy, founded, needs…）。電話番号などほかの列は企業の横にそのまま残します。順位付けの前に、各行の読み取り結果を表示します。",
    "reach.file": "…またはファイルを選ぶ（CSV（Shift_JISも可）、Excel、JSON）",
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
    "reach.row": "データ{row}行目",
    "reach.rowErrors": "読み込めなかった行",
    "status.eligible": "対象",
    "status.possible": "情報不足（対象の可能性あり）",

    "error.general": "処理できませんでした。",
    "error.network": "サービスに接続できません。起動していますか？",
    "error.fix": "下の印の付いた項目を確認してください。",
    "error.location": "市区町村または都道府県を入力してください。",
    "error.program": "支援制度を選んでください。",
    "error.csv.empty": "企業を1社以上、貼り付けるかファイルで指定してください。",
    "error.csv.row": "データ{line}行目：{message}",
    "error.csv.columns": "不明な項目名「{column}」（使える項目：{expected}）",
    "error.csv.quote": "引用符（\"）が閉じられていません",
    "error.csv.width": "値が{n}個ありますが、1行目の項目は{m}個です",
    "error.csv.number": "{field}は整数で入力してください（入力：「{value}」）",
    "error.number": "0以上の整数を入力してください。",
    "suggest.none": "この文字で始まる市区町村はありません。",
    "suggest.count": "候補が{n}件あります。矢印キーで選べます。",
    "key.label": "APIキー",
    "key.form": "サービスの利用",
    "key.use": "このキーを使う",
    "key.hint": "このサービスにはキーが必要です。管理者に確認してください。キーはこのタブを閉じるまでだけ保存されます。",
    "field.max_distance_km": "市区町村の距離の上限（km）",
    "field.max_distance_km.hint": "企業からこの距離以内の市区町村だけをおすすめします。空欄なら距離を問いません。",
    "results.print": "印刷",
    "results.firm": "企業",
    "results.link": "この結果のURL：",
    "results.distance": "距離",
    "firm.employees": "従業員{n}人",
    "firm.capital": "資本金{amount}円",
    "firm.founded": "創業 {date}",
    "firm.needs": "ニーズ：{needs}",
    "card.more": "説明の全文",
    "card.details": "詳細と出典",
    "card.loading": "詳細を読み込んでいます…",
    "card.benefit": "支援内容",
    "card.max": "上限{amount}円",
    "card.rate": "経費の{pct}%",
    "card.free": "無料",
    "card.budget": "予算{amount}円",
    "card.costs": "対象経費：{costs}",
    "card.application": "申請",
    "card.application.none": "カタログに日付の記載がありません。窓口に確認してください",
    "card.from": "{date}から",
    "card.until": "{date}まで",
    "card.deadline": "締切 {date}",
    "card.closesIn": "締切まであと{n}日",
    "card.closesToday": "本日締切",
    "card.closed": "締切済み",
    "card.fiscalYear": "{year}年度",
    "card.delivered": "実施",
    "card.contact": "問い合わせ先",
    "card.phone": "電話 {phone}",
    "card.link": "ウェブサイト",
    "card.conditions": "要件",
    "card.source": "出典",
    "card.sources": "出典",
    "card.source.row": "{row}行目",
    "card.source.record": "レコード {record}",
    "card.stale": "最後の記載は{year}年です。現在も実施されているか確認してください。",
    "card.original": "英語の原文（カタログに日本語の説明はありません）",
    "card.rendered": "英語の原文（日本語の説明はこの訳です）",
    "error.summary.one": "確認が必要な項目が1つあります：",
    "error.summary.many": "確認が必要な項目が{n}つあります：",
    "error.candidates": "もしかして：",
    "error.range": "{min}から{max}までの整数を入力してください。",
    "error.atMost": "{max}以下の整数を入力してください。",
    "error.positive": "0より大きい数を入力してください。",
    "error.date": "日付を「年-月-日」（例：2026-04-01）の形で入力してください。",
    "error.csv.header": "見出し行：{message}",
    "reach.skipped": "読み込めなかった{n}行を除き、ほかの企業はすべて順位付けしました。",
    "csv.type": "区分",
    "csv.rank": "順位",
    "csv.id": "ID",
    "csv.name": "名称（英語）",
    "csv.name_ja": "名称",
    "csv.kind": "支援の種類",
    "csv.score": "スコア",
    "csv.distance_km": "距離（km）",
    "csv.missing": "不足している情報",
    "csv.reasons": "理由",
    "csv.description": "概要",
    "csv.benefit": "支援内容",
    "csv.deadline": "申請締切",
    "csv.valid_until": "実施期限",
    "csv.url": "URL",
    "csv.contact": "問い合わせ先",
    "csv.source": "出典",
    "csv.firm_id": "企業ID",
    "csv.firm_name": "企業名",
    "csv.row": "行",
    "csv.status": "判定",
    "csv.scheme": "おすすめの制度",
    "csv.possible": "可能性のある制度",
    "csv.municipality": "市区町村",
    "server.unknownMunicipality": "該当する市区町村がありません",
    "server.unknownMunicipalityIn": "{pref}に該当する市区町村がありません",
    "server.noneOfThisNameIn": "{pref}にはこの名前の市区町村がありません",
    "server.ambiguousName": "この名前の市区町村が{n}件あります。都道府県を選ぶか、6桁の団体コードを入力してください",
    "server.ambiguousAddress": "この住所で始まる市区町村が{n}件あります。都道府県か郵便番号を入力してください",
    "server.noSuchCode": "この団体コードの市区町村はありません",
    "server.unknownPrefecture": "該当する都道府県がありません",
    "server.unknownIndustry": "該当する業種がありません",
    "server.unknownNeed": "該当するニーズがありません",
    "server.location": "所在地が必要です。市区町村または都道府県を入力してください",
    "server.ge": "{n}以上の値を入力してください。",
    "server.le": "{n}以下の値を入力してください。",
    "server.gt": "{n}より大きい値を入力してください。",
    "server.lt": "{n}より小さい値を入力してください。",
    "server.integer": "整数を入力してください。",
    "server.number": "数値を入力してください。",
    "server.date": "日付を「年-月-日」の形で入力してください。",
    "server.boolean": "「はい」か「いいえ」を選んでください。",
    "server.required": "必須の項目です。",
    "server.unknownField": "サービスが受け付けない項目です。",
    "server.tooLong": "{n}文字以内で入力してください。",
    "server.noProgram": "このIDの制度はカタログにありません",
  },
};

// Messages of the service (English until it answers in the page's language) and the keys
// of their Japanese wording: [pattern, key, vars from the match].
const SERVER_MESSAGES = [
  [/^unknown municipality in (.+)$/, "server.unknownMunicipalityIn", (m) => ({ pref: prefectureJa(m[1]) })],
  [/^unknown municipality$/, "server.unknownMunicipality"],
  [/^no local government of this name in (.+)$/, "server.noneOfThisNameIn", (m) => ({ pref: prefectureJa(m[1]) })],
  [/^ambiguous: (\d+) local governments have this name/, "server.ambiguousName", (m) => ({ n: m[1] })],
  [/^ambiguous: (\d+) local governments begin this address/, "server.ambiguousAddress", (m) => ({ n: m[1] })],
  [/^no local government has this code/, "server.noSuchCode"],
  [/^unknown prefecture/, "server.unknownPrefecture"],
  [/^unknown industry/, "server.unknownIndustry"],
  [/^unknown need/, "server.unknownNeed"],
  [/^a location is required/, "server.location"],
  [/^Input should be greater than or equal to (-?[\d.]+)/, "server.ge", (m) => ({ n: m[1] })],
  [/^Input should be less than or equal to (-?[\d.]+)/, "server.le", (m) => ({ n: m[1] })],
  [/^Input should be greater than (-?[\d.]+)/, "server.gt", (m) => ({ n: m[1] })],
  [/^Input should be less than (-?[\d.]+)/, "server.lt", (m) => ({ n: m[1] })],
  [/^Input should be a valid integer/, "server.integer"],
  [/^Input should be a valid number/, "server.number"],
  [/^Input should be a valid date|^expected a date as YYYY-MM-DD/, "server.date"],
  [/^Input should be a valid boolean/, "server.boolean"],
  [/^this field is required|^Field required/, "server.required"],
  [/^unknown field|^Extra inputs are not permitted/, "server.unknownField"],
  [/^String should have at most (\d+) character/, "server.tooLong", (m) => ({ n: m[1] })],
  [/^no program with this id in the catalog/, "server.noProgram"],
];

function prefectureJa(name) {
  const key = String(name).trim().toLowerCase();
  return PREFECTURES.find(([code, en]) => en.toLowerCase() === key || code === key)?.[2] ?? name;
}

/**
 * A message of the service in the page's language where the page knows its words:
 * {text, lang}, lang being the language the text is in (English when it is not known).
 */
export function serverMessage(text) {
  const message = String(text ?? "").trim();
  if (current === "en") return { text: message, lang: "en" };
  for (const [pattern, key, vars] of SERVER_MESSAGES) {
    const m = pattern.exec(message);
    if (m) return { text: t(key, vars ? vars(m) : {}), lang: current };
  }
  return { text: message, lang: "en" };
}

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

/** Add labels of another view (`{en: {...}, ja: {...}}`), e.g. those of myfirms.js. */
export function addMessages(extra) {
  for (const lang of LANGS) Object.assign(MESSAGES[lang], extra[lang] ?? {});
}

/** Switch the page to `lang` and relabel every marked element; `remember` it for the next visits.
 * A "pagelanguage" event on document tells the views that draw their own contents. */
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
  document.dispatchEvent(new CustomEvent("pagelanguage", { detail: current }));
}
