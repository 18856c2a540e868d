"""How ``matcher`` prints results as text, in English or Japanese: tables that fit the terminal,
wrapped reasons, money; and ``--json``.

The words are data (:data:`WORDS`); the JSON a command prints with ``--json`` is the
library's own and keeps its English keys.
"""

from __future__ import annotations

import json
from typing import Any

import click

from matcher.cli._table import cells, table_blocks, terminal_width, wrap_cells

__all__ = ["WORDS", "echo_json", "in_order", "money", "print_explanation", "print_program", "print_ranking", "say", "stale_note", "width", "wrap"]

#: The words of the text output, per language.
WORDS: dict[str, dict[str, str]] = {
    "en": {
        "program": "program", "provider": "provider", "kind": "kind", "benefit": "benefit", "score": "score",
        "id": "id", "status": "status", "open": "open", "closed": "closed",
        "eligible": "eligible", "ineligible": "not eligible", "unknown": "unknown",
        "none": "No program in the catalog is open to this firm on this date.",
        "possible_if": "possible once the firm gives: {missing}", "missing": "missing",
        "municipalities": "Municipalities where the firm would be well supported:",
        "excluded": "Excluded ({n}):", "as_of": "as of {day}", "employees": "{n:,} employees",
        "capital": "capital ¥{n:,}", "needs": "needs: {needs}", "firm": "firm",
        "up_to": "up to ¥{n:,}", "rate": "{r:.0%}", "free": "free", "sep": ", ",
        "stale": "last described in {year}: check it is still offered",
        "description": "Description", "window": "Window", "delivered_by": "Delivered by", "contact": "Contact",
        "url": "Link", "sources": "Sources", "from": "from {day}", "until": "until {day}",
        "row": "row", "why": "why", "scored": "{n} firms scored, {skipped} rows skipped", "possible_status": "possible",
        "always": "no end date in the catalog", "eligibility": "Eligibility", "benefit_field": "Benefit",
        "budget": "budget ¥{n:,}", "costs": "eligible costs: {costs}", "original": " (the catalog's own words)", "benefit_note": "Benefit note",
        "explained": "{name} ({id}): {outcome} on {day}; score {score:.3f}", "components": "components",
        "c.text": "text", "c.needs": "needs", "c.kind": "kind", "c.industry": "industry", "c.locality": "locality",
    },
    "ja": {
        "program": "支援制度", "provider": "実施機関", "kind": "種類", "benefit": "支援内容", "score": "スコア",
        "id": "ID", "status": "状況", "open": "受付中", "closed": "受付外",
        "eligible": "対象", "ineligible": "対象外", "unknown": "未確定",
        "none": "この日にこの企業が利用できる支援はカタログにありません。",
        "possible_if": "次の情報があれば利用できる可能性: {missing}", "missing": "不足",
        "municipalities": "支援を受けやすい自治体:",
        "excluded": "対象外の支援（{n}件）:", "as_of": "基準日 {day}", "employees": "従業員 {n:,}人",
        "capital": "資本金 {n:,}円", "needs": "ニーズ: {needs}", "firm": "企業",
        "up_to": "上限 {n:,}円", "rate": "補助率 {r:.0%}", "free": "無料", "sep": "、",
        "stale": "情報は{year}年時点のもの: 現在も実施されているか確認してください",
        "description": "概要", "window": "受付期間", "delivered_by": "実施", "contact": "問い合わせ先",
        "url": "リンク", "sources": "出典", "from": "{day}から", "until": "{day}まで",
        "row": "行", "why": "理由", "scored": "{n}社を評価、{skipped}行をスキップ", "possible_status": "可能性あり",
        "always": "終了日の記載なし", "eligibility": "対象条件", "benefit_field": "支援内容",
        "budget": "予算 {n:,}円", "costs": "対象経費: {costs}", "original": "（英語の原文）", "benefit_note": "支援内容の補足",
        "explained": "{name}（{id}）: {outcome}（基準日 {day}）；スコア {score:.3f}", "components": "内訳",
        "c.text": "事業内容の一致", "c.needs": "ニーズの一致", "c.kind": "支援の種類", "c.industry": "業種",
        "c.locality": "地域",
    },
}


