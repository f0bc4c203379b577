"""Citing a report and a paragraph: GB/T 7714-2015 through citeproc-py, CSL-JSON that validates
against the CSL schema, BibTeX that a BibTeX parser reads back, RIS that a RIS reader reads back,
and the meta tags Zotero's connector reads."""

import json
from datetime import date
from pathlib import Path

import bibtexparser
import jsonschema
import pytest
import rispy

from archive.citations import CitedReport, csl_item, render
from archive.models import Document

CSL_SCHEMA = json.loads((Path(__file__).parent / "fixtures" / "csl" / "csl-data.json").read_text())
ACCESSED = date(2026, 11, 30)
NEWSPAPER_REPORT = CitedReport(
    id=3,
    title="许昌市全面深化改革工作综述",
    authors=["王小明", "李华"],
    source="许昌日报",
    published_on=date(2019, 3, 5),
    year=2018,
    city="许昌市",
    archive_url="https://archive.example/documents/3/",
)
PORTAL_REPORT = CitedReport(
    id=7,
    title="湘潭市2017年全面深化改革工作总结",
    authors=[],
    source="中共湘潭市委改革办",
    published_on=None,
    year=2017,
    city="湘潭市",
    archive_url="https://archive.example/documents/7/",
    page_url="http://www.xiangtan.gov.cn/report.html",
)


def test_gb7714_cites_a_newspaper_report_as_n_ol():
    text = render(csl_item(NEWSPAPER_REPORT, accessed=ACCESSED), "gb7714")
    assert text == (
        "王小明, 李华. 许昌市全面深化改革工作综述[N/OL]. 许昌日报, 2019-03-05[2026-11-30]. "
        "https://archive.example/documents/3/."
    )


def test_gb7714_cites_a_portal_report_as_eb_ol_at_its_own_page():
    text = render(csl_item(PORTAL_REPORT, accessed=ACCESSED), "gb7714")
    assert text.startswith("湘潭市2017年全面深化改革工作总结[EB/OL]. 湘潭市: 中共湘潭市委改革办, 2017[2026-11-30]. ")
    assert text.endswith("http://www.xiangtan.gov.cn/report.html.")


def test_a_paragraph_is_cited_at_its_anchor():
    item = csl_item(NEWSPAPER_REPORT, paragraph=3, accessed=ACCESSED)
    assert item["URL"] == "https://archive.example/documents/3/#p3" and item["locator"] == "3"
    assert render(item, "gb7714").endswith("https://archive.example/documents/3/#p3.")


@pytest.mark.parametrize("report", [NEWSPAPER_REPORT, PORTAL_REPORT])
def test_csl_json_validates_against_the_csl_schema(report):
    for paragraph in (None, 2):
        data = json.loads(render(csl_item(report, paragraph=paragraph, accessed=ACCESSED), "csl-json"))
        jsonschema.validate(data, CSL_SCHEMA)


def test_bibtex_parses_and_keeps_the_fields():
    library = bibtexparser.parse_string(render(csl_item(NEWSPAPER_REPORT, accessed=ACCESSED), "bibtex"))
    assert not library.failed_blocks and len(library.entries) == 1
    entry = library.entries[0]
    assert entry.entry_type == "article" and entry.key == "reform_archive_3"
    fields = {name: field.value for name, field in entry.fields_dict.items()}
    assert fields["title"] == "许昌市全面深化改革工作综述" and fields["journal"] == "许昌日报"
    assert fields["author"] == "{王小明} and {李华}" and fields["year"] == "2019" and fields["urldate"] == "2026-11-30"


def test_ris_reads_back():
    (record,) = rispy.loads(render(csl_item(PORTAL_REPORT, accessed=ACCESSED), "ris"))
    assert record["type_of_reference"] == "ELEC" and record["title"] == PORTAL_REPORT.title
    assert record["urls"] == ["http://www.xiangtan.gov.cn/report.html"] and record["year"] == "2017"


def test_api_serves_each_style_and_all_of_them_as_json(client, seeded):
    document = Document.objects.get(city__slug="xuchang")
    url = f"/api/documents/{document.pk}/citation/"
    both = client.get(url, {"paragraph": 3}).json()
    assert set(both) == {"gb7714", "bibtex", "ris", "csl_json"}
    assert f"/documents/{document.pk}/#p3" in both["gb7714"]
    response = client.get(url, {"style": "bibtex"})
    assert response["Content-Type"].startswith("application/x-bibtex")
    assert bibtexparser.parse_string(response.content.decode()).entries[0]["title"] == document.display_title
    jsonschema.validate(json.loads(client.get(url, {"style": "csl-json"}).content), CSL_SCHEMA)


@pytest.mark.parametrize("params", [{"style": "apa"}, {"paragraph": "0"}, {"paragraph": "x"}, {"paragraph": "99999"}])
def test_api_refuses_bad_parameters_with_a_message(client, seeded, params):
    document = Document.objects.get(city__slug="xuchang")
    response = client.get(f"/api/documents/{document.pk}/citation/", params)
    assert response.status_code == 400 and response.json()["errors"]


def test_api_unknown_report_is_a_404(client, seeded):
    assert client.get("/api/documents/999999/citation/").status_code == 404


def test_report_page_has_highwire_and_dublin_core_tags_escaped(client, seeded):
    document = Document.objects.get(city__slug="xuchang")
    Document.objects.filter(pk=document.pk).update(authors='张三、<script>"李四"')
    page = client.get(document.get_absolute_url()).content.decode()
    assert f'<meta name="citation_title" content="{document.display_title}">' in page
    assert '<meta name="citation_author" content="张三">' in page
    assert '<meta name="citation_author" content="&lt;script&gt;&quot;李四&quot;">' in page
    assert '<meta name="DC.identifier" content="http://testserver/documents/' in page
    assert 'class="cite-open"' in page and "cite.js" in page
