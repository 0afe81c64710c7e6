"""The openai backend on a localhost llama.cpp server: its throughput against a minimal client and in-process llama.cpp.

One run, one server on the default Gemma 3 270M GGUF (flash attention, 2 threads): llama.cpp's own
``llama-server`` with --slots parallel slots and continuous batching (what a deployment runs, like vLLM), or
llama-cpp-python's server (one request at a time: the one the tests start). The same Flores dev lines en->de
with the oracle prior (k=2), greedy, stop "\\n", concurrency = the server's slots:

1. ours: `pretty decode`'s path (LocalExecutor: engine, prior cutting, the backend at --concurrency N, parsing,
   the JSONL writer), timed without connecting;
2. minimal client: the very request bodies ours sent (same prompts, max_tokens, stop, sampling fields), replayed
   by a thread pool of N over one pooled httpx client, nothing else;
3. in-process llama.cpp backend on the same lines (batch 16, its own batched decoding).

Each at the batch size ``pretty decode`` gives it without -b (ours: 4x the concurrency).

One untimed pass of each over 8 other lines first (the server's prompt cache and the in-process prefix cache
warm, as in a long run), then interleaved, best of --repeats; our backend's tokenize cache is emptied before each
pass (each line's tokenize requests are timed, as in a run over new lines). The framework's overhead per line is
split into the engine's work outside ``generate`` (prompt building, prior cutting with its tokenize requests,
parsing, writing) and the backend's work around the completions (re-tokenizing answers, the stop rules).

Run: python benchmarks/openai_speed.py --llama-server PATH [--slots 16] [--lines 96] [--max-new-tokens 32]
     python benchmarks/openai_speed.py --server llama-cpp-python   (the server the tests start: one slot)
"""

from __future__ import annotations

import argparse
import importlib.metadata
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from common import flores_items, machine, timed, write_result

MODEL = "gemma3-270m"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


LLAMA_SERVER_HELP = ("llama.cpp's own server binary (tools/server); build it from the llama.cpp that "
                     "llama-cpp-python vendors with benchmarks/build_llama_server.sh")


def server_command(kind: str, binary: str | None, port: int, threads: int, slots: int) -> list[str]:
    """The command line of the server: llama-cpp-python's (one request at a time) or llama.cpp's own
    ``llama-server`` (``slots`` parallel slots with continuous batching, each 2048 tokens of context)."""
    from pretty_framework.api import gguf_file

    model = str(gguf_file(MODEL)[1])
    if kind == "llama-cpp-python":
        return [sys.executable, "-m", "llama_cpp.server", "--model", model, "--model_alias", MODEL,
                "--host", "127.0.0.1", "--port", str(port), "--n_ctx", "2048", "--n_threads", str(threads),
                "--n_threads_batch", str(threads), "--flash_attn", "true", "--verbose", "false"]
    if not binary:
        raise SystemExit(f"--server llama-server needs --llama-server PATH: {LLAMA_SERVER_HELP}")
    return [binary, "-m", model, "--alias", MODEL, "--host", "127.0.0.1", "--port", str(port),
            "-c", str(2048 * slots), "-np", str(slots), "-kvu", "-t", str(threads), "-tb", str(threads), "-fa", "on",
            "--no-webui"]  # -kvu: one KV pool for all slots (as vLLM's paged cache), so slots share the template


def start_server(command: list[str], log: Path) -> tuple[subprocess.Popen, str]:
    import httpx

    port = command[command.index("--port") + 1]
    process = subprocess.Popen(command, stdout=log.open("ab"), stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}/v1"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and process.poll() is None:
        try:
            if httpx.get(f"{url}/models", timeout=2).status_code == 200:
                return process, url
        except httpx.TransportError:
            pass
        time.sleep(0.25)
    process.kill()
    raise SystemExit(f"the server did not start: {log.read_text()[-2000:]}")


