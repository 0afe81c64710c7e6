"""The guides results in one table, checked against issue #12's targets: results/guides.md.

Reads what ``benchmarks/guides.py`` wrote (results/guides_muse-dict.json, guides_defaults.json,
guides_sft.json) and compares each provider's paper setting (--guide none, no shots) with the new defaults
(default guides + 2 bundled demonstrations), per pair.

    python benchmarks/guides_summary.py
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import RESULTS  # noqa: E402

PAIRS = ("en-de", "en-fr", "en-zh", "en-uk", "de-fr")
#: chrF of the oracle prior in the paper setting (benchmarks/results/paper-mt/table.md): the ceiling to reach
ORACLE_CHRF = {"en-de": 32.8, "en-fr": 34.3, "en-zh": 11.7, "en-uk": 17.5, "de-fr": 30.6}
TARGET_RATE = {"muse-dict": 95.0, "oracle": 95.0, "sft": 90.0}
SETTINGS = (("none", 0, "paper setting (--guide none --shots 0)"), ("default", 0, "default guides, no shots"),
            ("none", 2, "2 shots, no guides"), ("default", 2, "new defaults (guides + 2 shots)"))


def load_rows() -> list[dict]:
    rows = []
    for name in ("guides_defaults", "guides_sft"):
        path = RESULTS / f"{name}.json"
        if path.is_file():
            rows += json.loads(path.read_text(encoding="utf-8"))["rows"]
    return rows


def main() -> None:
    rows = load_rows()
    find = {(r["provider"], r["guides"], r["shots"], r["pair"]): r for r in rows}
    lines = ["# Guides and demonstrations: the paper setting vs the new defaults (Flores dev, 100 lines per pair)",
             "", "gemma3-270m (bf16, greedy, prompting template, max 128 new tokens), 2-core CPU; made by "
             "`python benchmarks/guides.py` (guides_defaults.md, guides_sft.md, guides_muse-dict.md hold every "
             "row) and this script. Cells: chrF / BLEU / target-language % / decode time as a multiple of the "
             "paper setting's, measured in the same process. Each configuration was timed once on a shared "
             "2-core machine: rows that decode the same way differ by up to 20% (noise).", ""]
    for provider in ("muse-dict", "oracle", "sft"):
        if not any(key[0] == provider for key in find):
            continue
        lines += [f"## {provider}", "", "| setting | " + " | ".join(PAIRS) + " |", "|---|" + "---|" * len(PAIRS)]
        for guides, shots, label in SETTINGS:
            cells = []
            for pair in PAIRS:
                row, base = find.get((provider, guides, shots, pair)), find.get((provider, "none", 0, pair))
                if row is None or base is None:
                    cells.append("")
                    continue
                s = row["scores"]
                cells.append(f"{s['chrF']:.1f} / {s['BLEU']:.1f} / {s['target-lang%']:.0f} / "
                             f"x{row['seconds'] / base['seconds']:.2f}")
            lines.append(f"| {label} | " + " | ".join(cells) + " |")
        lines.append("")
        lines += targets(provider, find)
    (RESULTS / "guides.md").write_text("\n".join(lines) + "\n", encoding="utf-8")
    print("\n".join(lines))


def targets(provider: str, find: dict) -> list[str]:
    """Issue #12's targets for the new defaults, pair by pair: met or not, with the numbers."""
    out = []
    for pair in PAIRS:
        new, old = find.get((provider, "default", 2, pair)), find.get((provider, "none", 0, pair))
        unguided = find.get((provider, "none", 2, pair))  # the same prompts without guides
        if new is None or old is None or unguided is None:
            continue
        rate, chrf = new["scores"]["target-lang%"], new["scores"]["chrF"]
        checks = [f"target language {rate:.0f}% {'>=' if rate >= TARGET_RATE[provider] else '<'} "
                  f"{TARGET_RATE[provider]:.0f}%",
                  f"chrF {chrf:.1f} {'>=' if chrf >= old['scores']['chrF'] else '<'} paper setting's "
                  f"{old['scores']['chrF']:.1f}",
                  f"guides' time x{new['seconds'] / unguided['seconds']:.2f} of --guide none (same shots) "
                  f"{'<=' if new['seconds'] <= 1.25 * unguided['seconds'] else '>'} x1.25 (x"
                  f"{new['seconds'] / old['seconds']:.2f} of the paper setting)"]
        if provider == "muse-dict":
            checks.insert(1, f"chrF {chrf:.1f} {'>=' if chrf >= ORACLE_CHRF[pair] else '<'} today's oracle "
                             f"{ORACLE_CHRF[pair]}")
        met = all(" >= " in check or " <= " in check for check in checks)
        out.append(f"- {pair}: {'met' if met else 'NOT met'}: " + "; ".join(checks))
    return out + [""]


if __name__ == "__main__":
    main()
