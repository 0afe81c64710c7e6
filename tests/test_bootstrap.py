"""Bootstrap intervals and paired tests: sacrebleu's own where it has them, the same resampling for every other
metric; chrF++ and TER as registered metrics. Real outputs: the committed paper-mt run (Gemma 3 270M)."""

import json
from pathlib import Path

import numpy as np
import pytest
from conftest import SHARED_DATA

from pretty_framework.evaluation.bootstrap import (
    Bootstrap,
    confidence_intervals,
    paired_bootstrap,
    resamples,
)
from pretty_framework.evaluation.metric import Metric, MetricInput, MetricResult
from pretty_framework.evaluation.metrics import corpus
from pretty_framework.evaluation.scoring import evaluate

OUTPUTS = Path(__file__).resolve().parents[1] / "benchmarks" / "results" / "paper-mt" / "outputs"


def records(pair: str, name: str) -> list[dict]:
    folder = OUTPUTS / ("direct" if name.startswith("SFT-model-alone") else "gemma3-270m") / pair
    return [json.loads(line) for line in (folder / f"{name}.jsonl").read_text(encoding="utf-8").splitlines()]


BASE = "Base-Prompting__kdefault__prompting"
MUSE = "pseudo-prior-MUSE-dictionary__kdefault__default"
ORACLE = "oracle-prior__kdefault__default"


def test_resampling_draws_sacrebleus_index_sets():
    expected = np.random.default_rng(12345).choice(7, size=(5, 7), replace=True)
    assert (resamples(7, 5, 12345) == expected).all()
    assert not (resamples(7, 5, 1) == expected).all()


@pytest.mark.parametrize("kind", ["bleu", "chrf", "chrf++", "ter"])
def test_our_resampling_of_a_sacrebleu_metric_is_sacrebleus_interval(kind):
    muse = records("en-de", MUSE)
    data = corpus(kind, [r["output"] for r in muse], [r["reference"] for r in muse], "deu_Latn")
    ours = confidence_intervals([data.scorer()], [len(muse)], Bootstrap(1000, 12345))
    mean, ci = data.interval(1000)
    (interval,) = ours.values()
    assert interval.mean == pytest.approx(mean, rel=1e-6) and interval.ci == pytest.approx(ci, rel=1e-6)
    assert 0 < ci < 20


def test_our_paired_bootstrap_is_sacrebleus_paired_test():
    base, muse = records("en-de", BASE), records("en-de", MUSE)
    references = [r["reference"] for r in base]
    baseline = corpus("chrf", [r["output"] for r in base], references)
    system = corpus("chrf", [r["output"] for r in muse], references)
    (sacrebleu_p,) = baseline.paired_p_values([system.hypotheses], 1000)
    ours = paired_bootstrap([system.scorer()], [baseline.scorer()], [len(base)], Bootstrap(1000, 12345))
    assert ours["chrF"] == pytest.approx(sacrebleu_p)


def test_a_clear_gain_is_significant_and_a_system_against_itself_is_not():
    base, oracle = records("en-fr", BASE), records("en-fr", ORACLE)
    registry_bleu = _metric("bleu")
    baseline = MetricInput(base, "fra_Latn")
    better, same = registry_bleu.paired_test(baseline, [MetricInput(oracle, "fra_Latn"), baseline], Bootstrap())
    assert better["BLEU"] < 0.01  # oracle 11.4 vs 4.0 BLEU on 100 lines
    assert same["BLEU"] == 1.0  # no difference at all
    rouge = _metric("rouge").scorer(baseline)
    assert paired_bootstrap([rouge], [rouge], [len(base)]) == {"ROUGE-1": 1.0, "ROUGE-2": 1.0, "ROUGE-L": 1.0}


def _metric(name: str) -> Metric:
    from pretty_framework.plugin.manager import get_plugins

    return get_plugins().metrics.get(name)


@pytest.mark.parametrize("name", ["rouge", "langid", "chrf", "ter"])
def test_a_scorer_over_every_record_is_the_metric_itself(name):
    data = MetricInput(records("en-de", MUSE), "deu_Latn")
    metric = _metric(name)
    everything = metric.scorer(data)(np.arange(len(data.records)))
    assert everything == pytest.approx(metric.compute(data).scores)


