"""The openai backend: its HTTP behaviour against a tiny fake server (default suite), and real decoding through
llama-cpp-python's OpenAI-compatible server on the Gemma 3 270M GGUF (marked ``llamacpp``; CI's second job).

The fake server speaks vLLM's dialect with a character tokenizer (id = code point, 1 = BOS), so every reply
is checked exactly; it listens on 127.0.0.1 only and stops with its fixture.
"""

from __future__ import annotations

import importlib.util
import json
import re
import socket
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from click.testing import CliRunner
from tests_support import flores_items

from pretty_framework.cli import cli
from pretty_framework.decoding.executors import EngineSpec
from pretty_framework.decoding.generation import GenerationSettings, StopWatcher
from pretty_framework.errors import ModelLoadError, OptionsError, PrettyError
from pretty_framework.plugin.manager import get_plugins

pytest.importorskip("httpx")
BOS = 1
GREEDY = GenerationSettings(max_new_tokens=32, stop_strings=("\n",))


def encode(text: str) -> list[int]:
    return [BOS] + [ord(c) for c in text]


def decode(ids) -> str:
    return "".join(chr(i) for i in ids if i != BOS)


class Fake:
    """What the fake server answers: ``replies`` (status, body, delay) are used up first, then ``default``."""

    def __init__(self):
        self.replies: list[tuple[int, dict, float]] = []
        self.default = lambda body: (200, {"choices": [{"text": " ok", "finish_reason": "length"}]}, 0.0)
        self.requests: list[tuple[str, dict, dict]] = []
        self.models = [{"id": "fake-model", "object": "model", "owned_by": "vllm", "max_model_len": 512}]
        self.in_flight = self.most_in_flight = 0
        self.lock = threading.Lock()
        self.tokenize = True
        self.tokenize_delay = 0.0  # seconds each tokenize/detokenize answer takes
        self.tokenizing = self.most_tokenizing = 0  # most_tokenizing: before the first completion request
        self.answers = self.most_answers = 0  # detokenize requests of texts with an answer (" Welt") in them
        self.completions_seen = 0
        self.props: dict | None = None  # llama.cpp's GET /props, where the fake has it


@pytest.fixture
def fake():
    state = Fake()

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args):
            pass

        def _send(self, status, body, headers=None):
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            for key, value in (headers or {}).items():
                self.send_header(key, value)
            self.end_headers()
            self.wfile.write(data)

        def do_GET(self):
            state.requests.append((self.path, {}, dict(self.headers)))
            if self.path == "/v1/models":
                return self._send(200, {"object": "list", "data": state.models})
            if self.path == "/props" and state.props is not None:
                return self._send(200, state.props)
            self._send(404, {"detail": "Not Found"})

        def do_POST(self):
            body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            state.requests.append((self.path, body, dict(self.headers)))
            if self.path.endswith("tokenize") and not state.tokenize:
                return self._send(404, {"detail": "Not Found"})
            if self.path in ("/tokenize", "/detokenize") and not {"prompt", "tokens"} & set(body):
                return self._send(400, {"detail": "another dialect"})  # llama.cpp's fields: not ours
            if self.path in ("/tokenize", "/detokenize"):
                answer = self.path == "/detokenize" and " Welt" in decode(body["tokens"])
                with state.lock:
                    state.tokenizing += 1
                    state.answers += answer
                    if not state.completions_seen:  # building prompts, before any answer is re-tokenized
                        state.most_tokenizing = max(state.most_tokenizing, state.tokenizing)
                    state.most_answers = max(state.most_answers, state.answers)
                time.sleep(state.tokenize_delay)
                with state.lock:
                    state.tokenizing -= 1
                    state.answers -= answer
                if self.path == "/tokenize":
                    return self._send(200, {"tokens": encode(body["prompt"]), "count": 0, "max_model_len": 512})
                return self._send(200, {"prompt": decode(body["tokens"])})
            if self.path != "/v1/completions":
                return self._send(404, {"detail": "Not Found"})
            with state.lock:
                reply = state.replies.pop(0) if state.replies else None
                state.completions_seen += 1
                state.in_flight += 1
                state.most_in_flight = max(state.most_in_flight, state.in_flight)
            status, answer, delay = reply if reply else state.default(body)
            time.sleep(delay)
            with state.lock:
                state.in_flight -= 1
            try:
                self._send(status, answer, {"Retry-After": "0"} if status == 429 else None)
            except (BrokenPipeError, ConnectionResetError):  # the client gave up (timeout test)
                pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    state.url = f"http://127.0.0.1:{server.server_address[1]}/v1"
    yield state
    server.shutdown()
    server.server_close()


def backend(fake, **options):
    options = {"backoff": 0.01, **options}
    return get_plugins().backends.get("openai")(model="fake-model", base_url=fake.url, **options)


