"""Built-in guides: the copy, script and loop guards and dictionary re-priming (``pretty guides``)."""

from __future__ import annotations

from pretty_framework.api import Register, hookimpl


@hookimpl
def register_guides(register: Register) -> None:
    # Lazy: the guards import torch when they act, re-priming opens the dictionary store.
    register("pretty_guides.guards:CopyGuard", name="copy-guard")
    register("pretty_guides.guards:ScriptGuard", name="script-guard")
    register("pretty_guides.guards:LoopGuard", name="loop-guard")
    register("pretty_guides.reprime:RePrime", name="reprime")
