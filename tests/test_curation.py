"""Curator services (archive/services/curation.py): suggestions, review decisions, tagging,
candidate terms, renames, merges and splits, and text edits that move the evidence."""

import json

import pytest
from django.contrib.admin.models import LogEntry
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError

from archive.models import (
    CandidateStatus,
    CandidateTerm,
    Category,
    DatedEvent,
    Document,
    Initiative,
    InitiativeAlias,
    InitiativeRedirect,
    Mention,
    MentionStatus,
    YearSource,
)
from archive.services import CURATED_FIXTURE
from archive.services.curation import (
    body_change_problems,
    candidate_accept,
    candidate_dismiss,
    document_body_change,
    document_mention_years_refresh,
    document_suggestions_refresh,
    documents_suggestions_refresh,
    initiative_merge,
    initiative_renamed,
    initiative_split,
    mention_review,
    passage_tag,
)


@pytest.fixture
def curator(db):
    return User.objects.create_user("curator", password="x", is_staff=True)


def history(obj) -> list[str]:
    return list(
        LogEntry.objects.filter(object_id=str(obj.pk), content_type__model=obj._meta.model_name).values_list(
            "change_message", flat=True
        )
    )


# --- suggestions -----------------------------------------------------------------------------------


def curated_pairs() -> dict[tuple[str, str], list[str]]:
    data = json.loads(CURATED_FIXTURE.read_text(encoding="utf-8"))
    pairs: dict[tuple[str, str], list[str]] = {}
    for mention in data["mentions"]:
        pairs.setdefault((mention["seed_file"], mention["initiative"]), []).append(mention["passage"])
    return pairs


def test_suggestions_propose_at_least_90_percent_of_the_curated_initiatives_with_their_passages(seeded):
    """The archive knows the initiatives but nothing is tagged yet: the suggestions a curator would
    see after import cover the curated fixture's (report, initiative) pairs, at the curated passage."""
    Mention.objects.all().delete()
    documents_suggestions_refresh(documents=Document.objects.all())
    suggested = {}
    for mention in Mention.objects.select_related("document", "initiative"):
        assert mention.status == MentionStatus.SUGGESTED
        key = (mention.document.original_filename, mention.initiative.slug)
        suggested.setdefault(key, []).append((mention.start, mention.end))
    documents = {d.original_filename: d for d in Document.objects.all()}

    found = 0
    pairs = curated_pairs()
    for (seed_file, slug), passages in pairs.items():
        body = documents[seed_file].body
        spans = [(body.find(p), body.find(p) + len(p)) for p in passages]
        if any(s < e2 and s2 < e for s, e in spans for s2, e2 in suggested.get((seed_file, slug), [])):
            found += 1
    recall = found / len(pairs)
    assert recall >= 0.9, f"{found}/{len(pairs)}"


def test_suggestions_are_not_public(seeded, client):
    """A suggested mention waits for a curator: no public page, API or count shows it."""
    document = Document.objects.get(city__slug="changchun")
    initiative = Initiative.objects.get(slug="xianguanxiaopin")
    Mention.objects.create(document=document, initiative=initiative, start=0, end=10, status=MentionStatus.SUGGESTED)
    assert "县管校聘" not in document.body
    assert "县管校聘" not in client.get(f"/documents/{document.pk}/").content.decode()
    assert "长春" not in client.get("/initiatives/xianguanxiaopin/").content.decode()
    api = client.get(f"/api/documents/{document.pk}/").json()
    assert "县管校聘" not in json.dumps(api, ensure_ascii=False)


def test_import_proposes_known_names_and_candidates(seeded):
    document = Document.objects.get(city__slug="xuchang")
    document.mentions.all().delete()
    document.candidate_terms.all().delete()
    counts = document_suggestions_refresh(document=document)
    names = set(document.mentions.values_list("initiative__name", flat=True))
    assert {"县管校聘", "放管服", "河长制"} <= names  # 河长制 through its alias 河湖长制
    assert counts.mentions_added == document.mentions.count()
    assert counts.candidates_added == document.candidate_terms.count() > 0
    for mention in document.mentions.all():
        assert mention.status == MentionStatus.SUGGESTED
        assert document.body[mention.start : mention.end].strip() == mention.passage


def test_refresh_keeps_decisions_and_does_not_repeat_them(seeded, curator):
    document = Document.objects.get(city__slug="yongzhou")
    suggestion = document.mentions.suggested().first()
    mention_review(mention=suggestion, user=curator, status=MentionStatus.REJECTED)
    term = document.candidate_terms.pending().first()
    candidate_dismiss(document=document, normalised_term=term.normalised, user=curator)

    document_suggestions_refresh(document=document)
    assert Mention.objects.get(pk=suggestion.pk).status == MentionStatus.REJECTED
    assert (
        not document.mentions.suggested()
        .filter(initiative=suggestion.initiative, start__lt=suggestion.end, end__gt=suggestion.start)
        .exists()
    )
    assert not document.candidate_terms.pending().filter(normalised=term.normalised).exists()