def completions(fake):
    return [body for path, body, _ in fake.requests if path == "/v1/completions"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# -- options ---------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("options, bad", [
    ({"concurency": 2}, "concurency"),
    ({"concurrency": 0}, "concurrency"),
    ({"retries": -1}, "retries"),
    ({"server": "tgi"}, "server"),
    ({"timeout": 0}, "timeout"),
])
def test_bad_options_are_refused_before_any_request(options, bad):
    spec = EngineSpec(task="translation", provider="none", src_lang="eng_Latn", tgt_lang="deu_Latn",
                      backend="openai", backend_options=options)
    with pytest.raises(OptionsError, match=rf"backend 'openai'.*{bad}.*\(options: base_url, concurrency"):
        spec.check()


def test_cli_conveniences_become_backend_options(monkeypatch):
    seen = {}

    def check(spec):
        seen.update(spec.backend_options)
        raise OptionsError("stop here")

    monkeypatch.setattr(EngineSpec, "check", check)
    result = CliRunner().invoke(cli, ["decode", "--src", "en", "--tgt", "de", "--backend", "openai", "--base-url",
                                      "http://127.0.0.1:1/v1", "--concurrency", "3", "-B", "timeout=5"], input="x\n")
    assert "stop here" in result.output
    assert seen == {"base_url": "http://127.0.0.1:1/v1", "concurrency": 3, "timeout": 5}


# -- guides ----------------------------------------------------------------------------------------------------
def test_a_named_guide_is_one_clear_line_before_any_request(fake):
    result = CliRunner().invoke(cli, ["decode", "--src", "en", "--tgt", "de", "--backend", "openai", "--base-url",
                                      fake.url, "--guide", "copy-guard"], input="Hello\n")
    assert result.exit_code == 1, result.output
    assert ("Error: backend 'openai' runs guides between requests only (a completions server gives no per-step "
            "logits): copy-guard cannot run there; guides that can: reprime (or --guide none)") in result.output
    assert "Traceback" not in result.output and len(result.output.strip().splitlines()) == 1
    assert fake.requests == []  # refused before the backend was built


def test_the_default_guides_are_those_a_server_can_run_with_one_warning(fake, caplog):
    import logging

    with caplog.at_level(logging.WARNING):
        result = CliRunner().invoke(cli, ["decode", "--src", "en", "--tgt", "de", "--backend", "openai",
                                          "--base-url", fake.url, "--shots", "0", "-p", "text", "--prior", "Hallo",
                                          "-f", "jsonl"], input="Hello\n")
    assert result.exit_code == 0, result.output
    warnings = [r.getMessage() for r in caplog.records if "guides" in r.getMessage()]
    assert warnings == ["backend 'openai' runs guides between requests only: the default guides script-guard are "
                        "left out"]
    record = json.loads(result.stdout.strip().splitlines()[-1])
    assert "|guide:reprime|" in record["signature"] and "guides" not in (record.get("provenance") or {})
    assert len(completions(fake)) == 1  # " ok": nothing drifted


def test_reprime_re_threads_a_drift_between_requests(fake):
    import pretty_framework

    def answer(body):
        text = decode(body["prompt"])
        if body.get("logprobs"):  # a guide's choice: the fake model prefers lower case letters
            ranked = {f"token_id:{ord(c)}": -1.0 for c in "abcdefghijklmnopqrstuvwxyz"}
            ranked.update({f"token_id:{ord(c)}": -3.0 for c in "ABCDEFGHIJKLMNOPQRSTUVWXYZ"})
            return 200, {"choices": [{"text": "a", "logprobs": {"top_logprobs": [ranked]}}]}, 0.0
        if text.endswith("Gripen") and "Saab" not in text:  # the first answer drifts into English
            return 200, {"choices": [{"text": " crashed onto runway at\n", "finish_reason": "stop",
                                      "stop_reason": "\n"}]}, 0.0
        if text.endswith("abgestürzt"):  # re-threaded with the dictionary word
            return 200, {"choices": [{"text": " auf der Landebahn\n", "finish_reason": "stop",
                                      "stop_reason": "\n"}]}, 0.0
        return 200, {"choices": [{"text": " ist ein Kampfflugzeug\n", "finish_reason": "stop",
                                  "stop_reason": "\n"}]}, 0.0

    fake.default = answer
    texts = ["The JAS Gripen crashed onto a runway at 9:30 am", "The Saab is a fighter"]
    results = pretty_framework.decode(texts, "en", "de", "text", options={"text": "Die JAS Gripen"}, k=40,
                                      backend="openai", model="fake-model", guides="reprime", shots=0,
                                      max_new_tokens=40, backend_options={"base_url": fake.url, "concurrency": 2})
    drifted, calm = results
    assert drifted.output == "Die JAS Gripen abgestürzt auf der Landebahn"
    (event,) = drifted.provenance["guides"]
    assert event["guide"] == "reprime" and event["action"] == "inserted" and event["drifted"][0] == "crashed"
    assert event["candidates"][:2] == ["abgestürzt", "Abgestürzt"]
    assert calm.output == "Die JAS Gripen ist ein Kampfflugzeug" and "guides" not in calm.provenance
    sent = completions(fake)
    assert sum(1 for body in sent if body.get("logprobs")) == 1  # " a" or " A": the one choice the model made
    assert len(sent) == 4  # two answers, the choice, the re-threaded continuation


