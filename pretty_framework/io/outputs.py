"""Incremental, resumable output: JSONL records or plain text, one line per item.

Every batch is flushed and synced as soon as it is decoded. ``resume`` reads
what an interrupted run left, drops a half-written last line, checks that the
file belongs to the same run (signature, item ids) and reports how many items
are done, so a resumed run neither loses nor duplicates a line.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import IO, Protocol

from pretty_framework.errors import InputError, OutputError, ResumeError
from pretty_framework.io.records import DecodeResult, Item
from pretty_framework.io.signature import RunSignature

OUTPUT_FORMATS = ("jsonl", "text")


class ResultSink(Protocol):
    """Where a run's windows go, in input order: a file (:class:`ResultWriter`) or memory (:class:`ResultList`)."""

    def write(self, results: Iterable[DecodeResult]) -> None: ...


class ResultList:
    """Results kept in memory, in input order (the Python API's :func:`pretty_framework.decode`)."""

    def __init__(self) -> None:
        self.results: list[DecodeResult] = []

    def write(self, results: Iterable[DecodeResult]) -> None:
        self.results.extend(results)


def check_output_path(path: Path | None, fmt: str, *, resume: bool = False, force: bool = False) -> None:
    """Refuse an output that cannot be written, before anything is loaded: one clear error per case."""
    if fmt not in OUTPUT_FORMATS:
        raise InputError(f"unknown output format {fmt!r}; known: {', '.join(OUTPUT_FORMATS)}")
    if path is None:
        if resume:
            raise InputError("--resume needs --output: standard output cannot be resumed")
        return
    if resume and force:
        raise InputError("--resume continues an output and --force overwrites it: give one of them")
    if path.is_dir():
        raise InputError(f"output {path} is a folder: give a file name (e.g. {path / 'out.jsonl'})")
    for parent in path.parents:
        if parent.exists():
            if not parent.is_dir():
                raise InputError(f"cannot create {path}: {parent} is a file, not a folder")
            if not os.access(parent, os.W_OK):
                raise InputError(f"cannot create {path}: the folder {parent} is not writable")
            break
    exists = path.exists() and path.stat().st_size > 0
    if exists and not resume and not force:
        raise InputError(f"output file {path} exists: use --resume to continue it or --force to overwrite it")


