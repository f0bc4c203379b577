"""WSGI entry point used by gunicorn."""

import gc
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "reformsite.settings")

application = get_wsgi_application()


def _preload() -> None:
    """What every worker would otherwise load on its first requests, loaded once here.

    gunicorn preloads this module in the master (preload_app) and forks the workers from it, so
    what the master holds is shared copy-on-write: jieba's dictionary (~1 s, ~70 MB; RESEARCH.md
    #15), the views behind the URLconf (~200 modules: DRF, drf-spectacular, citeproc), the
    translation catalogues and the normalisation tables (~11 MB of small objects). Loaded lazily,
    each worker held its own copy: at 100,000 reports a worker's PSS fell ~20 MB with this
    (README, Benchmarks)."""
    from django.conf import settings
    from django.urls import reverse
    from django.utils import translation

    from archive.text.normalise import normalise
    from archive.text.words import segmenter

    segmenter()
    reverse("home")  # imports every view and builds the URL resolver's tables
    for code, _name in settings.LANGUAGES:
        translation.activate(code)  # reads the language's catalogues
    translation.deactivate()
    normalise("…")  # the per-character tables (str.translate's dict)
    normalise("改革" * 64)  # and the arrays of the vectorised path
    from archive.search import preload_before_fork

    preload_before_fork()  # the Whoosh index's jieba user words
    # Objects that live as long as the process go to the permanent generation: a full collection
    # in a worker would otherwise write to every one of them (their GC headers), copying the pages
    # the master shares.
    gc.collect()
    gc.freeze()


_preload()