def test_traditional_text_is_suggested_under_the_simplified_name(seeded):
    document = Document.objects.get(city__slug="changchun")
    document.body += "\n推行「河長制」，實現河湖長效管護。"
    document.save()
    document_suggestions_refresh(document=document)
    hezhang = document.mentions.suggested().filter(initiative__slug="hezhangzhi").last()
    assert hezhang and "河長制" in hezhang.passage


# --- review decisions ------------------------------------------------------------------------------


def test_confirm_change_initiative_and_year_are_recorded(seeded, curator):
    mention = Mention.objects.suggested().select_related("initiative").first()
    other = Initiative.objects.exclude(pk=mention.initiative_id).first()
    changes = mention_review(mention=mention, user=curator, status=MentionStatus.CONFIRMED, initiative=other, year=2019)
    mention.refresh_from_db()
    assert mention.status == MentionStatus.CONFIRMED and mention.initiative == other and mention.year == 2019
    assert mention.confirmed_by == curator and mention.confirmed_at
    assert len(changes) == 3
    assert any("已确认" in message and other.name in message for message in history(mention))


def test_passage_tag_with_a_new_initiative(seeded, curator):
    document = Document.objects.get(city__slug="zhuzhou")
    start = document.body.index("“门前三小”")
    mention = passage_tag(
        document=document,
        start=start - 1,  # a stray space or character around a selection is trimmed only if blank
        end=start + 7,
        user=curator,
        new_name="门前三小工程",
        category=Category.objects.get(slug="culture"),
    )
    assert mention.status == MentionStatus.CONFIRMED
    assert mention.initiative.slug == "menqiansanxiaogongcheng"
    assert (mention.year, mention.year_source) == (2022, YearSource.REPORT)  # the sentence names none
    assert not mention.year_curated
    assert history(mention.initiative) == ["新建举措"]


def test_passage_tag_refuses_offsets_outside_the_text(seeded, curator):
    document = Document.objects.get(city__slug="zhuzhou")
    initiative = Initiative.objects.first()
    count = Mention.objects.count()
    for start, end in [(-1, 5), (10, 5), (0, len(document.body) + 1)]:
        with pytest.raises(ValidationError):
            passage_tag(document=document, start=start, end=end, user=curator, initiative=initiative)
    assert Mention.objects.count() == count


def test_new_initiative_name_may_not_collide_with_an_alias(seeded, curator):
    document = Document.objects.get(city__slug="zhuzhou")
    with pytest.raises(ValidationError, match="河长制"):
        passage_tag(
            document=document,
            start=0,
            end=5,
            user=curator,
            new_name="河湖長制",  # traditional form of the alias
            category=Category.objects.first(),
        )


# --- candidate terms -------------------------------------------------------------------------------


def test_accepting_a_candidate_creates_the_initiative_and_proposes_it_elsewhere(seeded, curator):
    zhuzhou = Document.objects.get(city__slug="zhuzhou")
    term = zhuzhou.candidate_terms.pending().filter(term__contains="链园协同").first()
    assert term is not None
    xiangtan = Document.objects.get(city__slug="xiangtan")
    xiangtan.body += "\n湘潭也推行“链园协同”。"
    xiangtan.save()

    initiative = candidate_accept(
        document=zhuzhou,
        normalised_term=term.normalised,
        user=curator,
        category=Category.objects.get(slug="industry-innovation"),
    )
    assert initiative.name == "链园协同"
    assert zhuzhou.mentions.confirmed().filter(initiative=initiative).exists()
    assert not zhuzhou.candidate_terms.pending().filter(normalised=term.normalised).exists()
    assert CandidateTerm.objects.filter(normalised=term.normalised, status=CandidateStatus.ACCEPTED).exists()
    assert xiangtan.mentions.suggested().filter(initiative=initiative).exists()


def test_accepting_a_candidate_as_an_alias(seeded, curator):
    document = Document.objects.get(city__slug="zhuzhou")
    term = document.candidate_terms.pending().filter(term__contains="五化").first() or document.candidate_terms.first()
    hezhang = Initiative.objects.get(slug="hezhangzhi")
    candidate_accept(document=document, normalised_term=term.normalised, user=curator, initiative=hezhang)
    assert InitiativeAlias.objects.filter(initiative=hezhang, name=term.proposed_name).exists()
    assert document.mentions.confirmed().filter(initiative=hezhang, start=term.start).exists()


