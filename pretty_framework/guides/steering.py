"""A batch's guides at work: what a backend's decoding loop calls at each step.

A backend that supports guides (``supports_guides = True``) takes a
:class:`Steering` in ``generate``: before choosing the next tokens it calls
:meth:`Steering.adjust` on the live rows' logits, and the
:class:`~pretty_framework.decoding.generation.StopWatcher` calls
:meth:`Steering.observe` with each new token, which may finish a row for
re-threading.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from pretty_framework.guides.base import Guide, GuideRow, Rethread


class Steering:
    """The guides of one batch and the rows they watch (row ``i`` is the batch's prompt ``i``)."""

    def __init__(self, guides: Sequence[Guide], rows: Sequence[GuideRow], rollback_in_loop: bool = False):
        self.guides = list(guides)
        self.rows = list(rows)
        #: the re-threading each finished row asked for (row -> request)
        self.rethreads: dict[int, Rethread] = {}
        #: whether the backend's loop cuts a row back in place (else a re-threaded row finishes for a new round)
        self.rollback_in_loop = rollback_in_loop
        #: tokens a row must write next (a re-threading's insertion), by row
        self.forced: dict[int, list[int]] = {}

    def adjust(self, live: Sequence[int], logits: Any) -> Any:
        """Let every guide change the logits of the live rows (``logits[i]`` belongs to row ``live[i]``).

        Takes a torch tensor or a numpy array of ``[len(live), vocab]``; returns a torch tensor (the same
        memory where it can be).
        """
        import torch

        logits = torch.as_tensor(logits)
        for i, row in enumerate(live):
            forced = self.forced.get(row)
            if forced:  # an insertion is being written: nothing else may be chosen
                token = forced.pop(0)
                logits[i].fill_(float("-inf"))
                logits[i, token] = 0.0
                continue
            for guide in self.guides:
                guide.adjust(self.rows[row], logits[i])
        return logits

    def cut_back(self, row: int, request: Rethread) -> int | None:
        """Apply ``request`` to ``row`` in place: drop its newest tokens back to the cut and queue the insertion.
        Returns how many tokens were dropped, or ``None`` when the cut reaches before this call's tokens."""
        guide_row = self.rows[row]
        drop = len(guide_row.answer_ids) - request.cut
        if drop < 0 or drop > len(guide_row.tokens):
            return None
        del guide_row.tokens[len(guide_row.tokens) - drop :]
        if request.insert:
            self.forced[row] = list(request.insert)
        return drop

    def choices(self, row: int) -> list[int] | None:
        """The tokens one of which ``row`` must write next (the first guide that restricts it), or ``None``:
        what a backend without per-step logits asks instead of calling :meth:`adjust`."""
        for guide in self.guides:
            allowed = guide.choices(self.rows[row])
            if allowed:
                return allowed
        return None

    def observe(self, row: int, token: int) -> Rethread | None:
        """Add ``token`` to ``row``; return a guide's re-threading request for it (the first asked), if any."""
        guide_row = self.rows[row]
        guide_row.tokens.append(int(token))
        for guide in self.guides:
            request = guide.rethread(guide_row)
            if request is not None:
                self.rethreads[row] = request
                return request
        return None
