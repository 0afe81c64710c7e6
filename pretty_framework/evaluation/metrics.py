"""Corpus metrics through sacrebleu, each returned with its reproducibility signature."""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

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


def _tokenizer_for(target: str | None) -> str:
    from pretty_framework.languages import resolve_language

    if target is None:
        return "13a"
    script = resolve_language(target).script
    return {"Hans": "zh", "Hant": "zh", "Jpan": "ja-mecab", "Hang": "ko-mecab"}.get(script, "13a")


def chrf(hypotheses: Sequence[str], references: Sequence[str] | Sequence[Sequence[str]]) -> Score:
    """chrF (character n-gram F-score; script-independent)."""
    from sacrebleu.metrics import CHRF

    metric = CHRF()
    result = metric.corpus_score(list(hypotheses), _streams(references))
    return Score("chrF", result.score, str(metric.get_signature()))


def bleu(hypotheses: Sequence[str], references: Sequence[str] | Sequence[Sequence[str]],
         target: str | None = None) -> Score:
    """BLEU with the tokenizer sacrebleu recommends for the target language (``zh`` for Chinese)."""
    from sacrebleu.metrics import BLEU

    metric = BLEU(tokenize=_tokenizer_for(target))
    result = metric.corpus_score(list(hypotheses), _streams(references))
    return Score("BLEU", result.score, str(metric.get_signature()))


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


def spbleu(hypotheses: Sequence[str], references: Sequence[str] | Sequence[Sequence[str]],
           kind: str = "flores200", model_file: str | None = None) -> Score:
    """spBLEU: BLEU on SentencePiece pieces of the Flores model, the same numbers as sacrebleu's ``-tok flores200``."""
    import sentencepiece
    from sacrebleu.metrics import BLEU

    path = spm_model_path(kind, model_file)
    processor = sentencepiece.SentencePieceProcessor(model_file=str(path))

    def pieces(text: str) -> str:
        return " ".join(processor.encode(text, out_type=str))

    metric = BLEU(tokenize="none")
    result = metric.corpus_score([pieces(h) for h in hypotheses],
                                 [[pieces(r) for r in stream] for stream in _streams(references)])
    signature = str(metric.get_signature()).replace("tok:none", f"tok:{kind}")
    return Score("spBLEU", result.score, signature)


def comet(sources: Sequence[str], hypotheses: Sequence[str], references: Sequence[str], model_path: str | None,
          batch_size: int = 8) -> Score:
    """COMET with a model already on this machine; :class:`MetricUnavailable` when there is none."""
    if not model_path or not Path(model_path).exists():
        raise MetricUnavailable("COMET skipped: pass --comet-model PATH to a downloaded COMET checkpoint "
                                "(e.g. Unbabel/wmt22-comet-da's checkpoints/model.ckpt)")
    try:
        from comet import load_from_checkpoint
    except ModuleNotFoundError:
        raise MetricUnavailable("COMET skipped: pip install unbabel-comet") from None
    model = load_from_checkpoint(model_path)
    data = [{"src": s, "mt": h, "ref": r} for s, h, r in zip(sources, hypotheses, references)]
    output = model.predict(data, batch_size=batch_size, gpus=0, progress_bar=False)
    return Score("COMET", 100 * float(output.system_score), f"comet|model:{Path(model_path).name}")


def pct_sft(score: float, sft_score: float) -> float | None:
    """The paper's %SFT: a foundation model's score as a percentage of the SFT model's (None when SFT scored 0)."""
    return 100 * score / sft_score if sft_score else None
