"""Writes of the curator workflow: suggestions, review decisions, tagging a passage by hand,
candidate terms, and renaming, merging and splitting initiatives.

The machine proposes (suggested mentions, candidate terms); only a curator confirms. Every function
that decides something takes the deciding `user` and records it in the admin log, so each object's
history in the admin says who did what and when."""

import functools
from collections.abc import Iterable
from dataclasses import dataclass
from types import EllipsisType

from django.contrib.admin.models import ADDITION, CHANGE, LogEntry
from django.contrib.auth.models import Group, Permission
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from archive.importing.adoption_years import MentionYear, MentionYears
from archive.importing.gazetteer import pinyin_slug
from archive.importing.suggestions import KnownNames, suggest_candidates, suggest_known
from archive.models import (
    CandidateStatus,
    CandidateTerm,
    Category,
    Document,
    Initiative,
    InitiativeAlias,
    InitiativeRedirect,
    Mention,
    MentionStatus,
    SearchQueueEntry,
    YearSource,
)
from archive.search import SearchUnavailable, documents_containing, enqueue
from archive.text.normalise import normalise

CURATOR_GROUP = "curator"

# What curators may touch: the archive's content, not users, groups or the search queue.
# Deleting a report deletes what was extracted from it (candidate terms, dated events, figures),
# deleting an initiative its old addresses; the admin refuses the whole deletion unless the
# curator may delete each of those too.
CURATOR_PERMISSIONS = {
    "document": ("add", "change", "delete", "view"),
    "documenttoreview": ("change", "view"),
    "mention": ("add", "change", "delete", "view"),
    "candidateterm": ("change", "delete", "view"),
    "initiative": ("add", "change", "delete", "view"),
    "initiativealias": ("add", "change", "delete", "view"),
    "initiativeredirect": ("delete", "view"),
    "category": ("add", "change", "view"),
    "city": ("change", "view"),
    "datedevent": ("change", "delete", "view"),
    "reportedfigure": ("change", "delete", "view"),
}


def curator_group_sync() -> Group:
    """Create the curator group, or bring its permissions back to exactly CURATOR_PERMISSIONS."""
    group, _created = Group.objects.get_or_create(name=CURATOR_GROUP)
    wanted = Q(pk__in=[])
    for model, actions in CURATOR_PERMISSIONS.items():
        wanted |= Q(content_type__app_label="archive", codename__in=[f"{action}_{model}" for action in actions])
    group.permissions.set(Permission.objects.filter(wanted))
    return group


def history_record(user, obj, action_flag: int, message: str) -> None:
    """One line in the object's admin history (who, when, what)."""
    if user is None or not user.is_authenticated:
        return
    LogEntry.objects.log_actions(
        user_id=user.pk,
        queryset=[obj],
        action_flag=action_flag,
        change_message=message,
        single_object=True,
    )


# --- suggestions -------------------------------------------------------------------------------


@dataclass
class SuggestionCounts:
    mentions_added: int = 0
    mentions_removed: int = 0
    candidates_added: int = 0
    candidates_removed: int = 0


@functools.lru_cache(maxsize=8)
def _candidates(body: str, known: frozenset[str]) -> tuple:
    """suggest_candidates is pure and its part-of-speech pass costs ~0.1 s a report: the same text
    with the same known names (a re-save, the seed loaded again) is not analysed twice. Eight
    entries, so the memory held stays small even for long reports."""
    return tuple(suggest_candidates(body, known=known))


def known_names() -> KnownNames:
    """Every initiative name and alias, indexed once for matching against many reports."""
    return KnownNames(
        [
            *Initiative.objects.values_list("pk", "name"),
            *InitiativeAlias.objects.values_list("initiative_id", "name"),
        ]
    )


def mention_years_reader(document: Document) -> MentionYears:
    """The report's years as its text gives them, with the dated statements curators corrected or hid."""
    corrections = [
        (start, expression, None if hidden else year)
        for start, expression, year, hidden in document.events.filter(curated=True).values_list(
            "start", "expression", "year", "hidden"
        )
    ]
    return MentionYears(
        document.body, year_start=document.year_start, year_end=document.year_end, corrections=corrections
    )


