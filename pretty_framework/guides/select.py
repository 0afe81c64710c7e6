"""Which guides a run uses: ``--guide`` names (``default``, ``none``) and ``-G guide.key=value`` options."""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from pretty_framework.errors import OptionsError

log = logging.getLogger(__name__)

NONE = "none"
DEFAULT = "default"
#: The guides ``default`` stands for: the built-in guides that helped on Flores dev (muse-dict prior, 32 lines
#: per pair while tuning; benchmarks/results/guides.md has the 100-line table). The copy guard lost chrF on
#: every pair (en-de 26.2 -> 23.7) and is left out; the loop guard changed little. A name that is not
#: installed (its plugin disabled) is left out with a warning; the run signature names the guides used.
DEFAULT_GUIDES: tuple[str, ...] = ("script-guard", "reprime")

GuideChoice = tuple[tuple[str, Mapping[str, Any]], ...]


def split_names(values: Iterable[str]) -> list[str]:
    """``--guide a,b --guide c`` -> ``[a, b, c]``."""
    return [name.strip() for value in values for name in str(value).split(",") if name.strip()]


STEPS, REQUESTS, NO_GUIDES = "steps", "requests", "none"


def runs_guide(backend: Any, guide: Any) -> bool:
    """Whether ``backend`` (a backend class or object) can run ``guide`` (a guide class or object): every guide
    where it has each step's logits (``supports_guides``), else only a guide that works between requests
    (``guides_between_requests`` and the guide's ``between_requests``)."""
    return bool(getattr(backend, "supports_guides", False)
                or (getattr(backend, "guides_between_requests", False) and getattr(guide, "between_requests", False)))


def guide_support(backend: str) -> str:
    """How the registered backend ``backend`` runs guides (its class says; nothing is loaded): ``steps`` (each
    step's logits: ``supports_guides``), ``requests`` (between a server's requests, only the guides that set
    ``between_requests``: ``guides_between_requests``) or ``none``."""
    from pretty_framework.plugin.manager import get_plugins

    backend_class = get_plugins().backends.get(backend)
    if getattr(backend_class, "supports_guides", False):
        return STEPS
    return REQUESTS if getattr(backend_class, "guides_between_requests", False) else NO_GUIDES


def guides_supported(backend: str) -> bool:
    """Whether the registered backend ``backend`` runs every guide (each step's logits)."""
    return guide_support(backend) == STEPS


def resolve_guides(names: Sequence[str] | str | None, options: Mapping[str, Mapping[str, Any]] | None = None,
                   installed: Iterable[str] | None = None, backend_supports_guides: bool | None = None,
                   backend: str | None = None) -> GuideChoice:
    """The guides to run, in order, each with its options.

    ``names``: guide names, ``default`` (the :data:`DEFAULT_GUIDES`) or ``none``; empty or ``None`` means
    ``default``. ``options``: per-guide option values. ``installed``: the registered guide names (default:
    the plugin registry's). An unknown name lists the installed ones.

    ``backend``: the backend's name; one that cannot run guides (``backend_supports_guides=False``, or
    :func:`guide_support` says ``none``) makes ``default`` mean no guides (with a warning) and refuses a guide
    named outright, before anything loads. One that runs guides between requests (the openai backend) keeps
    the guides that can (``reprime``): the others are left out of ``default`` with a warning, and refused
    when named.
    """
    from pretty_framework.errors import UnknownNameError

    if installed is None:
        from pretty_framework.plugin.manager import get_plugins

        installed = get_plugins().guides.names()
    installed = list(installed)
    wanted = split_names([names] if isinstance(names, str) else (names or [DEFAULT]))
    if NONE in wanted and len(wanted) > 1:
        raise OptionsError(f"--guide none cannot go with other guides: {', '.join(wanted)}")
    chosen: list[str] = []
    for name in wanted:
        if name == NONE:
            continue
        if name == DEFAULT:
            missing = [guide for guide in DEFAULT_GUIDES if guide not in installed]
            if missing:
                log.warning("default guides not installed (left out): %s", ", ".join(missing))
            chosen += [guide for guide in DEFAULT_GUIDES if guide in installed and guide not in chosen]
        elif name not in installed:
            raise UnknownNameError("guide", name, [*installed, DEFAULT, NONE])
        elif name not in chosen:
            chosen.append(name)
    if backend_supports_guides is None:
        support = guide_support(backend) if backend is not None else STEPS
    else:
        support = STEPS if backend_supports_guides else NO_GUIDES
    shown = repr(backend) if backend else "this"
    if support == NO_GUIDES and chosen:
        if any(name not in (NONE, DEFAULT) for name in wanted):
            raise OptionsError(f"backend {shown} cannot run guides (they need each step's logits): use --guide none, "
                               "or the transformers or llama.cpp backend")
        log.warning("backend %s cannot run guides (they need each step's logits): decoding without the default "
                    "guides", shown)
        chosen = []
    elif support == REQUESTS and chosen:
        from pretty_framework.plugin.manager import get_plugins

        plugins = get_plugins()
        backend_class = plugins.backends.get(backend)
        unable = [name for name in chosen if not runs_guide(backend_class, plugins.guides.get(name))]
        refused = [name for name in unable if name in wanted]
        if refused:
            able = [name for name in installed if runs_guide(backend_class, plugins.guides.get(name))]
            raise OptionsError(f"backend {backend!r} runs guides between requests only (a completions server gives "
                               f"no per-step logits): {', '.join(refused)} cannot run there; guides that can: "
                               f"{', '.join(able) or 'none'} (or --guide none)")
        if unable:
            log.warning("backend %r runs guides between requests only: the default guides %s are left out",
                        backend, ", ".join(unable))
        chosen = [name for name in chosen if name not in unable]
    options = dict(options or {})
    stray = [name for name in options if name not in chosen]
    if stray:
        raise OptionsError(f"options for guides that are not used: {', '.join(stray)} "
                           f"(guides used: {', '.join(chosen) or 'none'})")
    return tuple((name, dict(options.get(name, {}))) for name in chosen)


def parse_guide_options(pairs: Iterable[str]) -> dict[str, dict[str, Any]]:
    """``-G guide.key=value`` pairs into ``{guide: {key: value}}`` (values read as YAML scalars)."""
    import yaml

    options: dict[str, dict[str, Any]] = {}
    for pair in pairs:
        target, sep, value = pair.partition("=")
        guide, dot, key = target.partition(".")
        if not sep or not dot or not guide.strip() or not key.strip():
            raise OptionsError(f"guide option {pair!r} is not of the form guide.key=value")
        options.setdefault(guide.strip(), {})[key.strip().replace("-", "_")] = yaml.safe_load(value) if value else value
    return options


def build_guides(choice: GuideChoice) -> list[Any]:
    """The guide objects of ``choice`` (options validated; an invalid one names the guide and its options)."""
    from pretty_framework.plugin.manager import get_plugins

    guides = get_plugins().guides
    return [guides.get(name).from_options(dict(options)) for name, options in choice]