def test_resolving_guides_for_a_backend_without_them():
    from pretty_framework.guides.select import guides_supported, resolve_guides

    installed = ["copy-guard", "script-guard", "reprime"]
    assert not guides_supported("openai") and guides_supported("transformers") and guides_supported("llama.cpp")
    for names in (None, [], "default", ["default"], "none"):
        assert resolve_guides(names, installed=installed, backend_supports_guides=False, backend="openai") == ()
    for names in ("copy-guard", ["default", "reprime"]):
        with pytest.raises(OptionsError, match="backend 'openai' cannot run guides.*use --guide none"):
            resolve_guides(names, installed=installed, backend_supports_guides=False, backend="openai")
    # what the openai backend says of itself: guides between requests (reprime), not per-step ones
    assert resolve_guides("default", installed=installed, backend="openai") == (("reprime", {}),)
    assert resolve_guides("reprime", installed=installed, backend="openai") == (("reprime", {}),)
    with pytest.raises(OptionsError, match="copy-guard cannot run there; guides that can: reprime"):
        resolve_guides(["reprime", "copy-guard"], installed=installed, backend="openai")


# -- connecting ------------------------------------------------------------------------------------------------
def test_a_dead_server_is_one_clear_line_quickly():
    started = time.monotonic()
    result = CliRunner().invoke(cli, ["decode", "--src", "en", "--tgt", "de", "--backend", "openai",
                                      "--base-url", f"http://127.0.0.1:{free_port()}/v1"], input="Hello\n")
    assert result.exit_code != 0
    assert "no OpenAI-compatible server answers at http://127.0.0.1:" in result.output
    assert "Traceback" not in result.output
    assert time.monotonic() - started < 10


def test_a_wrong_model_name_lists_the_served_ones(fake):
    fake.models.append({"id": "other-model", "owned_by": "vllm"})
    with pytest.raises(ModelLoadError, match="does not serve model 'llama-7b'; it serves: fake-model, other-model"):
        get_plugins().backends.get("openai")(model="llama-7b", base_url=fake.url)
    with pytest.raises(ModelLoadError, match="serves 2 models; name one with -m"):
        get_plugins().backends.get("openai")(base_url=fake.url)


def test_the_only_served_model_is_the_default_and_signs_the_run(fake):
    b = get_plugins().backends.get("openai")(base_url=fake.url)
    assert (b.model_name, b.dtype, b.name, b.max_context, b.server) == ("fake-model", "server", "openai", 512, "vllm")
    assert b.batch_invariant  # each prompt its own request: a resume may batch differently
    assert b.tokenizer.name == "server:vllm" and b.prompt_ids
    b.close()


def test_a_llama_cpp_server_gives_one_slot_s_context_not_the_model_s(fake):
    # llama.cpp's server: meta.n_ctx is what one slot holds (-c / -np); a longer prompt fails there
    fake.models[0] = {"id": "fake-model", "owned_by": "llamacpp", "meta": {"n_ctx": 2048, "n_ctx_train": 32768}}
    b = get_plugins().backends.get("openai")(base_url=fake.url)
    assert (b.server, b.max_context) == ("llama.cpp", 2048)
    b.close()
    fake.models[0] = {"id": "fake-model", "owned_by": "llamacpp", "meta": {"n_ctx_train": 32768}}
    b = get_plugins().backends.get("openai")(base_url=fake.url)
    assert b.max_context == 32768
    b.close()


def test_requests_in_flight_default_to_the_server_s_slots(fake):
    def concurrency(**options):
        b = get_plugins().backends.get("openai")(base_url=fake.url, **options)
        b.close()
        return b.concurrency, b.tokenizer_calls

    fake.models[0] = {"id": "fake-model", "owned_by": "llamacpp", "meta": {"n_ctx": 2048}}
    fake.props = {"total_slots": 6, "model_alias": "fake-model"}
    assert concurrency() == (6, 6) and concurrency(concurrency=2) == (2, 2)
    fake.props = {"total_slots": 500}  # more than we would open by ourselves: capped
    assert concurrency() == (64, 64) and concurrency(concurrency=100) == (100, 100)
    fake.props = None  # an older llama.cpp server, or one that does not say: the usual 8
    assert concurrency() == (8, 8)
    fake.models[0]["owned_by"] = "vllm"  # vLLM does not say (its --max-num-seqs is not served)
    fake.props = {"total_slots": 6}
    assert concurrency() == (8, 8)
    fake.models[0]["owned_by"] = "me"  # llama-cpp-python's server: one request at a time
    assert concurrency() == (1, 1)


def test_a_server_without_tokenize_endpoints_names_both_ways(fake):
    fake.tokenize = False
    with pytest.raises(ModelLoadError, match=r"no tokenize/detokenize endpoints .*-B tokenizer=FOLDER\|HUB_ID"):
        get_plugins().backends.get("openai")(base_url=fake.url)


