"""SFT priors and the Table 5 control on Flores-200 dev, with the embedded models.

Rows per pair: `SFT alone` (SmolLM2-135M-Instruct's own translation: the sft provider's whole
first answer line), `sft` (Gemma 3 270M base + the SFT answer's first k=2 foundation tokens),
`random` (a random target-language dictionary word, seed 0) and `none`. chrF, BLEU and the
target-language rate; %SFT = chrF over the SFT model's own chrF (the paper's ratio).

Run: python benchmarks/sft_prior.py [--lines 100] [--pairs en-de,en-fr,en-zh,en-uk]
"""

from __future__ import annotations

import argparse
import os
import tempfile
from pathlib import Path

from common import flores_items, machine, timed, write_result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lines", type=int, default=100)
    parser.add_argument("--pairs", default="en-de,en-fr,en-zh,en-uk")
    parser.add_argument("--name", default="sft_prior", help="Result file name under results/.")
    args = parser.parse_args()

    from pretty_framework import PriorRequest
    from pretty_framework.backends.transformers_backend import TransformersBackend
    from pretty_framework.decoding.engine import Engine
    from pretty_framework.evaluation.langid import target_language_rate
    from pretty_framework.evaluation.metrics import bleu, chrf
    from pretty_framework.decoding.generation import GenerationSettings
    from pretty_framework.languages import normalize_language
    from pretty_framework.plugin.manager import get_plugins
    from pretty_framework.io.records import Item

    os.environ.setdefault("PRETTY_DB", str(Path(tempfile.mkdtemp()) / "bench.sqlite"))
    plugins = get_plugins()
    backend = TransformersBackend()
    task = plugins.tasks.get("translation")
    sft = plugins.providers.get("sft").from_options({"max_new_tokens": 96})
    rows = []

    def score(pair, row, outputs, references, tgt, seconds):
        rows.append({"pair": pair, "row": row, "chrF": round(chrf(outputs, references).score, 2),
                     "BLEU": round(bleu(outputs, references, target=tgt).score, 2),
                     "target_language_rate": round(target_language_rate(outputs, tgt), 3),
                     "seconds": round(seconds, 1), "examples": outputs[:3]})
        print(pair, row, rows[-1]["chrF"], rows[-1]["target_language_rate"], flush=True)

    for pair in args.pairs.split(","):
        src, tgt = (normalize_language(code) for code in pair.split("-"))
        items = flores_items(src, tgt, args.lines)
        references = [item.reference for item in items]
        requests = [PriorRequest.of(i.id, i.source, src, tgt) for i in items]
        seconds, answers = timed(lambda: sft.priors(requests))
        score(pair, "SFT alone", [a.text if a else "" for a in answers], references, tgt, seconds)
        # The sft row reuses these answers (the sft provider would generate the very same ones again,
        # greedy and fp32): each item carries its answer as a per-item prior for the `text` provider.
        with_answers = [Item(i.id, i.source, i.reference, {"prior": a.text if a else ""}) for i, a in zip(items, answers)]
        for row in ("sft", "random", "none"):
            provider = plugins.providers.get("text" if row == "sft" else row)()
            engine = Engine(backend, task, provider, src, tgt, k=2, settings=GenerationSettings(max_new_tokens=128))
            seconds, results = timed(lambda: [r for s in range(0, len(items), 16)
                                              for r in engine.decode_batch(with_answers[s : s + 16])])
            score(pair, row, [r.output for r in results], references, tgt, seconds)
    sft.close()
    for row in rows:
        alone = next(r for r in rows if r["pair"] == row["pair"] and r["row"] == "SFT alone")
        row["pct_sft_chrF"] = round(100 * row["chrF"] / alone["chrF"], 1) if alone["chrF"] else None
    result = {"data": f"Flores-200 dev, first {args.lines} lines per pair", "foundation": backend.model_name,
              "sft_model": "smollm2-135m-instruct", "machine": machine(), "rows": rows}
    lines = [f"# SFT priors and the random control on {result['data']}",
             f"Foundation {backend.model_name} (base), SFT model SmolLM2-135M-Instruct; greedy; k=2 for sft.", "",
             "| pair | row | chrF | BLEU | target-language rate | %SFT (chrF) |", "|---|---|---|---|---|---|"]
    lines += [f"| {r['pair']} | {r['row']} | {r['chrF']} | {r['BLEU']} | {r['target_language_rate']:.0%} | "
              f"{r['pct_sft_chrF']} |" for r in rows]
    lines += ["", f"Command: `cd benchmarks && python sft_prior.py --pairs {args.pairs} --lines {args.lines} --name {args.name}`"]
    write_result(args.name, result, "\n".join(lines))


if __name__ == "__main__":
    main()
