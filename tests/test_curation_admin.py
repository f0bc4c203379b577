"""The curator's workflow in the admin, as a curator account does it: upload, review, tag, accept
candidate terms, merge and split, with every change in the public pages, search and history."""

import pytest
from django.contrib.auth.models import Group, User
from django.core.files.uploadedfile import SimpleUploadedFile

from archive.models import (
    CandidateTerm,
    Category,
    Document,
    Initiative,
    InitiativeAlias,
    Mention,
    MentionStatus,
)
from archive.search import evaluate, parse_query
from archive.services.curation import CURATOR_GROUP, document_suggestions_refresh

NEW_REPORT = (
    "许昌市2023年全面深化改革工作综述\n"
    "2023年，许昌市深化县管校聘改革，全市交流轮岗教师1200人。\n"
    "许昌市推行“企业开办一网通”，新办企业平均半日办结。\n"
    "全面推行河湖长制，建立跨界河流联防联控机制。"
)


@pytest.fixture
def curator(db):
    user = User.objects.create_user("curator", password="not-used", is_staff=True)
    user.groups.add(Group.objects.get(name=CURATOR_GROUP))
    return user


@pytest.fixture
def curator_client(client, curator):
    client.force_login(curator)
    return client


def upload(client, *files, **fields):
    return client.post("/admin/archive/document/upload/", {"files": list(files), **fields})


def review_formset(document, decisions: dict[int, dict]) -> dict:
    """The review form as the page posts it, with `decisions` applied to some mentions."""
    mentions = list(document.mentions.all())
    data = {
        "action": "review",
        "review-TOTAL_FORMS": len(mentions),
        "review-INITIAL_FORMS": len(mentions),
        "review-MIN_NUM_FORMS": 0,
        "review-MAX_NUM_FORMS": 5000,
    }
    for index, mention in enumerate(mentions):
        row = {
            "mention": mention.pk,
            "initiative": mention.initiative_id,
            "year": mention.year or "",
            "year_source": mention.year_source,
            "decision": "",
        }
        row.update(decisions.get(mention.pk, {}))
        data.update({f"review-{index}-{key}": value for key, value in row.items()})
    return data


def count(query: str, **filters) -> int:
    return evaluate(parse_query(query), filters=filters).count


# --- roles ---------------------------------------------------------------------------------------


def test_curator_group_has_content_permissions_only(curator):
    codenames = set(Group.objects.get(name=CURATOR_GROUP).permissions.values_list("codename", flat=True))
    assert {"change_mention", "add_document", "delete_initiative", "add_initiativealias"} <= codenames
    assert not {c for c in codenames if c.endswith(("_user", "_group", "_permission", "_searchqueueentry"))}


@pytest.mark.parametrize("url", ["/admin/auth/user/", "/admin/auth/group/", "/admin/auth/user/add/"])
def test_curator_cannot_open_user_management(seeded, curator_client, url):
    assert curator_client.get(url).status_code == 403


def test_curator_admin_index_lists_the_archive_only(seeded, curator_client):
    page = curator_client.get("/admin/").content.decode()
    assert "/admin/archive/documenttoreview/" in page and "/admin/archive/document/" in page
    assert "/admin/auth/" not in page


def test_anonymous_visitors_are_sent_to_log_in(seeded, client):
    document = Document.objects.first()
    for url in [f"/admin/archive/document/{document.pk}/review/", "/admin/archive/document/upload/"]:
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith("/admin/login/")


def test_a_viewer_without_change_rights_cannot_decide(seeded, client):
    viewer = User.objects.create_user("viewer", password="x", is_staff=True)
    viewer.user_permissions.add(*Group.objects.get(name=CURATOR_GROUP).permissions.filter(codename="view_document"))
    client.force_login(viewer)
    document = Document.objects.get(city__slug="yongzhou")
    assert client.get(f"/admin/archive/document/{document.pk}/review/").status_code == 200
    response = client.post(f"/admin/archive/document/{document.pk}/review/", review_formset(document, {}))
    assert response.status_code == 403


# --- upload ----------------------------------------------------------------------------------------


