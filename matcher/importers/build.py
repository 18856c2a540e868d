"""One source record to one catalog program: values the source gives, then the text's readings.

A format reader turns each record of its input into a :class:`Record`: values the source gives as
fields (``given``: dotted program path → value, column, quote) and texts by role (``texts``: the
program's name, purpose, applicant text, eligible costs, cost shares, any other text).
:func:`build_program` then reads the texts (applicants, places, size, industries, target groups,
shares, ceiling, dates, needs, kind) into a :class:`~matcher.importers.draft.Draft`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from matcher.importers.applicants import NON_FIRM, ApplicantReading, body_words, finalize_types, firm_kinds, read_applicants
from matcher.importers.draft import DEFAULT, EXTRACTED, GIVEN, Draft
from matcher.importers.limits import read_industries, read_places, read_regions, read_size
from matcher.importers.money import read_ceilings, read_period, read_rate, read_shares
from matcher.importers.text import Sentence, data, normalize, section_body, sentences
from profiles.audiences import TARGET_GROUPS
from profiles.needs import needs_in_text

__all__ = ["Record", "SkipRecord", "build_program", "ROLES"]

#: The text roles a reader may fill.
ROLES = ("name", "purpose", "applicants", "costs", "shares", "period", "other")


class SkipRecord(Exception):
    """A record that gives no program (no name): the reason is reported with its row."""


@dataclass
class Record:
    """One record of an input, as a format reader gives it."""

    file: str
    key: str
    row: int | None = None
    record: str | None = None
    given: dict[str, tuple[Any, str, str]] = field(default_factory=dict)
    texts: dict[str, list[tuple[str, str]]] = field(default_factory=dict)
    defaults: dict[str, tuple[Any, str, str]] = field(default_factory=dict)
    kind: str = "subsidy"

    def text(self, role: str, field: str, value: str | None) -> None:
        if value and str(value).strip():
            self.texts.setdefault(role, []).append((field, str(value)))

    def sentences(self, *roles: str) -> list[Sentence]:
        return [s for role in roles for f, t in self.texts.get(role, []) for s in sentences(t, f)]


def _cite_all(d: Draft, path: str, sents: list[Sentence]) -> None:
    for s in sents:
        d.cite(path, s.field, s.quote)


def _beneficiaries(sents: list[Sentence]) -> ApplicantReading | None:
    """Firms (or people) a text says a program is for, when an intermediary receives the money."""
    kinds = set(firm_kinds()) | {"firm"}
    reading = read_applicants(sents)
    types = [t for t in reading.types if t in kinds]
    if not types and not reading.groups and not reading.rules:
        return None
    reading.types = types
    return reading


@lru_cache(maxsize=1)
def _for_people() -> re.Pattern:
    """People named as whom a body's work is for: 「都民向け相談窓口」, 「住民に対する」 (the words of
    applicants.yaml that are people and nothing else)."""
    words = sorted((w for w, v in data("applicants")["words"].items() if v.get("types") == ["individual"]
                    and not v.get("groups")), key=len, reverse=True)
    return re.compile("(" + "|".join(map(re.escape, map(normalize, words))) + r")(?:向け|に対する|に対して|に対し|への)")


def _people(context: list[Sentence]) -> ApplicantReading | None:
    """A grant paid to a body for work it does for people, not firms (「都民向け相談窓口の運営」)."""
    for s in context:
        m = _for_people().search(s.norm)
        if m:
            reading = read_applicants([Sentence(s.field, s.quote, m.group(1))])
            if reading.types == ["individual"]:
                reading.quotes = {"types": [s]}
                return reading
    return None


#: a scheme a delivery body runs for others with the money (助成事業, 支援事業, 融資事業 ...)
_SCHEME = re.compile(r"(?:助成|補助|支援|融資|派遣|相談|給付|奨励)事業(?!者)")
_PASS_ON = re.compile(r"区市町村(?:等)?が(.{1,40}?)(?:に対して|に対し|へ|に)(?:行う|実施する)?(?:補助|助成|交付|支援)")


def _applicants(rec: Record, d: Draft) -> ApplicantReading:
    sents = rec.sentences("applicants")
    reading = read_applicants(sents)
    context = rec.sentences("purpose", "costs", "name")
    if reading.through:
        d.put("delivered_by", {"name_ja": reading.through}, EXTRACTED)
        _cite_all(d, "delivered_by", reading.quotes.get("through", []))
        if not (reading.types or reading.rules or reading.groups):  # 「私学財団を通じて…対象者に補助」
            bodies = body_words()
            served = next((b for w, b in bodies if w in normalize(reading.through) and b.get("serves")), None)
            if served is not None:
                reading.types = list(served["serves"])
                reading.quotes["types"] = reading.quotes.get("through", [])
    elif reading.bodies and not [t for t in reading.types if t not in ("support_body", "public_body")]:
        body = reading.bodies[0]
        own = any(normalize(w) in s.norm for w in data("bodies")["own_costs"] for s in rec.sentences("name"))
        named = _name_applicants(rec)
        if not own and named is not None:  # 「ZEV普及促進事業（個人・区市町村分）に係る事務費補助」
            return _delivered(d, {"name": body["name"], "name_ja": body["name_ja"]}, reading.quotes.get("bodies", []),
                              named, extend=False)
        if _own_activity(rec):
            # the body's own publicity (「MICE関連事業者等に対するPR活動に要する経費」): no program for firms
            reading.types = ["public_body"]
            reading.quotes["types"] = reading.quotes.get("bodies", [])
            return reading
        end = None if own else (_beneficiaries(context) or _people(context))
        if end is not None:
            reading = _delivered(d, {"name": body["name"], "name_ja": body["name_ja"]}, reading.quotes.get("bodies", []),
                                 end)
        else:
            reading.types = ["support_body"]
            reading.quotes["types"] = reading.quotes.get("bodies", [])
            if body.get("groups") and not reading.groups:  # the fisheries federation serves fishers
                lines = _line_groups(context)  # 「認証水産物の販路開拓」: of those, the ones the text names
                narrow = [g for g in (lines[0] if lines else []) if g in body["groups"]]
                reading.groups = narrow or list(body["groups"])
                reading.quotes["groups"] = [lines[1]] if narrow else reading.quotes.get("bodies", [])
    elif reading.types == ["support_body"] and not (reading.rules or reading.groups):
        # a support body the bodies list does not name (「統括支援機関」): the firms or people the text
        # says it works for, through it; otherwise a body that may run it for firms (ask it)
        quotes = reading.quotes.get("types", [])
        end = _beneficiaries(context) or _people(context)
        if end is not None and quotes:
            reading = _delivered(d, {"name_ja": section_body(quotes[0].quote).strip()}, quotes, end)
    elif reading.named and set(reading.types) == {"named_body"}:
        # one organisation named by its legal form and proper name, not a known delivery body: the
        # program is its own unless the text names a scheme it runs (助成事業) or a business's share
        # of the cost, and the firms it is for
        own = any(normalize(w) in s.norm for w in data("bodies")["own_costs"] for s in rec.sentences("name"))
        scheme = any(_SCHEME.search(s.norm) for s in rec.sentences("name", "purpose", "costs")) or any(
            _BUSINESS_PAYER.search(s.norm) for s in rec.sentences("shares"))
        end = _beneficiaries(context) if scheme and not own else None
        if end is not None:
            reading = _delivered(d, {"name_ja": reading.named[0][0]}, reading.quotes.get("types", []), end)
    elif reading.types == ["municipality"]:
        for s in context:
            m = _PASS_ON.search(s.norm)
            if not m:
                continue
            end = read_applicants([Sentence(s.field, s.quote, m.group(1))])
            if end.types or end.groups:
                end.quotes = {k: [s] for k in ("types", "rules", "groups")}
                reading = _delivered(d, {"name_ja": "区市町村", "note": "paid through the municipality",
                                         "note_ja": "区市町村を通じて支給"}, [s], end, extend=False)
                break
        else:
            end = _business_share(rec, context)
            note = "paid through the municipality; the business bears a share of the cost"
            note_ja = "区市町村を通じて支給（事業者も経費の一部を負担）"
            if end is None:
                end = _line_of_business(rec.sentences("name", "purpose", "costs"))
                note = "paid to the municipality for a line of business it supports: ask it"
                note_ja = "区市町村が支援する業種について区市町村に支給：区市町村に問い合わせてください"
            if end is not None:
                reading = _delivered(d, {"name_ja": "区市町村", "note": note, "note_ja": note_ja},
                                     end.quotes["through"][:1], end, extend=False)
    if "support_body" in reading.types and "delivered_by" not in d.data and _own_activity(rec):
        # 「行事開催経費」 of 「木材団体連合会」: a body's own events or publicity, run for no firm
        reading.types = list(dict.fromkeys("organization" if t == "support_body" else t for t in reading.types))
    if set(reading.types) <= {"firm", "individual", *firm_kinds()} and not reading.rules and not reading.groups:
        _facility_groups(reading, context, sents)
    return reading


def _own_activity(rec: Record) -> bool:
    """Whether the eligible costs are a body's own publicity or events (bodies.yaml ``own_activities``),
    or its purpose is running a committee of its own (``own_purposes``: 「…審査会の運営補助」)."""
    bodies = data("bodies")
    return any(normalize(w) in s.norm for w in bodies["own_activities"] for s in rec.sentences("costs")) or any(
        normalize(w) in s.norm for w in bodies["own_purposes"] for s in rec.sentences("purpose"))


def _delivered(d: Draft, by: dict, quotes: list[Sentence], end: ApplicantReading,
               extend: bool = True) -> ApplicantReading:
    """Write ``delivered_by`` (apply through ``by``), citing ``quotes``; the firms it is for are
    ``end``, whose applicant types also cite them when ``extend``."""
    d.put("delivered_by", by, EXTRACTED)
    _cite_all(d, "delivered_by", quotes)
    if extend:
        end.quotes.setdefault("types", []).extend(quotes)
    return end


_NAME_PART = re.compile(r"[(（]([^()（）]{1,20}?)(?:分|向け|用)?[)）]")


def _name_applicants(rec: Record) -> ApplicantReading | None:
    """Applicants a program's name says in parentheses (「…（個人・区市町村分）」, 「…（民間団体）」):
    read when they name applicant types and nothing else (not 「（都単）」 or 「（国庫補助分）」)."""
    for s in rec.sentences("name"):
        for m in _NAME_PART.finditer(s.norm):
            reading = read_applicants([Sentence(s.field, s.quote, m.group(1))])
            if reading.types and not reading.bodies and not reading.named:
                reading.quotes = {k: [s] for k in ("types", "rules", "groups")}
                return reading
    return None


def _line_of_business(context: list[Sentence]) -> ApplicantReading | None:
    """A grant paid to 区市町村 for a line of business of its own (「都市農業が持つ多面的機能の強化」,
    「保育サービスの質の向上」, 「商店街等が防犯設備を整備する経費」): the municipality passes it on to
    the farms, nurseries or shopping streets it names (間接補助), the exclusive target groups of
    audiences.yaml that the text's words show."""
    own = tuple(normalize(w) for w in data("applicants")["municipal_own"])
    if any(w in s.norm for s in context for w in own):
        return None
    found = _line_groups(context)
    if found is None:
        return None
    groups, s = found
    return ApplicantReading(types=["firm"], groups=groups, quotes={"types": [s], "groups": [s], "through": [s]})