class Recorder:
    """Wraps the backend's HTTP client and ``generate``: what was sent, how long each part took."""

    def __init__(self, backend):
        self.backend = backend
        self.bodies: list[dict] = []
        self.reset()
        post, generate = backend._client.post, backend.generate

        def recording_post(path, body, **kwargs):
            start = time.perf_counter()
            try:
                return post(path, body, **kwargs)
            finally:
                seconds = time.perf_counter() - start
                if path == "completions":
                    self.bodies.append(dict(body))
                    self.completion_seconds += seconds
                else:
                    self.tokenizer_requests += 1
                    self.tokenizer_seconds += seconds

        def recording_generate(prompts, settings):
            self.inside_start.append(time.perf_counter())
            try:
                return generate(prompts, settings)
            finally:
                self.generate_seconds += time.perf_counter() - self.inside_start[-1]

        backend._client.post, backend.generate = recording_post, recording_generate

    def reset(self) -> None:
        self.bodies = []
        self.completion_seconds = self.tokenizer_seconds = self.generate_seconds = 0.0
        self.tokenizer_requests = 0
        self.inside_start: list[float] = []


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lines", type=int, default=96)
    parser.add_argument("--max-new-tokens", type=int, default=32)
    parser.add_argument("--server", choices=("llama-server", "llama-cpp-python"), default="llama-server")
    parser.add_argument("--llama-server", default=os.environ.get("PRETTY_LLAMA_SERVER") or shutil.which("llama-server"),
                        help=LLAMA_SERVER_HELP)
    parser.add_argument("--slots", type=int, default=None, help="the server's parallel slots (llama-server: 16, "
                        "the in-process backend's batch; llama-cpp-python's server has one)")
    parser.add_argument("--concurrency", type=int, default=None, help="requests in flight (default: the slots)")
    parser.add_argument("--batch-size", type=int, default=None,
                        help="items per engine call (default: each backend's, as pretty decode without -b)")
    parser.add_argument("--repeats", type=int, default=2)
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args()
    if args.server == "llama-cpp-python":
        args.slots = 1
    args.slots = args.slots or 16
    args.concurrency = args.concurrency or args.slots

    import httpx

    from pretty_framework.decoding.executors import EngineSpec, LocalExecutor
    from pretty_framework.decoding.generation import GenerationSettings
    from pretty_framework.io.outputs import ResultWriter

    items = flores_items("eng_Latn", "deu_Latn", args.lines)
    warm_up = flores_items("eng_Latn", "deu_Latn", args.lines + 8)[args.lines:]
    settings = GenerationSettings(max_new_tokens=args.max_new_tokens)
    folder = Path(tempfile.mkdtemp(prefix="openai-speed-"))
    command = server_command(args.server, args.llama_server, free_port(), args.threads, args.slots)
    process, url = start_server(command, folder / "server.log")
    try:
        served = EngineSpec(task="translation", provider="oracle", src_lang="eng_Latn", tgt_lang="deu_Latn",
                            backend="openai", model=MODEL, settings=settings,
                            backend_options={"base_url": url, "concurrency": args.concurrency})
        local = EngineSpec(task="translation", provider="oracle", src_lang="eng_Latn", tgt_lang="deu_Latn",
                           backend="llama.cpp", model=MODEL, settings=settings)
        from pretty_framework.api import gguf_file

        local_tokenizer = EngineSpec(**{**served.__dict__, "backend_options": {**served.backend_options,
                                                                              "tokenizer": str(gguf_file(MODEL)[1])}})
        executors = {"ours": LocalExecutor(), "in-process": LocalExecutor(), "ours, local tokenizer": LocalExecutor()}
        load = {}
        load["ours"], _ = timed(lambda: executors["ours"].signature(served))  # connect, probe the tokenizer
        load["in-process"], _ = timed(lambda: executors["in-process"].signature(local))
        load["ours, local tokenizer"], _ = timed(lambda: executors["ours, local tokenizer"].signature(local_tokenizer))
        recorder = Recorder(executors["ours"].engines.backend(served))
        http = httpx.Client(limits=httpx.Limits(max_connections=args.concurrency + 2), timeout=600, trust_env=False)

        batches: dict[str, int] = {}

        def through_executor(name: str, spec: EngineSpec, lines=items) -> tuple[float, list[str]]:
            backend = executors[name].engines.backend(spec)
            if hasattr(backend, "_cache"):  # tokenize answers of an earlier pass: each timed pass starts without
                backend._cache.clear()
            output = folder / f"{name}.jsonl"
            writer = ResultWriter(output, "jsonl", executors[name].signature(spec), force=True)
            batches[name] = args.batch_size or spec.default_batch_size()
            seconds, _ = timed(lambda: executors[name].run(spec, lines, writer, batch_size=batches[name],
                                                           progress=False))
            writer.close()
            import json

            return seconds, [json.loads(line)["output"] for line in output.read_text().splitlines()]

        def minimal(bodies: list[dict]) -> float:
            def send(body: dict) -> str:
                response = http.post(f"{url}/completions", json=body)
                response.raise_for_status()
                return response.json()["choices"][0]["text"]

            with ThreadPoolExecutor(args.concurrency) as pool:
                seconds, _ = timed(lambda: list(pool.map(send, bodies)))
            return seconds

        runs: dict[str, list[float]] = {"ours": [], "minimal client": [], "in-process llama.cpp": [],
                                        "ours, local tokenizer (-B tokenizer=the .gguf)": []}
        parts: list[dict] = []
        outputs: dict[str, list[str]] = {}
        # one untimed pass of each over other lines: the server's prompt cache holds the shared template, the
        # in-process backend its prefix, as in a long run; then interleaved, so neither side gains from noise
        for name, spec in (("ours", served), ("in-process", local), ("ours, local tokenizer", local_tokenizer)):
            through_executor(name, spec, warm_up)
        for _ in range(args.repeats):
            recorder.reset()
            seconds, outputs["ours"] = through_executor("ours", served)
            runs["ours"].append(seconds)
            outside = seconds - recorder.generate_seconds
            parts.append({"wall": seconds, "generate": recorder.generate_seconds,
                          "completion_requests_seconds": recorder.completion_seconds,
                          "tokenizer_requests": recorder.tokenizer_requests,
                          "tokenizer_seconds": recorder.tokenizer_seconds, "outside_generate": outside})
            bodies = list(recorder.bodies)
            runs["minimal client"].append(minimal(bodies))
            seconds, outputs["in-process"] = through_executor("in-process", local)
            runs["in-process llama.cpp"].append(seconds)
            seconds, _ = through_executor("ours, local tokenizer", local_tokenizer)
            runs["ours, local tokenizer (-B tokenizer=the .gguf)"].append(seconds)
        for executor in executors.values():
            executor.close()
        http.close()
    finally:
        process.terminate()
        process.wait(15)

    best = {name: min(values) for name, values in runs.items()}
    best_parts = min(parts, key=lambda p: p["wall"])
    n = len(items)
    result = {
        "data": f"Flores-200 dev eng_Latn->deu_Latn, first {n} lines, oracle prior k=2, greedy, stop \\n",
        "server": (f"llama.cpp's llama-server (built from the llama.cpp that llama-cpp-python vendors), localhost, "
                   f"{args.slots} parallel slots with continuous batching and one KV pool (-kvu), 2048 tokens of "
                   "context each, "
                   f"{args.threads} threads, flash attention" if args.server == "llama-server" else
                   "llama-cpp-python OpenAI-compatible server (python -m llama_cpp.server), localhost, "
                   f"{args.threads} threads, n_ctx 2048, flash attention; one request at a time (no parallel slots)"),
        "slots": args.slots,
        "lines": n, "concurrency": args.concurrency, "batch_size": batches, "max_new_tokens": args.max_new_tokens,
        "repeats": args.repeats, "machine": machine(),
        "versions": {p: importlib.metadata.version(p) for p in ("pretty-framework", "llama_cpp_python", "httpx")},
        "load_seconds": {k: round(v, 2) for k, v in load.items()},
        "seconds": {k: [round(v, 2) for v in vs] for k, vs in runs.items()},
        "best_seconds": {k: round(v, 2) for k, v in best.items()},
        "lines_per_second": {k: round(n / v, 3) for k, v in best.items()},
        "ratio_vs_minimal_client": round(best["minimal client"] / best["ours"], 3),
        "ratio_vs_in_process": round(best["in-process llama.cpp"] / best["ours"], 3),
        "ratio_local_tokenizer_vs_minimal_client": round(
            best["minimal client"] / best["ours, local tokenizer (-B tokenizer=the .gguf)"], 3),
        "overhead_per_line_ms": {
            "total (ours - minimal client)": round(1000 * (best["ours"] - best["minimal client"]) / n, 1),
            "engine outside generate (priors, prompts + cutting, parsing, writing)":
                round(1000 * best_parts["outside_generate"] / n, 1),
            "tokenize/detokenize requests (count per line, ms per line)":
                [round(best_parts["tokenizer_requests"] / n, 1), round(1000 * best_parts["tokenizer_seconds"] / n, 1)],
        },
        "ours_breakdown": {k: round(v, 3) if isinstance(v, float) else v for k, v in best_parts.items()},
        "identical_outputs_ours_vs_in_process": sum(a == b for a, b in zip(outputs["ours"], outputs["in-process"])),
    }
    write_result("openai_speed" if args.server == "llama-server" else "openai_speed_llama-cpp-python", result,
                 report(result))