def test_the_api_key_is_sent_and_never_shown(fake, monkeypatch):
    monkeypatch.setenv("PRETTY_OPENAI_API_KEY", "sk-secret-123")
    fake.replies.append((400, {"error": {"message": "bad request"}}, 0))
    b = backend(fake)
    with pytest.raises(PrettyError) as caught:
        b.generate([encode("Hi")], GREEDY)
    assert all(headers.get("Authorization") == "Bearer sk-secret-123" for _, _, headers in fake.requests)
    assert "sk-secret" not in str(caught.value) + repr(b) + repr(b.options)
    b.close()


# -- retries ---------------------------------------------------------------------------------------------------
def test_429_then_200_is_retried(fake):
    fake.replies.append((429, {"error": {"message": "queue full"}}, 0))
    b = backend(fake)
    (generation,) = b.generate([encode("Hi")], GREEDY)
    assert decode(generation.token_ids) == " ok" and generation.stop_reason == "length"
    assert len(completions(fake)) == 2
    b.close()


def test_a_lasting_500_fails_after_the_bounded_tries(fake):
    fake.replies += [(500, {"error": {"message": "CUDA out of memory"}}, 0)] * 5
    b = backend(fake, retries=2)
    with pytest.raises(PrettyError, match=r"POST http://127.0.0.1:\d+/v1/completions failed: HTTP 500: CUDA out of "
                                          r"memory \(after 3 tries\)"):
        b.generate([encode("Hi")], GREEDY)
    assert len(completions(fake)) == 3
    b.close()


def test_a_client_error_is_not_retried(fake):
    fake.replies.append((400, {"error": {"message": "max_tokens too large"}}, 0))
    b = backend(fake)
    with pytest.raises(PrettyError, match="HTTP 400: max_tokens too large"):
        b.generate([encode("Hi")], GREEDY)
    assert len(completions(fake)) == 1
    b.close()


def test_a_timeout_is_retried_then_reported(fake):
    fake.replies += [(200, {"choices": [{"text": "late", "finish_reason": "length"}]}, 1.5)] * 2
    b = backend(fake, timeout=0.3, retries=1)
    started = time.monotonic()
    with pytest.raises(PrettyError, match="failed after 2 tries: timed out"):
        b.generate([encode("Hi")], GREEDY)
    assert time.monotonic() - started < 3
    b.close()


def test_backoff_doubles_and_honours_retry_after():
    from pretty_openai.client import ServerClient

    waits = []
    client = ServerClient(f"http://127.0.0.1:{free_port()}/v1", retries=3, backoff=0.5, sleep=waits.append)
    with pytest.raises(PrettyError, match="failed after 4 tries: no answer"):
        client.get("models")
    assert waits == [0.5, 1.0, 2.0]
    client.close()


# -- requests and answers --------------------------------------------------------------------------------------
def test_settings_map_one_to_one_and_prompts_go_as_ids(fake):
    b = backend(fake)
    b.generate([encode("Hi")], GenerationSettings(max_new_tokens=7, stop_strings=("\n", "###")))
    b.generate([encode("Hi")], GenerationSettings(max_new_tokens=5, do_sample=True, temperature=0.7, top_p=0.9,
                                                  top_k=20, seed=3))
    greedy, sampled = completions(fake)
    assert greedy["prompt"] == encode("Hi") and greedy["model"] == "fake-model"
    assert (greedy["max_tokens"], greedy["temperature"], greedy["top_p"], greedy["stop"]) == (7, 0.0, 1.0,
                                                                                              ["\n", "###"])
    assert "seed" not in greedy and greedy["repetition_penalty"] == 1.0
    assert (sampled["temperature"], sampled["top_p"], sampled["top_k"], sampled["seed"]) == (0.7, 0.9, 20, 3)
    b.close()


def test_text_prompts_where_the_server_takes_no_ids(fake):
    b = backend(fake, prompt_ids=False, extra_body={"priority": 2})
    b.generate([encode("Hi there")], GREEDY)
    (body,) = completions(fake)
    assert body["prompt"] == "Hi there" and body["priority"] == 2
    b.close()


@pytest.mark.parametrize("choice, usage, expected, reason", [
    # vLLM names the stop string it cut at: it is put back, as in-process backends keep it
    ({"text": " Hallo", "finish_reason": "stop", "stop_reason": "\n"}, None, " Hallo\n", "stop_string"),
    ({"text": " Hallo", "finish_reason": "stop", "stop_reason": None}, None, " Hallo", "eos"),
    # a server that does not say: more tokens generated than the text holds -> a stop string
    ({"text": " Hallo", "finish_reason": "stop"}, {"completion_tokens": 7}, " Hallo\n", "stop_string"),
    ({"text": " Hallo", "finish_reason": "stop"}, {"completion_tokens": 6}, " Hallo", "eos"),
    ({"text": " Hallo Welt", "finish_reason": "length"}, None, " Hallo Welt", "length"),
])
def test_stop_reasons_match_the_in_process_rules(fake, choice, usage, expected, reason):
    fake.models[0]["owned_by"] = "vllm" if "stop_reason" in choice else "someone"
    fake.default = lambda body: (200, {"choices": [choice], **({"usage": usage} if usage else {})}, 0)
    b = backend(fake)
    (generation,) = b.generate([encode("Q:")], GREEDY)
    assert (decode(generation.token_ids), generation.stop_reason) == (expected, reason)
    b.close()


