"""The concordance on the seed archive: counts equal grep on the normalised texts, pages, sorting,
filters, the API, the CSV and bad input."""

import csv
import io
import re

import pytest

from archive.models import Document
from archive.text.normalise import normalise


def grep_count(term: str, **filters) -> int:
    """What `grep -o` finds in the normalised titles and texts."""
    documents = Document.objects.filter(**filters)
    return sum(normalise(f"{d.title}\n{d.body}").count(normalise(term)) for d in documents)


@pytest.mark.parametrize("term", ["改革", "河长制", "放管服", "營商環境", "２０１７年", "县管校聘"])
def test_api_count_equals_grep(client, indexed_on, term):
    data = client.get("/api/concordance/", {"q": term, "page_size": 5}).json()
    assert data["count"] == grep_count(term) > 0
    assert len(data["results"]) == min(5, data["count"])


def test_every_line_of_a_term_is_listed_once_across_pages(client, indexed_on):
    count = grep_count("河长")
    seen = []
    for page in range(1, count // 7 + 2):
        seen += client.get("/api/concordance/", {"q": "河长", "page_size": 7, "page": page}).json()["results"]
    assert len(seen) == count
    assert len({(row["document"]["id"], row["paragraph"], row["left"], row["right"]) for row in seen}) == count
    assert all(normalise(row["match"]) == "河长" for row in seen)


def test_a_line_links_to_its_paragraph_and_the_paragraph_holds_it(client, indexed):
    row = client.get("/api/concordance/", {"q": "县管校聘"}).json()["results"][0]
    document = Document.objects.get(pk=row["document"]["id"])
    assert row["url"] == f"/documents/{document.pk}/#p{row['paragraph']}"
    paragraph = document.body.split("\n")[row["paragraph"] - 1]
    assert row["left"] + row["match"] + row["right"] in paragraph


def test_filters_are_those_of_search(client, indexed_on):
    data = client.get("/api/concordance/", {"q": "改革", "city": "xuchang"}).json()
    assert data["count"] == grep_count("改革", city__slug="xuchang")
    assert {row["city"]["slug"] for row in data["results"]} == {"xuchang"}


def test_sorting_by_right_context_orders_the_lines(client, indexed):
    rows = client.get("/api/concordance/", {"q": "改革", "sort": "right", "page_size": 200}).json()["results"]
    rights = [row["right"] for row in rows]
    assert rights == sorted(rights)
    lefts = [
        row["left"][::-1]
        for row in client.get("/api/concordance/", {"q": "改革", "sort": "left", "page_size": 200}).json()["results"]
    ]
    assert lefts == sorted(lefts)


def test_width_sets_the_context(client, indexed):
    rows = client.get("/api/concordance/", {"q": "河长制", "width": 5}).json()["results"]
    assert all(len(row["left"]) <= 5 and len(row["right"]) <= 5 for row in rows)


def test_page_shows_lines_tabs_and_downloads(client, indexed):
    page = client.get("/concordance/", {"q": "河长制"}).content.decode()
    assert f"<strong>{grep_count('河长制')}</strong>" in page
    assert 'class="kwic-match"' in page and "/api/concordance/export.csv?q=" in page
    english = client.get("/en/concordance/", {"q": "河长制"}).content.decode()
    assert "Concordance" in english


def test_collocates_tab_lists_words_near_the_term(client, indexed):
    data = client.get("/api/concordance/collocates/", {"q": "河长制", "window": 8}).json()
    words = [row["word"] for row in data["results"]]
    assert words and all(len(word) >= 2 for word in words)
    assert all(
        row["count"] == row["left"] + row["right"] and row["frequency"] >= row["count"] for row in data["results"]
    )
    page = client.get("/concordance/", {"q": "河长制", "tab": "collocates"}).content.decode()
    assert "logDice" in page and words[0] in page


def test_csv_holds_every_line_with_the_query_and_date_stamped(client, indexed):
    response = client.get("/api/concordance/export.csv", {"q": "河长制"})
    assert response["Content-Disposition"].startswith('attachment; filename="reform-archive-concordance-')
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0][:2] == ["# query", "河长制"] and rows[1][0] == "# generated"
    assert rows[2][:3] == ["report_id", "title", "city"]
    assert len(rows) - 3 == grep_count("河长制")
    assert all(re.match(r"https?://[^/]+/documents/\d+/", row[-1]) for row in rows[3:])


@pytest.mark.parametrize(
    "params",
    [
        {"q": "改革", "sort": "sideways"},
        {"q": "改革", "width": "0"},
        {"q": "改革", "page": "-1"},
        {"q": "改革", "city": "atlantis"},
    ],
)
def test_bad_parameters_are_a_400_with_a_message(client, indexed, params):
    response = client.get("/api/concordance/", params)
    assert response.status_code == 400 and response.json()["errors"]
    assert client.get("/concordance/", params).status_code == 400
    assert client.get("/api/concordance/export.csv", params).status_code == 400


def test_empty_query_lists_nothing(client, indexed):
    assert client.get("/api/concordance/", {"q": ""}).json() == {
        "count": 0,
        "reports": 0,
        "page": 1,
        "page_size": 50,
        "sort": "report",
        "width": 20,
        "notices": [],
        "results": [],
    }
