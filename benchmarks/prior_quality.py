"""Translation quality by prior provider on Flores-200 dev, with the embedded Gemma 3 270M base model.

For each pair and provider: chrF and BLEU (sacrebleu) against the Flores references, and the
target-language rate (seeded langdetect; Han script for Chinese). Greedy decoding, prompting
template, max 128 new tokens, batch 16. Rows: `none` (the base model alone), `muse-dict` (the
bundled MUSE dictionary; defaults: the first covered word as in the paper, with identity entries
skipped, exact forms first, normalised matching and sentence-initial capitalisation),
`muse-dict distinctive` (also pass over translations that are English words too),
`muse-dict content+distinctive` (also prefer content words), `oracle`, `oracle` (the reference's first
k=2 tokens: the bar).

Run: python benchmarks/prior_quality.py [--lines 100] [--pairs en-de,en-fr,en-zh,en-uk]
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

from common import flores_items, machine, timed, write_result

CONFIGS = {  # row name -> (provider, provider options); options spelled out so that a rerun is exact
    "none": ("none", {}),
    "muse-dict": ("muse-dict", {"content_words": False, "distinctive": False}),  # the provider's defaults
    "muse-dict distinctive": ("muse-dict", {"content_words": False, "distinctive": True}),
    "muse-dict content+distinctive": ("muse-dict", {"content_words": True, "distinctive": True}),
    "oracle": ("oracle", {}),
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lines", type=int, default=100)
    parser.add_argument("--pairs", default="en-de,en-fr,en-zh,en-uk")
    parser.add_argument("--batch-size", type=int, default=16)
    parser.add_argument("--rows", default="|".join(CONFIGS), help="Rows to run, separated by '|' (default: all).")
    parser.add_argument("--name", default="prior_quality", help="Result file name under results/.")
    args = parser.parse_args()

    import os

    from pretty_framework.backends.transformers_backend import TransformersBackend
    from pretty_framework.decoding.engine import Engine
    from pretty_framework.evaluation.langid import target_language_rate
    from pretty_framework.evaluation.metrics import bleu, chrf
    from pretty_framework.decoding.generation import GenerationSettings
    from pretty_framework.languages import normalize_language
    from pretty_framework.plugin.manager import get_plugins

    os.environ.setdefault("PRETTY_DB", str(Path(tempfile.mkdtemp()) / "bench.sqlite"))
    plugins = get_plugins()
    backend = TransformersBackend()
    settings = GenerationSettings(max_new_tokens=128)
    rows, signatures = [], {}
    for pair in args.pairs.split(","):
        src, tgt = (normalize_language(code) for code in pair.split("-"))
        items = flores_items(src, tgt, args.lines)
        references = [item.reference for item in items]
        for row in args.rows.split("|"):
            provider_name, options = CONFIGS[row]
            provider = plugins.providers.get(provider_name).from_options(options)
            engine = Engine(backend, plugins.tasks.get("translation"), provider, src, tgt, settings=settings)
            seconds, results = timed(lambda: [r for s in range(0, len(items), args.batch_size)
                                              for r in engine.decode_batch(items[s : s + args.batch_size])])
            provider.close()
            outputs = [r.output for r in results]
            chrf_score, bleu_score = chrf(outputs, references), bleu(outputs, references, target=tgt)
            signatures[row] = engine.signature()
            rows.append({
                "pair": pair, "row": row, "chrF": round(chrf_score.score, 2), "BLEU": round(bleu_score.score, 2),
                "target_language_rate": round(target_language_rate(outputs, tgt), 3),
                "with_prior": sum(bool(r.prior) for r in results), "seconds": round(seconds, 1),
                "chrF_signature": chrf_score.signature, "BLEU_signature": bleu_score.signature,
                "examples": [{"prior": r.prior, "output": r.output} for r in results[:3]],
            })
            print(pair, row, rows[-1]["chrF"], rows[-1]["target_language_rate"], flush=True)
    for row in rows:
        oracle = next((r for r in rows if r["pair"] == row["pair"] and r["row"] == "oracle"), None)
        row["chrF_pct_of_oracle"] = round(100 * row["chrF"] / oracle["chrF"], 1) if oracle and oracle["chrF"] else None
    result = {"data": f"Flores-200 dev, first {args.lines} lines per pair", "model": backend.model_name,
              "machine": machine(), "decode_signatures": signatures, "rows": rows}
    lines = [
        f"# Prior quality on {result['data']} ({backend.model_name}, greedy, prompting template)",
        "",
        "| pair | row | chrF | BLEU | target-language rate | items with a prior | chrF % of oracle |",
        "|---|---|---|---|---|---|---|",
    ]
    for row in rows:
        lines.append(f"| {row['pair']} | {row['row']} | {row['chrF']} | {row['BLEU']} | "
                     f"{row['target_language_rate']:.0%} | {row['with_prior']}/{args.lines} | "
                     f"{row['chrF_pct_of_oracle']} |")
    lines += ["", f"chrF signature: {rows[0]['chrF_signature']}"]
    write_result(args.name, result, "\n".join(lines))


if __name__ == "__main__":
    main()