def document_mention_years_refresh(*, document: Document, reader: MentionYears | None = None) -> int:
    """Date every mention of the report from its text again (after an import, an edit of the text or
    of the report's years). Years a curator corrected stay. Returns how many mentions changed.
    `reader` is the report's `mention_years_reader` when the caller has it already."""
    mentions = list(document.mentions.filter(year_curated=False))
    if not mentions:
        return 0
    ids = {mention.initiative_id for mention in mentions}
    names: dict[int, list[str]] = {}
    for pk, name in Initiative.objects.filter(pk__in=ids).values_list("pk", "name"):
        names.setdefault(pk, []).insert(0, name)
    for pk, name in InitiativeAlias.objects.filter(initiative_id__in=ids).values_list("initiative_id", "name"):
        names.setdefault(pk, []).append(name)
    reader = reader or mention_years_reader(document)
    changed = []
    for mention in mentions:
        found = reader.year_of(mention.start, mention.end, names=names.get(mention.initiative_id, ()))
        if (found.year, found.source) != (mention.year, mention.year_source):
            mention.year, mention.year_source = found.year, found.source
            changed.append(mention)
    Mention.objects.bulk_update(changed, ["year", "year_source"])
    return len(changed)


@transaction.atomic
def document_suggestions_refresh(*, document: Document, names: KnownNames | None = None) -> SuggestionCounts:
    """Propose mentions of known initiatives and candidate new ones for one report.

    Suggestions that no longer match (the text or the names changed) go; what a curator decided
    stays: a confirmed or rejected mention of an initiative in a sentence keeps that initiative from
    being suggested there again, and a dismissed term is not proposed again in this report."""
    counts = SuggestionCounts()
    names = known_names() if names is None else names
    decided = list(
        document.mentions.exclude(status=MentionStatus.SUGGESTED).values_list("initiative_id", "start", "end")
    )
    pending = {(m.initiative_id, m.start, m.end): m for m in document.mentions.filter(status=MentionStatus.SUGGESTED)}

    wanted: dict[tuple[int, int, int], object] = {}
    for found in suggest_known(document.body, names):
        key = (found.initiative_id, found.start, found.end)
        already = any(i == found.initiative_id and s < found.end and e > found.start for i, s, e in decided)
        if not already:
            wanted.setdefault(key, found)
    stale = [m.pk for key, m in pending.items() if key not in wanted]
    counts.mentions_removed = Mention.objects.filter(pk__in=stale).delete()[0]
    reader = mention_years_reader(document)
    new_mentions = []
    for (initiative_id, start, end), found in wanted.items():
        if (initiative_id, start, end) in pending:
            continue
        dated = reader.year_of(start, end, name_at=found.match_start)
        new_mentions.append(
            Mention(
                document=document,
                initiative_id=initiative_id,
                start=start,
                end=end,
                year=dated.year,
                year_source=dated.source,
                status=MentionStatus.SUGGESTED,
            )
        )
    Mention.objects.bulk_create(new_mentions)
    counts.mentions_added = len(new_mentions)

    terms = document.candidate_terms.all()
    dismissed = {t.normalised for t in terms if t.status == CandidateStatus.DISMISSED}
    existing = {(t.normalised, t.start): t for t in terms}
    found_candidates = {
        (c.normalised[:80], c.start): c
        for c in _candidates(document.body, names.normalised)
        if c.normalised[:80] not in dismissed
    }
    stale_terms = [
        t.pk for key, t in existing.items() if t.status == CandidateStatus.PENDING and key not in found_candidates
    ]
    counts.candidates_removed = CandidateTerm.objects.filter(pk__in=stale_terms).delete()[0]
    new_terms = [
        CandidateTerm(
            document=document,
            term=c.term[:80],
            normalised=c.normalised[:80],
            signal=c.signal[:16],
            start=c.start,
            end=c.end,
            match_start=c.match_start,
            match_end=c.match_end,
        )
        for key, c in found_candidates.items()
        if key not in existing
    ]
    CandidateTerm.objects.bulk_create(new_terms)
    counts.candidates_added = len(new_terms)
    # The text or the report's years may have changed since the older mentions were dated.
    document_mention_years_refresh(document=document, reader=reader)
    if document.suggestions_due:
        Document.objects.filter(pk=document.pk).update(suggestions_due=False)
        document.suggestions_due = False
    return counts


def document_suggestions_ensure(*, document: Document) -> None:
    """Compute the suggestions a bulk import deferred, before a curator reviews the report."""
    if document.suggestions_due:
        document_suggestions_refresh(document=document)