# --- initiatives -----------------------------------------------------------------------------------


def test_merge_keeps_every_mention_and_redirects(seeded, curator, client):
    source = Initiative.objects.get(slug="yilianti")
    target = Initiative.objects.get(slug="yigongti")
    passages = set(Mention.objects.filter(initiative__in=[source, target]).values_list("document", "start", "end"))
    before = Mention.objects.filter(initiative__in=[source, target]).count()
    source_aliases = set(source.aliases.values_list("name", flat=True))
    result = initiative_merge(source=source, target=target, user=curator)

    # Every tagged passage is still tagged; a passage both named becomes one mention.
    assert set(target.mentions.values_list("document", "start", "end")) == passages
    assert target.mentions.count() == before - result.mentions_merged
    assert not Initiative.objects.filter(slug="yilianti").exists()
    assert source_aliases | {"医联体"} <= set(target.aliases.values_list("name", flat=True))
    response = client.get("/initiatives/yilianti/?x=1")
    assert response.status_code == 301 and response["Location"] == "/initiatives/yigongti/?x=1"
    assert client.get("/en/initiatives/yilianti/")["Location"] == "/en/initiatives/yigongti/"
    assert any("医联体" in message for message in history(target))


def test_merge_of_two_tags_on_one_passage_keeps_one_confirmed(seeded, curator):
    mention = Mention.objects.confirmed().select_related("document").first()
    target = Initiative.objects.exclude(pk=mention.initiative_id).first()
    Mention.objects.create(
        document=mention.document, initiative=target, start=mention.start, end=mention.end, status="suggested"
    )
    result = initiative_merge(source=mention.initiative, target=target, user=curator)
    assert result.mentions_merged == 1
    twin = Mention.objects.get(document=mention.document, initiative=target, start=mention.start, end=mention.end)
    assert twin.status == MentionStatus.CONFIRMED


def test_merge_into_itself_is_refused(seeded, curator):
    initiative = Initiative.objects.first()
    with pytest.raises(ValidationError):
        initiative_merge(source=initiative, target=initiative, user=curator)


def test_rename_redirects_old_addresses_in_one_hop(seeded, curator, client):
    initiative = Initiative.objects.get(slug="xianguanxiaopin")
    for new_slug in ["xianguan-xiaopin", "county-schools"]:
        old_name, old_slug = initiative.name, initiative.slug
        initiative.slug = new_slug
        initiative.name = f"{old_name}改革" if new_slug == "county-schools" else old_name
        initiative.save()
        initiative_renamed(
            initiative=initiative, old_name=old_name, old_slug=old_slug, user=curator, keep_old_name=True
        )
    assert client.get("/initiatives/xianguanxiaopin/")["Location"] == "/initiatives/county-schools/"
    assert client.get("/initiatives/xianguan-xiaopin/")["Location"] == "/initiatives/county-schools/"
    assert InitiativeAlias.objects.filter(initiative=initiative, name="县管校聘").exists()
    # Taking an old address back makes it live again.
    initiative.slug = "xianguanxiaopin"
    initiative.save()
    initiative_renamed(
        initiative=initiative, old_name=initiative.name, old_slug="county-schools", user=curator, keep_old_name=True
    )
    assert client.get("/initiatives/xianguanxiaopin/").status_code == 200
    assert not InitiativeRedirect.objects.filter(old_slug="xianguanxiaopin").exists()


def test_split_moves_the_chosen_mentions_and_aliases(seeded, curator):
    initiative = Initiative.objects.get(slug="gongliyiyuangaige")
    mentions = list(initiative.mentions.all())
    alias = initiative.aliases.get(name="城市公立医院综合改革")
    new = initiative_split(
        initiative=initiative,
        name="城市公立医院综合改革",
        category=initiative.category,
        mentions=mentions[:1],
        aliases=[alias],
        user=curator,
    )
    assert new.mentions.count() == 1 and initiative.mentions.count() == len(mentions) - 1
    assert not InitiativeAlias.objects.filter(name="城市公立医院综合改革").exists()  # it is the new name
    assert new in initiative.related.all()
    with pytest.raises(ValidationError):
        initiative_split(initiative=initiative, name="空", category=initiative.category, mentions=[], user=curator)


# --- mention years -----------------------------------------------------------------------------------


def zhuzhou_river_chief():
    return Mention.objects.confirmed().get(document__city__slug="zhuzhou", initiative__slug="hezhangzhi")


