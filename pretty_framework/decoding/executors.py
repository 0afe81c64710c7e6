"""Where decoding runs: here (:class:`LocalExecutor`) or sharded over a Ray cluster (:class:`RayExecutor`).

Both have the same three methods: ``signature(spec)``, ``run(spec, items,
writer, ...)`` (length-sorted windows, written in input order, so ``--resume``
works the same everywhere) and ``close()``. ``pretty decode`` and
``pretty run`` call them and nothing else.

An :class:`EngineSpec` is the picklable recipe of an engine (names and
options, no model). An :class:`EngineCache` turns specs into engines, keeping
one foundation model loaded at a time and each provider once (its priors
cached, so two rows that ask the same questions pay once): the local executor
holds one, each Ray decoder actor holds one.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any, Protocol

from pretty_framework.decoding.direct import DirectEngine
from pretty_framework.decoding.engine import Engine
from pretty_framework.decoding.generation import GenerationSettings
from pretty_framework.decoding.windows import DEFAULT_BATCH_SIZE, DEFAULT_SORT_WINDOW, run_engine, run_windows
from pretty_framework.errors import ModelLoadError, OptionsError, UnknownNameError
from pretty_framework.io.outputs import ResultSink
from pretty_framework.io.records import DecodeResult, Item
from pretty_framework.io.signature import RunSignature
from pretty_framework.options import validate_options
from pretty_framework.priors.cache import CachedProvider

EXECUTORS = ("local", "ray")


@dataclass(frozen=True)
class EngineSpec:
    """Everything that builds an engine, by name: sent to each worker instead of a loaded model.

    ``direct``: score the provider's own answer (no foundation model is loaded).
    """

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
    direct: bool = False
    #: the guides, resolved (``default`` expanded): ``((name, options), ...)``; empty for none
    guides: tuple[tuple[str, Mapping[str, Any]], ...] = ()
    #: demonstrations before each prompt, and their pool: ``bundled``, a JSONL file or a FLORES folder
    shots: int = 0
    shots_from: str = "bundled"

    def provider_key(self) -> str:
        return _key([self.provider, dict(self.provider_options)])

    def backend_key(self) -> str:
        return _key([self.backend, self.model, self.device, self.dtype, dict(self.backend_options)])

    def default_batch_size(self) -> int:
        """The items per engine call when the run names none (see :func:`default_batch_size`)."""
        return DEFAULT_BATCH_SIZE if self.direct else default_batch_size(self.backend, self.backend_options)

    def check(self, items: Sequence[Item] | None = None) -> None:
        """Check every name and option against the installed plugins, and that the provider can give the
        ``items`` a prior at all (the oracle needs references), before any model loads."""
        from pretty_framework.plugin.manager import get_plugins

        plugins = get_plugins()
        task = plugins.tasks.get(self.task)
        provider_class = plugins.providers.get(self.provider)
        options = validate_options(provider_class.Options, self.provider_options, f"provider {self.provider!r}")
        task.template(self.template)
        if self.guides:
            from pretty_framework.guides.select import build_guides

            for guide in build_guides(self.guides):  # unknown names and bad options fail here
                guide.close()
        if self.shots and not self.direct:
            from pretty_framework.tasks.shots import load_pool

            if not task.supports_shots:
                raise OptionsError(f"task {task.name!r} takes no --shots demonstrations")
            load_pool(self.shots_from, self.src_lang, self.tgt_lang)  # a missing pool or language fails here
        if items is not None:
            provider = provider_class(options)  # providers load their models lazily: this is cheap
            try:
                provider.check_serves(task.name, self.src_lang, self.tgt_lang)
                provider.check_items([item for item in items if item.source.strip()])
            finally:
                provider.close()
        if not self.direct:
            backend_class = plugins.backends.get(self.backend)
            options_model = getattr(backend_class, "Options", None)
            if options_model is not None:
                validate_options(options_model, self.backend_options, f"backend {self.backend!r}")


def default_batch_size(backend: str, options: Mapping[str, Any]) -> int:
    """The items per engine call when a run names none: what the backend asks for with these options (a server
    backend: enough requests that its slots do not drain between batches), else 16."""
    from pretty_framework.plugin.manager import get_plugins

    ask = getattr(get_plugins().backends.get(backend), "batch_size_for", None)
    return ask(dict(options)) if ask is not None else DEFAULT_BATCH_SIZE


def _key(value: Any) -> str:
    """A stable text key: the value as sorted JSON."""
    return json.dumps(asdict(value) if hasattr(value, "__dataclass_fields__") else value, sort_keys=True, default=str)


class EngineCache:
    """Builds engines from specs: one foundation model loaded at a time, each provider built once."""

    def __init__(self) -> None:
        self._engines: dict[str, Engine | DirectEngine] = {}
        self._providers: dict[str, CachedProvider] = {}
        self._backend: Any = None
        self._backend_key: str | None = None

    def provider(self, spec: EngineSpec) -> CachedProvider:
        """The spec's provider, built once per (name, options) and shared by every engine that uses it."""
        from pretty_framework.plugin.manager import get_plugins

        key = spec.provider_key()
        if key not in self._providers:
            provider_class = get_plugins().providers.get(spec.provider)
            self._providers[key] = CachedProvider(provider_class.from_options(dict(spec.provider_options)))
        return self._providers[key]

    def backend(self, spec: EngineSpec) -> Any:
        """The spec's foundation model; another model is freed first (one in memory at a time)."""
        from pretty_framework.plugin.manager import get_plugins

        key = spec.backend_key()
        if key != self._backend_key:
            self._close_backend()
            backend_class = get_plugins().backends.get(spec.backend)
            self._backend = backend_class(model=spec.model, device=spec.device, dtype=spec.dtype,
                                          **dict(spec.backend_options))
            self._backend_key = key
        return self._backend

    def engine(self, spec: EngineSpec) -> Engine | DirectEngine:
        """The engine of ``spec`` (built on first use)."""
        from pretty_framework.plugin.manager import get_plugins

        key = _key(spec)
        engine = self._engines.get(key)
        if engine is not None and (spec.direct or spec.backend_key() == self._backend_key):
            return engine
        task = get_plugins().tasks.get(spec.task)
        provider = self.provider(spec)
        provider.prepare()  # a provider's missing model fails here, before the foundation model loads
        if spec.direct:
            engine = DirectEngine(task, provider, spec.src_lang, spec.tgt_lang, k=spec.k,
                                  on_prior_error=spec.on_prior_error)
        else:
            from pretty_framework.guides.select import build_guides

            from pretty_framework.tasks.shots import load_pool

            pool = load_pool(spec.shots_from, spec.src_lang, spec.tgt_lang) if spec.shots else None
            engine = Engine(self.backend(spec), task, provider, spec.src_lang, spec.tgt_lang, k=spec.k,
                            template=spec.template, settings=spec.settings, on_prior_error=spec.on_prior_error,
                            guides=build_guides(spec.guides), shots=spec.shots, demonstrations=pool)
        self._engines[key] = engine
        return engine

    def _close_backend(self) -> None:
        if self._backend is not None:
            self._backend.close()
        # engines on the freed model cannot run any more
        self._engines = {key: engine for key, engine in self._engines.items() if isinstance(engine, DirectEngine)}
        self._backend, self._backend_key = None, None

    def close(self) -> None:
        """Free every provider and the loaded model."""
        for engine in self._engines.values():
            for guide in getattr(engine, "guides", ()):
                guide.close()
        for provider in self._providers.values():
            provider.close()
        self._providers.clear()
        self._close_backend()
        self._engines.clear()