def documents_suggestions_refresh(*, documents: Iterable[Document]) -> SuggestionCounts:
    total = SuggestionCounts()
    names = known_names()
    for document in documents:
        counts = document_suggestions_refresh(document=document, names=names)
        for field in ("mentions_added", "mentions_removed", "candidates_added", "candidates_removed"):
            setattr(total, field, getattr(total, field) + getattr(counts, field))
    return total


def _documents_naming(names: Iterable[str]) -> list[Document]:
    """Reports whose text contains any of these names, found through the index (which sees
    traditional and re-spaced forms), plus every report whose index entry is not yet up to date
    (queued, including those saved in this very transaction). When the index cannot answer, every
    report."""
    words = [normalise(name) for name in names if len(normalise(name)) >= 2]
    if not words:
        return []
    ids = set(SearchQueueEntry.objects.values_list("document_id", flat=True))
    try:
        for word in words:
            ids.update(documents_containing(word))
    except SearchUnavailable:
        return list(Document.objects.all())
    return list(Document.objects.filter(pk__in=ids))


def names_suggestions_refresh(*, names: Iterable[str]) -> SuggestionCounts:
    """A name or alias was added: propose it wherever the archive's reports use it."""
    return documents_suggestions_refresh(documents=_documents_naming(list(names)))


# --- review decisions --------------------------------------------------------------------------


@transaction.atomic
def mention_review(
    *,
    mention: Mention,
    user,
    status: str | None = None,
    initiative: Initiative | None = None,
    year: int | EllipsisType | None = ...,  # ... keeps the year
    year_source: str | EllipsisType = ...,  # ... keeps the source
) -> list[str]:
    """Apply a curator's decision on one mention: confirm or reject it, and/or correct its
    initiative, year or year's source; a corrected year is kept when the report is dated again.
    Returns what changed, in words (also written to the mention's history)."""
    changes: list[str] = []
    if initiative is not None and initiative.pk != mention.initiative_id:
        clash = (
            Mention.objects.filter(
                document_id=mention.document_id, initiative=initiative, start=mention.start, end=mention.end
            )
            .exclude(pk=mention.pk)
            .first()
        )
        if clash:
            raise ValidationError(_("这段文字已标注为“%(name)s”。") % {"name": initiative.name})
        changes.append(_("举措 %(old)s → %(new)s") % {"old": mention.initiative.name, "new": initiative.name})
        mention.initiative = initiative
    if year is not ... and year != mention.year:
        changes.append(_("年份 %(old)s → %(new)s") % {"old": mention.year or "—", "new": year or "—"})
        mention.year = year
        mention.year_curated = True
    if year_source is not ... and year_source != mention.year_source:
        changes.append(
            _("年份依据 %(old)s → %(new)s")
            % {"old": YearSource(mention.year_source).label, "new": YearSource(year_source).label}
        )
        mention.year_source = year_source
        mention.year_curated = True
    if status and status != mention.status:
        changes.append(
            _("状态 %(old)s → %(new)s")
            % {"old": MentionStatus(mention.status).label, "new": MentionStatus(status).label}
        )
        mention.status = status
        if status == MentionStatus.CONFIRMED:
            mention.confirmed_by = user if user and user.is_authenticated else None
            mention.confirmed_at = timezone.now()
        else:
            mention.confirmed_by = None
            mention.confirmed_at = None
    if changes:
        mention.save()
        history_record(user, mention, CHANGE, _("审核：") + "；".join(changes))
    return changes


@transaction.atomic
def mentions_set_status(*, mentions: Iterable[Mention], status: str, user) -> int:
    """Bulk confirm or reject; returns how many mentions changed."""
    changed = 0
    for mention in mentions:
        changed += bool(mention_review(mention=mention, user=user, status=status))
    return changed


def _stripped_span(body: str, start: int, end: int) -> tuple[int, int]:
    while start < end and body[start].isspace():
        start += 1
    while end > start and body[end - 1].isspace():
        end -= 1
    return start, end


def unique_initiative_slug(name: str) -> str:
    base = pinyin_slug(name)[:110]
    slug, n = base, 1
    while Initiative.objects.filter(slug=slug).exists() or InitiativeRedirect.objects.filter(old_slug=slug).exists():
        n += 1
        slug = f"{base}-{n}"
    return slug