def _line_groups(context: list[Sentence]) -> tuple[list[str], Sentence] | None:
    """The exclusive target groups (lines of business) the first sentence naming one shows."""
    words = _target_group_words()
    for s in context:
        groups = [g for g, ws in words.items() if TARGET_GROUPS.get(g) and TARGET_GROUPS[g].exclusive
                  and any(w in s.norm for w in ws)]
        if groups:
            return groups, s
    return None


def _facility_groups(reading: ApplicantReading, context: list[Sentence], sents: list[Sentence]) -> None:
    """Businesses of any form (民間事業者) that the applicant text or the purpose places in a line of
    business of its own (「介護職員…に手当を支給する事業者」, a care provider; 「児童福祉施設等の非常用電源
    等の整備促進」, a nursery's; 「マンションの耐震化」, a building owner's): the businesses are the ones
    that run it, an exclusive target group of audiences.yaml."""
    own = _line_groups(sents)
    if own is not None:
        reading.groups, reading.quotes["groups"] = own[0], [own[1]]
        return
    found = read_applicants(context)
    groups = [g for g in found.groups if TARGET_GROUPS[g].exclusive]
    if groups:
        reading.groups = groups
        reading.quotes["groups"] = found.quotes.get("groups", [])


#: a payer of a cost share that is the business the municipality passes the grant on to (間接補助)
_BUSINESS_PAYER = re.compile(r"(?:^|[\s、,:;（(）)])(?:補助)?(?:事業者|事業主|設置者|運営者|商店街)(?:等)?\s*\d+\s*/\s*\d+")


