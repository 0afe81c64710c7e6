"""Analysis outputs: JSON with every figure and its signature, PNG plots like the paper's Figures 2-4, a summary."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any


def write_json(result: dict[str, Any], path: Path) -> None:
    path.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


def text_summary(result: dict[str, Any]) -> str:
    """A few lines a person reads first."""
    lines = [f"{result['signature']}", f"mode: {result['mode']}"
             + (" (text-level approximation across tokenizers)" if result["mode"] == "cross" else "")]
    for entry in result["positions"]:
        agreement = entry["agreement_at_k"]
        line = (f"{entry['setting']}: n={entry['items']}, agreement@1={_pct(agreement.get('1'))}, "
                f"@5={_pct(agreement.get('5'))}, @20={_pct(agreement.get('20'))}; "
                f"SFT chosen p={_num(entry['sft_chosen_probability'])}, "
                f"foundation top-1 p={_num(entry['foundation_top1_probability'])}")
        if "kl" in entry:
            line += f"; KL={_num(entry['kl'])}, JS={_num(entry['js'])}, CE={_num(entry['cross_entropy'])}"
        lines.append(line)
    return "\n".join(lines)


def _pct(value: float | None) -> str:
    return "n/a" if value is None else f"{100 * value:.1f}%"


def _num(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.3f}"


MODES = {"shared": "one shared tokenizer, token level", "cross": "different tokenizers, compared as text"}


def plot(result: dict[str, Any], folder: Path, stem: str) -> list[Path]:
    """Figure 2 (agreement@K), Figure 3 (chosen-token probabilities), Figure 4 (divergences, shared mode).

    Each is written as PNG and PDF; the PNG paths are returned.
    """
    import matplotlib

    matplotlib.use("Agg")  # files only: no display on servers
    import matplotlib.pyplot as plt
    from matplotlib.ticker import MaxNLocator

    written = []
    positions = result["positions"]
    mode = MODES.get(result["mode"], result["mode"])
    figure, axis = plt.subplots(figsize=(6, 4), layout="constrained")
    for entry in positions:
        ks = [int(k) for k in entry["agreement_at_k"]]
        values = [entry["agreement_at_k"][str(k)] for k in ks]
        axis.plot(ks, [100 * v if v is not None else float("nan") for v in values], marker="o",
                  label=entry["setting"])
    axis.xaxis.set_major_locator(MaxNLocator(integer=True))  # K counts candidates: whole numbers only
    axis.set(xlabel="K (candidates in the foundation model's top K)", ylabel="Agreement@K (%)", ylim=(0, 100),
             title=f"How often the SFT model's token is in the foundation model's top K\n({mode})")
    axis.title.set_fontsize(10)
    axis.legend(fontsize=8)
    axis.grid(alpha=0.3)
    written.append(_save(figure, folder / f"{stem}-agreement.png"))

    figure, axis = plt.subplots(figsize=(6, 4), layout="constrained")
    data, labels = [], []
    for entry in positions:
        for key, name in (("sft_chosen_probability", "SFT"), ("foundation_top1_probability", "foundation")):
            data.append(entry["per_item"][key])
            labels.append(f"{name}\n{entry['setting'].replace('instruction', 'instr.')}")
    axis.boxplot(data, tick_labels=labels)
    axis.set(ylabel="probability of the chosen token",
             title="Probability the foundation model gives the chosen token")
    axis.title.set_fontsize(10)
    axis.tick_params(axis="x", labelsize=7)
    written.append(_save(figure, folder / f"{stem}-probability.png"))

    if result["mode"] == "shared":
        figure, axis = plt.subplots(figsize=(6, 4), layout="constrained")
        names = ["kl", "js", "cross_entropy"]
        width = 0.8 / len(positions)
        for offset, entry in enumerate(positions):
            xs = [i + offset * width for i in range(len(names))]
            bars = axis.bar(xs, [entry[n] if entry[n] is not None else 0 for n in names], width, label=entry["setting"])
            for x, bar, name in zip(xs, bars, names):
                if entry[name] is None:  # no finite value: shown as missing, not as a zero bar
                    bar.set_visible(False)
                    axis.text(x, 0, "n/a", ha="center", va="bottom", fontsize=7, color="grey")
        axis.set_xticks([i + width * (len(positions) - 1) / 2 for i in range(len(names))], ["KL", "JS (bits)", "CE"])
        axis.set(title="Divergence of the foundation model's next-token distribution from the SFT model's")
        axis.title.set_fontsize(10)
        axis.legend(fontsize=8)
        written.append(_save(figure, folder / f"{stem}-divergence.png"))
    return written


def _save(figure: Any, path: Path) -> Path:
    import matplotlib.pyplot as plt

    figure.savefig(path, dpi=200)
    figure.savefig(path.with_suffix(".pdf"))
    plt.close(figure)
    return path
