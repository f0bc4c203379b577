from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from archive.models import Category, City, Document, Initiative, Mention
from tests.conftest import SEED_DIR

pytestmark = pytest.mark.django_db


def run(*args, **options):
    out, err = StringIO(), StringIO()
    call_command(*args, stdout=out, stderr=err, **options)
    return out.getvalue()


def test_import_reports_prints_one_line_per_file_and_imports_a_folder():
    output = run("import_reports", str(SEED_DIR))
    lines = [line for line in output.splitlines() if line.startswith(("imported", "duplicate", "failed"))]
    assert len(lines) == 5 and all(line.startswith("imported") for line in lines)
    assert "未找到" in output
    assert Document.objects.count() == 5


def test_import_reports_fails_non_zero_but_keeps_the_good_files(tmp_path):
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"")
    with pytest.raises(CommandError, match="1 个文件导入失败"):
        call_command("import_reports", str(SEED_DIR / "003_70904a6dfc86bffb.txt"), str(empty), stdout=StringIO())
    assert list(Document.objects.values_list("city__slug", flat=True)) == ["xuchang"]


def test_bad_year_override_is_refused_before_any_import():
    with pytest.raises(CommandError, match="年份格式"):
        run("import_reports", str(SEED_DIR), year="twenty")
    assert Document.objects.count() == 0


def test_load_seed_is_idempotent():
    run("load_seed")
    counts = (Document.objects.count(), Category.objects.count(), Initiative.objects.count(), Mention.objects.count())
    output = run("load_seed")
    assert "重复 1" in output
    again = (Document.objects.count(), Category.objects.count(), Initiative.objects.count(), Mention.objects.count())
    assert again == counts
    assert counts[0] == 5 and counts[3] >= 40
    assert Document.objects.get(city__slug="changchun").year_start == 2020
    assert City.objects.count() == 338