def _business_share(rec: Record, context: list[Sentence]) -> ApplicantReading | None:
    """A grant paid to 区市町村 whose cost shares name the business's own share (都1/2、区市町村1/4、
    事業者1/4): the municipality passes it on to businesses, the ones its purpose names when it
    names some (保育所 → childcare providers)."""
    for share in rec.sentences("shares"):
        if _BUSINESS_PAYER.search(share.norm):
            end = _beneficiaries(context) or ApplicantReading()
            if not end.types:
                end.types = ["firm"]
            if not end.groups:
                end.groups = read_applicants(context).groups
            if not end.groups:
                lines = _line_groups(context)
                if lines:
                    end.groups, end.quotes["groups"] = lines[0], [lines[1]]
            end.quotes = {**end.quotes, "types": [share], "through": [share]}
            if end.groups:
                end.quotes.setdefault("groups", read_applicants(context).quotes.get("groups", []))
            return end
    return None


def _write_applicants(rec: Record, d: Draft, reading: ApplicantReading) -> None:
    types, rules = finalize_types(reading)
    quotes = reading.quotes.get("types", [])
    if types:
        d.put("eligibility.applicant_types", types, EXTRACTED)
        _cite_all(d, "eligibility.applicant_types", quotes)
    elif "firm" in reading.types:  # any business: read, and no restriction to write
        d.status["eligibility.applicant_types"] = EXTRACTED
        _cite_all(d, "eligibility.applicant_types", quotes)
    if rules:
        d.put("eligibility.rule_sets", rules, EXTRACTED)
        _cite_all(d, "eligibility.rule_sets", reading.quotes.get("rules", []))
    if reading.groups:
        d.put("eligibility.target_groups", reading.groups, EXTRACTED)
        _cite_all(d, "eligibility.target_groups", reading.quotes.get("groups", []))
    column = rec.given.get("eligibility.applicant_types")
    if not reading.types and not rules and not reading.groups:
        if column and column[0]:
            types, _ = finalize_types(ApplicantReading(types=list(column[0])))
            if types:
                d.put("eligibility.applicant_types", types, GIVEN, column[1], column[2])
            else:  # any business: given, and no restriction to write
                d.status["eligibility.applicant_types"] = GIVEN
                d.cite("eligibility.applicant_types", column[1], column[2])
        for f, text in rec.texts.get("applicants", []):
            d.mark_unread("applicant types", f, text)


