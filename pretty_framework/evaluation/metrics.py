"""Corpus metrics through sacrebleu, each returned with its reproducibility signature."""

from __future__ import annotations

import copy
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from pretty_framework.errors import MetricUnavailable  # raised here; also still importable from here


@dataclass(frozen=True)
class Score:
    """A corpus score and the sacrebleu signature that makes it reproducible."""

    name: str
    score: float
    signature: str


def _streams(references: Sequence[str] | Sequence[Sequence[str]]) -> list[list[str]]:
    """One reference stream (a list of strings) or several (a list of lists), as sacrebleu wants them."""
    if references and not isinstance(references[0], str):
        return [list(stream) for stream in references]
    return [list(references)]


def _script(target: str | None) -> str | None:
    from pretty_framework.languages import resolve_language

    return resolve_language(target).script if target is not None else None


# sacrebleu's tokenizer for each script that needs its own; the other unspaced scripts (Thai, Lao, Khmer,
# Burmese) have none in sacrebleu, and 13a would make each sentence one token: BLEU on characters there.
_SCRIPT_TOKENIZERS = {"Hans": "zh", "Hant": "zh", "Hani": "zh", "Jpan": "ja-mecab", "Hang": "ko-mecab",
                      "Kore": "ko-mecab"}


def _tokenizer_for(target: str | None) -> str:
    """The BLEU tokenizer for the target language's script (any language code; 13a without one)."""
    from pretty_framework.languages import UNSPACED_SCRIPTS

    script = _script(target)
    if script is None:
        return "13a"
    return _SCRIPT_TOKENIZERS.get(script, "char" if script in UNSPACED_SCRIPTS else "13a")


def sacrebleu_metric(kind: str, target: str | None = None) -> Any:
    """A fresh sacrebleu metric object: ``bleu`` (tokenizer for the target language), ``chrf``, ``chrf++``
    (chrF with word bigrams, ``word_order=2``) or ``ter`` (Asian-script support for Chinese, Japanese, Korean)."""
    from sacrebleu.metrics import BLEU, CHRF, TER

    if kind == "bleu":
        return BLEU(tokenize=_tokenizer_for(target))
    if kind == "chrf":
        return CHRF()
    if kind == "chrf++":
        return CHRF(word_order=2)
    if kind == "ter":
        return TER(asian_support=_script(target) in ("Hans", "Hant", "Jpan", "Hang"))
    raise ValueError(f"no sacrebleu metric {kind!r}")


class SacrebleuCorpus:
    """One sacrebleu metric over one corpus: its score, its bootstrap interval and its paired test.

    Intervals and tests are sacrebleu's own (``corpus_score(n_bootstrap=...)``,
    ``sacrebleu.significance.PairedTest``); :meth:`scorer` resamples the same
    per-segment statistics that sacrebleu's significance module sums, for averages
    over several pairs, which sacrebleu does not compute.
    """

    def __init__(self, metric: Any, name: str, hypotheses: Sequence[str],
                 references: Sequence[str] | Sequence[Sequence[str]], signature_edit: tuple[str, str] | None = None):
        self.metric, self.name = metric, name
        self.hypotheses, self.streams = list(hypotheses), _streams(references)
        self._signature_edit = signature_edit

    def score(self) -> Score:
        result = self.metric.corpus_score(self.hypotheses, self.streams)
        signature = str(self.metric.get_signature())
        if self._signature_edit:
            signature = signature.replace(*self._signature_edit)
        return Score(self.name, result.score, signature)

    def interval(self, samples: int) -> tuple[float, float]:
        """(mean, 95 % half-width) by sacrebleu's bootstrap (its seed: ``SACREBLEU_SEED``, default 12345)."""
        metric = copy.deepcopy(self.metric)  # n_bootstrap sets attributes that would enter the score's signature
        try:
            result = metric.corpus_score(self.hypotheses, self.streams, n_bootstrap=samples)
        except TypeError:
            # sacrebleu 2.x averages its resampled scores with statistics.mean, which refuses a mix of
            # Python and numpy floats: it happens when some resample scores exactly 0 (a tiny or poor
            # corpus). The same draw and the same estimate from the same statistics (tested equal):
            from pretty_framework.evaluation.bootstrap import estimate_ci, resamples

            score = self.scorer()
            interval = estimate_ci([score(indices)[self.name] for indices in resamples(len(self.hypotheses), samples,
                                                                                         _sacrebleu_seed())])
            return interval.mean, interval.ci
        return float(result._mean), float(result._ci)  # sacrebleu keeps them private; format() prints them

    def paired_p_values(self, systems: Sequence[Sequence[str]], samples: int) -> list[float]:
        """sacrebleu's paired bootstrap test of each system against these hypotheses (the baseline)."""
        from sacrebleu.significance import PairedTest

        named = [("baseline", self.hypotheses)] + [(f"system{i}", list(h)) for i, h in enumerate(systems)]
        test = PairedTest(named, {self.name: copy.deepcopy(self.metric)}, self.streams, test_type="bs",
                          n_samples=samples)
        _, results = test()
        column = next(key for key in results if key != "System")
        return [float(result.p_value) for result in results[column][1:]]

    def scorer(self) -> Callable[[Any], dict[str, float]]:
        """Corpus score of a resample (indices), from per-segment statistics summed as sacrebleu sums them."""
        import numpy as np

        metric = copy.deepcopy(self.metric)
        stats = np.array(metric._extract_corpus_statistics(self.hypotheses, self.streams), dtype="float32")
        return lambda indices: {self.name: float(metric._compute_score_from_stats(stats[indices].sum(0)).score)}


