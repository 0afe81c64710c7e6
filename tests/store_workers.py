"""Work for the store's multi-process tests: each function runs in its own spawned process.

The heavy imports happen when a child unpickles its target (this module), so
the children start their store work together at a barrier, not one import
time apart: the races the tests provoke are real races.
"""

from __future__ import annotations

import multiprocessing
import traceback
from dataclasses import asdict
from pathlib import Path

from click.testing import CliRunner

from pretty_framework.cli import cli
from pretty_framework.store import DictionaryStore
from pretty_framework.store.bundled import ensure_bundled
from pretty_framework.store.formats import MuseFormat


def run_together(target, argument_lists: list[tuple], timeout: float = 180) -> list[dict]:
    """Run ``target(*arguments)`` in one spawned process per argument tuple, all released at once.

    Returns each process's result (``{"error": traceback}`` when it raised), in argument order.
    Fails, after killing the processes, when they have not all reported within ``timeout`` seconds.
    """
    context = multiprocessing.get_context("spawn")
    barrier, queue = context.Barrier(len(argument_lists)), context.Queue()
    processes = [context.Process(target=_child, args=(index, barrier, queue, target, arguments))
                 for index, arguments in enumerate(argument_lists)]
    for process in processes:
        process.start()
    try:
        results = dict(queue.get(timeout=timeout) for _ in processes)
    finally:
        for process in processes:
            process.join(timeout=10)
            if process.is_alive():
                process.kill()
    return [results[index] for index in range(len(processes))]


def _child(index: int, barrier, queue, target, arguments: tuple) -> None:
    try:
        barrier.wait(timeout=120)
        result = target(*arguments)
    except BaseException:  # noqa: BLE001 - the test reports it: a child must never die silently
        result = {"error": traceback.format_exc()}
    queue.put((index, result))


def import_muse(db: str, path: str, name: str, src: str = "en", tgt: str = "fr") -> dict:
    store = DictionaryStore(db)
    try:
        return asdict(store.import_file(Path(path), MuseFormat(), src, tgt, name=name))
    finally:
        store.close()


def first_bundled_use(db: str, src: str, tgt: str) -> dict:
    store = DictionaryStore(db)
    try:
        return {"reports": [asdict(report) for report in ensure_bundled(store, src, tgt)]}
    finally:
        store.close()


def pretty(*args: str) -> dict:
    """``pretty ARGS`` through click's runner, as the console script runs it."""
    result = CliRunner().invoke(cli, list(args))
    crashed = result.exception is not None and not isinstance(result.exception, SystemExit)
    return {"exit_code": result.exit_code, "stdout": result.stdout, "stderr": result.stderr,
            "error": "".join(traceback.format_exception(*result.exc_info)) if crashed else None}