def test_the_repetition_guard_cuts_where_a_stop_watcher_does(fake):
    looping = " Le 76-" + "1" * 25
    fake.default = lambda body: (200, {"choices": [{"text": looping, "finish_reason": "length"}]}, 0)
    b = backend(fake)
    (generation,) = b.generate([encode("Q:")], GREEDY)
    watcher = StopWatcher(1, GREEDY, decode)
    for token in encode(looping)[1:]:
        if watcher.step([token])[0]:
            break
    assert generation == watcher.results()[0]
    assert (decode(generation.token_ids), generation.stop_reason) == (" Le 76-1", "repetition")
    b.close()


def test_concurrent_requests_come_back_in_input_order(fake):
    # the first prompts answer last
    fake.default = lambda body: (200, {"choices": [{"text": " #" + decode(body["prompt"]), "finish_reason": "length"}]},
                                 0.05 * (12 - int(decode(body["prompt"]))))
    b = backend(fake, concurrency=4)
    prompts = [encode(str(i)) for i in range(12)]
    outputs = [decode(g.token_ids) for g in b.generate(prompts, GREEDY)]
    assert outputs == [f" #{i}" for i in range(12)]
    assert fake.most_in_flight == 4
    b.close()


def test_a_batch_overlaps_its_tokenize_round_trips(fake):
    import pretty_framework

    fake.tokenize_delay = 0.02
    def answer(body):
        return 200, {"choices": [{"text": " Welt " + re.findall(r"Line \d+", decode(body["prompt"]))[-1],
                                  "finish_reason": "length"}]}, 0.0

    fake.default = answer
    texts = [f"Line {i:02d}" for i in range(8)]

    def run(concurrency):
        fake.most_tokenizing = fake.most_answers = fake.completions_seen = 0
        results = pretty_framework.decode(texts, "en", "de", "text", options={"text": "Hallo"}, backend="openai",
                                          model="fake-model", guides="none", shots=0, max_new_tokens=16,
                                          backend_options={"base_url": fake.url, "concurrency": concurrency})
        return [(r.prior, r.output) for r in results], (fake.most_tokenizing, fake.most_answers)

    alone, most_alone = run(1)
    overlapped, most_overlapped = run(4)
    assert overlapped == alone and len(set(alone)) == 8  # same answers, each its own, in input order
    # the engine built the batch's prompts and decoded its answers on 4 threads (the backend's tokenizer_calls),
    # not one after another
    assert most_alone == (1, 1)
    assert all(1 < most <= 4 for most in most_overlapped), most_overlapped


def test_the_default_batch_keeps_the_server_s_slots_busy(monkeypatch):
    from pretty_framework.decoding.executors import LocalExecutor

    def spec(backend, **options):
        return EngineSpec(task="translation", provider="none", src_lang="eng_Latn", tgt_lang="deu_Latn",
                          backend=backend, backend_options=options)

    assert spec("openai").default_batch_size() == 64  # the server will say its slots: 4 x a 16-slot server's
    assert spec("openai", concurrency=2).default_batch_size() == 16  # never below the usual batch
    assert spec("openai", concurrency=32).default_batch_size() == 128
    assert spec("transformers").default_batch_size() == 16
    seen = []

    def run(self, spec, items, writer, **kwargs):
        seen.append(kwargs["batch_size"])
        raise OptionsError("stop here")

    monkeypatch.setattr(LocalExecutor, "signature", lambda self, spec: "sig")
    monkeypatch.setattr(LocalExecutor, "batch_invariant", lambda self, spec: True)
    monkeypatch.setattr(LocalExecutor, "run", run)
    for extra, expected in (([], 48), (["-b", "5"], 5)):
        result = CliRunner().invoke(cli, ["decode", "--src", "en", "--tgt", "de", "--backend", "openai", "--guide",
                                          "none", "--concurrency", "12", *extra], input="x\n")
        assert "stop here" in result.output
    assert seen == [48, 5]


def _echo(offset: int, broken: bool = False):
    """A server that echoes the prompt's log-probabilities: token j scores -j/10 (vLLM: every prompt token, BOS
    first with None; ``offset`` 1: llama-cpp-python, BOS left out and the first echoed one None), then the one
    generated token's."""
    def answer(body):
        if not body.get("echo"):
            return 200, {"choices": [{"text": "x", "finish_reason": "length"}]}, 0.0
        ids = body["prompt"][offset:] + ([7] if broken else [])
        values = [None] + [-(j + offset) / 10 for j in range(1, len(ids))] + [-9.0]
        return 200, {"choices": [{"text": "x", "finish_reason": "length", "logprobs": {"token_logprobs": values}}],
                     "usage": {"completion_tokens": 1}}, 0.0
    return answer