@transaction.atomic
def initiative_create(*, name: str, category: Category, user, description: str = "") -> Initiative:
    name = name.strip()
    if not name:
        raise ValidationError(_("请填写新举措的名称。"))
    clash = name_taken(name)
    if clash:
        raise ValidationError(clash)
    initiative = Initiative(
        name=name[:80], slug=unique_initiative_slug(name), category=category, description=description
    )
    initiative.full_clean()
    initiative.save()
    history_record(user, initiative, ADDITION, _("新建举措"))
    return initiative


def name_taken(name: str, *, exclude: Initiative | None = None) -> str | None:
    """An error message when another initiative already uses this name or alias (normalised)."""
    wanted, names = normalise(name), known_names()
    owners = names.ids(wanted) if wanted in names.normalised else []
    owners = [pk for pk in owners if exclude is None or pk != exclude.pk]
    if not owners:
        return None
    owner = Initiative.objects.get(pk=owners[0])
    return _("“%(name)s”已是举措“%(owner)s”的名称或别名。") % {"name": name, "owner": owner.name}


@transaction.atomic
def passage_tag(
    *,
    document: Document,
    start: int,
    end: int,
    user,
    initiative: Initiative | None = None,
    new_name: str = "",
    category: Category | None = None,
    year: int | None = None,
    year_source: str | None = None,
) -> Mention:
    """Tag a passage the curator selected with an existing initiative or a new one; confirmed at once.
    Without a `year` the passage is dated from the text; a year given is the curator's (its source
    `stated` unless said otherwise) and kept when the report is dated again."""
    if not (0 <= start < end <= len(document.body)):
        raise ValidationError(_("所选段落超出了正文范围，请重新选择。"))
    start, end = _stripped_span(document.body, start, end)
    if start >= end:
        raise ValidationError(_("所选段落是空白，请重新选择。"))
    if initiative is None:
        if category is None:
            raise ValidationError(_("新建举措需要选择政策领域。"))
        initiative = initiative_create(name=new_name, category=category, user=user)
    if year is not None:
        dated = MentionYear(year, year_source or YearSource.STATED)
    else:
        dated = mention_years_reader(document).year_of(start, end, names=initiative.all_names)
    mention, created = Mention.objects.get_or_create(
        document=document,
        initiative=initiative,
        start=start,
        end=end,
        defaults={
            "year": dated.year,
            "year_source": dated.source,
            "year_curated": year is not None,
            "status": MentionStatus.CONFIRMED,
            "confirmed_by": user if user and user.is_authenticated else None,
            "confirmed_at": timezone.now(),
        },
    )
    if created:
        history_record(user, mention, ADDITION, _("在报告中标注：%(passage)s") % {"passage": mention.passage[:60]})
    else:
        mention_review(
            mention=mention,
            user=user,
            status=MentionStatus.CONFIRMED,
            year=year if year is not None else ...,
            year_source=(year_source or YearSource.STATED) if year is not None else ...,
        )
    return mention


@transaction.atomic
def candidate_accept(
    *,
    document: Document,
    normalised_term: str,
    user,
    initiative: Initiative | None = None,
    name: str = "",
    category: Category | None = None,
) -> Initiative:
    """Take a candidate term in: as a new initiative (name, category) or as an alias of an existing
    one. Its sentences in this report become confirmed mentions; the other reports that use the
    name get it as a suggestion."""
    terms = list(document.candidate_terms.filter(normalised=normalised_term).exclude(status=CandidateStatus.DISMISSED))
    if not terms:
        raise ValidationError(_("这个候选词已不在待审核列表中。"))
    term = terms[0].proposed_name
    if initiative is None:
        if category is None:
            raise ValidationError(_("新建举措需要选择政策领域。"))
        initiative = initiative_create(name=name or term, category=category, user=user)
    elif normalise(term) not in {normalise(n) for n in initiative.all_names}:
        alias_add(initiative=initiative, name=term, user=user, refresh=False)
    for candidate in terms:
        candidate.status = CandidateStatus.ACCEPTED
        candidate.initiative = initiative
        candidate.save(update_fields=["status", "initiative"])
        passage_tag(document=document, start=candidate.start, end=candidate.end, user=user, initiative=initiative)
    names_suggestions_refresh(names=initiative.all_names)
    return initiative


@transaction.atomic
def candidate_dismiss(*, document: Document, normalised_term: str, user) -> int:
    dismissed = document.candidate_terms.filter(normalised=normalised_term, status=CandidateStatus.PENDING).update(
        status=CandidateStatus.DISMISSED
    )
    if dismissed:
        history_record(user, document, CHANGE, _("忽略候选词：%(term)s") % {"term": normalised_term})
    return dismissed