def test_upload_imports_proposes_and_records_who(seeded, curator_client):
    response = upload(curator_client, SimpleUploadedFile("xuchang-2023.txt", NEW_REPORT.encode("gb18030")))
    page = response.content.decode()
    assert response.status_code == 200 and "已导入" in page
    document = Document.objects.get(original_filename="xuchang-2023.txt")
    assert document.city.slug == "xuchang" and document.year_start == 2023
    suggested = set(document.mentions.suggested().values_list("initiative__slug", flat=True))
    assert {"xianguanxiaopin", "hezhangzhi"} <= suggested
    assert CandidateTerm.objects.filter(document=document, term__contains="企业开办一网通").exists()
    assert f"/admin/archive/document/{document.pk}/review/" in page
    history = curator_client.get(f"/admin/archive/document/{document.pk}/history/").content.decode()
    assert "curator" in history and "xuchang-2023.txt" in history


def test_upload_reports_each_file_and_writes_nothing_for_the_bad_ones(seeded, curator_client):
    before = Document.objects.count()
    seed = Document.objects.get(city__slug="xiangtan")
    response = upload(
        curator_client,
        SimpleUploadedFile("copy.txt", seed.body.encode("utf-8")),
        SimpleUploadedFile("binary.txt", bytes(range(256)) * 20),
        SimpleUploadedFile("no-city.txt", "本文没有城市名称，只是一段足够长的普通文字，用来测试导入。".encode()),
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert page.count("upload-outcome-duplicate") == 1 and page.count("upload-outcome-rejected") == 2
    assert f"#{seed.pk}" in page
    assert Document.objects.count() == before


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("report.pdf", b"%PDF-1.4", "只接受"),
        ("huge.txt", b"x" * (5 * 1024 * 1024 + 1), "文件太大"),
    ],
)
def test_upload_refuses_wrong_types_and_sizes(seeded, curator_client, name, data, message):
    before = Document.objects.count()
    response = upload(curator_client, SimpleUploadedFile(name, data))
    assert response.status_code == 200 and message in response.content.decode()
    assert Document.objects.count() == before


def test_upload_without_files_is_a_form_error(seeded, curator_client):
    response = upload(curator_client)
    assert response.status_code == 200 and "请选择报告文件，或填写报告网页的地址" in response.content.decode()


# --- review ----------------------------------------------------------------------------------------


def test_queue_lists_reports_with_pending_suggestions(seeded, curator_client):
    page = curator_client.get("/admin/archive/documenttoreview/").content.decode()
    waiting = Document.objects.awaiting_review()
    assert waiting.exists()
    for document in waiting:
        assert f"/admin/archive/document/{document.pk}/review/" in page


def test_review_page_marks_the_text(seeded, curator_client):
    document = Document.objects.get(city__slug="yongzhou")
    page = curator_client.get(f"/admin/archive/document/{document.pk}/review/").content.decode()
    suggestion = document.mentions.suggested().first()
    confirmed = document.mentions.confirmed().first()
    assert f'data-mention="{suggestion.pk}"' in page and 'class="review-suggested"' in page
    assert f'data-mention="{confirmed.pk}"' in page and 'class="review-confirmed"' in page
    assert 'class="review-candidate"' in page
    assert 'data-offset="0"' in page and "js/review.js" in page