def _write_places(rec: Record, d: Draft) -> None:
    places = read_places(rec.sentences("applicants"))
    if not places.regions and not places.municipalities:
        named = read_regions(rec.sentences("name", "purpose", "costs"))
        if named.regions:
            places.regions, places.quotes["regions"] = named.regions, named.quotes["regions"]
    wrote = False
    for kind, path in (("regions", "eligibility.regions"), ("municipalities", "eligibility.municipalities"),
                       ("prefectures", "eligibility.prefectures")):
        values = getattr(places, kind)
        if kind == "prefectures" and (places.regions or places.municipalities):
            continue  # a narrower place already says Tokyo
        if values:
            d.put(path, values, EXTRACTED)
            _cite_all(d, path, places.quotes.get(kind, []))
            wrote = True
    if not wrote:
        for path, (value, f, quote) in rec.defaults.items():
            if path.startswith("eligibility.") and path not in d.status:
                d.put(path, value, DEFAULT, f, quote)


def _write_size(rec: Record, d: Draft) -> None:
    size = read_size(rec.sentences("applicants", "purpose", "other"))
    for attr, path in (("employees", "eligibility.employees"), ("capital_jpy", "eligibility.capital_jpy"),
                       ("years", "eligibility.years_in_business")):
        bound = getattr(size, attr)
        if bound is None or path in d.status:
            continue
        low, high = bound
        d.put(path, {k: v for k, v in (("min", low), ("max", high)) if v is not None}, EXTRACTED)
        s = size.quotes[attr]
        d.cite(path, s.field, s.quote)
    for what, s in size.unread:
        d.mark_unread(what, s.field, s.quote)


def _write_industries(rec: Record, d: Draft) -> None:
    if "eligibility.industries" in d.status:
        return
    found = read_industries(rec.sentences("applicants"))
    if found.codes:
        d.put("eligibility.industries", found.codes, EXTRACTED)
        d.put("industries", found.codes, EXTRACTED)
        _cite_all(d, "eligibility.industries", found.quotes)
        _cite_all(d, "industries", found.quotes)


@lru_cache(maxsize=1)
def _target_group_words() -> dict[str, tuple[str, ...]]:
    """Words of each target group: the importer's list and audiences.yaml's ``words_ja``."""
    table = {k: list(v) for k, v in data("target_groups")["target_groups"].items()}
    for gid, group in TARGET_GROUPS.items():
        table.setdefault(gid, []).extend(w for w in group.words_ja if w not in table[gid])
    return {k: tuple(normalize(w) for w in v) for k, v in table.items()}