def test_pos_scorer_is_the_metric_itself_on_real_ud_gold():
    from pretty_framework.io.inputs import read_conllu
    from pretty_framework.tasks.pos import format_pairs

    ud = SHARED_DATA / "ud" / "fr_gsd-ud-test.conllu"
    if not ud.is_file():
        pytest.skip("no UD data")
    items = read_conllu(ud)[:6]
    recs = []
    for index, item in enumerate(items):
        pairs = list(zip(item.fields["words"], item.fields["upos"]))
        guessed = pairs if index % 2 else [(word, "NOUN") for word, _ in pairs]
        recs.append({"id": item.id, "output": format_pairs(guessed), "prior": pairs[0][1] if index < 3 else "",
                     "fields": item.fields})
    data = MetricInput(recs)
    metric = _metric("pos")
    scores = metric.compute(data).scores
    assert metric.scorer(data)(np.arange(6)) == pytest.approx(scores)
    assert scores["prior-acc"] == pytest.approx(100)
    intervals = metric.confidence(data, Bootstrap(200))
    assert set(intervals) == {"POS-P", "POS-R", "POS-F1", "prior-acc"}


class ExactMatch(Metric):
    """A plugin's metric with no scorer of its own: resampled through compute()."""

    name = "exact"
    columns = ("EM",)
    calls = 0

    def compute(self, data):
        ExactMatch.calls += 1
        hits = [r["output"] == r["reference"] for r in data.records]
        return MetricResult({"EM": 100 * sum(hits) / len(hits)})


def test_a_metric_without_a_scorer_is_resampled_through_its_own_corpus_function():
    recs = [{"output": "a", "reference": "a"}] * 3 + [{"output": "b", "reference": "c"}] * 5
    metric = ExactMatch()
    ExactMatch.calls = 0
    (interval,) = metric.confidence(MetricInput(recs), Bootstrap(300)).values()
    assert ExactMatch.calls == 300
    assert interval.mean == pytest.approx(37.5, abs=3) and 25 < interval.ci < 45


def test_an_average_over_pairs_resamples_each_pair_on_its_own():
    pairs = ["en-de", "en-fr"]
    scorers, sizes, singles = [], [], []
    for pair in pairs:
        muse = records(pair, MUSE)
        data = corpus("bleu", [r["output"] for r in muse], [r["reference"] for r in muse])
        scorers.append(data.scorer())
        sizes.append(len(muse))
        singles.append(data.score().score)
    (average,) = confidence_intervals(scorers, sizes).values()
    assert average.mean == pytest.approx(sum(singles) / 2, abs=1.0)
    (alone,) = confidence_intervals(scorers[:1], sizes[:1]).values()
    assert average.ci < alone.ci  # two pairs' noise averages out


def test_evaluate_reports_intervals_and_the_new_metrics():
    result = evaluate(records("en-zh", MUSE), "translation", "zho_Hans", ["bleu", "chrf++", "ter"])
    assert set(result["intervals"]) == {"BLEU", "chrF++", "TER"}
    assert result["signatures"]["TER"].startswith("nrefs:1|case:lc|tok:tercom") and "asian:yes" in \
        result["signatures"]["TER"]
    assert "nw:2" in result["signatures"]["chrF++"] and result["bootstrap"] == "bs:1000|seed:12345|ci:95%"
    assert not _metric("ter").higher_is_better
    assert evaluate(records("en-zh", MUSE), "translation", "zho_Hans", ["bleu"], bootstrap=None)["intervals"] == {}


def test_the_target_language_rate_without_a_language_is_skipped_not_fatal():
    result = evaluate(records("en-de", MUSE), "translation", None, ["chrf", "langid"])
    assert list(result["scores"]) == ["chrF"]
    assert "needs the target language" in result["skipped"]["langid"]


def test_an_interval_where_sacrebleus_own_estimate_fails_comes_from_the_same_draw():
    # sacrebleu's corpus_score(n_bootstrap=...) raises on resamples that score exactly 0 (mixed float types).
    data = corpus("bleu", ["Die Katze schläft auf der Matte.", ""], ["Die Katze schläft auf der Matte.", "Der Hund."])
    mean, ci = data.interval(1000)
    (ours,) = confidence_intervals([data.scorer()], [2]).values()
    assert (mean, ci) == pytest.approx((ours.mean, ours.ci)) and ci > 0
