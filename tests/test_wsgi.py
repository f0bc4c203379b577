"""reformsite/wsgi.py, which gunicorn loads in its master before forking the workers: what the
workers would otherwise each load on their first requests is loaded there, once, and shared."""

import json
import os
import subprocess
import sys
from pathlib import Path

from django.conf import settings

from archive.search import user_dictionary_words

ROOT = Path(__file__).resolve().parent.parent
OUR_VARIABLES = ("DJANGO_", "REFORM_", "DATABASE_URL", "WEB_CONCURRENCY")

PROBE = """
import gc, json, sys
import reformsite.wsgi
from archive.text import normalise, words
print(json.dumps({
    "frozen": gc.get_freeze_count(),
    "views": "archive.views.search_api" in sys.modules,
    "tables": normalise._tables.cache_info().currsize,
    "user_words": sorted(words.loaded_user_words()),
    "jieba": words._segmenter is not None,
}))
"""


def loaded_by_wsgi(var: Path, search_dir: Path) -> dict:
    env = {key: value for key, value in os.environ.items() if not key.startswith(OUR_VARIABLES)}
    env.update(DJANGO_SETTINGS_MODULE="reformsite.settings", REFORM_VAR_DIR=str(var), REFORM_SEARCH_DIR=str(search_dir))
    done = subprocess.run(
        [sys.executable, "-c", PROBE], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300, check=True
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_the_master_loads_what_the_workers_share_and_freezes_it(indexed, tmp_path):
    loaded = loaded_by_wsgi(tmp_path / "var", Path(settings.SEARCH_DIR))
    assert loaded["jieba"] and loaded["views"] and loaded["tables"] == 1
    assert loaded["user_words"] == sorted(user_dictionary_words())  # the index was built with these
    assert loaded["frozen"] > 10_000  # Django, jieba and the views, in the permanent generation


def test_without_an_index_the_master_still_starts(tmp_path):
    loaded = loaded_by_wsgi(tmp_path / "var", tmp_path / "no-index")
    assert loaded["jieba"] and loaded["views"] and loaded["user_words"] == []