class Executor(Protocol):
    """What ``pretty decode`` and ``pretty run`` need from where decoding runs."""

    def supports(self, spec: EngineSpec) -> bool: ...

    def signature(self, spec: EngineSpec) -> RunSignature: ...

    def batch_invariant(self, spec: EngineSpec) -> bool: ...

    def run(self, spec: EngineSpec, items: Sequence[Item], writer: ResultSink, *, done: int = 0,
            batch_size: int = DEFAULT_BATCH_SIZE, progress: bool | None = None,
            sort_window: int = DEFAULT_SORT_WINDOW) -> int: ...

    def close(self) -> None: ...


class LocalExecutor:
    """Decodes in this process."""

    def __init__(self) -> None:
        self.engines = EngineCache()

    def supports(self, spec: EngineSpec) -> bool:
        """Whether the spec's provider has a resource for its language pair."""
        return self.engines.provider(spec).supports(spec.src_lang, spec.tgt_lang)

    def signature(self, spec: EngineSpec) -> RunSignature:
        """The run signature (builds the engine: the model loads here)."""
        return self.engines.engine(spec).signature()

    def batch_invariant(self, spec: EngineSpec) -> bool:
        """Whether the spec's outputs never depend on batch composition (then batch size cannot change them)."""
        return self.engines.engine(spec).batch_invariant

    def run(self, spec: EngineSpec, items: Sequence[Item], writer: ResultSink, *, done: int = 0,
            batch_size: int = DEFAULT_BATCH_SIZE, progress: bool | None = None,
            sort_window: int = DEFAULT_SORT_WINDOW) -> int:
        """Decode ``items[done:]`` (the first ``done`` are written already); write each window in input order;
        return how many were written."""
        return run_engine(self.engines.engine(spec), items, writer, done=done, batch_size=batch_size,
                          progress=progress, sort_window=sort_window)

    def close(self) -> None:
        self.engines.close()


