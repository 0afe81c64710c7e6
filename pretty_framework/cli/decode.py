"""``pretty decode``: run a provider + foundation model over inputs."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from pretty_framework.cli.params import RegistryChoice, progress_option
from pretty_framework.errors import InputError, OptionsError
from pretty_framework.io.records import Item

ITEM_INPUT_HELP = ("Input file (lines, JSONL or CoNLL-U; gzip or not); '-' or none reads standard input.")
INPUT_KEY = "pretty.input"  # where item_source_options leaves the field names and the dataset (ctx.meta)


def parse_provider_options(pairs: tuple[str, ...]) -> dict[str, str]:
    """``key=value`` pairs from ``-O`` into a dict (pydantic converts the types)."""
    options: dict[str, str] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key:
            raise OptionsError(f"provider option {pair!r} is not of the form key=value")
        options[key.strip().replace("-", "_")] = value
    return options


def load_items(input_path: str | None, input_format: str, reference: Path | None,
               flores: Path | None, split: str, src: str, tgt: str, limit: int | None) -> list[Item]:
    """Read items from a Flores folder, a dataset, a file or standard input, with references if given.

    The JSONL field names and the dataset come from :func:`item_source_options` (defaults without them).
    """
    from pretty_framework.io.inputs import (
        attach_references,
        flores_files,
        read_dataset,
        read_input,
        read_stream,
    )

    given = click.get_current_context(silent=True)
    extra = given.meta.get(INPUT_KEY, {}) if given is not None else {}
    fields, dataset = extra.get("fields") or _fields(None, None, None), extra.get("dataset")
    if (flores is not None) + (dataset is not None) + (input_path not in (None, "-")) > 1:
        raise InputError("give one input: --flores, --dataset or --input")
    if flores is not None or dataset is not None:
        if reference is not None:
            raise InputError("--flores and --dataset bring their own references: drop --reference")
    if flores is not None:
        input_file, reference = flores_files(flores, split, src, tgt)
        items = read_input(input_file, "text")
    elif dataset is not None:
        items = read_dataset(dataset, split, fields)
    elif input_path in (None, "-"):
        items = read_stream(sys.stdin.buffer, "<stdin>", "text" if input_format == "auto" else input_format, fields)
    else:
        items = read_input(Path(input_path), input_format, fields)
    if reference is not None:
        items = attach_references(items, reference)
    return items[:limit] if limit is not None else items


def _fields(source: str | None, reference: str | None, item_id: str | None):
    from pretty_framework.io.inputs import Fields

    return Fields(source or "source", reference or "reference", item_id or "id")


def _remember_input(ctx: click.Context, param: click.Parameter, value: str | None) -> None:
    if value is not None:
        ctx.meta.setdefault(INPUT_KEY, {})[param.name] = value
    named = ctx.meta.get(INPUT_KEY, {})
    named["fields"] = _fields(named.get("source_field"), named.get("reference_field"), named.get("id_field"))


def item_source_options(command):
    """``--source-field/--reference-field/--id-field`` (JSONL, datasets) and ``--dataset``, read by :func:`load_items`.

    Kept in ``ctx.meta`` (not passed to the command), so a command gains them without a change to its signature.
    """
    stored = {"expose_value": False, "callback": _remember_input}
    for name, text in reversed((
        ("--source-field", "JSONL/dataset field with the source text (default: source)."),
        ("--reference-field", "JSONL/dataset field with the reference (default: reference)."),
        ("--id-field", "JSONL/dataset field with the item id (default: id, else the line number)."),
        ("--dataset", "A Hugging Face dataset: a save_to_disk folder, a .parquet/.arrow/.jsonl/.csv file or a hub "
                      "name; --split picks the split (needs pip install 'pretty-framework[datasets]')."),
    )):
        command = click.option(name, help=text, **stored)(command)
    return command


@click.command()
@click.option("-i", "--input", "input_path", help=ITEM_INPUT_HELP)
@click.option("--input-format", type=click.Choice(["auto", "text", "jsonl", "conllu"]), default="auto",
              show_default=True, help="auto: by the file name (x.jsonl, x.conllu, through .gz); stdin: text.")
@item_source_options
@click.option("-r", "--reference", type=click.Path(path_type=Path), help="Reference file aligned with the input lines.")
@click.option("--flores", type=click.Path(path_type=Path), help="A FLORES-200 folder, either layout: DIR/dev.eng_Latn "
              "(OPUS-MT-testsets) or DIR/dev/eng_Latn.dev (the official release); gzip or not.")
@click.option("--split", default="dev", show_default=True, help="Split for --flores or --dataset (tune on dev).")
@click.option("--limit", type=click.IntRange(min=0), help="Decode only the first N items.")
@click.option("--src", required=True, help="Source language (en, eng, eng_Latn, ...).")
@click.option("--tgt", required=True, help="Target language.")
@click.option("--task", type=RegistryChoice("task"), default="translation", show_default=True)
@click.option("-p", "--provider", default="none", show_default=True, help="Prior provider (see `pretty providers`).")
@click.option("--prior", help="The prior for every item (shorthand for -O text=... with --provider text).")
@click.option("-O", "--provider-option", "provider_options", multiple=True, metavar="KEY=VALUE",
              help="A provider option; repeat for several.")
@click.option("-g", "--guide", "guides", multiple=True, metavar="NAME",
              help="A guide acting at every step (see `pretty guides`); repeat or comma-separate for several; "
                   "'default' (the default): the guides that helped on Flores dev; 'none': the paper's setting.")
@click.option("-G", "--guide-option", "guide_options", multiple=True, metavar="GUIDE.KEY=VALUE",
              help="A guide option, e.g. -G copy-guard.penalty=5; repeat for several.")
@click.option("--shots", type=click.IntRange(min=0), default=None,
              help="Worked examples before each prompt (translation; default: 2 from the bundled pool when it has "
                   "both languages, else 0). --shots 0 --guide none: the paper's setting.")
@click.option("--shots-from", default="bundled", show_default=True,
              help="Where the examples come from: 'bundled' (8 FLORES-200 dev sentences, 15 languages), a JSONL "
                   "file of {source, reference}, or a FLORES-200 folder (its dev split). Never the item itself.")
@click.option("-k", "--k", "k", type=click.IntRange(min=0), help="Prior tokens to keep (default: the task's).")
@click.option("-m", "--model", default=None, help="Foundation model: gemma3-270m (default), a folder, a .gguf, a hub id.")
@click.option("--backend", type=RegistryChoice("backend"), default="transformers", show_default=True)
@click.option("--device", default="auto", show_default=True, help="auto, cpu, cuda, cuda:N.")
@click.option("--dtype", default="auto", show_default=True, help="auto, float32, bfloat16, float16.")
@click.option("-t", "--template", default=None, help="Prompt template (translation: prompting, normal).")
@click.option("-b", "--batch-size", type=click.IntRange(min=1),
              help="Items per model call (default 16; openai backend: 4 x --concurrency, at least 16, or 64 when "
              "the server says its slots, so they stay busy).")
@click.option("--max-new-tokens", type=click.IntRange(min=1), default=128, show_default=True)
@click.option("--sample", is_flag=True, help="Sample instead of greedy decoding.")
@click.option("--temperature", type=float, default=1.0, show_default=True)
@click.option("--top-p", type=float, default=1.0, show_default=True)
@click.option("--top-k", type=click.IntRange(min=0), default=0, show_default=True)
@click.option("--seed", type=int, default=None)
@click.option("--no-repetition-guard", is_flag=True, help="Let the model loop (no trimming of repeated tails).")
@click.option("-o", "--output", type=click.Path(path_type=Path), help="Write here, incrementally (default: stdout).")
@click.option("-f", "--format", "fmt", type=click.Choice(["jsonl", "text"]), default=None,
              help="Output format (default: text on stdout, jsonl in a file).")
@click.option("--resume", is_flag=True, help="Continue an interrupted run in --output.")
@click.option("--force", is_flag=True, help="Overwrite an existing --output.")
@click.option("--on-prior-error", type=click.Choice(["fail", "skip"]), default="fail", show_default=True,
              help="skip: decode an item without a prior when its provider fails.")
@progress_option
@click.option("-B", "--backend-option", "backend_options", multiple=True, metavar="KEY=VALUE",
              help="A backend option (llama.cpp: n_ctx, n_seq_max, n_threads, prefix_cache; transformers: loop, "
                   "prefix_cache); repeat for several.")
@click.option("--base-url", help="openai backend: the server's OpenAI API, e.g. http://host:8000/v1 "
              "(same as -B base_url=...; API key from $PRETTY_OPENAI_API_KEY or $OPENAI_API_KEY).")
@click.option("--concurrency", type=click.IntRange(min=1), help="openai backend: requests in flight "
              "(same as -B concurrency=N; default: the server's parallel slots where known: llama.cpp's server "
              "says, llama-cpp-python's has 1; else 8).")
@click.option("--sort-window", type=click.IntRange(min=0), default=8, show_default=True,
              help="Batches sorted by input length together (0: input order, each batch written at once).")
@click.option("--executor", type=click.Choice(["local", "ray"]), default="local", show_default=True,
              help="ray: shard the batches over Ray decoder actors (pip install 'pretty-framework[ray]').")
@click.option("--ray-address", help="A running Ray cluster (default: start a local one).")
@click.option("--ray-workers", type=click.IntRange(min=1), default=2, show_default=True,
              help="Decoder actors (each loads the model once).")
def decode(input_path, input_format, reference, flores, split, limit, src, tgt, task, provider, prior,
           provider_options, guides, guide_options, shots, shots_from, k, model, backend, device, dtype, template,
           batch_size, max_new_tokens, sample, temperature, top_p, top_k, seed, no_repetition_guard, output, fmt,
           resume, force, on_prior_error, progress, backend_options, base_url, concurrency, sort_window, executor,
           ray_address, ray_workers) -> None:
    """Decode inputs with a foundation model guided by a provider's priors.

    \b
    Example (the paper's Figure 1 on a real model):
      echo "The cat sat on the mat." | pretty decode --src en --tgt de --provider text --prior Die
    """
    from pretty_framework.decoding.executors import EngineSpec, make_executor
    from pretty_framework.decoding.generation import GenerationSettings
    from pretty_framework.guides.select import parse_guide_options, resolve_guides
    from pretty_framework.io.outputs import ResultWriter, check_output_path
    from pretty_framework.languages import normalize_language
    from pretty_framework.plugin.manager import get_plugins
    from pretty_framework.tasks.shots import resolve_shots

    fmt = fmt or ("jsonl" if output else "text")
    check_output_path(output, fmt, resume=resume, force=force)  # before anything loads
    refuse_unused_sampling_options(click.get_current_context(), sample)
    src_code, tgt_code = normalize_language(src), normalize_language(tgt)
    options = parse_provider_options(provider_options)
    if prior is not None:
        if provider != "text":
            raise OptionsError(f"--prior goes with --provider text, not {provider!r}")
        options["text"] = prior
    settings = GenerationSettings(max_new_tokens=max_new_tokens, do_sample=sample, temperature=temperature,
                                  top_p=top_p, top_k=top_k, seed=seed, repetition_guard=not no_repetition_guard)
    backend_opts = parse_backend_options(backend_options)
    for key, value in (("base_url", base_url), ("concurrency", concurrency)):
        if value is not None:  # conveniences for the openai backend: plain backend options
            backend_opts[key] = value
    spec = EngineSpec(task=task, provider=provider, src_lang=src_code, tgt_lang=tgt_code, provider_options=options,
                      backend=backend, model=model, device=device, dtype=dtype, backend_options=backend_opts,
                      k=k, template=template, settings=settings, on_prior_error=on_prior_error,
                      guides=resolve_guides(guides, parse_guide_options(guide_options), backend=backend),
                      shots=resolve_shots(shots, shots_from, getattr(get_plugins().tasks.get(task), "supports_shots",
                                                                     False), src_code, tgt_code),
                      shots_from=shots_from)
    spec.check()  # unknown names and bad options fail here, before any model loads
    batch_size = batch_size or spec.default_batch_size()
    items = load_items(input_path, input_format, reference, flores, split, src_code, tgt_code, limit)
    spec.check(items)  # a provider that could give these items no prior at all (oracle without references)
    executor = make_executor(executor, workers=ray_workers, address=ray_address)
    try:
        signature = executor.signature(spec)
        writer = ResultWriter(output, fmt, signature, resume=resume, force=force,
                              batching=f"{batch_size}x{sort_window}")
        try:
            todo = writer.remaining(items, batch_invariant=executor.batch_invariant(spec))
            if resume and len(todo) < len(items):
                click.echo(f"resuming: {len(items) - len(todo)} of {len(items)} items already done", err=True)
            executor.run(spec, items, writer, done=writer.done, batch_size=batch_size, progress=progress,
                         sort_window=sort_window)
        finally:
            writer.close()
    finally:
        executor.close()
    if output is not None:
        click.echo(f"wrote {len(items)} results to {output}\nsignature: {signature}", err=True)


SAMPLING_OPTIONS = ("temperature", "top_p", "top_k", "seed")


def refuse_unused_sampling_options(ctx: click.Context, sample: bool) -> None:
    """``--temperature`` and friends do nothing without ``--sample``: say so instead of ignoring them."""
    from click.core import ParameterSource

    given = [name for name in SAMPLING_OPTIONS if ctx.get_parameter_source(name) == ParameterSource.COMMANDLINE]
    if given and not sample:
        flags = ", ".join("--" + name.replace("_", "-") for name in given)
        raise OptionsError(f"{flags} only apply when sampling: add --sample (greedy decoding is the default)")


def parse_backend_options(pairs: tuple[str, ...]) -> dict[str, object]:
    """``-B key=value`` pairs; values that read as YAML scalars (numbers, true/false) get their type."""
    import yaml

    return {key: yaml.safe_load(value) if value else value for key, value in parse_provider_options(pairs).items()}
