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

from pretty_framework.errors import InputError, ResumeError
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


class ResultWriter:
    """Writes results to ``path`` (or standard output when ``path`` is None)."""

    def __init__(self, path: Path | None, fmt: str, signature: RunSignature | str, *, resume: bool = False,
                 force: bool = False):
        if fmt not in OUTPUT_FORMATS:
            raise InputError(f"unknown output format {fmt!r}; known: {', '.join(OUTPUT_FORMATS)}")
        self.path, self.fmt, self.signature = path, fmt, str(signature)
        self.done_ids: list[str] = []
        self._stream: IO[str]
        if path is None:
            if resume:
                raise InputError("--resume needs --output: standard output cannot be resumed")
            self._stream = sys.stdout
            return
        exists = path.exists() and path.stat().st_size > 0
        if exists and not resume and not force:
            raise InputError(f"output file {path} exists: use --resume to continue it or --force to overwrite it")
        if resume and exists:
            self.done_ids = self._recover(path)
        else:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text("")
            if fmt == "text":  # plain text lines cannot carry the signature: keep it beside them
                self._signature_file().write_text(signature + "\n")
        self._stream = path.open("a", encoding="utf-8")

    def _signature_file(self) -> Path:
        assert self.path is not None
        return self.path.with_name(self.path.name + ".signature")

    def _recover(self, path: Path) -> list[str]:
        data = path.read_bytes()
        complete = data[: data.rfind(b"\n") + 1]  # a line without its newline was cut mid-write
        if len(complete) != len(data):
            with path.open("r+b") as handle:
                handle.truncate(len(complete))
        lines = complete.decode("utf-8").splitlines()
        if self.fmt == "text":
            signature_file = self._signature_file()
            if signature_file.exists() and signature_file.read_text().strip() != self.signature:
                raise self._other_run(str(path), signature_file.read_text().strip())
            return [""] * len(lines)  # plain text has no ids: resume by count
        ids = []
        for number, line in enumerate(lines, start=1):
            try:
                record = json.loads(line)
            except json.JSONDecodeError:
                raise ResumeError(f"{path}:{number}: not a JSONL record of ours; cannot resume") from None
            if record.get("signature") != self.signature:
                raise self._other_run(f"{path}:{number}", str(record.get("signature")))
            ids.append(str(record.get("id")))
        return ids

    def _other_run(self, where: str, written: str) -> ResumeError:
        differences = RunSignature.parse(written).differences(RunSignature.parse(self.signature))
        return ResumeError(f"{where} was written by another run; written vs this run: {'; '.join(differences)}")

    def remaining(self, items: list[Item]) -> list[Item]:
        """The items not yet written, after checking the written ones are these items' first."""
        done = len(self.done_ids)
        if done > len(items):
            raise ResumeError(f"{self.path} holds {done} results but the input has only {len(items)} items")
        if self.fmt == "jsonl":
            for position, (written, item) in enumerate(zip(self.done_ids, items), start=1):
                if written != item.id:
                    raise ResumeError(f"{self.path}:{position} is item {written!r} but input item {position} is "
                                      f"{item.id!r}: not the same input")
        return items[done:]

    def write(self, results: Iterable[DecodeResult]) -> None:
        """Append results and make them durable before returning."""
        for result in results:
            if self.fmt == "jsonl":
                line = json.dumps(result.to_record(self.signature), ensure_ascii=False)
            else:
                line = result.output.replace("\n", " ")
            self._stream.write(line + "\n")
        self._stream.flush()
        if self.path is not None:
            os.fsync(self._stream.fileno())

    def close(self) -> None:
        if self.path is not None:
            self._stream.close()


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