def say(key: str, lang: str = "en", **values: Any) -> str:
    """The output word ``key`` in ``lang``, filled with ``values``."""
    return WORDS[lang][key].format(**values)


def echo_json(data: Any) -> None:
    click.echo(json.dumps(data, ensure_ascii=False, indent=2))


def width() -> int:
    """The width text is fitted to: the terminal's columns (``COLUMNS`` honoured)."""
    return terminal_width()


def wrap(text: str, indent: int) -> str:
    """``text`` wrapped to the terminal by display width, continuation lines indented 2 more."""
    w = width()
    lines = wrap_cells(text, w - indent, w - indent - 2)
    return "\n".join([" " * indent + lines[0]] + [" " * (indent + 2) + line for line in lines[1:]])


def money(benefit: dict | None, lang: str = "en") -> str:
    if not benefit:
        return ""
    parts = []
    if benefit.get("max_amount_jpy") is not None:
        parts.append(say("up_to", lang, n=benefit["max_amount_jpy"]))
    if benefit.get("rate") is not None:
        parts.append(say("rate", lang, r=benefit["rate"]))
    if benefit.get("free_of_charge"):
        parts.append(say("free", lang))
    return say("sep", lang).join(parts)


def stale_note(item: dict, lang: str = "en") -> str | None:
    """"last described in 2005: check it is still offered" when the result says its source is old."""
    day = item.get("described_on") if item.get("stale") else None
    return say("stale", lang, year=str(day)[:4]) if day else None


def _name(item: dict, lang: str) -> str:
    return (item.get("name_ja") or item["name"]) if lang == "ja" else item["name"]


def _kind(kind: str, lang: str) -> str:
    from matcher.reasons import kind_label

    return kind_label(kind, lang)


def _firm_line(c: dict, as_of: str, lang: str) -> str:
    from profiles.geography import gazetteer
    from profiles.industries import resolve_industry
    from profiles.needs import NEEDS

    ja = lang == "ja"
    who = c.get("name") or c.get("id") or say("firm", lang)
    where = c.get("location", "")
    if ja and c.get("municipality"):
        gov = gazetteer().get(c["municipality"])
        where = f"{gov.prefecture_ja}{gov.full_name_ja}"
    elif ja and c.get("prefecture"):
        where = gazetteer().prefectures[int(c["prefecture"]) - 1].name_ja
    industry = ""
    if c.get("industry"):
        industry = f"{c['industry']} " + (resolve_industry(c["industry"]).name_ja if ja else c.get("industry_name", ""))
    labels = {n.id: (n.label_ja if ja else n.id) for n in NEEDS}
    facts = [where, industry,
             c.get("employees") is not None and say("employees", lang, n=c["employees"]),
             c.get("capital_jpy") is not None and say("capital", lang, n=c["capital_jpy"]),
             c.get("needs") and say("needs", lang, needs=say("sep", lang).join(labels.get(n, n) for n in c["needs"]))]
    sep = "；" if ja else "; "
    return f"{who}: " + sep.join(f for f in facts if f) + f"  ({say('as_of', lang, day=as_of)})"


def _outcome(cond: dict, lang: str) -> str:
    return f"[{say(cond['outcome'], lang)}] {cond['text']}"


def in_order(r: dict[str, Any]) -> list[dict[str, Any]]:
    """A ranking's eligible and possible programs in one list by ``rank`` (possible ones marked
    ``"possible": True``), as :meth:`matcher.results.Ranking.in_order` gives them."""
    items = [{**s, "possible": False} for s in r["schemes"]] + [{**p, "possible": True} for p in r["possible"]]
    return sorted(items, key=lambda x: (x.get("rank") or 10**9, x["possible"]))


