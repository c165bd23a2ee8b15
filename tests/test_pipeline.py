"""The analysis pipeline's process-level behaviour: worker start-up failures reach the caller."""

from __future__ import annotations

import pytest

from onrecord.analysis.pipeline import PipelineLoadError, analyze_parallel
from onrecord.model import Article, InputFailure, content_hash


def test_a_model_that_cannot_load_in_workers_raises_instead_of_hanging() -> None:
    article = Article(id=content_hash("He said it."), text="He said it.")
    with pytest.raises(PipelineLoadError, match="no_such_model_xyz"):
        list(analyze_parallel([article], model="no_such_model_xyz", jobs=2))


def test_failures_pass_through_in_order_with_workers() -> None:
    texts = ["The mayor said the bridge would reopen in May.", "Officials said talks had stalled."]
    items: list[Article | InputFailure] = [
        Article(id=content_hash(t), text=t, origin=f"t{i}") for i, t in enumerate(texts)
    ]
    items.insert(1, InputFailure("broken.txt", "empty file"))
    results = list(analyze_parallel(items, jobs=2))
    assert [getattr(r, "origin", None) or r.article.origin for r in results] == ["t0", "broken.txt", "t1"]
    assert isinstance(results[1], InputFailure)
    assert results[0].attributions and results[2].attributions
