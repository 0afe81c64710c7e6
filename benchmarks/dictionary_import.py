"""Dictionary import and look-up speed on real MUSE data.

* import: the full MUSE en-fr file (113,286 lines) through `DictionaryStore.import_file`
  (parse, normalise, merge with provenance, one transaction) against a raw sqlite3 import of the
  same rows: read + split the lines, one `executemany` into a table with the same indexes.
  Both on fresh SQLite files in WAL mode, in the same run, best of three. Target: raw/ours >= 0.5.
* priors: the `muse-dict` look-up for all 997 Flores dev sentences (en->fr), the in-memory index
  build included. Target: under a second.

Run: python benchmarks/dictionary_import.py
"""

from __future__ import annotations

import sqlite3
import tempfile
from pathlib import Path

from common import SHARED_DATA, machine, timed, write_result

RAW_SCHEMA = (
    "CREATE TABLE entries (id INTEGER PRIMARY KEY, src_lang_id INT, tgt_lang_id INT, source_word TEXT, "
    "target_word TEXT, source_key TEXT, UNIQUE (src_lang_id, tgt_lang_id, source_word, target_word))",
    "CREATE INDEX ix_lookup ON entries (src_lang_id, tgt_lang_id, source_key)",
)


def raw_import(path: Path, database: Path) -> int:
    connection = sqlite3.connect(database)
    connection.execute("PRAGMA journal_mode=WAL")
    for statement in RAW_SCHEMA:
        connection.execute(statement)
    rows = [line.split() for line in path.read_text(encoding="utf-8").splitlines()]
    with connection:
        connection.executemany(
            "INSERT INTO entries (src_lang_id, tgt_lang_id, source_word, target_word, source_key) VALUES (1, 2, ?, ?, ?)",
            [(source, target, source) for source, target in rows],
        )
    connection.close()
    return len(rows)


def main() -> None:
    from pretty_framework.store import DictionaryStore, Lookup
    from pretty_framework.store.formats import MuseFormat

    muse = SHARED_DATA / "muse" / "en-fr.txt"
    raw_times, ours_times = [], []
    for attempt in range(3):
        with tempfile.TemporaryDirectory() as folder:
            seconds, rows = timed(lambda: raw_import(muse, Path(folder) / "raw.sqlite"))
            raw_times.append(seconds)
            store = DictionaryStore(Path(folder) / "ours.sqlite")  # schema creation is not timed
            seconds, report = timed(lambda: store.import_file(muse, MuseFormat(), "en", "fr"))
            ours_times.append(seconds)
            if attempt == 2:
                sentences = (SHARED_DATA / "flores" / "dev.eng_Latn").read_text(encoding="utf-8").splitlines()
                index_s, lookup = timed(lambda: Lookup(store, "eng_Latn", "fra_Latn"))
                priors_s, hits = timed(lambda: [lookup.prior(sentence) for sentence in sentences])
            store.close()
    best_raw, best_ours = min(raw_times), min(ours_times)
    result = {
        "data": "MUSE en-fr (shared/data/muse/en-fr.txt, 113,286 lines); Flores-200 dev eng_Latn (997 lines)",
        "machine": machine(),
        "import_seconds": {"raw_sqlite3_executemany": [round(t, 3) for t in raw_times],
                           "pretty_import_file": [round(t, 3) for t in ours_times]},
        "rows": rows,
        "entries_added": report.entries_added,
        "ratio_raw_over_ours": round(best_raw / best_ours, 3),
        "target_ratio": ">= 0.5",
        "priors_997_sentences": {"index_build_s": round(index_s, 3), "lookup_s": round(priors_s, 3),
                                 "total_s": round(index_s + priors_s, 3),
                                 "sentences_with_prior": sum(h is not None for h in hits)},
        "target_priors_s": "< 1.0",
    }
    table = "\n".join([
        "# Dictionary import and look-up speed",
        "",
        f"Data: {result['data']}. Machine: {result['machine']}. Best of three imports.",
        "",
        "| measure | seconds | note |",
        "|---|---|---|",
        f"| raw sqlite3 read+split+executemany | {best_raw:.2f} | {rows} rows |",
        f"| pretty import_file (parse, normalise, merge, provenance) | {best_ours:.2f} | "
        f"raw/ours = {result['ratio_raw_over_ours']} (target >= 0.5) |",
        f"| muse-dict priors, 997 dev sentences (index {index_s:.2f} s + look-up {priors_s:.2f} s) | "
        f"{index_s + priors_s:.2f} | {result['priors_997_sentences']['sentences_with_prior']} sentences get a prior |",
    ])
    write_result("dictionary_import", result, table)


if __name__ == "__main__":
    main()
