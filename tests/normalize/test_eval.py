"""Quality floor on the hand-labelled conversation set (tests/eval/): fails when it regresses.

The figures themselves are printed by `make eval` and published in docs/conversation.md.
"""

from __future__ import annotations

import pytest

from bench.eval_conversation import Scores, load_all, score

REPLY_PRECISION_FLOOR = 0.98
REPLY_RECALL_FLOOR = 0.98
QUOTE_ACCURACY_FLOOR = 0.95


@pytest.fixture(scope="module")
def scores() -> Scores:
    return score(load_all())


def test_the_set_is_big_enough(scores: Scores) -> None:
    assert scores.comments >= 300
    assert scores.threads >= 4
    assert scores.expected_edges >= 200
    assert scores.quotes >= 80


def test_reply_edges(scores: Scores) -> None:
    detail = "\n".join(e for e in scores.errors if "edge" in e)
    assert scores.precision >= REPLY_PRECISION_FLOOR, detail
    assert scores.recall >= REPLY_RECALL_FLOOR, detail


def test_quote_attribution(scores: Scores) -> None:
    detail = "\n".join(e for e in scores.errors if e.startswith("quote"))
    assert scores.quote_accuracy >= QUOTE_ACCURACY_FLOOR, detail


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
