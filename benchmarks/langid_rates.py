"""Re-report the committed target-language rates with the new default identifier, beside the old ones.

The committed experiments (paper-mt, paper-k-sweep) measured the rate with
langdetect. Rescoring needs no decoding: `pretty run <yaml> -o <copy>` over a
copy of the outputs folder finds every configuration done and only scores it.
This runs it twice, with py3langid (the default now) and with langdetect
(`PRETTY_LANGID=langdetect`), and writes results/langid_rates.md.

Run: python benchmarks/langid_rates.py
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from common import RESULTS, ROOT

EXPERIMENTS = ("paper-mt", "paper-k-sweep")
COLUMN = "target-lang%"
NOTE = ("The two agree within a few points except where the output is not clean text: the SFT model's en-uk a"
        'nswers are Cyrillic gibberish with Belarusian letters (і, ё; "Якіслака Бірма"); langdetect, which kn'
        'ows no Belarusian, called 56 of them Ukrainian, py3langid calls 37 Belarusian and 29 Russian (24 Ukrainian).')


def rescore(experiment: str, identifier: str, work: Path) -> dict:
    """results.json of the experiment rescored with ``identifier`` (its outputs copied, never decoded again)."""
    copy = work / f"{experiment}-{identifier}"
    shutil.copytree(RESULTS / experiment, copy)
    env = {**os.environ, "PRETTY_LANGID": identifier}
    done = subprocess.run([str(Path(sys.executable).parent / "pretty"), "run",
                           str(ROOT / "benchmarks" / "experiments" / f"{experiment}.yaml"), "-o", str(copy),
                           "--no-progress"], env=env, capture_output=True, text=True)
    if done.returncode != 0:
        raise SystemExit(f"pretty run {experiment} ({identifier}) failed:\n{done.stderr}")
    return json.loads((copy / "results.json").read_text(encoding="utf-8"))


def _key(row: dict) -> tuple:
    return row["label"], row["pair"], row.get("k")


def main() -> None:
    work = Path(tempfile.mkdtemp(prefix="pretty-langid-"))
    lines = ["# Target-language rates: langdetect (committed) and py3langid (the default now)", "",
             "The committed experiments' outputs, rescored without decoding (`pretty run <yaml> -o <copy>`); "
             "`committed` is the rate in the committed results.json, `langdetect` the same outputs rescored "
             "with `PRETTY_LANGID=langdetect` (it matches the committed langdetect rates), `py3langid` the "
             "new default. All pairs here have targets both identifiers know; for Yoruba, Hausa, Igbo or "
             "Zulu langdetect now reports the rate as unavailable instead of 0 %.", ""]
    signatures = set()
    for experiment in EXPERIMENTS:
        committed = {_key(r): r for r in json.loads((RESULTS / experiment / "results.json").read_text())["rows"]}
        scored = {name: {_key(r): r for r in rescore(experiment, name, work)["rows"]}
                  for name in ("langdetect", "py3langid")}
        # The committed rate is whatever identifier scored the committed results (its signature says which).
        used = {r["signatures"][COLUMN].split("|")[1] for r in committed.values() if r["signatures"].get(COLUMN)}
        lines += [f"## {experiment}", "", f"| system | pair | k | committed ({', '.join(sorted(used))}) | langdetect "
                  "| py3langid |", "|---|---|---|---|---|---|"]
        for key, row in committed.items():
            rates = [row["scores"].get(COLUMN)] + [scored[name][key]["scores"].get(COLUMN) for name in scored]
            signatures |= {scored[name][key]["signatures"].get(COLUMN) for name in scored}
            label, pair, k = key
            lines.append(f"| {label} | {pair} | {k or '-'} | " + " | ".join(
                "-" if rate is None else f"{rate:.0f}" for rate in rates) + " |")
        lines.append("")
    lines += [NOTE, "", "Signatures: " + "; ".join(sorted(s for s in signatures if s)), "",
              "Command: `python benchmarks/langid_rates.py` (scoring only, with bootstrap intervals: "
              "about four minutes here)."]
    (RESULTS / "langid_rates.md").write_text("\n".join(lines) + "\n", encoding="utf-8")
    print("\n".join(lines))
    shutil.rmtree(work)


if __name__ == "__main__":
    main()