# --- initiatives: aliases, renames, merges, splits ---------------------------------------------


@transaction.atomic
def alias_add(*, initiative: Initiative, name: str, user, refresh: bool = True) -> InitiativeAlias:
    name = name.strip()
    clash = name_taken(name)
    if clash:
        raise ValidationError(clash)
    alias = InitiativeAlias(initiative=initiative, name=name[:80])
    alias.full_clean()
    alias.save()
    history_record(user, initiative, CHANGE, _("添加别名：%(name)s") % {"name": alias.name})
    if refresh:
        names_suggestions_refresh(names=[alias.name])
    return alias


def redirect_record(*, old_slug: str, initiative: Initiative, reason: str) -> None:
    """Point an old address at the initiative. A redirect holds the initiative itself, not its slug,
    so when the initiative is renamed again its earlier addresses follow it: always one hop."""
    if not old_slug or old_slug == initiative.slug:
        return
    InitiativeRedirect.objects.update_or_create(
        old_slug=old_slug, defaults={"initiative": initiative, "reason": reason[:200]}
    )
    # A live address always wins over an old one.
    InitiativeRedirect.objects.filter(old_slug=initiative.slug).delete()


@transaction.atomic
def initiative_renamed(*, initiative: Initiative, old_name: str, old_slug: str, user, keep_old_name: bool) -> None:
    """After the admin saved a new name or slug: the old slug redirects, and the old name can stay
    as an alias so reports that use it are still recognised."""
    redirect_record(old_slug=old_slug, initiative=initiative, reason=_("更名"))
    if old_name != initiative.name:
        initiative.aliases.filter(name=initiative.name).delete()
        if keep_old_name and not InitiativeAlias.objects.filter(name=old_name).exists():
            InitiativeAlias.objects.create(initiative=initiative, name=old_name)
        names_suggestions_refresh(names=[initiative.name])


@dataclass
class MergeResult:
    mentions_moved: int
    mentions_merged: int
    aliases_moved: int


_STATUS_RANK = {MentionStatus.CONFIRMED: 2, MentionStatus.SUGGESTED: 1, MentionStatus.REJECTED: 0}


@transaction.atomic
def initiative_merge(*, source: Initiative, target: Initiative, user) -> MergeResult:
    """Fold `source` into `target`: its mentions, aliases, related reforms and candidate terms move,
    its name becomes an alias, its address redirects, and it is deleted. Where both tagged the same
    passage, one mention stays, with the stronger status."""
    if source.pk == target.pk:
        raise ValidationError(_("不能把一项举措合并到它自己。"))
    source_name, source_slug = source.name, source.slug
    affected_documents = set(source.mentions.values_list("document_id", flat=True))

    moved = merged = 0
    for mention in list(source.mentions.all()):
        twin = Mention.objects.filter(
            document_id=mention.document_id, initiative=target, start=mention.start, end=mention.end
        ).first()
        if twin is None:
            mention.initiative = target
            mention.save(update_fields=["initiative"])
            moved += 1
            continue
        if _STATUS_RANK[MentionStatus(mention.status)] > _STATUS_RANK[MentionStatus(twin.status)]:
            twin.status, twin.confirmed_by, twin.confirmed_at = (
                mention.status,
                mention.confirmed_by,
                mention.confirmed_at,
            )
        if twin.year is None:
            twin.year, twin.year_source, twin.year_curated = mention.year, mention.year_source, mention.year_curated
        twin.save()
        mention.delete()
        merged += 1

    aliases_moved = source.aliases.update(initiative=target)
    target.related.add(*source.related.exclude(pk=target.pk))
    CandidateTerm.objects.filter(initiative=source).update(initiative=target)
    InitiativeRedirect.objects.filter(initiative=source).update(initiative=target)
    if source.description and source.description not in target.description:
        target.description = "\n\n".join(part for part in [target.description, source.description] if part)
        target.save(update_fields=["description"])

    source.delete()
    if not InitiativeAlias.objects.filter(name=source_name).exists() and source_name != target.name:
        InitiativeAlias.objects.create(initiative=target, name=source_name)
    redirect_record(old_slug=source_slug, initiative=target, reason=_("并入 %(name)s") % {"name": target.name})
    enqueue(affected_documents)
    message = _("并入“%(source)s”（%(slug)s）：移入 %(moved)s 条提及，合并重复 %(merged)s 条，别名 %(aliases)s 个") % {
        "source": source_name,
        "slug": source_slug,
        "moved": moved,
        "merged": merged,
        "aliases": aliases_moved,
    }
    history_record(user, target, CHANGE, message)
    return MergeResult(mentions_moved=moved, mentions_merged=merged, aliases_moved=aliases_moved)


