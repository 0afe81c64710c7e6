"""``pretty analyze``: how far the foundation model is from the SFT model, with and without a prior."""

from __future__ import annotations

from pathlib import Path

import click

from pretty_framework.cli.decode import ITEM_INPUT_HELP, load_items
from pretty_framework.cli.params import progress_option, resolve_progress
from pretty_framework.errors import OptionsError


def _alias(value: str | None, alias: str | None, name: str, old_name: str) -> str | None:
    """An option given under its old, hidden name; both names at once with different values is an error."""
    if alias is None:
        return value
    if value is not None and value != alias:
        raise OptionsError(f"{old_name} is the old name of {name}: give one of them")
    return alias


@click.command()
@click.option("-i", "--input", "input_path", help=ITEM_INPUT_HELP)
@click.option("--input-format", type=click.Choice(["auto", "text", "jsonl"]), default="auto", show_default=True)
@click.option("--flores", type=click.Path(path_type=Path), help="A FLORES-200 folder: reads SPLIT.SRC.")
@click.option("--split", default="dev", show_default=True)
@click.option("--limit", type=click.IntRange(min=1), help="Analyse only the first N items.")
@click.option("--src", required=True, help="Source language (en, eng, eng_Latn, ...).")
@click.option("--tgt", required=True, help="Target language.")
@click.option("-m", "--model", default=None, help="Foundation model: gemma3-270m (default), a folder, a .gguf, a hub id.")
@click.option("--sft-model", default="smollm2-135m-instruct", show_default=True, help="SFT (chat) model.")
@click.option("--foundation", "foundation_alias", hidden=True)  # the old names, kept for existing scripts
@click.option("--sft", "sft_alias", hidden=True)
@click.option("--template", default="normal", show_default=True, help="The foundation model's template.")
@click.option("--positions", type=click.IntRange(min=1), default=2, show_default=True,
              help="Answer positions to compare (1: instruction only; 2: also after one prior token).")
@click.option("--max-k", type=click.IntRange(min=1), default=20, show_default=True)
@click.option("--mode", type=click.Choice(["auto", "shared", "cross"]), default="auto", show_default=True,
              help="shared: same vocabulary, token level, with KL/JS/CE; cross: different tokenizers, text level "
                   "(approximate; agreement and probabilities only). auto: shared when the tokenizers match.")
@click.option("--device", default="auto", show_default=True)
@click.option("--dtype", default="float32", show_default=True, help="float32 by default: divergences need precision.")
@click.option("-b", "--batch-size", type=click.IntRange(min=1), default=8, show_default=True)
@progress_option
@click.option("-o", "--output", "out", type=click.Path(path_type=Path), required=True,
              help="Folder for the JSON, the plots (PNG and PDF) and the summary.")
def analyze(input_path, input_format, flores, split, limit, src, tgt, model, sft_model, foundation_alias, sft_alias,
            template, positions, max_k, mode, device, dtype, batch_size, progress, out) -> None:
    """How far a foundation model is from an SFT model (paper, Section 2.2): agreement@K and chosen-token
    probabilities; KL/JS/cross-entropy too where both models share one tokenizer.

    KL, JS and cross-entropy compare next-token distributions over one vocabulary, so they
    exist only in shared mode. The packaged pair (gemma3-270m, smollm2-135m-instruct) does
    not share a tokenizer: it is compared in cross mode, at text level, without them.

    \b
    Example:
      pretty analyze --flores ../shared/data/flores --src en --tgt de --limit 100 -o analysis/
      pretty analyze -m FOUNDATION --sft-model SFT_SAME_TOKENIZER ... -o out/   # with KL/JS/CE
    """
    from pretty_framework import __version__
    from pretty_framework.analysis.compare import Analysis, AnalysisError
    from pretty_framework.analysis.report import plot, text_summary, write_json
    from pretty_framework.backends.transformers_backend import TransformersBackend
    from pretty_framework.io.signature import RunSignature
    from pretty_framework.languages import normalize_language
    from pretty_framework.plugin.manager import get_plugins

    model = _alias(model, foundation_alias, "-m/--model", "--foundation")
    sft_model = sft_alias or sft_model
    src_code, tgt_code = normalize_language(src), normalize_language(tgt)
    items = [item for item in load_items(input_path, input_format, None, flores, split, src_code, tgt_code, limit)
             if item.source.strip()]
    if not items:
        raise AnalysisError("the input has no non-empty items to analyse")
    base = TransformersBackend(model=model, device=device, dtype=dtype)
    sft = TransformersBackend(model=sft_model, device=device, dtype=dtype)
    analysis = Analysis(base, sft, get_plugins().tasks.get("translation"), src_code, tgt_code, template=template,
                        positions=positions, ks=range(1, max_k + 1), mode=mode)
    starts = range(0, len(items), batch_size)
    if resolve_progress(progress):
        with click.progressbar(starts, label="analysing", file=click.get_text_stream("stderr")) as bar:
            for start in bar:
                analysis.add(items[start : start + batch_size])
    else:
        for start in starts:
            analysis.add(items[start : start + batch_size])
    result = analysis.summary()
    result["signature"] = RunSignature.of(
        foundation=base.model_name, sft=sft.model_name, pair=f"{src_code}-{tgt_code}", mode=analysis.mode,
        tmpl=analysis.template, positions=positions, n=len(items), dtype=dtype, version=__version__).format()
    out.mkdir(parents=True, exist_ok=True)
    stem = f"analysis-{src_code}-{tgt_code}"
    write_json(result, out / f"{stem}.json")
    plots = plot(result, out, stem)
    summary = text_summary(result)
    (out / f"{stem}.txt").write_text(summary + "\n", encoding="utf-8")
    click.echo(summary)
    click.echo(f"wrote {out / (stem + '.json')} and {len(plots)} plots", err=True)