def print_ranking(r: dict[str, Any], lang: str = "en") -> None:
    """A ranking as text: the firm, one table of eligible and possible programs in the firm's
    order (a possible one marked ``?`` with the facts it needs), municipalities."""
    w = width()
    sep = "；" if lang == "ja" else "; "
    click.echo(wrap(_firm_line(r["company"], r["as_of"], lang), 0))
    click.echo("")
    items = in_order(r)
    if items:
        cols = [("#", ">", 3, 0), (say("score", lang), ">", 5, 0), (say("program", lang), "<", 18, 1.6),
                (say("provider", lang), "<", 12, 1.0), (say("kind", lang), "<", 8, 0.8),
                (say("benefit", lang), "<", 8, 1.0)]
        rows = []
        for n, s in enumerate(items, 1):
            provider = (s["provider"].get("name_ja") or s["provider"]["name"]) if lang == "ja" else s["provider"]["name"]
            rows.append([f"{n}?" if s["possible"] else str(n), f"{s['score']:.3f}", _name(s, lang), provider,
                         _kind(s["kind"], lang), money(s.get("benefit"), lang)])
        head, blocks = table_blocks(rows, cols, w)
        click.echo(head)
        for s, lines in zip(items, blocks):
            click.echo(lines)
            if s["possible"]:
                missing = say("sep", lang).join(_fact(m, lang) for m in s["missing"]) or "-"
                click.echo(wrap(f"? {say('possible_if', lang, missing=missing)}", 9))
            note = stale_note(s, lang)
            if note:
                click.echo(wrap("! " + note, 9))
            click.echo(wrap(sep.join(s["reasons"][:3]), 9))
            for cond in s.get("eligibility") or []:
                click.echo(wrap(_outcome(cond, lang), 11))
        if not r["schemes"]:
            click.echo("")
            click.echo(say("none", lang))
    else:
        click.echo(say("none", lang))
    if r["municipalities"]:
        click.echo("")
        click.echo(say("municipalities", lang))
        for m in r["municipalities"]:
            click.echo(wrap(f"{m['score']:.3f}  {_municipality(m, lang)}", 4))
            click.echo(wrap(sep.join(m["reasons"][:3]), 11))
    if r.get("excluded") is not None:
        click.echo("")
        click.echo(say("excluded", lang, n=len(r["excluded"])))
        for e in r["excluded"]:
            click.echo(wrap(f"{_name(e, lang)}: {sep.join(e['failed'])}", 4))


def print_explanation(r: dict[str, Any], lang: str = "en") -> None:
    """An explanation as text: the outcome, each condition, the missing facts, the score's parts, the reasons."""
    sep = say("sep", lang)
    click.echo(wrap(say("explained", lang, name=_name(r["program"], lang), id=r["program"]["id"],
                        outcome=say(r["outcome"], lang), day=r["as_of"], score=r["score"]), 0))
    for cond in r["conditions"]:
        click.echo(wrap(_outcome(cond, lang), 2))
    if r["missing"]:
        click.echo(wrap(f"{say('missing', lang)}: {sep.join(_fact(m, lang) for m in r['missing'])}", 2))
    parts = sep.join(f"{say('c.' + k, lang) if 'c.' + k in WORDS[lang] else k} {v:.2f}"
                     for k, v in r["components"].items())
    click.echo(wrap(f"{say('components', lang)}: {parts}", 2))
    for reason in r["reasons"]:
        click.echo(wrap(reason, 2))


def _fact(fact: str, lang: str) -> str:
    from matcher.reasons import fact_label

    return fact_label(fact, lang)


def _municipality(m: dict, lang: str) -> str:
    if lang == "ja":
        from profiles.geography import gazetteer

        gov = gazetteer().get(m["code"])
        return f"{gov.prefecture_ja}{m['name_ja']}"
    return f"{m['name']} ({m['name_ja']}), {m['prefecture']}"


