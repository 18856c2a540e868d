"""Who may apply: conditions on the firm's kind of applicant and on the groups a program targets.

:class:`ApplicantTypeCondition` (municipalities, NPOs, bodies that run a program for firms ...)
and :class:`TargetGroupCondition` (shopping streets, care providers, startups ...), over the
vocabularies of ``profiles/data/audiences.yaml``.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache

import numpy as np

from profiles.audiences import APPLICANT_TYPES, TARGET_GROUPS
from profiles.english import with_article
from profiles.industries import resolve_industry
from rules.conditions import Condition, bool_tri, short_list
from rules.facts import applicant_type_index, outside_groups, target_group_bits
from rules.kleene import FALSE, TRUE, UNKNOWN
from rules.phrases import join, phrase

__all__ = ["ApplicantTypeCondition", "TargetGroupCondition"]


class ApplicantTypeCondition(Condition):
    """Who may apply: the firm's kind of applicant is one the program names.

    A program that names only applicants no firm can be (municipalities, individuals,
    schools) is FALSE for every firm, unless ``delivered`` says a body that runs it for
    firms (``through`` in audiences.yaml) delivers it: then a firm applies through that body. A firm that does not say its kind is taken as a
    business when the program is open to both corporations and sole proprietors (TRUE,
    and the reason says so), UNKNOWN when it is open to only some kinds of firm.
    """

    name = "applicant_type"
    facts = ("applicant_type",)

    def __init__(self, rows, lists: Sequence[Sequence[str]], delivered: Sequence[bool] | None = None):
        super().__init__(rows)
        index = applicant_type_index()
        self.allowed = np.zeros((len(rows), len(index)), dtype=bool)
        for i, kinds in enumerate(lists):
            self.allowed[i, [index[k] for k in kinds]] = True
        firm = np.array([a.firm for a in APPLICANT_TYPES.values()])
        through = np.array([a.through for a in APPLICANT_TYPES.values()])
        business = np.zeros(len(index), dtype=bool)
        business[[index["corporation"], index["sole_proprietor"]]] = True
        #: rows run for firms by a body the firm applies through (the Tokyo SME Support Center ...)
        # (only where the program says a body delivers it: a body's own grant is no program for firms)
        self.through = (self.allowed & through).any(axis=1) & (
            np.ones(len(rows), bool) if delivered is None else np.asarray(delivered, bool))
        #: rows paid to such a body without saying it delivers them: firms may be served through it
        #: (UNKNOWN: ask the body), or it may be the body's own grant
        self.maybe_through = (self.allowed & through).any(axis=1) & ~self.through
        # the value for a firm of unknown kind, per row
        self.unknown_value = np.where(self.through, TRUE, np.where(self.maybe_through, UNKNOWN, np.where(
            ~(self.allowed & firm).any(axis=1), FALSE,
            np.where((self.allowed & business).sum(axis=1) == 2, TRUE, UNKNOWN)))).astype(np.uint8)

    def variant_key(self, pos):
        return ("applicant_type", self.allowed[pos].tobytes(), bool(self.through[pos]), bool(self.maybe_through[pos]))

    def words_key(self, pos):
        return self.variant_key(pos)  # describe reads the allowed kinds and the two flags of the row

    def missing(self, facts, pos):
        if facts.applicant_type[0] < 0 and self.unknown_value[pos] == UNKNOWN:
            return ("applicant_type",)
        return ()

    def evaluate(self, facts, sel=None):
        allowed = self.allowed if sel is None else self.allowed[sel]
        unknown = self.unknown_value if sel is None else self.unknown_value[sel]
        out = np.repeat(unknown[None, :], facts.n, axis=0)
        known = facts.applicant_type >= 0
        through = self.through if sel is None else self.through[sel]
        out[known] = bool_tri(allowed[:, facts.applicant_type[known]].T | through[None, :])
        maybe = self.maybe_through if sel is None else self.maybe_through[sel]
        out[:, maybe] = np.maximum(out[:, maybe], UNKNOWN)
        return out

    def _names(self, pos: int, lang: str = "en") -> str:
        return _kind_names(tuple(np.flatnonzero(self.allowed[pos]).tolist()), lang)

    def describe(self, facts, pos, value, lang="en"):
        ja = lang == "ja"
        t = int(facts.applicant_type[0])
        names = self._names(pos, lang)
        if self.maybe_through[pos] and value == UNKNOWN:
            return phrase("applicant_maybe_through", lang, names=names)
        if self.through[pos] and (t < 0 or not self.allowed[pos, t]):
            body = next(a for a in APPLICANT_TYPES.values() if a.through)
            return phrase("applicant_through", lang, body=body.name_ja if ja else f"{body.name} ({body.name_ja})")
        if t >= 0:
            kind = list(APPLICANT_TYPES.values())[t]
            kind_name = kind.name_ja if ja else with_article(kind.name)
            if value == TRUE:
                return phrase("applicant_may", lang, kind=kind_name)
            return phrase("applicant_not_for", lang, names=names, kind=kind_name)
        if value == FALSE:
            return phrase("applicant_no_firm", lang, names=names)
        if value == TRUE:
            return phrase("applicant_business", lang, names=names)
        return phrase("applicant_unknown", lang, names=names)


@lru_cache(maxsize=4096)
def _kind_names(kinds: tuple[int, ...], lang: str) -> str:
    """The applicant types of these indices, named (a program's list recurs in every reason about it)."""
    every = list(APPLICANT_TYPES.values())
    picked = [every[j] for j in kinds]
    if lang == "ja":
        return join([k.name_ja for k in picked], lang, limit=5)
    return short_list([f"{k.name} ({k.name_ja})" for k in picked], limit=5)


class TargetGroupCondition(Condition):
    """The program is for some groups (shopping streets, traditional crafts, startups, ...):
    TRUE when the firm's attributes or its industry place it in one; FALSE when every group is a
    line of business (``exclusive`` in audiences.yaml: care, farming, ...) and the firm's given
    industry places it outside all of them; UNKNOWN otherwise (a firm may belong to a group
    without saying so)."""

    name = "target_groups"
    facts = ("attributes",)

    def __init__(self, rows, lists: Sequence[Sequence[str]]):
        super().__init__(rows)
        bits = target_group_bits()
        self.masks = np.array([sum(bits[g] for g in groups) for groups in lists], dtype=np.int64)
        self.groups = [tuple(groups) for groups in lists]
        self.exclusive = np.array([all(TARGET_GROUPS[g].exclusive for g in groups) for groups in lists], bool)

    def variant_key(self, pos):
        return ("target_groups", int(self.masks[pos]))

    def missing(self, facts, pos):
        if int(facts.attributes[0]) & int(self.masks[pos]) or self._outside(facts, pos):
            return ()
        return ("attributes",)

    def _outside(self, facts, pos) -> bool:
        mask = int(self.masks[pos])
        return bool(self.exclusive[pos]) and int(outside_groups(facts)[0]) & mask == mask

    def evaluate(self, facts, sel=None):
        masks = self.masks if sel is None else self.masks[sel]
        exclusive = self.exclusive if sel is None else self.exclusive[sel]
        hit = (facts.attributes[:, None] & masks[None, :]) != 0
        out = (outside_groups(facts)[:, None] & masks[None, :]) == masks[None, :]
        return np.where(hit, TRUE, np.where(out & exclusive[None, :], FALSE, UNKNOWN)).astype(np.uint8)

    def describe(self, facts, pos, value, lang="en"):
        ja = lang == "ja"

        def name(g):
            a = TARGET_GROUPS[g]
            return a.name_ja if ja else f"{a.name} ({a.name_ja})"

        names = join([name(g) for g in self.groups[pos]], lang) if ja else short_list([name(g) for g in self.groups[pos]])
        if value == TRUE:
            mine = [g for g in self.groups[pos] if int(facts.attributes[0]) & target_group_bits()[g]]
            return phrase("group_member", lang, groups=join([TARGET_GROUPS[g].name_ja if ja else TARGET_GROUPS[g].name
                                                             for g in mine], lang))
        if value == FALSE:
            code = facts.profiles[0].industry if facts.profiles else None
            ind = resolve_industry(code) if code else None
            label = f"{code} {ind.name_ja if ja else ind.name_en}" if ind else "-"
            return phrase("group_outside", lang, groups=names, industry=label)
        return phrase("group_unknown", lang, groups=names)
