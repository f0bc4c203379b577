"""A curator's first session, in a real browser, as the issue describes it: log in, upload a
report, review what the archive proposes, confirm with evidence, tag a passage selected with the
mouse, and find the result on the city's timeline and in search."""

import re

import pytest
from django.contrib.auth.models import Group, User
from playwright.sync_api import expect

from archive.services.curation import CURATOR_GROUP

pytestmark = pytest.mark.browser

REPORT = (
    "许昌市2023年全面深化改革工作综述\n"
    "2023年，许昌市深化县管校聘改革，全市交流轮岗教师1200人。\n"
    "许昌市推行“企业开办一网通”，新办企业平均半日办结。\n"
    "许昌市开展城乡供水一体化改革，农村自来水普及率达到98%。"
)


@pytest.fixture
def curator_page(page, live_archive):
    user = User.objects.create_user("lin", password="a long curator password", is_staff=True)
    user.groups.add(Group.objects.get(name=CURATOR_GROUP))
    page.goto("/admin/login/")
    page.fill("#id_username", "lin")
    page.fill("#id_password", "a long curator password")
    page.click("input[type=submit]")
    expect(page.locator("#curation-module")).to_be_visible()
    return page


def select_text(page, text: str) -> None:
    """Select `text` in the report as a mouse would, then let the page read the selection."""
    page.wait_for_selector('#review-text[data-ready="1"]', state="attached")
    page.evaluate(
        """(wanted) => {
            // The text may run across <mark> elements: map offsets in the paragraph to text nodes.
            const paragraph = [...document.querySelectorAll('#review-text p')]
                .find((p) => p.textContent.includes(wanted));
            if (!paragraph) throw new Error('not in the text: ' + wanted);
            const at = paragraph.textContent.indexOf(wanted);
            const walker = document.createTreeWalker(paragraph, NodeFilter.SHOW_TEXT);
            const range = document.createRange();
            let seen = 0;
            for (let node = walker.nextNode(); node; node = walker.nextNode()) {
                const length = node.textContent.length;
                if (seen <= at && at < seen + length) range.setStart(node, at - seen);
                if (seen < at + wanted.length && at + wanted.length <= seen + length) {
                    range.setEnd(node, at + wanted.length - seen);
                }
                seen += length;
            }
            const selection = window.getSelection();
            selection.removeAllRanges();
            selection.addRange(range);
            paragraph.dispatchEvent(new MouseEvent('mouseup', {bubbles: true}));
        }""",
        text,
    )


def test_a_curator_uploads_reviews_confirms_and_sees_it_public(curator_page, tmp_path, screenshot):
    page = curator_page
    report = tmp_path / "xuchang-2023.txt"
    report.write_bytes(REPORT.encode("gb18030"))

    page.click("text=上传报告文件")
    page.set_input_files("input[type=file]", str(report))
    page.click("input[type=submit]")
    expect(page.locator(".upload-outcome-created")).to_have_text("已导入")
    page.click("text=/审核 \\d+ 条建议/")
    expect(page).to_have_url(re.compile(r"/admin/archive/document/\d+/review/$"))
    document_url = page.url
    screenshot("review")

    # The suggestion for 县管校聘 is marked in the text and waits in the list: confirm it.
    row = page.locator("#suggested li", has_text="县管校聘")
    expect(row).to_have_count(1)
    expect(page.locator("#review-text mark.review-suggested", has_text="县管校聘")).to_have_count(1)
    row.get_by_label("确认").check()
    page.click("text=保存审核结果")
    expect(page.locator(".messagelist")).to_contain_text("已保存 1 条提及的审核结果")
    expect(page.locator("#confirmed li", has_text="县管校聘")).to_have_count(1)

    # Select a passage with the mouse and tag it with a new initiative.
    select_text(page, "许昌市开展城乡供水一体化改革")
    expect(page.locator("#tag-selection")).to_have_text("许昌市开展城乡供水一体化改革")
    page.fill("#id_tag-new_name", "城乡供水一体化")
    page.select_option("#id_tag-category", label="城乡建设与区域协同")
    page.click("text=标注并确认")
    expect(page.locator(".messagelist")).to_contain_text("已标注“城乡供水一体化”")
    passage = page.locator("#confirmed li", has_text="城乡供水一体化")
    expect(passage).to_contain_text("许昌市开展城乡供水一体化改革")

    # Within seconds the public pages and search have it.
    page.goto("/cities/xuchang/")
    expect(page.locator("main")).to_contain_text("城乡供水一体化")
    page.goto("/search/?q=城乡供水一体化")
    expect(page.locator("main")).to_contain_text("许昌市2023年全面深化改革工作综述")

    # And the report's history says who did what.
    page.goto(document_url.replace("/review/", "/history/"))
    expect(page.locator("#change-history")).to_contain_text("lin")