class ResultWriter:
    """Writes results to ``path`` (or standard output when ``path`` is None).

    ``batching`` (e.g. ``"16x8"``: batch size x sort window) is written into each JSONL record, so that a
    resume whose outputs depend on batch composition can refuse other batch settings (see :meth:`remaining`).
    """

    def __init__(self, path: Path | None, fmt: str, signature: RunSignature | str, *, resume: bool = False,
                 force: bool = False, batching: str | None = None):
        check_output_path(path, fmt, resume=resume, force=force)
        self.path, self.fmt, self.signature, self.batching = path, fmt, str(signature), batching
        self.done_records: list[tuple[str, str | None]] = []  # (id, source) of each written line
        self.written_batching: str | None = None
        self._failed = False
        self._stream: IO[str]
        if path is None:
            self._stream = sys.stdout
            return
        if resume and path.exists() and path.stat().st_size > 0:
            self.done_records = self._recover(path)
        else:
            try:
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_text("")
            except OSError as error:
                raise OutputError(f"cannot create {path}: {error.strerror}") from None
            if fmt == "text":  # plain text lines cannot carry the signature: keep it beside them
                self._signature_file().write_text(self.signature + "\n")
        self._stream = path.open("a", encoding="utf-8")

    @property
    def done(self) -> int:
        """How many results the file already holds."""
        return len(self.done_records)

    def _signature_file(self) -> Path:
        assert self.path is not None
        return self.path.with_name(self.path.name + ".signature")

    def _recover(self, path: Path) -> list[tuple[str, str | None]]:
        data = path.read_bytes()
        complete = data[: data.rfind(b"\n") + 1]  # a line without its newline was cut mid-write
        if len(complete) != len(data):
            with path.open("r+b") as handle:
                handle.truncate(len(complete))
        try:
            lines = complete.decode("utf-8").splitlines()
        except UnicodeDecodeError as error:
            raise ResumeError(f"{path} is not UTF-8 text (byte {error.start}): not an output of ours") from None
        if self.fmt == "text":
            signature_file = self._signature_file()
            if signature_file.exists() and signature_file.read_text().strip() != self.signature:
                raise self._other_run(str(path), signature_file.read_text().strip())
            return [("", None)] * len(lines)  # plain text has no ids: resume by count
        done = []
        for number, line in enumerate(lines, start=1):
            try:
                record = json.loads(line)
            except json.JSONDecodeError:
                raise ResumeError(f"{path}:{number}: not a JSONL record of ours; cannot resume") from None
            if not isinstance(record, dict) or record.get("signature") != self.signature:
                raise self._other_run(f"{path}:{number}", str(record.get("signature") if isinstance(record, dict)
                                                               else None))
            done.append((str(record.get("id")), record.get("source")))
            self.written_batching = self.written_batching or record.get("batching")
        return done

    def _other_run(self, where: str, written: str) -> ResumeError:
        differences = RunSignature.parse(written).differences(RunSignature.parse(self.signature))
        return ResumeError(f"{where} was written by another run; written vs this run: {'; '.join(differences)}")

    def remaining(self, items: list[Item], *, batch_invariant: bool = True) -> list[Item]:
        """The items not yet written, after checking that the written ones are these items' first (ids and
        sources) and, when outputs depend on batch composition, that the batch settings are the run's own."""
        done = self.done
        if done > len(items):
            raise ResumeError(f"{self.path} holds {done} results but the input has only {len(items)} items")
        if self.fmt == "jsonl":
            for position, ((written_id, source), item) in enumerate(zip(self.done_records, items), start=1):
                if written_id != item.id:
                    raise ResumeError(f"{self.path}:{position} is item {written_id!r} but input item {position} is "
                                      f"{item.id!r}: not the same input")
                if source is not None and source != item.source:
                    raise ResumeError(f"{self.path}:{position} (item {item.id!r}) was decoded from another source "
                                      f"text ({_short(source)!r}, now {_short(item.source)!r}): not the same input")
        todo = items[done:]
        if (todo and done and not batch_invariant and self.batching and self.written_batching
                and self.written_batching != self.batching):
            size, _, window = self.written_batching.partition("x")
            raise ResumeError(f"{self.path} was decoded with batch size x sort window {self.written_batching}, "
                              f"this run uses {self.batching}; this backend's outputs depend on which rows share a "
                              f"batch (e.g. bfloat16), so resume with -b {size} --sort-window {window}, or decode in "
                              "float32")
        return todo

    def write(self, results: Iterable[DecodeResult]) -> None:
        """Append results and make them durable before returning."""
        try:
            for result in results:
                if self.fmt == "jsonl":
                    record = result.to_record(self.signature)
                    if self.batching:  # how the run batched, for a resume (older files lack it: unchecked)
                        record["batching"] = self.batching
                    line = json.dumps(record, ensure_ascii=False)
                else:
                    line = result.output.replace("\n", " ")
                self._stream.write(line + "\n")
            self._stream.flush()
            if self.path is not None:
                os.fsync(self._stream.fileno())
        except OSError as error:
            self._failed = True
            where = self.path if self.path is not None else "standard output"
            raise OutputError(f"cannot write {where}: {error.strerror or error}; the results written before are "
                              "kept: free the space (or fix the file) and rerun with --resume") from None

    def close(self) -> None:
        if self.path is None:
            return
        try:
            self._stream.close()
        except OSError:
            if not self._failed:  # the write already reported this failure; do not report it twice
                raise


def _short(text: str, limit: int = 40) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def read_records(path: Path) -> list[dict]:
    """The records of a finished (or partial) JSONL output; every line must be one of ours."""
    from pretty_framework.io.inputs import utf8_lines

    records = []
    for number, text in utf8_lines(path, "output file"):
        if text is None:
            raise InputError(f"{path}:{number}: not valid UTF-8")
        if not text.strip():
            continue
        try:
            record = json.loads(text)
        except json.JSONDecodeError as error:
            raise InputError(f"{path}:{number}: invalid JSON ({error.msg}); a half-written last line means the "
                             "run was interrupted: finish it with --resume") from None
        if not isinstance(record, dict) or "output" not in record:
            raise InputError(f"{path}:{number}: not a decode record (no 'output' field)")
        records.append(record)
    return records
