"""``pretty eval``: score hypotheses (our JSONL or plain lines) against references."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click

from pretty_framework.errors import InputError


def signature_field(record: dict[str, Any], key: str) -> str | None:
    """One field (``task``, ``pair``) of a record's run signature."""
    from pretty_framework.io.signature import RunSignature

    return RunSignature.parse(str(record.get("signature", ""))).get(key)


def load_hypotheses(path: Path, reference: Path | None) -> list[dict[str, Any]]:
    """Records from our JSONL, or from plain lines; references from ``reference`` when given."""
    from pretty_framework.io.inputs import read_conllu, read_text
    from pretty_framework.io.outputs import read_records

    if path.suffix == ".jsonl":
        records = read_records(path)
    else:
        records = [{"id": item.id, "output": item.source} for item in read_text(path)]
    if reference is None:
        return records
    if reference.suffix == ".conllu":
        gold = [{"words": item.fields["words"], "upos": item.fields["upos"]} for item in read_conllu(reference)]
        key = "fields"
    else:
        gold = [item.source for item in read_text(reference)]
        key = "reference"
    if len(gold) < len(records):
        raise InputError(f"{reference} has {len(gold)} entries but {path} has {len(records)} hypotheses")
    # A partial run scores its first lines; a reference longer than the output is cut to match, loudly.
    if len(gold) > len(records):
        click.echo(f"warning: {path} has {len(records)} hypotheses and {reference} {len(gold)} entries: scoring "
                   f"against the first {len(records)} only (a partial run?)", err=True)
    return [{**record, key: value} for record, value in zip(records, gold)]


@click.command("eval")
@click.argument("hypotheses", type=click.Path(path_type=Path, exists=True, dir_okay=False))
@click.option("-r", "--reference", type=click.Path(path_type=Path, exists=True, dir_okay=False),
              help="Reference lines (or a .conllu file for POS); default: the references in the JSONL records.")
@click.option("--tgt", help="Target language (default: from the records' signature).")
@click.option("--task", help="translation, summarization, pos (default: from the records' signature).")
@click.option("-M", "--metric", "metric_names", multiple=True,
              help="A metric: bleu, chrf, spbleu, comet, rouge, langid, pos or one a plugin adds (any case); "
                   "repeat for several (default: the task's).")
@click.option("--spm-model", help="SentencePiece model file for spBLEU (else $PRETTY_SPM_MODEL or sacrebleu's cache).")
@click.option("--spm-kind", type=click.Choice(["flores200", "flores101"]), default="flores200", show_default=True)
@click.option("--comet-model", help="A local COMET checkpoint; without one COMET is skipped.")
@click.option("--json", "as_json", is_flag=True, help="Print the full result as JSON.")
def evaluate(hypotheses, reference, tgt, task, metric_names, spm_model, spm_kind, comet_model, as_json) -> None:
    """Score HYPOTHESES (a `pretty decode` JSONL or plain text lines) with the task's metrics.

    \b
    Example:
      pretty eval out.jsonl                       # references, task and language from the records
      pretty eval hyp.txt -r ref.de --tgt de -M bleu -M chrf
    """
    from pretty_framework.evaluation.metric import MetricOptions
    from pretty_framework.evaluation.scoring import evaluate as score
    from pretty_framework.languages import normalize_language
    from pretty_framework.plugin.manager import get_plugins

    records = load_hypotheses(hypotheses, reference)
    if not records:
        raise InputError(f"{hypotheses} holds no hypotheses")
    task = task or signature_field(records[0], "task") or "translation"
    pair = signature_field(records[0], "pair")
    target = normalize_language(tgt) if tgt else (pair.rsplit("-", 1)[1] if pair else None)
    options = MetricOptions(spm_kind=spm_kind, spm_model=spm_model, comet_model=comet_model)
    plugins = get_plugins()
    result = score(records, plugins.tasks.get(task), target, metric_names or None, options, registry=plugins.metrics)
    result.update(task=task, target=target, hypotheses=str(hypotheses))
    if as_json:
        click.echo(json.dumps(result, ensure_ascii=False, indent=2))
        return
    for name, value in result["scores"].items():
        signature = result["signatures"].get(name) or result["signatures"].get(name.split("-")[0], "")
        click.echo(f"{name} = {value:.2f}  ({signature})")
    for name, reason in result["skipped"].items():
        click.echo(f"{name}: {reason}", err=True)
    click.echo(f"items = {result['n']}, parse failures = {result['parse_failures']}")