@pytest.mark.parametrize("offset", [0, 1])
def test_score_sums_the_echoed_prompt_log_probabilities(fake, offset):
    fake.default = _echo(offset)
    b = backend(fake, concurrency=2)
    prompts = [encode("Q: Hallo Welt"), encode("Q: Hi"), encode("Q")]
    scores = b.score(prompts, [4, 3, 5])
    assert scores == pytest.approx([-sum(range(4, 14)) / 10, -sum(range(3, 6)) / 10, 0.0])  # tokens 4-13, 3-5
    sent = completions(fake)
    assert len(sent) == 2 and all(body["echo"] and body["logprobs"] == 1 and body["max_tokens"] == 1
                                  for body in sent)  # the row with nothing to score sends nothing
    b.close()


def test_score_names_servers_that_cannot(fake):
    fake.default = lambda body: (500, {"error": {"message": "Only no echo is supported"}}, 0.0)
    b = backend(fake, retries=0)
    with pytest.raises(PrettyError, match=r"cannot score prompts: it does not echo .*llama.cpp's own server does "
                                          r"not\): Only no echo is supported"):
        b.score([encode("Q: Hallo")], [3])
    fake.default = _echo(0, broken=True)  # a text prompt the server tokenized another way
    with pytest.raises(PrettyError, match="echoed 10 prompt tokens for a prompt of 9: its tokenization differs"):
        b.score([encode("Q: Hallo")], [3])
    b.close()


def _echo_line_number(body):
    """An answer that names the Flores line its prompt asks for (the source's first word and length)."""
    words = re.findall(r"English: (\S+)", decode(body["prompt"]))
    return 200, {"choices": [{"text": f" Antwort {words[-1] if words else '?'}", "finish_reason": "length"}]}, 0.0


def test_an_experiment_runs_and_resumes_through_a_server(fake, tmp_path):
    import yaml
    from conftest import FLORES

    if not (FLORES / "dev.eng_Latn").is_file():
        pytest.skip("real Flores data not found")
    fake.default = _echo_line_number
    experiment = {"name": "served", "task": "translation", "pairs": ["en-de"], "models": ["fake-model"],
                  "backend": "openai", "backend_options": {"base_url": fake.url, "backoff": 0.01},
                  "data": {"flores": str(FLORES), "split": "dev", "limit": 6}, "max_new_tokens": 40,
                  "metrics": ["chrf"], "runs": [{"label": "Base", "provider": "none"},
                                                 {"label": "+ oracle", "provider": "oracle"}]}
    path = tmp_path / "served.yaml"
    path.write_text(yaml.safe_dump(experiment))
    result = CliRunner().invoke(cli, ["run", str(path), "-o", str(tmp_path / "out"), "--no-progress"])
    assert result.exit_code == 0, result.output
    results = json.loads((tmp_path / "out" / "results.json").read_text())
    assert results["experiment"]["batch_size"] == 64  # left to the backend: the batch the runs used
    assert [row["n"] for row in results["rows"]] == [6, 6] and len(completions(fake)) == 12
    records = [json.loads(line) for line in (tmp_path / "out" / results["rows"][1]["output"]).read_text().splitlines()]
    sources = (FLORES / "dev.eng_Latn").read_text().splitlines()[:6]
    assert [r["output"].split()[-1] for r in records] == [s.split()[0] for s in sources]  # each its own, in order
    assert all("backend:openai" in r["signature"] and "dtype:server" in r["signature"] for r in records)
    again = CliRunner().invoke(cli, ["run", str(path), "-o", str(tmp_path / "out"), "--no-progress"])
    assert again.exit_code == 0, again.output
    assert len(completions(fake)) == 12  # all done: scored again, nothing sent


@pytest.mark.ray
@pytest.mark.skipif(importlib.util.find_spec("ray") is None, reason="pip install 'pretty-framework[ray]'")
def test_ray_workers_are_clients_of_the_server(fake, tmp_path):
    from conftest import FLORES

    if not (FLORES / "dev.eng_Latn").is_file():
        pytest.skip("real Flores data not found")
    import ray

    fake.default = _echo_line_number

    def decode(output, *extra):
        return CliRunner().invoke(cli, ["decode", "--flores", str(FLORES), "--src", "en", "--tgt", "de", "--limit",
                                        "12", "-p", "oracle", "--backend", "openai", "--base-url", fake.url,
                                        "--guide", "none", "--shots", "0", "-b", "2", "--max-new-tokens", "40",
                                        "-o", str(output), "--no-progress", *extra])

    local = decode(tmp_path / "local.jsonl")
    assert local.exit_code == 0, local.output
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False)
    try:
        distributed = decode(tmp_path / "ray.jsonl", "--executor", "ray", "--ray-workers", "2")
    finally:
        ray.shutdown()
    assert distributed.exit_code == 0, distributed.output
    ours, theirs = ([json.loads(line) for line in (tmp_path / name).read_text().splitlines()]
                    for name in ("local.jsonl", "ray.jsonl"))
    assert [r["id"] for r in theirs] == [str(i) for i in range(1, 13)]
    assert [(r["output"], r["signature"]) for r in theirs] == [(r["output"], r["signature"]) for r in ours]
    sources = (FLORES / "dev.eng_Latn").read_text().splitlines()[:12]
    assert [r["output"].split()[-1] for r in theirs] == [s.split()[0] for s in sources]  # each its own answer
    assert len(completions(fake)) == 24  # every line sent once by each run