def report(result: dict) -> str:
    best, lps = result["best_seconds"], result["lines_per_second"]
    rows = "\n".join(f"| {name} | {best[name]} | {lps[name]} |" for name in best)
    overhead = "\n".join(f"| {k} | {v} |" for k, v in result["overhead_per_line_ms"].items())
    vs_min, vs_local = result["ratio_vs_minimal_client"], result["ratio_vs_in_process"]
    return f"""# openai backend speed (benchmarks/openai_speed.py)

{result['data']}; max_new_tokens {result['max_new_tokens']}; concurrency {result['concurrency']}; batch
{result['batch_size']}; best of {result['repeats']}, interleaved. Server: {result['server']}.
Machine: {result['machine']}; versions: {result['versions']}.

| system | seconds | lines/s |
|---|---|---|
{rows}

- ours vs minimal client (same request bodies, same concurrency): **{vs_min}x** (target >= 0.9x:
  {'met' if vs_min >= 0.9 else 'missed'})
- ours with a local tokenizer vs minimal client: **{result['ratio_local_tokenizer_vs_minimal_client']}x**
- ours vs in-process llama.cpp backend: **{vs_local}x** (target >= 0.8x: {'met' if vs_local >= 0.8 else 'missed'})
- identical outputs, ours vs in-process: {result['identical_outputs_ours_vs_in_process']} of {result['lines']}

Framework overhead per line (ms):

| part | ms per line |
|---|---|
{overhead}

Breakdown of the best run of ours (seconds): {result['ours_breakdown']}"""


if __name__ == "__main__":
    main()
