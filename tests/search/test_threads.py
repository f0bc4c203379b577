"""gunicorn's gthread workers search from several threads of one process: the answers are the ones
a single thread gets, also while the reader is replaced under them."""

import threading

from archive.search.engines.whoosh import engine
from archive.search.queries import parse_query

QUERIES = ["河长", "河长制", "放管服 改革", "营商环境", "改革 OR 创新", "一件事一次办", "医共体", "-改革 河长"]


def answers(query: str) -> tuple:
    result = engine.run(parse_query(query), limit=50)
    return result.count, tuple(hit.document_id for hit in result.hits)


def test_concurrent_searches_give_the_serial_answers(indexed):
    expected = {query: answers(query) for query in QUERIES}
    failures: list[str] = []
    start = threading.Barrier(9)

    def searcher(offset: int):
        start.wait()
        for round_ in range(40):
            query = QUERIES[(offset + round_) % len(QUERIES)]
            try:
                got = answers(query)
            except Exception as error:
                failures.append(f"{query}: {error!r}")
                continue
            if got != expected[query]:
                failures.append(f"{query}: {got} != {expected[query]}")

    def reopener():
        start.wait()
        for _ in range(20):
            engine.reset()  # as a drain or a rebuild replacing the reader does
            engine.snapshot()

    threads = [threading.Thread(target=searcher, args=(n,)) for n in range(8)] + [threading.Thread(target=reopener)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not failures, failures[:5]