def _sacrebleu_seed() -> int | None:
    """The seed sacrebleu's resampling uses: ``SACREBLEU_SEED``, default 12345 ("none": unseeded)."""
    seed = os.environ.get("SACREBLEU_SEED", "12345")
    return None if seed.lower() == "none" else int(seed)


def corpus(kind: str, hypotheses: Sequence[str], references: Sequence[str] | Sequence[Sequence[str]],
           target: str | None = None) -> SacrebleuCorpus:
    """The sacrebleu corpus of metric ``kind`` (see :func:`sacrebleu_metric`), named as tables name it."""
    names = {"bleu": "BLEU", "chrf": "chrF", "chrf++": "chrF++", "ter": "TER"}
    return SacrebleuCorpus(sacrebleu_metric(kind, target), names[kind], hypotheses, references)


def chrf(hypotheses: Sequence[str], references: Sequence[str] | Sequence[Sequence[str]]) -> Score:
    """chrF (character n-gram F-score; script-independent)."""
    return corpus("chrf", hypotheses, references).score()


def chrf_plus_plus(hypotheses: Sequence[str], references: Sequence[str] | Sequence[Sequence[str]]) -> Score:
    """chrF++: chrF with word unigrams and bigrams (Popović 2017), sacrebleu's ``CHRF(word_order=2)``."""
    return corpus("chrf++", hypotheses, references).score()


def ter(hypotheses: Sequence[str], references: Sequence[str] | Sequence[Sequence[str]],
        target: str | None = None) -> Score:
    """TER, translation edit rate (lower is better), with Asian-script support for CJK targets."""
    return corpus("ter", hypotheses, references, target).score()


def bleu(hypotheses: Sequence[str], references: Sequence[str] | Sequence[Sequence[str]],
         target: str | None = None) -> Score:
    """BLEU with the tokenizer sacrebleu recommends for the target language (``zh`` for Chinese)."""
    return corpus("bleu", hypotheses, references, target).score()


SPM_URLS = {
    "flores101": "https://dl.fbaipublicfiles.com/fairseq/models/flores/sacrebleu_tokenizer_spm.model",
    "flores200": "https://tinyurl.com/flores200sacrebleuspm",
}