def test_tokenize_answers_are_cached(fake):
    b = backend(fake)
    for _ in range(3):
        assert b.encode("Hallo Welt") == encode("Hallo Welt")
        assert b.decode(encode("Hallo")) == "Hallo"
    assert [p for p, _, _ in fake.requests].count("/tokenize") == 2  # the probe and "Hallo Welt"
    b.close()


def test_top_logprobs_reads_token_ids(fake):
    logprobs = {"top_logprobs": [{"token_id:72": -0.1, "token_id:66": -2.5, "token_id:90": -4.0}]}
    fake.default = lambda body: (200, {"choices": [{"text": "H", "logprobs": logprobs, "finish_reason": "length"}]},
                                 0)
    b = backend(fake)
    assert b.top_logprobs(encode("Q:"), 2) == [(72, -0.1), (66, -2.5)]
    (body,) = completions(fake)
    assert (body["max_tokens"], body["logprobs"], body["return_tokens_as_token_ids"]) == (1, 2, True)
    fake.default = lambda body: (200, {"choices": [{"text": "H", "logprobs": None, "finish_reason": "length"}]}, 0)
    with pytest.raises(PrettyError, match="without log-probabilities"):
        b.top_logprobs(encode("Q:"), 2)
    b.close()


# -- a real server: llama-cpp-python's OpenAI-compatible server on the Gemma 3 270M GGUF --------------------------
SERVER_MODULES = ("llama_cpp", "uvicorn", "fastapi", "sse_starlette", "starlette_context", "pydantic_settings")
needs_server = pytest.mark.skipif(any(importlib.util.find_spec(m) is None for m in SERVER_MODULES),
                                  reason="pip install -e '.[llamacpp,openai]' 'llama-cpp-python[server]'")
MODEL = "gemma3-270m"


class LlamaServer:
    """``python -m llama_cpp.server`` on 127.0.0.1, started and stopped by the tests."""

    def __init__(self, log: Path, extra: tuple[str, ...] = ()):
        from pretty_framework.api import gguf_file

        self.path = str(gguf_file(MODEL)[1])
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}/v1"
        self.log, self.extra = log, list(extra)
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        # flash attention as the in-process llama.cpp backend uses it, so both compute alike
        command = [sys.executable, "-m", "llama_cpp.server", "--model", self.path, "--model_alias", MODEL,
                   "--host", "127.0.0.1", "--port", str(self.port), "--n_ctx", "2048", "--n_threads", "2",
                   "--flash_attn", "true", "--verbose", "false", *self.extra]
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT)
        import httpx

        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                pytest.fail(f"the llama.cpp server exited: {self.log.read_text()[-2000:]}")
            try:
                if httpx.get(f"{self.url}/models", timeout=2).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            time.sleep(0.25)
        self.stop()
        pytest.fail("the llama.cpp server did not answer within 120 s")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.process = None


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    running = LlamaServer(tmp_path_factory.mktemp("llama-server") / "server.log")
    running.start()
    try:
        yield running
    finally:
        running.stop()


@pytest.fixture(scope="module")
def in_process():
    llama = get_plugins().backends.get("llama.cpp")(model=MODEL)
    yield llama
    llama.close()


def _engine(backend, max_new_tokens=12):
    from pretty_framework.decoding.engine import Engine

    plugins = get_plugins()
    return Engine(backend, plugins.tasks.get("translation"), plugins.providers.get("oracle")(), "eng_Latn",
                  "deu_Latn", settings=GenerationSettings(max_new_tokens=max_new_tokens))


@pytest.mark.llamacpp
@needs_server
def test_scores_through_a_real_server_equal_the_in_process_ones(in_process, tmp_path):
    # candidate-prior scoring: the server echoes the prompt's log-probabilities (it needs --logits_all true)
    scoring = LlamaServer(tmp_path / "server.log", extra=("--logits_all", "true"))
    scoring.start()
    try:
        b = get_plugins().backends.get("openai")(model=MODEL, base_url=scoring.url)
        head = "Translate the following text from English into German.\nEnglish: The cat sleeps.\nGerman:"
        prompts = [in_process.encode(head + candidate) for candidate in (" Die Katze schläft", " The cat", " Le chat")]
        starts = [len(in_process.encode(head))] * 3
        served, local = b.score(prompts, starts), in_process.score(prompts, starts)
        b.close()
    finally:
        scoring.stop()
    # the server computes all logits of one sequence in one batch, the backend step by step: measured within 2%
    assert served == pytest.approx(local, rel=0.05), (served, local)
    assert sorted(range(3), key=served.__getitem__) == sorted(range(3), key=local.__getitem__)  # the same choice


