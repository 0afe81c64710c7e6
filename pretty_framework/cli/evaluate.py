"""``pretty eval``: score hypotheses (our JSONL or plain lines) against references."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click

from pretty_framework.cli.params import RegistryChoice, progress_option, resolve_progress
from pretty_framework.errors import InputError
from pretty_framework.evaluation.bootstrap import SAMPLES


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
@click.option("--tgt", help="Target language (default: from the records' signature); without one, the metrics "
                            "that need it (the target-language rate) are reported as skipped.")
@click.option("--task", type=RegistryChoice("task"), help="The task (default: from the records' signature, "
                                                          "else translation).")
@click.option("-M", "--metric", "metric_names", multiple=True, type=RegistryChoice("metric"),
              help="A metric (any case); repeat for several (default: the task's).")
@click.option("--baseline", type=click.Path(path_type=Path, exists=True, dir_okay=False),
              help="Another system's outputs on the same items: a paired bootstrap test against them (p-values).")
@click.option("--bootstrap", "samples", type=click.IntRange(min=0), default=SAMPLES, show_default=True,
              help="Bootstrap resamples for the 95% confidence intervals and the paired test (0: none).")
@click.option("--spm-model", help="SentencePiece model file for spBLEU (else $PRETTY_SPM_MODEL or sacrebleu's cache).")
@click.option("--spm-kind", type=click.Choice(["flores200", "flores101"]), default="flores200", show_default=True)
@click.option("--comet-model", help="A local COMET checkpoint; without one COMET is skipped.")
@progress_option
@click.option("--json", "as_json", is_flag=True, help="Print the full result as JSON.")
def evaluate(hypotheses, reference, tgt, task, metric_names, baseline, samples, spm_model, spm_kind, comet_model,
             progress, as_json) -> None:
    """Score HYPOTHESES (a `pretty decode` JSONL or plain text lines) with the task's metrics, each with its
    95% bootstrap confidence interval.

    \b
    Example:
      pretty eval out.jsonl                       # references, task and language from the records
      pretty eval hyp.txt -r ref.de --tgt de -M bleu -M chrf
      pretty eval new.jsonl --baseline old.jsonl  # is the difference significant?
    """
    from pretty_framework.evaluation.bootstrap import Bootstrap
    from pretty_framework.evaluation.metric import MetricOptions
    from pretty_framework.evaluation.scoring import evaluate as score
    from pretty_framework.evaluation.scoring import paired_p_values
    from pretty_framework.languages import normalize_language
    from pretty_framework.plugin.manager import get_plugins

    records = load_hypotheses(hypotheses, reference)
    if not records:
        raise InputError(f"{hypotheses} holds no hypotheses")
    task = task or signature_field(records[0], "task") or "translation"
    pair = signature_field(records[0], "pair")
    target = normalize_language(tgt) if tgt else (pair.rsplit("-", 1)[1] if pair else None)
    options = MetricOptions(spm_kind=spm_kind, spm_model=spm_model, comet_model=comet_model,
                            progress=resolve_progress(progress))
    plugins = get_plugins()
    bootstrap = Bootstrap(samples) if samples else None
    result = score(records, plugins.tasks.get(task), target, metric_names or None, options, registry=plugins.metrics,
                   bootstrap=bootstrap)
    result.update(task=task, target=target, hypotheses=str(hypotheses))
    if baseline is not None:
        if not samples:
            raise InputError("--baseline needs resamples: drop --bootstrap 0")
        result["baseline"] = str(baseline)
        result["p_values"] = paired_p_values(records, load_hypotheses(baseline, reference), plugins.tasks.get(task),
                                             target, metric_names or None, options, registry=plugins.metrics,
                                             bootstrap=bootstrap)
    if as_json:
        click.echo(json.dumps(result, ensure_ascii=False, indent=2))
        return
    for name, value in result["scores"].items():
        signature = result["signatures"].get(name) or result["signatures"].get(name.split("-")[0], "")
        interval = result["intervals"].get(name)
        ci = f" ± {interval['ci']:.2f}" if interval else ""
        p_value = result.get("p_values", {}).get(name)
        test = f"  p = {p_value:.4f} against the baseline" if p_value is not None else ""
        click.echo(f"{name} = {value:.2f}{ci}{test}  ({signature})")
    for name, reason in result["skipped"].items():
        click.echo(f"{name} skipped: {reason}", err=True)
    described = f"; ± is the 95% confidence interval's half-width ({result['bootstrap']})" if result["intervals"] else ""
    click.echo(f"items = {result['n']}, parse failures = {result['parse_failures']}{described}")