def spm_model_path(kind: str = "flores200", model_file: str | None = None) -> Path:
    """Where the SentencePiece model for spBLEU is: ``model_file``, ``$PRETTY_SPM_MODEL``, or sacrebleu's cache.

    sacrebleu downloads the model at run time; offline we never let it try.
    """
    if kind not in SPM_URLS:
        raise MetricUnavailable(f"unknown spBLEU tokenizer {kind!r}; known: {', '.join(SPM_URLS)}")
    from sacrebleu.utils import SACREBLEU_DIR

    candidates = [model_file or os.environ.get("PRETTY_SPM_MODEL")]
    candidates.append(os.path.join(SACREBLEU_DIR, "models", os.path.basename(SPM_URLS[kind])))
    for candidate in filter(None, candidates):
        if Path(candidate).is_file():
            return Path(candidate)
    raise MetricUnavailable(
        f"spBLEU needs the {kind} SentencePiece model, which is not on this machine (looked in: "
        f"{', '.join(filter(None, candidates))}). Download {SPM_URLS[kind]} where you have a network and pass "
        "its path with --spm-model or PRETTY_SPM_MODEL."
    )


def spbleu_corpus(hypotheses: Sequence[str], references: Sequence[str] | Sequence[Sequence[str]],
                  kind: str = "flores200", model_file: str | None = None) -> SacrebleuCorpus:
    """spBLEU's corpus: BLEU on SentencePiece pieces of the Flores model (sacrebleu's ``-tok flores200``)."""
    import sentencepiece
    from sacrebleu.metrics import BLEU

    path = spm_model_path(kind, model_file)
    processor = sentencepiece.SentencePieceProcessor(model_file=str(path))

    def pieces(text: str) -> str:
        return " ".join(processor.encode(text, out_type=str))

    return SacrebleuCorpus(BLEU(tokenize="none"), "spBLEU", [pieces(h) for h in hypotheses],
                           [[pieces(r) for r in stream] for stream in _streams(references)],
                           signature_edit=("tok:none", f"tok:{kind}"))


def spbleu(hypotheses: Sequence[str], references: Sequence[str] | Sequence[Sequence[str]],
           kind: str = "flores200", model_file: str | None = None) -> Score:
    """spBLEU: BLEU on SentencePiece pieces of the Flores model, the same numbers as sacrebleu's ``-tok flores200``."""
    return spbleu_corpus(hypotheses, references, kind, model_file).score()


def comet_segments(sources: Sequence[str], hypotheses: Sequence[str], references: Sequence[str],
                   model_path: str | None, batch_size: int = 8, progress: bool = False) -> tuple[float, ...]:
    """COMET's segment scores (x100) with a model already on this machine; :class:`MetricUnavailable` without one.

    The system score is their mean. Computed once per corpus: the score, its interval and
    the paired tests all resample these.
    """
    if not model_path or not Path(model_path).exists():
        raise MetricUnavailable("COMET skipped: pass --comet-model PATH to a downloaded COMET checkpoint "
                                "(e.g. Unbabel/wmt22-comet-da's checkpoints/model.ckpt)")
    return _comet_segments(tuple(sources), tuple(hypotheses), tuple(references), model_path, batch_size, progress)


@lru_cache(maxsize=64)
def _comet_segments(sources: tuple[str, ...], hypotheses: tuple[str, ...], references: tuple[str, ...],
                    model_path: str, batch_size: int, progress: bool) -> tuple[float, ...]:
    try:
        from comet import load_from_checkpoint
    except ModuleNotFoundError:
        raise MetricUnavailable("COMET skipped: pip install unbabel-comet") from None
    model = load_from_checkpoint(model_path)
    data = [{"src": s, "mt": h, "ref": r} for s, h, r in zip(sources, hypotheses, references)]
    output = model.predict(data, batch_size=batch_size, gpus=0, progress_bar=progress)
    return tuple(100 * float(score) for score in output.scores)


def comet(sources: Sequence[str], hypotheses: Sequence[str], references: Sequence[str], model_path: str | None,
          batch_size: int = 8, progress: bool = False) -> Score:
    """COMET with a model already on this machine (the mean of its segment scores, x100)."""
    segments = comet_segments(sources, hypotheses, references, model_path, batch_size, progress)
    return Score("COMET", sum(segments) / len(segments), f"comet|model:{Path(model_path).name}")


def pct_sft(score: float, sft_score: float) -> float | None:
    """The paper's %SFT: a foundation model's score as a percentage of the SFT model's (None when SFT scored 0)."""
    return 100 * score / sft_score if sft_score else None
