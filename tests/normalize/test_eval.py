"""Quality floor on the hand-labelled conversation set (tests/eval/): fails when it regresses.

The figures themselves are printed by `make eval` and published in docs/conversation.md.
"""

from __future__ import annotations

import pytest

from bench.eval_conversation import Scores, load_all, score

REPLY_PRECISION_FLOOR = 0.98
REPLY_RECALL_FLOOR = 0.98
QUOTE_ACCURACY_FLOOR = 0.98


@pytest.fixture(scope="module")
def scores() -> Scores:
    return score(load_all())


def test_the_set_is_big_enough(scores: Scores) -> None:
    assert scores.comments >= 600
    assert scores.threads >= 8
    assert scores.expected_edges >= 400
    assert scores.quotes >= 250
    assert scores.owns >= 20


def test_reply_edges(scores: Scores) -> None:
    detail = "\n".join(e for e in scores.errors if "edge" in e)
    assert scores.precision >= REPLY_PRECISION_FLOOR, detail
    assert scores.recall >= REPLY_RECALL_FLOOR, detail


def test_quote_attribution(scores: Scores) -> None:
    detail = "\n".join(e for e in scores.errors if e.startswith("quote"))
    assert scores.quote_accuracy >= QUOTE_ACCURACY_FLOOR, detail


def test_own_text_of_names_with_typography_is_exact(scores: Scores) -> None:
    assert scores.own_accuracy == 1.0, [e for e in scores.errors if e.startswith("own text")]


def test_quotes_of_edited_and_deleted_comments_need_their_archived_versions() -> None:
    # The archived versions are what keeps those quotes' sources: without them, they fail.
    import dataclasses

    threads = load_all()
    with_history = score(threads)
    forgetful = score([dataclasses.replace(t, archived=[]) for t in threads])
    assert sum(len(t.archived) for t in threads) >= 15
    assert with_history.correct_quotes - forgetful.correct_quotes >= 15


def test_author_keys_are_fully_consistent(scores: Scores) -> None:
    assert scores.author_consistency == 1.0, [e for e in scores.errors if e.startswith("author")]


def test_the_floor_can_fail() -> None:
    # A scorer that always passes proves nothing: drop every edge and quote of one thread.
    import dataclasses

    threads = load_all()
    broken = threads[0]
    blank = tuple(
        dataclasses.replace(c, body_html="<p>x</p>", body_text="x") for c in broken.snapshot.comments
    )
    threads[0] = dataclasses.replace(
        broken, snapshot=dataclasses.replace(broken.snapshot, comments=blank)
    )
    s = score(threads)
    assert s.recall < REPLY_RECALL_FLOOR
    assert s.quote_accuracy < QUOTE_ACCURACY_FLOOR
    # And own text: a thread whose labelled comments lose their @-prefix's name.
    quoted = next(n for n, t in enumerate(threads) if t.own)
    t = threads[quoted]
    renamed = tuple(dataclasses.replace(c, author_raw=c.author_raw + " Jr") for c in t.snapshot.comments)
    threads[quoted] = dataclasses.replace(t, snapshot=dataclasses.replace(t.snapshot, comments=renamed))
    assert score(threads).own_accuracy < 1.0
