"""Where decoding runs: in this process, or sharded over a Ray cluster (optional extra ``ray``).

An :class:`EngineSpec` is the picklable recipe of an engine (names and
options, no model), so a Ray worker can build the same engine once and keep
its model for the whole run. The driver cuts the input into batches, sends
them round-robin to the decoder actors, and writes the results itself, in
input order, one window at a time: the output file stays a prefix of the
input, so ``--resume`` works across shards exactly as it does locally.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from pretty_framework.errors import ModelLoadError, OptionsError
from pretty_framework.decoding.generation import GenerationSettings
from pretty_framework.io.outputs import ResultWriter
from pretty_framework.io.records import DecodeResult, Item
from pretty_framework.decoding.windows import DEFAULT_SORT_WINDOW, run_windows

EXECUTORS = ("local", "ray")


@dataclass(frozen=True)
class EngineSpec:
    """Everything that builds an engine, by name: sent to each worker instead of a loaded model."""

    task: str
    provider: str
    src_lang: str
    tgt_lang: str
    provider_options: Mapping[str, Any] = field(default_factory=dict)
    backend: str = "transformers"
    model: str | None = None
    device: str = "auto"
    dtype: str = "auto"
    backend_options: Mapping[str, Any] = field(default_factory=dict)
    k: int | None = None
    template: str | None = None
    settings: GenerationSettings = field(default_factory=GenerationSettings)
    on_prior_error: str = "fail"

    def build(self, backend: Any = None) -> Any:
        """The engine: plugins looked up, provider and backend constructed (the model loads here).

        ``backend``: an already loaded backend of this spec's model, to share between engines.
        """
        from pretty_framework.decoding.engine import Engine
        from pretty_framework.plugin.manager import get_plugins

        plugins = get_plugins()
        task = plugins.tasks.get(self.task)
        provider = plugins.providers.get(self.provider).from_options(dict(self.provider_options))
        backend_class = plugins.backends.get(self.backend)
        try:
            backend = backend or backend_class(model=self.model, device=self.device, dtype=self.dtype, **dict(self.backend_options))
        except TypeError as error:  # an option the backend does not have
            raise OptionsError(f"backend {self.backend!r} does not take options {sorted(self.backend_options)}: "
                               f"{error}") from None
        return Engine(backend, task, provider, self.src_lang, self.tgt_lang, k=self.k, template=self.template,
                      settings=self.settings, on_prior_error=self.on_prior_error)


def spec_key(value: Any) -> str:
    """A stable text key for a spec (or part of one): its fields as sorted JSON."""
    import json
    from dataclasses import asdict, is_dataclass

    return json.dumps(asdict(value) if is_dataclass(value) else value, sort_keys=True, default=str)


class DecoderActor:
    """A Ray actor: builds each engine it is asked for once, keeping one model loaded at a time."""

    def __init__(self) -> None:
        self._engines: dict[str, Any] = {}
        self._backend_key: str | None = None

    def _engine(self, spec: EngineSpec) -> Any:
        key = spec_key(spec)
        if key not in self._engines:
            backend_key = spec_key([spec.backend, spec.model, spec.device, spec.dtype, dict(spec.backend_options)])
            if backend_key != self._backend_key:  # another model: free the loaded one first
                self.close()
            engine = spec.build(backend=next((e.backend for e in self._engines.values()), None))
            self._engines[key], self._backend_key = engine, backend_key
        return self._engines[key]

    def signature(self, spec: EngineSpec) -> str:
        return self._engine(spec).signature()

    def decode(self, spec: EngineSpec, items: list[Item]) -> list[DecodeResult]:
        return self._engine(spec).decode_batch(items)

    def close(self) -> None:
        for engine in self._engines.values():
            engine.provider.close()
        if self._engines:
            next(iter(self._engines.values())).backend.close()
        self._engines, self._backend_key = {}, None


def _ray() -> Any:
    try:
        import ray
    except ModuleNotFoundError:
        raise ModelLoadError("--executor ray needs Ray: pip install 'pretty-framework[ray]'") from None
    return ray


class RayExecutor:
    """Decoder actors on a Ray cluster: a local one by default, ``address`` for a running cluster.

    The actors live as long as the executor: ``pretty run`` sends every
    configuration of an experiment through the same ones.
    """

    def __init__(self, workers: int = 2, address: str | None = None):
        ray = _ray()
        if not ray.is_initialized():
            if address:
                ray.init(address=address, log_to_driver=False)
            else:  # a local cluster with one CPU per worker
                ray.init(num_cpus=workers, include_dashboard=False, log_to_driver=False)
        self._ray = ray
        actor = ray.remote(num_cpus=1)(DecoderActor)
        self.actors = [actor.remote() for _ in range(workers)]

    def signature(self, spec: EngineSpec) -> str:
        """The run signature, from a worker's engine (the driver loads no model)."""
        return self._ray.get(self.actors[0].signature.remote(spec))

    def run(self, spec: EngineSpec, items: Sequence[Item], writer: ResultWriter, *, batch_size: int = 16,
            progress: bool | None = None, sort_window: int = DEFAULT_SORT_WINDOW) -> int:
        """Decode ``items`` on the actors; write each window in input order; return how many were written."""

        def on_actors(batches: list[list[Item]]) -> Iterator[list[DecodeResult]]:
            # Every batch of the window is sent before the first is awaited: all actors work at once.
            futures = [self.actors[i % len(self.actors)].decode.remote(spec, batch) for i, batch in enumerate(batches)]
            return (self._ray.get(future) for future in futures)

        # A window holds at least two batches per actor, so that none waits for the driver.
        return run_windows(items, writer, on_actors, batch_size=batch_size, progress=progress,
                           sort_window=max(sort_window, 2 * len(self.actors)),
                           desc=f"decoding on {len(self.actors)} Ray workers")

    def close(self) -> None:
        """Stop the actors (a local cluster stays up for the process; ``ray.shutdown`` ends it)."""
        self._ray.get([actor.close.remote() for actor in self.actors])
        for actor in self.actors:
            self._ray.kill(actor)
        self.actors = []
