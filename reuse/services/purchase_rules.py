"""Which category a purchase line is in: the file's own category, else a UNSPSC prefix rule,
else a keyword rule on the description, else none yet ("unmapped", listed for mapping).

- A UNSPSC rule is a prefix of digits ("5611" matches 56112102); the longest matching prefix
  wins, so "43211503 → Bærbar PC" can stand beside "4321 → IT-utstyr". A keyword that names
  a category under the UNSPSC rule's narrows it ("56 → Møbler" and "Kontorstol, svart" give
  Kontorstol): a check for office chairs must cover a line the code only calls furniture.
- A keyword rule matches the description's words, folded as search folds them (case, accents;
  æ, ø and å kept). A word matches a keyword when it ends in the keyword followed by nothing
  or by a Norwegian inflection ("-e", "-er", "-ene", "-et", ...), because a Norwegian
  compound ends in what it is: "kontorstoler" is a chair, "stolputer" is not, and
  "beskrivelse" is not a printer ("skriver"). Keywords are written in their base form
  ("stol", "bærbar"); a keyword shorter than three letters must be the whole word ("pc",
  "pc-er"). The most specific matching keyword wins: one of more words ("hev-senk" before
  "skrivebord"), else the longest ("kontorstol" before "stol"), so a lead answers a false
  match with a longer rule ("selskap" → not reusable beats "skap" → Skap).
- A rule without a category marks what it matches as not reusable (services, consumables):
  such lines are neither counted as purchases the market could have met nor listed as
  unmapped.

Rules are kept by the sustainability lead; every change re-classifies the lines it touches
(reclassify), so past lines follow the mapping as it is now.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from importlib import resources

from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError

from reuse.extensions import db
from reuse.i18n import gettext as _
from reuse.i18n import lazy_gettext as _l
from reuse.models import (
    Category,
    Classification,
    PurchaseCategoryRule,
    PurchaseLine,
    RuleKind,
    User,
)
from reuse.models.base import utcnow
from reuse.models.purchases import MAX_KEYWORD, MAX_UNSPSC
from reuse.services import audit, characters, purchase_history
from reuse.services.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from reuse.services.paging import ListPage, page_count
from reuse.services.permissions import can_manage_purchases
from reuse.services.text import content_words, fold, words

KIND_LABELS = {RuleKind.UNSPSC.value: _l("UNSPSC-kode"),
               RuleKind.KEYWORD.value: _l("Nøkkelord")}
CLASSIFICATION_LABELS = {
    Classification.FILE.value: _l("Fra filen"),
    Classification.UNSPSC.value: _l("UNSPSC-regel"),
    Classification.KEYWORD.value: _l("Nøkkelordregel"),
    Classification.NOT_REUSABLE.value: _l("Ikke gjenbrukbart"),
    Classification.UNMAPPED.value: _l("Uten kategori"),
}
NO_KIND = _l("Velg UNSPSC-kode eller nøkkelord.")
MIN_SUFFIX_KEYWORD = 3  # shorter keywords match whole words only
# What may follow a keyword at the end of a word: the inflections of Norwegian nouns and
# adjectives ("stol-er", "skap-et", "tavle-ne", "bærbar-e", "skriver-ne").
INFLECTIONS = ("", "e", "a", "n", "r", "en", "er", "et", "ne", "re", "ene", "ere", "rne",
               "erne")
REUSABLE = (Classification.FILE.value, Classification.UNSPSC.value, Classification.KEYWORD.value)


def _require(user: User) -> None:
    if not can_manage_purchases(user):
        raise PermissionDenied(_("Bare bærekraftsansvarlig og administratorer kan endre "
                                 "innkjøpsreglene."))


def keyword_words(pattern: str) -> tuple[str, ...]:
    return tuple(words(pattern))


@dataclass(frozen=True)
class Result:
    category_id: int | None
    classification: str
    rule_id: int | None


UNMAPPED = Result(None, Classification.UNMAPPED.value, None)


class Rules:
    """Every rule, compiled once for classifying many lines."""

    def __init__(self, rules: Iterable[tuple[int, str, str, int | None]],
                 parents: dict[int, int | None] | None = None):
        self.parents = parents or {}
        self.prefixes: dict[str, tuple[int, int | None]] = {}
        self.keywords: list[tuple[tuple[str, ...], int, int | None]] = []
        for rule_id, kind, pattern, category_id in rules:
            if kind == RuleKind.UNSPSC:
                self.prefixes[pattern] = (rule_id, category_id)
            else:
                found = keyword_words(pattern)
                if found:
                    self.keywords.append((found, rule_id, category_id))
        # The most specific keyword first: more words, then longer words, then the oldest.
        self.keywords.sort(key=lambda rule: (-len(rule[0]), -sum(map(len, rule[0])), rule[1]))
        self.longest_prefix = max(map(len, self.prefixes), default=0)
        self.keyword_words = frozenset(word for rule in self.keywords for word in rule[0])
        # A year of lines repeats its words: each word's matching keywords are worked out once.
        self._matched: dict[str, frozenset[str]] = {}

    @classmethod
    def load(cls) -> Rules:
        return cls(db.session.execute(select(
            PurchaseCategoryRule.id, PurchaseCategoryRule.kind, PurchaseCategoryRule.pattern,
            PurchaseCategoryRule.category_id)).tuples(),
            dict(db.session.execute(select(Category.id, Category.parent_id)).all()))

    def _is_under(self, category_id: int, ancestor_id: int) -> bool:
        seen: set[int] = set()
        current: int | None = self.parents.get(category_id)
        while current is not None and current not in seen:
            if current == ancestor_id:
                return True
            seen.add(current)
            current = self.parents.get(current)
        return False

    @staticmethod
    def _result(rule_id: int, category_id: int | None, kind: Classification) -> Result:
        if category_id is None:
            return Result(None, Classification.NOT_REUSABLE.value, rule_id)
        return Result(category_id, kind.value, rule_id)

    def classify(self, unspsc: str, description: str, file_category_id: int | None) -> Result:
        if file_category_id is not None:
            return Result(file_category_id, Classification.FILE.value, None)
        by_code = None
        for length in range(min(len(unspsc), self.longest_prefix), 0, -1):
            found = self.prefixes.get(unspsc[:length])
            if found is not None:
                by_code = self._result(found[0], found[1], Classification.UNSPSC)
                break
        if by_code is not None and by_code.category_id is None:
            return by_code  # the code says: not reusable
        if by_code is None:
            return self._keyword(description) or UNMAPPED
        # A keyword naming a category under the code's narrows it: the most specific such
        # keyword, even when a more specific one elsewhere matches too.
        return self._keyword(description, within=by_code.category_id) or by_code

    def _keyword(self, description: str, *, within: int | None = None) -> Result | None:
        if not (self.keywords and description):
            return None
        found: set[str] = set()
        for word in words(description):
            found |= self._keywords_in(word)
        if not found:
            return None
        for keyword, rule_id, category_id in self.keywords:
            if within is not None and (category_id is None
                                       or not self._is_under(category_id, within)):
                continue
            if found.issuperset(keyword):
                return self._result(rule_id, category_id, Classification.KEYWORD)
        return None

    def _keywords_in(self, word: str) -> frozenset[str]:
        """The keywords (single words) this description word is: the longest it ends in."""
        cached = self._matched.get(word)
        if cached is not None:
            return cached
        matched = set()
        for ending in INFLECTIONS:
            if ending and not word.endswith(ending):
                continue
            base = word[:len(word) - len(ending)] if ending else word
            if base in self.keyword_words:
                matched.add(base)
            # The compound's last parts: "kontorstol" ends in "stol".
            for start in range(1, len(base) - MIN_SUFFIX_KEYWORD + 1):
                if base[start:] in self.keyword_words:
                    matched.add(base[start:])
        # A keyword the word matches only as part of a longer one does not count: a
        # "kjøleskap" is not a "skap".
        result = frozenset(keyword for keyword in matched if not any(
            other != keyword and other.endswith(keyword) for other in matched))
        if len(self._matched) < 100_000:
            self._matched[word] = result
        return result


def normalised_pattern(kind: str, pattern: str) -> str:
    """The pattern as stored; InvalidInput with a message the form and API show."""
    pattern = (pattern or "").strip()
    characters.check(pattern, _("Mønsteret"), field="pattern")
    if kind == RuleKind.UNSPSC:
        pattern = pattern.replace(" ", "")
        if not (pattern.isascii() and pattern.isdigit()) or not 2 <= len(pattern) <= MAX_UNSPSC:
            raise InvalidInput(_("En UNSPSC-regel er 2 til 8 sifre, for eksempel 5611."),
                               field="pattern")
        return pattern
    if kind == RuleKind.KEYWORD:
        if not keyword_words(pattern):
            raise InvalidInput(_("Skriv minst ett ord."), field="pattern")
        if len(pattern) > MAX_KEYWORD:
            raise InvalidInput(_("Nøkkelordet kan være høyst %(limit)s tegn.",
                                 limit=MAX_KEYWORD), field="pattern")
        return fold(pattern)
    raise InvalidInput(str(NO_KIND), field="kind")


def add(user: User, kind: str, pattern: str, category: Category | None) -> tuple[
        PurchaseCategoryRule, int]:
    """Add a rule and re-classify the lines it could change; returns (rule, lines changed)."""
    _require(user)
    pattern = normalised_pattern(kind, pattern)
    rule = PurchaseCategoryRule(kind=kind, pattern=pattern,
                                category_id=category.id if category is not None else None,
                                created_by_id=user.id)
    try:
        with db.session.begin_nested():
            db.session.add(rule)
    except IntegrityError:
        raise Conflict(_("Det finnes allerede en regel for «%(pattern)s».", pattern=pattern),
                       field="pattern") from None
    audit.record(user, "purchase_rule.added", rule, kind=kind, pattern=pattern,
                 category=category.slug if category is not None else None)
    return rule, reclassify()


def change(user: User, rule: PurchaseCategoryRule, category: Category | None) -> int:
    """Point a rule at another category (or none); returns the lines re-classified."""
    _require(user)
    before = rule.category.slug if rule.category is not None else None
    rule.category_id = category.id if category is not None else None
    db.session.flush()
    audit.record(user, "purchase_rule.changed", rule, pattern=rule.pattern, old=before,
                 new=category.slug if category is not None else None)
    return reclassify()


def remove(user: User, rule: PurchaseCategoryRule) -> int:
    _require(user)
    audit.record(user, "purchase_rule.removed", rule, kind=rule.kind, pattern=rule.pattern)
    db.session.execute(update(PurchaseLine).where(PurchaseLine.rule_id == rule.id)
                       .values(rule_id=None))
    db.session.delete(rule)
    db.session.flush()
    return reclassify()


def get(rule_id: int) -> PurchaseCategoryRule:
    rule = db.session.get(PurchaseCategoryRule, rule_id)
    if rule is None:
        raise NotFound(_("Fant ikke regelen."))
    return rule


def all_rules() -> list[PurchaseCategoryRule]:
    return list(db.session.scalars(select(PurchaseCategoryRule).order_by(
        PurchaseCategoryRule.kind.desc(), PurchaseCategoryRule.pattern)))


RECLASSIFY_BATCH = 2000


def reclassify() -> int:
    """Classify every line not classified by its own file anew; returns how many changed.

    Lines are read in batches of plain columns and only the changed ones are written (their
    "available at the time" recomputed with them), so re-mapping a year of lines is seconds.
    """
    rules = Rules.load()
    changed: list[dict] = []
    last_id = 0
    while True:
        batch = db.session.execute(
            select(PurchaseLine.id, PurchaseLine.unspsc, PurchaseLine.description,
                   PurchaseLine.category_id, PurchaseLine.classification, PurchaseLine.rule_id,
                   PurchaseLine.ordered_on, PurchaseLine.quantity)
            .where(PurchaseLine.id > last_id,
                   PurchaseLine.classification != Classification.FILE.value)
            .order_by(PurchaseLine.id).limit(RECLASSIFY_BATCH)).all()
        if not batch:
            break
        last_id = batch[-1].id
        for row in batch:
            result = rules.classify(row.unspsc, row.description, None)
            if (result.category_id, result.classification, result.rule_id) != (
                    row.category_id, row.classification, row.rule_id):
                changed.append({"id": row.id, "category_id": result.category_id,
                                "classification": result.classification,
                                "rule_id": result.rule_id, "ordered_on": row.ordered_on,
                                "quantity": row.quantity})
    if changed:
        history = purchase_history.History.load(
            {row["category_id"] for row in changed if row["category_id"] is not None})
        now = utcnow()
        for row in changed:
            row["available_pieces"] = (history.available(row["category_id"], row["ordered_on"])
                                       if row["category_id"] is not None else 0)
            row["updated_at"] = now
        db.session.execute(update(PurchaseLine), [
            {key: row[key] for key in ("id", "category_id", "classification", "rule_id",
                                       "available_pieces", "updated_at")} for row in changed])
    db.session.flush()
    return len(changed)


def load_defaults() -> int:
    """Add the shipped rules (reuse/data/purchase_rules.csv) that are missing and whose
    category exists; a rule the lead changed keeps the lead's category. Returns how many."""
    with resources.files("reuse.data").joinpath("purchase_rules.csv").open(
            encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    by_slug = dict(db.session.execute(select(Category.slug, Category.id)).all())
    present = set(db.session.execute(select(PurchaseCategoryRule.kind,
                                            PurchaseCategoryRule.pattern)).all())
    added = 0
    for row in rows:
        kind, pattern, slug = row["kind"], row["pattern"], row["category"].strip()
        if (kind, pattern) in present or (slug and slug not in by_slug):
            continue
        db.session.add(PurchaseCategoryRule(kind=kind, pattern=pattern,
                                            category_id=by_slug[slug] if slug else None))
        present.add((kind, pattern))
        added += 1
    db.session.flush()
    if added:
        reclassify()
    return added


def lines_per_rule() -> dict[int, int]:
    """How many purchase lines each rule classifies now."""
    return dict(db.session.execute(
        select(PurchaseLine.rule_id, func.count()).where(PurchaseLine.rule_id.is_not(None))
        .group_by(PurchaseLine.rule_id)).all())


@dataclass(frozen=True)
class UnmappedGroup:
    """Unmapped lines that look alike: the same code and description."""

    unspsc: str
    description: str
    lines: int
    amount_nok: Decimal

    @property
    def suggested_kind(self) -> str:
        return RuleKind.UNSPSC.value if self.unspsc else RuleKind.KEYWORD.value

    @property
    def suggested_pattern(self) -> str:
        """The code itself, or the description's first word worth a rule."""
        if self.unspsc:
            return self.unspsc
        found = content_words(self.description)
        return found[0] if found else ""


UNMAPPED_PER_PAGE = 50


def unmapped_groups(*, page: int = 1) -> ListPage[UnmappedGroup]:
    """The unmapped lines grouped by code and description, the most frequent first."""
    grouped = (select(PurchaseLine.unspsc, PurchaseLine.description,
                      func.count().label("lines"),
                      func.sum(PurchaseLine.amount_nok).label("amount"))
               .where(PurchaseLine.classification == Classification.UNMAPPED.value)
               .group_by(PurchaseLine.unspsc, PurchaseLine.description))
    total = db.session.scalar(select(func.count()).select_from(grouped.subquery())) or 0
    pages = page_count(total, UNMAPPED_PER_PAGE)
    page = min(max(page, 1), pages)
    rows = db.session.execute(
        grouped.order_by(func.count().desc(), PurchaseLine.description, PurchaseLine.unspsc)
        .limit(UNMAPPED_PER_PAGE).offset((page - 1) * UNMAPPED_PER_PAGE)).all()
    # The sum comes back as a float on SQLite: exact again from its text, to the øre.
    groups = [UnmappedGroup(row.unspsc, row.description, row.lines,
                            Decimal(str(row.amount or 0)).quantize(Decimal("0.01")))
              for row in rows]
    return ListPage(groups, total, page, pages, UNMAPPED_PER_PAGE)
