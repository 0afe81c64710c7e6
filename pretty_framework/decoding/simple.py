"""One call for notebooks and scripts: ``pretty_framework.decode(["The cat sat."], src="en", tgt="de", provider="muse-dict")``.

It runs exactly what ``pretty decode`` runs (the same engine spec, executor and
window order) and returns the results instead of writing them.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from pretty_framework.decoding.executors import EngineSpec, LocalExecutor
from pretty_framework.decoding.generation import GenerationSettings
from pretty_framework.errors import InputError
from pretty_framework.io.outputs import ResultList
from pretty_framework.io.records import DecodeResult, Item
from pretty_framework.languages import normalize_language


def decode(texts: Sequence[str], src: str, tgt: str, provider: str = "none", *, k: int | None = None,
           options: Mapping[str, Any] | None = None, references: Sequence[str] | None = None,
           model: str | None = None, backend: str = "transformers", task: str = "translation",
           template: str | None = None, device: str = "auto", dtype: str = "auto",
           backend_options: Mapping[str, Any] | None = None, max_new_tokens: int = 128, batch_size: int | None = None,
           progress: bool = False, guides: str | Sequence[str] | None = None,
           guide_options: Mapping[str, Mapping[str, Any]] | None = None, shots: int | None = None,
           shots_from: str = "bundled") -> list[DecodeResult]:
    """Decode ``texts`` with a foundation model guided by ``provider``'s priors; one result per text, in order.

    ``src``/``tgt`` take every spelling the CLI takes (``en``, ``eng``, ``eng_Latn``); ``options`` are the
    provider's (``-O``), ``backend_options`` the backend's (``-B``); ``references`` feed the ``oracle``
    control. ``guides`` (names, ``"default"`` or ``"none"``) and ``shots`` have ``pretty decode``'s defaults;
    ``guides="none", shots=0`` is the paper's setting. ``batch_size`` defaults to 16 (the openai backend: 4x its
    concurrency, at least 16; 64 when the server says its slots). Each result has ``.output``, ``.prior`` and
    ``.provenance``.
    """
    from pretty_framework.guides.select import resolve_guides
    from pretty_framework.plugin.manager import get_plugins
    from pretty_framework.tasks.shots import resolve_shots

    if isinstance(texts, str):
        raise InputError("decode() takes a list of texts, not one string: decode([text], ...)")
    if references is not None and len(references) != len(texts):
        raise InputError(f"{len(texts)} texts but {len(references)} references")
    spec = EngineSpec(task=task, provider=provider, src_lang=normalize_language(src), tgt_lang=normalize_language(tgt),
                      provider_options=dict(options or {}), backend=backend, model=model, device=device, dtype=dtype,
                      backend_options=dict(backend_options or {}), k=k, template=template,
                      settings=GenerationSettings(max_new_tokens=max_new_tokens),
                      guides=resolve_guides(guides, guide_options, backend=backend),
                      shots=resolve_shots(shots, shots_from, getattr(get_plugins().tasks.get(task), "supports_shots",
                                                                     False), normalize_language(src),
                                          normalize_language(tgt)),
                      shots_from=shots_from)
    items = [Item(str(i + 1), text, references[i] if references is not None else None) for i, text in enumerate(texts)]
    spec.check(items)
    executor, results = LocalExecutor(), ResultList()
    try:
        executor.run(spec, items, results, batch_size=batch_size or spec.default_batch_size(), progress=progress)
    finally:
        executor.close()
    return results.results
