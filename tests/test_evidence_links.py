"""Every link into a report lands on something: #m12 (a mention), #p3 (a paragraph), #hit1 (the first
search hit). Crawls the seed archive's pages in both languages, plus search results."""

import re
from collections import deque
from html import unescape
from itertools import pairwise
from urllib.parse import urljoin, urlsplit

import pytest

from archive.models import Document, Initiative, Mention

_HREF = re.compile(r'href="([^"]+)"')
_ID = re.compile(r'\sid="([^"]+)"')
# Pages of the archive itself; the admin, the API and downloads are not reading pages.
_CRAWLED = re.compile(r"^(/en)?/(cities/|initiatives/|documents/|compare/)?([\w-]+/)?$")
_SEARCHES = ["河长制", "河长", "发展", "县管校聘 OR 河长制", "一件事一次办", "改革 -河长"]


def _links(page: str, base: str) -> list[str]:
    return [urljoin(base, unescape(href)) for href in _HREF.findall(page)]


@pytest.fixture
def crawl(client, indexed):
    """{url: html} for every archive page reachable from both home pages and from search results."""
    pages: dict[str, str] = {}
    start = ["/", "/en/"] + [f"{prefix}/search/?q={q}" for prefix in ("", "/en") for q in _SEARCHES]
    queue = deque(start)
    while queue:
        url = queue.popleft()
        if url in pages:
            continue
        response = client.get(url)
        assert response.status_code == 200, url
        pages[url] = response.content.decode()
        for link in _links(pages[url], url):
            parts = urlsplit(link)
            if not parts.netloc and not parts.query and _CRAWLED.match(parts.path):
                queue.append(parts.path)
    return pages


def test_every_link_into_a_report_lands_on_its_anchor(client, crawl):
    targets: dict[str, set[str]] = {}
    checked, broken = 0, []
    for url, page in crawl.items():
        for link in _links(page, url):
            parts = urlsplit(link)
            if parts.netloc or not parts.fragment:
                continue
            address = parts.path + (f"?{parts.query}" if parts.query else "")
            if address not in targets:
                target = crawl.get(address) or client.get(address).content.decode()
                targets[address] = set(_ID.findall(target))
            checked += 1
            if parts.fragment not in targets[address]:
                broken.append(f"{url} → {link}")
    assert not broken, f"{len(broken)} of {checked} links land nowhere:\n" + "\n".join(broken[:20])
    # The crawl reached the evidence: every confirmed mention is linked from its initiative's page.
    mention_links = {link for page in crawl.values() for link in _HREF.findall(page) if "#m" in link}
    assert len(mention_links) >= Mention.objects.confirmed().count()
    assert any("#hit1" in link for page in crawl.values() for link in _HREF.findall(page))
    assert any(re.search(r"#p\d+", link) for page in crawl.values() for link in _HREF.findall(page))


def test_the_crawl_covers_every_report_and_initiative(crawl):
    for document in Document.objects.all():
        assert document.get_absolute_url() in crawl
    for initiative in Initiative.objects.filter(mentions__isnull=False).distinct():
        assert initiative.get_absolute_url() in crawl


def test_overlapping_mentions_keep_their_own_anchor_and_name_every_initiative(client, seeded):
    """许昌's and 株洲's reports tag passages that overlap; each mention is still its own mark."""
    overlapping = 0
    for document in Document.objects.all():
        page = client.get(document.get_absolute_url()).content.decode()
        mentions = Mention.objects.confirmed().filter(document=document).select_related("initiative")
        labels = {}
        for mention in mentions.order_by("start", "pk"):
            tag = re.search(rf'<mark id="m{mention.pk}" class="mention" tabindex="0" data-label="([^"]*)">', page)
            assert tag, f"m{mention.pk} has no mark of its own"
            labels[mention] = tag[1].split(" · ")
            assert mention.initiative.name in labels[mention]
        ordered = list(labels)
        for first, second in pairwise(ordered):
            if first.end > second.start and first.initiative != second.initiative:
                overlapping += 1
                names = {first.initiative.name, second.initiative.name}
                assert names <= set(labels[second]) or names <= set(labels[first])
    assert overlapping  # the seeds do have such passages