def _write_groups(rec: Record, d: Draft) -> None:
    sents = rec.sentences("name", "purpose", "applicants")
    for gid, words in _target_group_words().items():
        for s in sents:
            if any(w in s.norm for w in words):
                d.put("target_groups", [gid], EXTRACTED, s.field, s.quote)
                break
    for gid in d.get("eligibility.target_groups", []):
        if gid not in d.get("target_groups", []):
            d.put("target_groups", [gid], EXTRACTED)


def _for_firms_directly(d: Draft) -> bool:
    types = d.get("eligibility.applicant_types", [])
    return "delivered_by" not in d.data and not (types and all(t in NON_FIRM for t in types))


def _write_benefit(rec: Record, d: Draft) -> None:
    for f, text in rec.texts.get("shares", []):
        body = section_body(text)
        reading = read_shares(body)
        if reading.shares is None:
            d.mark_unread("cost shares", f, text)
            continue
        payer = (d.get("provider") or {}).get("id", "program")
        shares = [{k: v for k, v in (("payer", s["payer"] or payer), ("payer_ja", s["payer_ja"]),
                                      ("rate", s["rate"]), ("text", s["text"])) if v is not None}
                  for s in reading.shares]
        d.put("benefit.shares", shares, EXTRACTED, f, text)
        rate = read_rate(reading.shares)
        if rate is not None and _for_firms_directly(d) and "benefit.rate" not in d.status:
            d.put("benefit.rate", rate, EXTRACTED, f, text)
        break
    if "benefit.max_amount_jpy" not in d.status:
        found: dict[int, Sentence] = {}
        for s in rec.sentences("shares", "costs", "other"):
            for amount in read_ceilings(s.quote):
                found.setdefault(amount, s)
        if len(found) == 1:
            (amount, s), = found.items()
            d.put("benefit.max_amount_jpy", amount, EXTRACTED, s.field, s.quote)
        elif found:
            for s in dict.fromkeys(found.values()):
                d.mark_unread("ceiling (several amounts)", s.field, s.quote)
    for f, text in rec.texts.get("costs", []):
        body = section_body(text).strip()
        if body:
            d.put("benefit.eligible_costs", [body], EXTRACTED, f, text)


def _write_dates(rec: Record, d: Draft) -> None:
    if "application_deadline" in d.status:
        return
    for s in rec.sentences("period", "other", "purpose"):
        period = read_period(s.quote)
        if period is None:
            continue
        start, end = period
        if start and "application_start" not in d.status:
            d.put("application_start", start, EXTRACTED, s.field, s.quote)
        if end:
            d.put("application_deadline", end, EXTRACTED, s.field, s.quote)
        return


def _write_needs_and_kind(rec: Record, d: Draft) -> None:
    sents = rec.sentences("name", "purpose", "costs")
    for s in sents:
        for need in needs_in_text(s.quote):
            if need not in d.get("needs", []):
                d.put("needs", [need], EXTRACTED, s.field, s.quote)
    if "kind" in d.status:
        return
    for rule in data("kinds")["kinds"]:
        for s in rec.sentences("name"):
            if any(normalize(w) in s.norm for w in rule["words"]):
                d.put("kind", rule["kind"], EXTRACTED, s.field, s.quote)
                return
    d.put("kind", rec.kind, DEFAULT)


def build_program(rec: Record) -> Draft:
    """The draft program of a record; :class:`SkipRecord` when it gives no program."""
    if "name_ja" not in rec.given and "name" not in rec.given:
        raise SkipRecord("no program name")
    d = Draft(rec.file, rec.row, rec.record)
    for path, (value, f, quote) in rec.given.items():
        if path == "eligibility.applicant_types" or value is None or value == [] or value == "":
            continue
        if isinstance(f, tuple):
            d.put(path, value, GIVEN)
            for ff, qq in zip(f, quote):
                d.cite(path, ff, qq)
        else:
            d.put(path, value, GIVEN, f, quote)
    for f, text in rec.texts.get("_unread", []):
        d.mark_unread("cell not read", f, text)
    reading = _applicants(rec, d)
    _write_applicants(rec, d, reading)
    _write_places(rec, d)
    _write_size(rec, d)
    _write_industries(rec, d)
    _write_groups(rec, d)
    _write_benefit(rec, d)
    _write_dates(rec, d)
    _write_needs_and_kind(rec, d)
    for path, (value, f, quote) in rec.defaults.items():
        if not path.startswith("eligibility.") and path not in d.status:
            d.put(path, value, DEFAULT, f, quote)  # no quote: nothing cited
    return d