def _english(text: str) -> bool:
    """Whether ``text`` is English: Latin words and no kana or kanji."""
    import re

    return not re.search(r"[\u3040-\u30ff\u3400-\u9fff]", text) and bool(re.search(r"[A-Za-z]{2,}\s+[A-Za-z]{2,}", text))


def _in(d: dict[str, Any], key: str, lang: str) -> str | None:
    """``d[key]`` in ``lang``: ``d[key + "_ja"]`` in Japanese when the catalog gives it, else ``d[key]``.

    >>> _in({"note": "Firms in Kita City.", "note_ja": "北区内の企業。"}, "note", "ja")
    '北区内の企業。'
    >>> _in({"note": "Firms in Kita City."}, "note", "ja"), _in({"note_ja": "北区内の企業。"}, "note", "en")
    ('Firms in Kita City.', '北区内の企業。')
    """
    if lang == "ja":
        return d.get(key + "_ja") or d.get(key)
    return d.get(key) or d.get(key + "_ja")


def print_program(p: dict[str, Any], lang: str = "en") -> None:
    """One program's details (``matcher show``): what it gives, when, who delivers it, its sources."""
    ja = lang == "ja"
    click.echo(wrap(f"{_name(p, lang)} ({p['id']})", 0))
    provider = (p["provider"].get("name_ja") or p["provider"]["name"]) if ja else p["provider"]["name"]
    click.echo(wrap(f"{_kind(p['kind'], lang)}{say('sep', lang)}{provider}", 2))
    note = stale_note(p, lang)
    if note:
        click.echo(wrap("! " + note, 2))

    def field(key: str, text: str | None) -> None:
        if text:
            # an English text of the catalog, in Japanese output, says it is the English original
            label = say(key, lang) + (say("original", lang) if ja and _english(text) else "") + ":"
            click.echo(wrap(f"{label} {text}", 2))

    field("description", _in(p, "description", lang))
    b = p.get("benefit") or {}
    benefit = [money(b, lang), say("budget", lang, n=b["budget_jpy"]) if b.get("budget_jpy") is not None else "",
               say("costs", lang, costs=say("sep", lang).join(b["eligible_costs"])) if b.get("eligible_costs") else ""]
    field("benefit_field", say("sep", lang).join(x for x in benefit if x) or None)
    field("benefit_note", _in(b, "note", lang))
    start = p.get("application_start") or p.get("valid_from")
    end = p.get("application_deadline") or p.get("valid_until")
    window = [say("from", lang, day=start) if start else "",
              say("until", lang, day=end) if end else say("always", lang)]
    field("window", " ".join(x for x in window if x))
    d = p.get("delivered_by") or {}
    field("delivered_by", ((d.get("name_ja") or d.get("name")) if ja else (d.get("name") or d.get("name_ja")))
          or d.get("provider") or _in(d, "note", lang))
    c = p.get("contact") or {}
    c = {**c, "name": c.get("name_ja") if ja and c.get("name_ja") else c.get("name"),
         "address": c.get("address_ja") if ja and c.get("address_ja") else c.get("address")}
    field("contact", say("sep", lang).join(str(c[k]) for k in ("name", "address", "phone", "url") if c.get(k)) or None)
    field("url", p.get("url"))
    if p.get("conditions"):
        field("eligibility", ("；" if ja else "; ").join(p["conditions"]))
    else:
        field("eligibility", _in(p.get("eligibility") or {}, "note", lang))
    if p.get("source"):
        click.echo(f"  {say('sources', lang)}:")
        for s in p["source"]:
            head = s.get("file") or s.get("url") or ""
            if s.get("document_date"):
                head += f" ({s['document_date']})"
            click.echo(wrap(f"- {head}", 4))
            if s.get("quote"):
                click.echo(wrap(f"“{s['quote']}”", 6))


def fits(text: str, columns: int) -> bool:
    """Whether every line of ``text`` fits ``columns`` cells (for tests and checks)."""
    return all(cells(line) <= columns for line in text.splitlines())