def test_confirming_in_review_reaches_the_public_pages_and_search(
    indexed, curator_client, client, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        upload(curator_client, SimpleUploadedFile("xuchang-2023.txt", NEW_REPORT.encode("utf-8")))
    document = Document.objects.get(original_filename="xuchang-2023.txt")
    suggestion = document.mentions.suggested().get(initiative__slug="xianguanxiaopin")
    assert count("", initiatives=["xianguanxiaopin"]) == 1  # 许昌's seed report only

    data = review_formset(document, {suggestion.pk: {"decision": "confirmed", "year": 2023}})
    with django_capture_on_commit_callbacks(execute=True):
        response = curator_client.post(f"/admin/archive/document/{document.pk}/review/", data)
    assert response.status_code == 302
    suggestion.refresh_from_db()
    assert suggestion.status == MentionStatus.CONFIRMED and suggestion.year == 2023
    assert suggestion.confirmed_by.username == "curator"

    assert count("", initiatives=["xianguanxiaopin"]) == 2
    assert "县管校聘" in client.get(f"/documents/{document.pk}/").content.decode().split('id="p1"')[0]
    timeline = client.get("/cities/xuchang/").content.decode()
    assert f"/documents/{document.pk}/" in timeline
    history = curator_client.get(f"/admin/archive/mention/{suggestion.pk}/history/").content.decode()
    assert "curator" in history and "已确认" in history


def test_review_lists_candidate_terms_best_first_and_folds_the_less_likely(seeded, curator_client):
    from archive.importing.suggestions import candidate_cap
    from archive.selectors import document_review

    document = Document.objects.get(city__slug="zhuzhou")
    review = document_review(document)
    scores = [group.score for group in review.candidates]
    assert scores == sorted(scores, reverse=True)
    shown = len(review.candidates) - review.more_candidates
    assert review.more_candidates > 0 and shown >= candidate_cap(document.body)
    assert review.candidates[shown].first_beyond_cap and not any(g.first_beyond_cap for g in review.candidates[:shown])
    page = curator_client.get(f"/admin/archive/document/{document.pk}/review/").content.decode()
    assert f"其余 {review.more_candidates} 个可能性较低的候选词" in page
    assert page.index(review.candidates[0].term) < page.index('class="review-more-candidates"')


def test_review_says_what_found_each_candidate_in_the_interface_language(seeded, curator_client):
    from archive.models import CandidateTerm

    document = Document.objects.get(city__slug="xuchang")
    quoted = CandidateTerm.objects.filter(document=document, signal="quoted").first()
    headed = CandidateTerm.objects.filter(document=document, signal="改革").first()
    assert quoted and headed
    url = f"/admin/archive/document/{document.pk}/review/"
    page = curator_client.get(url).content.decode()
    assert '<span class="review-signal">引号</span>' in page and '<span class="review-signal">改革</span>' in page
    assert '<span class="review-signal">quoted</span>' not in page  # the stored code is not shown


def test_candidate_signal_labels_follow_the_language():
    from django.utils import translation

    from archive.display import candidate_signal_label

    assert candidate_signal_label("document") == "文件名" and candidate_signal_label("试点") == "试点"
    with translation.override("en"):
        assert candidate_signal_label("document") == "document title"
        assert candidate_signal_label("试点") == "试点"  # a head word is shown as written


def test_a_curator_corrects_a_year_and_its_source_in_review(seeded, curator_client):
    """株洲's 河长制 is dated only by the report (不晚于2022); a curator who knows better sets 2016,
    stated, and the public page and the next re-extraction keep it."""
    mention = Mention.objects.confirmed().get(document__city__slug="zhuzhou", initiative__slug="hezhangzhi")
    document = mention.document
    page = curator_client.get(f"/admin/archive/document/{document.pk}/review/").content.decode()
    assert 'name="review-0-year_source"' in page and "仅报告年份" in page
    data = review_formset(document, {mention.pk: {"year": 2016, "year_source": "stated"}})
    assert curator_client.post(f"/admin/archive/document/{document.pk}/review/", data).status_code == 302
    mention.refresh_from_db()
    assert (mention.year, mention.year_source, mention.year_curated) == (2016, "stated", True)
    document_suggestions_refresh(document=document)
    mention.refresh_from_db()
    assert (mention.year, mention.year_source) == (2016, "stated")
    assert ">2016<" in curator_client.get("/initiatives/hezhangzhi/").content.decode()


def test_a_bad_year_source_is_a_form_error(seeded, curator_client):
    mention = Mention.objects.confirmed().filter(document__city__slug="zhuzhou").first()
    data = review_formset(mention.document, {mention.pk: {"year_source": "guessed"}})
    response = curator_client.post(f"/admin/archive/document/{mention.document_id}/review/", data)
    assert response.status_code == 200 and "guessed" in response.content.decode()
    mention.refresh_from_db()
    assert mention.year_source == "report" and not mention.year_curated


def test_bulk_reject_from_the_mention_list(seeded, curator_client):
    pending = list(Mention.objects.suggested().values_list("pk", flat=True)[:3])
    response = curator_client.post(
        "/admin/archive/mention/", {"action": "reject_selected", "_selected_action": pending}
    )
    assert response.status_code == 302
    assert set(Mention.objects.filter(pk__in=pending).values_list("status", flat=True)) == {"rejected"}


def test_tagging_a_selected_passage(seeded, curator_client):
    document = Document.objects.get(city__slug="changchun")
    start = document.body.index("。") + 1
    end = document.body.index("。", start) + 1
    response = curator_client.post(
        f"/admin/archive/document/{document.pk}/review/",
        {
            "action": "tag",
            "tag-start": start,
            "tag-end": end,
            "tag-new_name": "长春测试举措",
            "tag-category": Category.objects.get(slug="reform-coordination").pk,
            "tag-year": 2020,
        },
    )
    assert response.status_code == 302
    mention = Mention.objects.get(initiative__name="长春测试举措")
    assert mention.status == MentionStatus.CONFIRMED and mention.passage == document.body[start:end].strip()


@pytest.mark.parametrize(
    "fields",
    [
        {"tag-start": "x", "tag-end": "10"},
        {"tag-start": "50", "tag-end": "10", "tag-new_name": "某举措"},
        {"tag-start": "0", "tag-end": "99999999", "tag-new_name": "某举措"},
        {"tag-start": "0", "tag-end": "10"},  # neither an initiative nor a new name
        {"tag-start": "0", "tag-end": "10", "tag-new_name": "某举措"},  # no category
    ],
)
def test_bad_tagging_input_is_a_form_error(seeded, curator_client, fields):
    document = Document.objects.get(city__slug="changchun")
    before = Mention.objects.count()
    response = curator_client.post(f"/admin/archive/document/{document.pk}/review/", {"action": "tag", **fields})
    assert response.status_code == 200 and "errorlist" in response.content.decode()
    assert Mention.objects.count() == before


@pytest.mark.parametrize("tampered", ["other report", "abc"])
def test_a_tampered_review_form_is_refused_whole(seeded, curator_client, tampered):
    document = Document.objects.get(city__slug="yongzhou")
    other = Mention.objects.exclude(document=document).first()
    data = review_formset(document, {})
    data["review-0-mention"] = other.pk if tampered == "other report" else tampered
    data["review-1-decision"] = "confirmed"
    before = list(Mention.objects.order_by("pk").values_list("status", flat=True))
    response = curator_client.post(f"/admin/archive/document/{document.pk}/review/", data)
    assert response.status_code == 200
    assert list(Mention.objects.order_by("pk").values_list("status", flat=True)) == before


def test_accepting_and_dismissing_candidates(seeded, curator_client):
    document = Document.objects.get(city__slug="zhuzhou")
    first, second = document.candidate_terms.pending().values_list("normalised", flat=True).distinct()[:2]
    url = f"/admin/archive/document/{document.pk}/review/"
    category = Category.objects.get(slug="reform-coordination")
    response = curator_client.post(
        url, {"action": "candidate", "normalised": first, "choice": "new", "name": "", "category": category.pk}
    )
    assert response.status_code == 302
    assert document.candidate_terms.filter(normalised=first, status="accepted").exists()
    response = curator_client.post(url, {"action": "candidate", "normalised": second, "choice": "dismiss"})
    assert response.status_code == 302
    assert document.candidate_terms.filter(normalised=second, status="dismissed").exists()
    # A new initiative without a policy area is refused, nothing written.
    third = document.candidate_terms.pending().values_list("normalised", flat=True).first()
    before = Initiative.objects.count()
    response = curator_client.post(url, {"action": "candidate", "normalised": third, "choice": "new"})
    assert response.status_code == 200 and Initiative.objects.count() == before


# --- initiatives -----------------------------------------------------------------------------------


def test_merge_through_the_admin_action(seeded, curator_client, client):
    source, target = Initiative.objects.get(slug="yilianti"), Initiative.objects.get(slug="yigongti")
    passages = set(Mention.objects.filter(initiative__in=[source, target]).values_list("document", "start", "end"))
    selected = {"action": "merge_selected", "_selected_action": [source.pk, target.pk]}
    confirm_page = curator_client.post("/admin/archive/initiative/", selected)
    assert confirm_page.status_code == 200 and "合并到" in confirm_page.content.decode()
    response = curator_client.post("/admin/archive/initiative/", {**selected, "apply": "1", "target": target.pk})
    assert response.status_code == 302
    assert set(target.mentions.values_list("document", "start", "end")) == passages
    assert client.get("/initiatives/yilianti/")["Location"] == "/initiatives/yigongti/"
    assert "医联体" in client.get("/initiatives/yigongti/").content.decode()
    history = curator_client.get(f"/admin/archive/initiative/{target.pk}/history/").content.decode()
    assert "curator" in history and "医联体" in history


def test_rename_in_the_admin_keeps_the_old_address_and_name(seeded, curator_client, client):
    initiative = Initiative.objects.get(slug="xianguanxiaopin")
    response = curator_client.post(
        f"/admin/archive/initiative/{initiative.pk}/change/",
        {
            "name": "县管校聘管理改革",
            "keep_old_name": "on",
            "slug": "xianguanxiaopin-guanli",
            "category": initiative.category_id,
            "description": initiative.description,
            "aliases-TOTAL_FORMS": 0,
            "aliases-INITIAL_FORMS": 0,
            "redirects-TOTAL_FORMS": 0,
            "redirects-INITIAL_FORMS": 0,
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    assert client.get("/initiatives/xianguanxiaopin/")["Location"] == "/initiatives/xianguanxiaopin-guanli/"
    assert InitiativeAlias.objects.filter(initiative=initiative, name="县管校聘").exists()


def test_renaming_onto_another_initiatives_alias_is_a_form_error(seeded, curator_client):
    initiative = Initiative.objects.get(slug="xianguanxiaopin")
    response = curator_client.post(
        f"/admin/archive/initiative/{initiative.pk}/change/",
        {
            "name": "河湖长制",
            "slug": initiative.slug,
            "category": initiative.category_id,
            "aliases-TOTAL_FORMS": 0,
            "aliases-INITIAL_FORMS": 0,
            "redirects-TOTAL_FORMS": 0,
            "redirects-INITIAL_FORMS": 0,
        },
    )
    assert response.status_code == 200 and "河长制" in response.content.decode()
    assert Initiative.objects.get(pk=initiative.pk).name == "县管校聘"


def test_split_through_the_admin(seeded, curator_client):
    initiative = Initiative.objects.get(slug="gongliyiyuangaige")
    mention = initiative.mentions.first()
    response = curator_client.post(
        f"/admin/archive/initiative/{initiative.pk}/split/",
        {"name": "公立医院运营管理改革", "category": initiative.category_id, "mentions": [mention.pk]},
    )
    assert response.status_code == 302
    assert Mention.objects.get(pk=mention.pk).initiative.name == "公立医院运营管理改革"


def test_a_text_edit_that_would_lose_evidence_is_refused(seeded, curator_client):
    document = Document.objects.get(city__slug="xiangtan")
    mention = document.mentions.confirmed().first()
    data = {
        "title": document.title,
        "city": document.city_id,
        "year_start": document.year_start or "",
        "year_end": document.year_end or "",
        "body": document.body.replace(mention.passage, "（删去）"),
        "raw_text": document.raw_text,
        "extra": "{}",
        "mentions-TOTAL_FORMS": 0,
        "mentions-INITIAL_FORMS": 0,
    }
    response = curator_client.post(f"/admin/archive/document/{document.pk}/change/", data)
    assert response.status_code == 200 and "找不到以下已确认提及" in response.content.decode()
    assert Document.objects.get(pk=document.pk).body == document.body


def test_dismissing_candidates_from_the_list_is_recorded(seeded, curator_client):
    candidate = CandidateTerm.objects.filter(status="pending").select_related("document").first()
    response = curator_client.post(
        "/admin/archive/candidateterm/", {"action": "dismiss_selected", "_selected_action": [candidate.pk]}
    )
    assert response.status_code == 302
    assert CandidateTerm.objects.get(pk=candidate.pk).status == "dismissed"
    history = curator_client.get(f"/admin/archive/document/{candidate.document_id}/history/").content.decode()
    assert "curator" in history and candidate.normalised in history