def test_zhuzhou_adopted_the_river_chief_system_no_later_than_2022(seeded):
    """株洲's decade retrospective does not say when it adopted 河长制: its year is the report's last,
    and says so; the mention the text dates 去年 is 2021 and stated."""
    mention = zhuzhou_river_chief()
    assert (mention.year, mention.year_source, mention.year_label) == (2022, YearSource.REPORT, "不晚于2022")
    launched = Mention.objects.confirmed().filter(document__city__slug="zhuzhou", initiative__slug="nadijikaigong")
    assert (2021, YearSource.STATED) in {(m.year, m.year_source) for m in launched}


def test_years_are_dated_again_when_the_text_changes(seeded, curator):
    mention = zhuzhou_river_chief()
    document = mention.document
    old_body = document.body
    document.body = old_body.replace(mention.passage, "2017年以来," + mention.passage)
    document.save()
    document_body_change(document=document, old_body=old_body, user=curator)
    mention.refresh_from_db()
    assert (mention.year, mention.year_source) == (2017, YearSource.STATED)


def test_years_are_dated_again_when_the_reports_years_change(seeded):
    mention = zhuzhou_river_chief()
    document = mention.document
    document.year_start, document.year_end = 2012, 2021
    document.save()
    assert document_mention_years_refresh(document=document) > 0
    mention.refresh_from_db()
    assert (mention.year, mention.year_source) == (2021, YearSource.REPORT)


def test_a_dated_statement_a_curator_corrects_or_hides_dates_its_mentions_accordingly(seeded):
    event = DatedEvent.objects.get(document__city__slug="zhuzhou", expression="去年")
    launched = Mention.objects.filter(document=event.document, start__lt=event.end, end__gt=event.start)
    assert {(m.year, m.year_source) for m in launched} == {(2021, YearSource.STATED)}
    event.year, event.curated = 2020, True
    event.save()
    document_mention_years_refresh(document=event.document)
    assert {(m.year, m.year_source) for m in launched.all()} == {(2020, YearSource.STATED)}
    event.hidden = True
    event.save()
    document_mention_years_refresh(document=event.document)
    assert {(m.year, m.year_source) for m in launched.all()} == {(2022, YearSource.REPORT)}


def test_a_curators_year_survives_dating_again(seeded, curator):
    mention = zhuzhou_river_chief()
    changes = mention_review(mention=mention, user=curator, year=2016, year_source=YearSource.CONTEXT)
    assert len(changes) == 2 and any("年份依据" in message for message in history(mention)[0].split("；"))
    document = mention.document
    document.year_end = 2021
    document.save()
    document_mention_years_refresh(document=document)
    document_suggestions_refresh(document=document)
    mention.refresh_from_db()
    assert (mention.year, mention.year_source, mention.year_curated) == (2016, YearSource.CONTEXT, True)


def test_a_source_alone_can_be_corrected(seeded, curator):
    mention = zhuzhou_river_chief()
    mention_review(mention=mention, user=curator, year=mention.year, year_source=YearSource.STATED)
    mention.refresh_from_db()
    assert (mention.year, mention.year_source, mention.year_curated) == (2022, YearSource.STATED, True)


def test_a_passage_tagged_with_a_year_keeps_it(seeded, curator):
    document = Document.objects.get(city__slug="zhuzhou")
    start = document.body.index("“门前三小”")
    mention = passage_tag(
        document=document,
        start=start,
        end=start + 6,
        user=curator,
        new_name="门前三小工程",
        category=Category.objects.get(slug="culture"),
        year=2019,
    )
    assert (mention.year, mention.year_source, mention.year_curated) == (2019, YearSource.STATED, True)


# --- editing the text ------------------------------------------------------------------------------


def test_a_text_edit_moves_the_evidence(seeded, curator):
    document = Document.objects.get(city__slug="xiangtan")
    passages = {m.pk: m.passage for m in document.mentions.all()}
    old_body = document.body
    document.body = "（编者按：本文有删节。）\n" + old_body
    document.save()
    document_body_change(document=document, old_body=old_body, user=curator)
    for mention in document.mentions.all():
        if mention.pk in passages:
            assert mention.passage == passages[mention.pk]


def test_an_edit_that_would_lose_confirmed_evidence_is_reported(seeded):
    document = Document.objects.get(city__slug="xiangtan")
    mention = document.mentions.confirmed().select_related("initiative").first()
    new_body = document.body.replace(mention.passage, "")
    problems = body_change_problems(document=document, new_body=new_body)
    assert problems and mention.initiative.name in problems[0]


def test_the_api_follows_a_merge_too(seeded, curator, client):
    initiative_merge(
        source=Initiative.objects.get(slug="yilianti"), target=Initiative.objects.get(slug="yigongti"), user=curator
    )
    response = client.get("/api/initiatives/yilianti/")
    assert response.status_code == 301 and response["Location"] == "/api/initiatives/yigongti/"
    assert client.get("/api/initiatives/no-such-initiative/").status_code == 404
