"""Guides benchmark: the paper setting (--guide none) vs each guide alone vs the defaults, per pair.

Flores dev, the default foundation model, greedy, prompting template, max_new_tokens 128, batch 16 (bf16 on
CPU, as ``pretty decode``). For each provider and pair every configuration decodes the same lines in the same
process, so decode times compare as ratios to ``none``. Scores: BLEU, chrF, the target-language rate
(py3langid with the Han rule, as ``pretty eval``).

    python benchmarks/guides.py                       # the committed table (100 lines, 5 pairs)
    python benchmarks/guides.py --limit 24 --pairs en-de --providers muse-dict --configs none,default
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import RESULTS, flores_items, machine, write_result  # noqa: E402

from pretty_framework.languages import normalize_language  # noqa: E402

PAIRS = ("en-de", "en-fr", "en-zh", "en-uk", "de-fr")
CONFIGS = ("none", "copy-guard", "script-guard", "loop-guard", "reprime", "default")


def run_config(cache, pair: str, provider: str, guides: str, items, batch_size: int, max_new_tokens: int,
               provider_options: dict, shots: int = 0) -> dict:
    from pretty_framework.decoding.executors import EngineSpec
    from pretty_framework.decoding.generation import GenerationSettings
    from pretty_framework.evaluation.scoring import evaluate
    from pretty_framework.guides.select import resolve_guides

    src, tgt = (normalize_language(code) for code in pair.split("-"))
    # "reprime:drift_words=3" -> the guide with that option (a quick way to compare settings)
    name, _, given = guides.partition(":")
    options = {name: dict(part.split("=", 1) for part in given.split(";"))} if given else {}
    spec = EngineSpec(task="translation", provider=provider, src_lang=src, tgt_lang=tgt,
                      provider_options=provider_options, settings=GenerationSettings(max_new_tokens=max_new_tokens),
                      guides=resolve_guides(name, options), shots=shots)
    engine = cache.engine(spec)
    # Warm-up outside the timing: providers and guides load their models and dictionaries on first use, and
    # every prior is made (and cached) first, so that the times compare decoding alone (an SFT prior takes
    # longer than the decode it guides, and would otherwise land on whichever configuration runs first).
    engine.priors(items)
    engine.decode_batch(items[:1])
    results = []
    start = time.perf_counter()
    order = sorted(range(len(items)), key=lambda i: len(items[i].source))  # as pretty decode's sort window
    for begin in range(0, len(order), batch_size):
        batch = [items[i] for i in order[begin : begin + batch_size]]
        results += list(zip(order[begin : begin + batch_size], engine.decode_batch(batch)))
    seconds = time.perf_counter() - start
    records = [{"output": r.output, "reference": r.item.reference, "source": r.item.source, "parsed_ok": r.parsed_ok,
                "raw": r.raw, "prior": r.prior, "provenance": r.provenance}
               for _, r in sorted(results, key=lambda pair: pair[0])]
    flat = evaluate(records, "translation", tgt, ["bleu", "chrf", "langid"], bootstrap=None)["scores"]
    inserted = sum(1 for r in records for e in (r["provenance"] or {}).get("guides", []) if e["action"] == "inserted")
    return {"pair": pair, "provider": provider, "guides": guides, "shots": shots, "signature": str(engine.signature()),
            "seconds": round(seconds, 2), "scores": flat, "insertions": inserted, "records": records}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--limit", type=int, default=100)
    parser.add_argument("--pairs", default=",".join(PAIRS))
    parser.add_argument("--providers", default="muse-dict,oracle,sft")
    parser.add_argument("--configs", default=",".join(CONFIGS))
    parser.add_argument("--batch-size", type=int, default=16)
    parser.add_argument("--max-new-tokens", type=int, default=128)
    parser.add_argument("--shots", default="0", help="bundled demonstrations before each prompt: a number or a "
                        "list (0,2): every configuration runs with each")
    parser.add_argument("--name", default=None, help="results/NAME.{json,md} (default: no file, print only)")
    parser.add_argument("--dump", default=None, help="write every record here (JSONL) to read the outputs")
    parser.add_argument("--provider-options", action="append", default=[], metavar="KEY=VALUE",
                        help="an option for every provider (repeatable), e.g. candidates=3")
    args = parser.parse_args()

    from pretty_framework.decoding.executors import EngineCache

    cache = EngineCache()
    rows = []
    for pair in args.pairs.split(","):
        src, tgt = pair.split("-")
        items = flores_items(normalize_language(src), normalize_language(tgt), args.limit)
        for provider in args.providers.split(","):
            options = {"max_new_tokens": 96} if provider == "sft" else {}
            options.update(option.split("=", 1) for option in args.provider_options)
            for config, shots in [(c, int(n)) for n in args.shots.split(",") for c in args.configs.split(",")]:
                row = run_config(cache, pair, provider, config, items, args.batch_size, args.max_new_tokens, options,
                                 shots)
                rows.append(row)
                s = row["scores"]
                print(f"{pair} {provider:10} {config:14} shots {shots} BLEU {s.get('BLEU', 0):5.1f} chrF {s.get('chrF', 0):5.1f} "
                      f"tgt% {s.get('target-lang%', float('nan')):5.1f} {row['seconds']:7.1f}s "
                      f"ins {row['insertions']}", flush=True)
    cache.close()
    if args.dump:
        with open(args.dump, "w", encoding="utf-8") as out:
            for row in rows:
                for record in row["records"]:
                    out.write(json.dumps({"pair": row["pair"], "provider": row["provider"], "guides": row["guides"],
                                          "shots": row["shots"],
                                          **record}, ensure_ascii=False) + "\n")
    if args.name:
        write_result(args.name, {"machine": machine(), "limit": args.limit,
                                 "rows": [{k: v for k, v in row.items() if k != "records"} for row in rows]},
                     table(rows, args.limit))


def table(rows: list[dict], limit: int) -> str:
    """Markdown: one line per provider and configuration, each pair's chrF / BLEU / target% / seconds."""
    pairs = list(dict.fromkeys(row["pair"] for row in rows))
    lines = [f"# Guides on Flores dev ({limit} lines per pair, gemma3-270m, greedy, prompting template)", "",
             f"Machine: {machine()}. Cells: chrF / BLEU / target-language % / decode seconds (x time of `none`).",
             "", "| provider | guides | shots | " + " | ".join(pairs) + " |", "|---|---|---|" + "---|" * len(pairs)]
    base = {(row["pair"], row["provider"]): row["seconds"] for row in rows
            if row["guides"] == "none" and row["shots"] == 0}
    for key in dict.fromkeys((row["provider"], row["guides"], row["shots"]) for row in rows):
        cells = []
        for pair in pairs:
            row = next((r for r in rows if (r["provider"], r["guides"], r["shots"]) == key and r["pair"] == pair),
                       None)
            if row is None:
                cells.append("")
                continue
            s = row["scores"]
            ratio = row["seconds"] / base[(pair, key[0])] if (pair, key[0]) in base else float("nan")
            cells.append(f"{s.get('chrF', 0):.1f} / {s.get('BLEU', 0):.1f} / {s.get('target-lang%', float('nan')):.0f}"
                         f" / {row['seconds']:.0f}s (x{ratio:.2f})")
        lines.append(f"| {key[0]} | {key[1]} | {key[2]} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


if __name__ == "__main__":
    main()