@transaction.atomic
def initiative_split(
    *,
    initiative: Initiative,
    name: str,
    category: Category,
    mentions: Iterable[Mention],
    aliases: Iterable[InitiativeAlias] = (),
    user,
) -> Initiative:
    """Split off a new initiative that takes the chosen mentions and aliases; the two are related."""
    mentions = [m for m in mentions if m.initiative_id == initiative.pk]
    aliases = [a for a in aliases if a.initiative_id == initiative.pk]
    if not mentions and not aliases:
        raise ValidationError(_("请至少选择一条提及或一个别名移到新举措。"))
    moved_alias_names = {alias.name for alias in aliases}
    clash = None if normalise(name) in {normalise(a) for a in moved_alias_names} else name_taken(name)
    if clash:
        raise ValidationError(clash)
    InitiativeAlias.objects.filter(pk__in=[a.pk for a in aliases]).delete()
    new = Initiative(name=name.strip()[:80], slug=unique_initiative_slug(name), category=category)
    new.full_clean()
    new.save()
    for alias_name in moved_alias_names - {new.name}:
        InitiativeAlias.objects.create(initiative=new, name=alias_name)
    Mention.objects.filter(pk__in=[m.pk for m in mentions]).update(initiative=new)
    new.related.add(initiative)
    enqueue(m.document_id for m in mentions)
    history_record(user, new, ADDITION, _("从“%(name)s”拆分而来") % {"name": initiative.name})
    history_record(
        user,
        initiative,
        CHANGE,
        _("拆分出“%(name)s”：移出 %(mentions)s 条提及、%(aliases)s 个别名")
        % {"name": new.name, "mentions": len(mentions), "aliases": len(aliases)},
    )
    return new


# --- editing a report's text -------------------------------------------------------------------


class BodyChangeLosesEvidence(ValidationError):
    pass


def _relocate(old_body: str, new_body: str, start: int, end: int) -> tuple[int, int] | None:
    """Where a passage of the old text is in the new one: the occurrence nearest its old place."""
    passage = old_body[start:end]
    best, position = None, new_body.find(passage)
    while position >= 0:
        if best is None or abs(position - start) < abs(best - start):
            best = position
        position = new_body.find(passage, position + 1)
    return None if best is None else (best, best + len(passage))


def body_change_problems(*, document: Document, new_body: str) -> list[str]:
    """The confirmed evidence an edit of the text would lose: passages no longer in the new text."""
    lost = []
    for mention in document.mentions.filter(status=MentionStatus.CONFIRMED).select_related("initiative"):
        if _relocate(document.body, new_body, mention.start, mention.end) is None:
            lost.append(f"{mention.initiative.name}：{mention.passage[:40]}")
    return lost


@transaction.atomic
def document_body_change(*, document: Document, old_body: str, user) -> SuggestionCounts:
    """After a report's text was edited and saved: move every passage to its new place, re-extract
    what is read off the text, and refresh the suggestions. Confirmed evidence that could not be
    found must have been refused before (`body_change_problems`); rejected mentions and curated
    events or figures that cannot be found are dropped, since their sentence is gone."""
    new_body = document.body
    for rows in (
        document.mentions.all(),
        document.events.filter(curated=True),
        document.figures.filter(curated=True),
        document.candidate_terms.exclude(status=CandidateStatus.PENDING),
    ):
        for row in rows:
            place = _relocate(old_body, new_body, row.start, row.end)
            if place is None:
                if isinstance(row, Mention) and row.status == MentionStatus.CONFIRMED:
                    raise BodyChangeLosesEvidence(_("修改后的正文中找不到已确认的证据段落。"))
                row.delete()
                continue
            shift = place[0] - row.start
            row.start, row.end = place
            if isinstance(row, CandidateTerm):
                row.match_start += shift
                row.match_end += shift
            row.save()
    from archive.services.documents import document_facts_extract

    document_facts_extract(document=document)
    history_record(user, document, CHANGE, _("修改正文，证据段落已随之移动"))
    return document_suggestions_refresh(document=document)