class DecoderActor(LocalExecutor):
    """A Ray actor: a local executor of its own (one engine cache) that the driver asks for one batch at a time."""

    def decode(self, spec: EngineSpec, items: list[Item]) -> list[DecodeResult]:
        return self.engines.engine(spec).decode_batch(items)


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

    def supports(self, spec: EngineSpec) -> bool:
        """Whether the spec's provider has a resource for its language pair (asked of a worker)."""
        return self._ray.get(self.actors[0].supports.remote(spec))

    def signature(self, spec: EngineSpec) -> RunSignature:
        """The run signature, from a worker's engine (the driver loads no model)."""
        return self._ray.get(self.actors[0].signature.remote(spec))

    def batch_invariant(self, spec: EngineSpec) -> bool:
        """Whether the spec's outputs never depend on batch composition (asked of a worker)."""
        return self._ray.get(self.actors[0].batch_invariant.remote(spec))

    def run(self, spec: EngineSpec, items: Sequence[Item], writer: ResultSink, *, done: int = 0,
            batch_size: int = DEFAULT_BATCH_SIZE, progress: bool | None = None,
            sort_window: int = DEFAULT_SORT_WINDOW) -> int:
        """Decode ``items[done:]`` on the actors; write each window in input order; return how many were written.
        A window an interruption cut is decoded whole again, so its batches hold the same rows as before."""

        def on_actors(batches: list[list[Item]]) -> Iterator[list[DecodeResult]]:
            # Every batch of the window is sent before the first is awaited: all actors work at once.
            futures = [self.actors[i % len(self.actors)].decode.remote(spec, batch) for i, batch in enumerate(batches)]
            return (self._ray.get(future) for future in futures)

        # A window holds at least two batches per actor, so that none waits for the driver.
        return run_windows(items, writer, on_actors, done=done, batch_size=batch_size, progress=progress,
                           sort_window=max(sort_window, 2 * len(self.actors)),
                           desc=f"decoding on {len(self.actors)} Ray workers")

    def close(self) -> None:
        """Stop the actors (a local cluster stays up for the process; ``ray.shutdown`` ends it)."""
        self._ray.get([actor.close.remote() for actor in self.actors])
        for actor in self.actors:
            self._ray.kill(actor)
        self.actors = []


def make_executor(name: str = "local", *, workers: int = 2, address: str | None = None) -> Executor:
    """The executor called ``name`` (``local`` or ``ray``)."""
    if name == "local":
        return LocalExecutor()
    if name == "ray":
        return RayExecutor(workers, address)
    raise UnknownNameError("executor", name, EXECUTORS)
