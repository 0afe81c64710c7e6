"""Decode speed of `pretty decode` on 64 Flores dev lines (en->de, oracle prior, k=2).

Measured in one run, on the same prompts (prompt + prior token ids made by the engine):

* ours: the engine + JSONL writer (`run_engine`), default dtype (bf16 where native), batch 16;
* raw: the backend call it wraps (`backend.generate` on the same ids, batches and settings);
* naive: a transformers fp32, batch-1 `model.generate` loop with the same max_new_tokens,
  greedy, no stop string (a first script's loop);
* naive+stop: the same loop with transformers' own `stop_strings=["\\n"]`.

Model loading is timed separately and left out of the throughput ratios.
Run: python benchmarks/decode_speed.py [--lines 64] [--max-new-tokens 64] [--batch-size 16]
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

from common import flores_items, machine, timed, write_result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lines", type=int, default=64)
    parser.add_argument("--max-new-tokens", type=int, default=64)
    parser.add_argument("--batch-size", type=int, default=16)
    args = parser.parse_args()

    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    from pretty_framework.backends.transformers_backend import TransformersBackend
    from pretty_framework.decoding.engine import Engine
    from pretty_framework.decoding.generation import GenerationSettings
    from pretty_framework.backends.models import resolve_model
    from pretty_framework.io.outputs import ResultWriter
    from pretty_framework.plugin.manager import get_plugins
    from pretty_framework.decoding.windows import run_engine

    items = flores_items("eng_Latn", "deu_Latn", args.lines)
    plugins = get_plugins()
    load_s, backend = timed(lambda: TransformersBackend())
    settings = GenerationSettings(max_new_tokens=args.max_new_tokens)
    engine = Engine(backend, plugins.tasks.get("translation"), plugins.providers.get("oracle")(),
                    "eng_Latn", "deu_Latn", settings=settings)
    prompts = [joined.ids for joined, _ in engine.prompts(items, engine.priors(items))]
    batches = [prompts[i : i + args.batch_size] for i in range(0, len(prompts), args.batch_size)]

    def ours() -> list:
        with tempfile.TemporaryDirectory() as folder:
            writer = ResultWriter(Path(folder) / "out.jsonl", "jsonl", engine.signature())
            run_engine(engine, items, writer, batch_size=args.batch_size, progress=False)
            writer.close()
            return (Path(folder) / "out.jsonl").read_text().splitlines()

    def raw() -> list:
        return [g for batch in batches for g in backend.generate(batch, engine.settings)]

    # Interleave and keep the best of two, so that neither side gains from warm-up or noise.
    ours_times, raw_times = [], []
    for _ in range(2):
        t, raw_out = timed(raw)
        raw_times.append(t)
        t, ours_out = timed(ours)
        ours_times.append(t)
    new_tokens = sum(len(g.token_ids) for g in raw_out)

    source = resolve_model(None).source
    tokenizer = AutoTokenizer.from_pretrained(source)
    naive_load_s, naive_model = timed(lambda: AutoModelForCausalLM.from_pretrained(source, dtype=torch.float32).eval())

    def naive(stop: bool) -> int:
        produced = 0
        extra = {"stop_strings": ["\n"], "tokenizer": tokenizer} if stop else {}
        with torch.inference_mode():
            for ids in prompts:
                out = naive_model.generate(torch.tensor([ids]), max_new_tokens=args.max_new_tokens, do_sample=False,
                                           top_p=None, top_k=None, temperature=None, **extra)
                produced += out.shape[1] - len(ids)
        return produced

    naive_s, naive_tokens = timed(lambda: naive(stop=False))
    naive_stop_s, naive_stop_tokens = timed(lambda: naive(stop=True))

    best_ours, best_raw = min(ours_times), min(raw_times)
    result = {
        "data": f"Flores-200 dev eng_Latn->deu_Latn, first {args.lines} lines, oracle prior k=2, prompting template",
        "model": backend.model_name,
        "dtype_ours": str(backend.dtype),
        "batch_size": args.batch_size,
        "max_new_tokens": args.max_new_tokens,
        "machine": machine(),
        "load_seconds": {"ours_backend": round(load_s, 2), "naive_fp32": round(naive_load_s, 2)},
        "seconds": {
            "ours": [round(t, 2) for t in ours_times],
            "raw_backend": [round(t, 2) for t in raw_times],
            "naive_fp32_batch1": round(naive_s, 2),
            "naive_fp32_batch1_stop": round(naive_stop_s, 2),
        },
        "new_tokens": {"ours": new_tokens, "naive": naive_tokens, "naive_stop": naive_stop_tokens},
        "items_per_second": {
            "ours": round(args.lines / best_ours, 3),
            "raw_backend": round(args.lines / best_raw, 3),
            "naive_fp32_batch1": round(args.lines / naive_s, 3),
            "naive_fp32_batch1_stop": round(args.lines / naive_stop_s, 3),
        },
        "ratios": {
            "ours_vs_naive": round(naive_s / best_ours, 2),
            "ours_vs_naive_stop": round(naive_stop_s / best_ours, 2),
            "ours_vs_raw_backend": round(best_raw / best_ours, 3),
        },
        "targets": {"ours_vs_naive": ">= 15", "ours_vs_raw_backend": ">= 0.95"},
        "outputs_written": len(ours_out),
    }
    r = result["ratios"]
    table = "\n".join([
        f"# Decode speed ({result['data']})",
        "",
        f"Machine: {result['machine']}; ours: {result['dtype_ours']}, batch {args.batch_size}; "
        f"max_new_tokens {args.max_new_tokens}. Best of two runs for ours/raw.",
        "",
        "| run | seconds | items/s | ratio |",
        "|---|---|---|---|",
        f"| pretty decode engine (ours) | {best_ours:.1f} | {args.lines / best_ours:.2f} | 1 |",
        f"| raw backend.generate | {best_raw:.1f} | {args.lines / best_raw:.2f} | ours/raw = {r['ours_vs_raw_backend']} |",
        f"| naive fp32 batch-1 generate | {naive_s:.1f} | {args.lines / naive_s:.2f} | ours/naive = {r['ours_vs_naive']}x |",
        f"| naive fp32 batch-1 + stop_strings | {naive_stop_s:.1f} | {args.lines / naive_stop_s:.2f} | "
        f"ours/naive+stop = {r['ours_vs_naive_stop']}x |",
    ])
    write_result("decode_speed", result, table)


if __name__ == "__main__":
    main()