@pytest.mark.llamacpp
@needs_server
def test_served_tokenization_equals_llama_cpp_here(server, in_process):
    b = get_plugins().backends.get("openai")(model=MODEL, base_url=server.url)
    assert (b.server, b.tokenizer.name, b.prompt_ids) == ("llama-cpp-python", "server:llama-cpp-python", False)
    texts = [i.source for i in flores_items("eng_Latn", "deu_Latn", 4)] + [i.reference for i in
                                                                          flores_items("eng_Latn", "zho_Hans", 4)]
    local = get_plugins().backends.get("openai")(model=MODEL, base_url=server.url, tokenizer=server.path)
    assert local.tokenizer.name.startswith("local:")
    for text in texts:
        ids = b.encode(text)
        assert ids == in_process.encode(text) == local.encode(text)
        assert b.decode(ids) == in_process.decode(ids) == local.decode(ids) == text
    b.close()
    local.close()


@pytest.mark.llamacpp
@needs_server
def test_greedy_outputs_equal_the_in_process_llama_cpp_backend(server, in_process):
    items = flores_items("eng_Latn", "deu_Latn", 8)
    # batch 1 in process: llama.cpp is deterministic only at equal batch composition
    local = [_engine(in_process).decode_batch([item])[0] for item in items]
    b = get_plugins().backends.get("openai")(model=MODEL, base_url=server.url, concurrency=1)
    served = _engine(b).decode_batch(items)
    b.close()
    assert [r.prior for r in served] == [r.prior for r in local]
    same = sum(s.output == r.output for s, r in zip(served, local))
    # The server (llama-cpp-python's Llama) drives llama.cpp another way (one sequence, the previous prompt's KV
    # cells re-used for a shared prefix): near-tied greedy steps may flip late. Measured: 8 of 8 identical here;
    # over 32 tokens 13 of 16, and the served outputs equal llama_cpp.Llama.create_completion's in process 16 of 16.
    assert same >= 7, [(s.output, r.output) for s, r in zip(served, local)]
    assert [s.stop_reason for s in served] == [r.stop_reason for r in local]


@pytest.mark.llamacpp
@needs_server
def test_concurrent_requests_keep_input_order_on_a_real_server(server):
    items = flores_items("eng_Latn", "deu_Latn", 6, start=8)
    outputs = {}
    for concurrency in (1, 3):
        b = get_plugins().backends.get("openai")(model=MODEL, base_url=server.url, concurrency=concurrency)
        outputs[concurrency] = [r.output for r in _engine(b, 8).decode_batch(items)]
        b.close()
    # each output is its own item's translation (the prior, cut from its reference, starts it)
    assert sum(a == b for a, b in zip(outputs[1], outputs[3])) >= 5, outputs
    for item, output in zip(items, outputs[3]):
        assert output.split()[0] == item.reference.split()[0], (item.reference, output)


@pytest.mark.llamacpp
@needs_server
def test_a_wrong_model_name_on_a_real_server_lists_it(server):
    with pytest.raises(ModelLoadError, match=f"does not serve model 'llama-2-7b'; it serves: {MODEL}"):
        get_plugins().backends.get("openai")(model="llama-2-7b", base_url=server.url)


@pytest.mark.llamacpp
@needs_server
def test_resume_across_a_server_restart(server, tmp_path):
    from conftest import FLORES

    if not (FLORES / "dev.eng_Latn").is_file():
        pytest.skip("real Flores data not found")
    output = tmp_path / "out.jsonl"

    def run(limit, *extra):
        return CliRunner().invoke(cli, ["decode", "--flores", str(FLORES), "--src", "en", "--tgt", "de", "-p",
                                        "oracle", "--limit", str(limit), "--max-new-tokens", "6", "-b", "2",
                                        "--backend", "openai", "-m", MODEL, "--base-url", server.url,
                                        "--concurrency", "2", "-o", str(output), "--no-progress", *extra])

    assert run(3).exit_code == 0
    first = output.read_text().splitlines()
    server.stop()
    try:
        down = run(6, "--resume")
        assert down.exit_code != 0 and "no OpenAI-compatible server answers" in down.output
        assert output.read_text().splitlines() == first  # nothing lost, nothing half-written
    finally:
        server.start()
    resumed = run(6, "--resume")
    assert resumed.exit_code == 0, resumed.output
    assert "resuming: 3 of 6 items already done" in resumed.output
    lines = output.read_text().splitlines()
    assert lines[:3] == first
    assert [json.loads(line)["id"] for line in lines] == ["1", "2", "3", "4", "5", "6"]
