"""The experiment's tables as a paper prints them: Markdown, LaTeX (booktabs) and a tidy CSV, through tabulate.

Layout: with several language pairs, one table per metric (rows: systems;
columns: the pairs, ``Avg.`` and ``%SFT``), the paper's Tables 1-3; with one
pair, one table whose columns are the metrics. A cell is ``score ± half-width``
of its 95 % bootstrap interval, the best of a column in bold (the lowest where
lower is better, TER), and ``†`` where it differs from the baseline row with
p < 0.05. A notes block defines every column, the marks and each metric's
signature (and which pairs it applies to). The CSV has one line per cell
(system, pair or ``Avg.``, metric, score, interval, p-value): what a plotting
script or a spreadsheet wants.
"""

from __future__ import annotations

import csv
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pretty_framework.evaluation.bootstrap import ALPHA
from pretty_framework.evaluation.metrics import pct_sft
from pretty_framework.experiments.config import Experiment
from pretty_framework.experiments.rows import display_title
from pretty_framework.experiments.significance import row_key

if TYPE_CHECKING:
    from pretty_framework.evaluation.metric import Metric
    from pretty_framework.plugin.registry import Registry
    from pretty_framework.tasks import Task

EXTRA_COLUMNS = ["target-lang%"]  # shown when computed: the paper's Appendix C.3 success rate
AVERAGE = "Avg."
PCT_SFT = "%SFT"
DAGGER = "†"
MISSING = "–"
# Markup that survives tabulate's LaTeX escaping and becomes bold in each format.
_BOLD_OPEN, _BOLD_CLOSE = "\u27e6", "\u27e7"


@dataclass(frozen=True)
class Cell:
    """A number with its interval half-width and its p-value against the baseline (None where unknown)."""

    value: float | None
    ci: float | None = None
    p: float | None = None
    best: bool = False

    def text(self) -> str:
        if self.value is None:
            return MISSING
        number = f"{self.value:.1f}"
        if self.best:
            number = f"{_BOLD_OPEN}{number}{_BOLD_CLOSE}"
        interval = f" ± {self.ci:.1f}" if self.ci is not None else ""
        mark = DAGGER if self.p is not None and self.p < ALPHA else ""
        return f"{number}{interval}{mark}"


@dataclass
class Table:
    """One printed table: a caption, a header and rows of stub texts followed by cells."""

    caption: str
    header: list[str]
    rows: list[list[str | Cell]] = field(default_factory=list)
    stub_columns: int = 1


def table_metrics(experiment: Experiment, rows: Sequence[dict[str, Any]], task: Task) -> list[str]:
    """The score columns: the file's ``table.metrics``, else the task's ``table_metrics``, that were computed.

    A task that names no table columns shows every column its metrics produced (but the extra ones).
    """
    present = list(dict.fromkeys(name for row in rows for name in row["scores"]))
    wanted = experiment.table.metrics or task.table_metrics or [name for name in present if name not in EXTRA_COLUMNS]
    return [name for name in wanted if name in present]


def higher_is_better(registry: Registry[Metric] | None) -> dict[str, bool]:
    """Each score column's direction, from the metric that produces it (higher where unknown)."""
    if registry is None:
        return {}
    return {column: registry.get(name).higher_is_better for name in registry.names()
            for column in registry.get(name).columns}


class Layout:
    """The cells of an experiment's results, addressed by (table row, pair or Avg., column)."""

    def __init__(self, experiment: Experiment, rows: Sequence[dict[str, Any]], averages: Sequence[dict[str, Any]],
                 task: Task, registry: Registry[Metric] | None = None):
        self.experiment, self.task = experiment, task
        self.metrics = table_metrics(experiment, rows, task)
        self.extras = [name for name in EXTRA_COLUMNS if any(name in row["scores"] for row in rows)]
        self.direction = higher_is_better(registry)
        self.keys: list[tuple[str, str]] = []
        self.results: dict[tuple[tuple[str, str], str], dict[str, Any]] = {}
        for row in rows:
            key = row_key(row, experiment)
            if key not in self.keys:
                self.keys.append(key)
            self.results[key, row["pair"]] = row
        for entry in averages:
            self.results[(entry["model"], entry["system"]), AVERAGE] = entry
        self.sft_key = next((key for key in self.keys if key[1] == experiment.table.sft_row), None)
        # %SFT reads "above 100: better than the SFT row", which a lower-is-better metric (TER) would turn round.
        self.sft_metrics = [column for column in self.metrics if self.direction.get(column, True)]
        self.several_models = len({key[0] for key in self.keys if key[0] != "(provider alone)"}) > 1

    @property
    def pairs(self) -> list[str]:
        return list(self.experiment.pairs)

    def cell(self, key: tuple[str, str], where: str, column: str) -> Cell:
        result = self.results.get((key, where))
        if result is None or column not in result["scores"]:
            return Cell(None)
        interval = result.get("intervals", {}).get(column)
        return Cell(result["scores"][column], interval["ci"] if interval else None,
                    result.get("p_values", {}).get(column))

    def value(self, key: tuple[str, str], column: str) -> float | None:
        """The row's score on ``column``: its Avg. with several pairs, its one pair's score otherwise."""
        where = AVERAGE if len(self.pairs) > 1 else self.pairs[0]
        return self.cell(key, where, column).value

    def pct_sft(self, key: tuple[str, str], columns: Sequence[str]) -> Cell:
        """The row's score as a percentage of the SFT row's, averaged over ``columns``."""
        if self.sft_key is None:
            return Cell(None)
        ratios = []
        for column in columns:
            mine, sft = self.value(key, column), self.value(self.sft_key, column)
            ratio = pct_sft(mine, sft) if mine is not None and sft is not None else None
            if ratio is None:
                return Cell(None)
            ratios.append(ratio)
        return Cell(sum(ratios) / len(ratios))

    def stub(self, key: tuple[str, str]) -> list[str]:
        return [key[0], key[1]] if self.several_models else [key[1]]

    def stub_header(self) -> list[str]:
        return ["model", "system"] if self.several_models else ["system"]


def _mark_best(table_rows: list[list[str | Cell]], columns: Sequence[str | None], direction: dict[str, bool],
               stub: int) -> None:
    """Bold the best value of each column whose metric has a direction (ties at the printed precision too)."""
    for offset, column in enumerate(columns):
        if column is None:
            continue
        position = stub + offset
        values = [round(line[position].value, 1) for line in table_rows if line[position].value is not None]
        if len(values) < 2:
            continue
        best = max(values) if direction.get(column, True) else min(values)
        for line in table_rows:
            cell = line[position]
            if cell.value is not None and round(cell.value, 1) == best:
                line[position] = Cell(cell.value, cell.ci, cell.p, best=True)


def build_tables(experiment: Experiment, rows: Sequence[dict[str, Any]], task: Task,
                 averages: Sequence[dict[str, Any]] = (), registry: Registry[Metric] | None = None) -> list[Table]:
    """The tables of an experiment (see the module docstring for the layout)."""
    layout = Layout(experiment, rows, averages, task, registry)
    title = display_title(experiment, task)
    sft = experiment.table.sft_row is not None and bool(layout.sft_metrics)
    tables = []
    if len(layout.pairs) == 1:
        pair = layout.pairs[0]
        columns = layout.metrics + layout.extras
        caption = title if pair in title else f"{title} — {pair}"
        table = Table(caption, layout.stub_header() + columns + ([PCT_SFT] if sft else []),
                      stub_columns=len(layout.stub_header()))
        for key in layout.keys:
            line: list[str | Cell] = [*layout.stub(key), *(layout.cell(key, pair, c) for c in columns)]
            if sft:
                line.append(layout.pct_sft(key, layout.sft_metrics))
            table.rows.append(line)
        _mark_best(table.rows, columns + [None] * sft, layout.direction, table.stub_columns)
        return [table]
    for column in layout.metrics + layout.extras:
        with_sft = sft and column in layout.sft_metrics
        header = layout.stub_header() + layout.pairs + [AVERAGE] + ([PCT_SFT] if with_sft else [])
        table = Table(f"{title} — {column}", header, stub_columns=len(layout.stub_header()))
        for key in layout.keys:
            line = [*layout.stub(key), *(layout.cell(key, where, column) for where in [*layout.pairs, AVERAGE])]
            if with_sft:
                line.append(layout.pct_sft(key, [column]))
            table.rows.append(line)
        _mark_best(table.rows, [column] * (len(layout.pairs) + 1) + [None] * with_sft, layout.direction,
                   table.stub_columns)
        tables.append(table)
    return tables


def notes(experiment: Experiment, rows: Sequence[dict[str, Any]], task: Task, tables: Sequence[Table],
          registry: Registry[Metric] | None = None) -> list[str]:
    """The lines that define every column and mark of the tables and name each metric's signature."""
    layout = Layout(experiment, rows, (), task, registry)
    counts = sorted({row["n"] for row in rows})
    alone = " A system named '... alone' is a prior provider's own answer, without a foundation model." if any(
        row["model"] is None for row in rows) else ""
    models = f"foundation model{'s' if len(experiment.models) > 1 else ''}: {', '.join(experiment.models)}"
    lines = [f"Task {experiment.task}; {'/'.join(map(str, counts))} items per pair; {models}.{alone}"]
    shown = {name for table in tables for name in table.header}
    if len(layout.pairs) > 1:
        lines.append(f"{', '.join(layout.pairs)}: the metric on that pair's items (corpus-level). "
                     f"{AVERAGE}: the mean of the pairs' scores (only where the system has every pair).")
    if PCT_SFT in shown:
        scope = "its score" if len(layout.pairs) == 1 else f"its {AVERAGE}"
        averaged = ", averaged over " + ", ".join(layout.sft_metrics) if len(layout.pairs) == 1 and len(
            layout.sft_metrics) > 1 else " on the same metric"
        lines.append(f"{PCT_SFT}: {scope} as a percentage of the SFT row's ('{experiment.table.sft_row}'){averaged} "
                     "(the paper's %SFT; above 100 the system beats the SFT row).")
    lowered = [column for column in layout.metrics + layout.extras if not layout.direction.get(column, True)]
    if lowered:
        lines.append(f"{', '.join(lowered)}: lower is better" + (" (no %SFT)." if PCT_SFT in shown else "."))
    if "target-lang%" in shown:
        lines.append("target-lang%: the share of outputs identified as the target language (the paper's Appendix "
                     "C.3 success rate).")
    several = len(layout.pairs) > 1
    bootstrap = next((row.get("bootstrap") for row in rows if row.get("bootstrap")), None)
    if bootstrap:
        samples = dict(part.split(":", 1) for part in bootstrap.split("|"))
        within = f"; for {AVERAGE}, each pair's items resampled within the pair" if several else ""
        lines.append(f"a ± b: score ± the half-width of its 95 % bootstrap confidence interval ({samples['bs']} "
                     f"resamples of the items, seed {samples['seed']}; sacrebleu's own for its metrics{within}).")
    baseline = experiment.table.baseline
    if baseline:
        scope = f" (on the same pair; {AVERAGE} against its {AVERAGE})" if several else ""
        lines.append(f"{DAGGER}: differs from '{baseline}'{scope} with p < {ALPHA:g}: paired bootstrap resampling "
                     "on the same items (sacrebleu's paired test for its metrics, the same test for the others); "
                     "the p-values are in results.json and table.csv.")
    lines.append("Bold: the best value of each column (at the printed precision).")
    if any(isinstance(item, Cell) and item.value is None for table in tables for line in table.rows for item in line):
        lines.append(f"{MISSING}: no result (the provider has no resource for the pair, or the system lacks a pair).")
    failures = sum(row["parse_failures"] for row in rows)
    lines.append(f"Unparseable or empty outputs, scored as empty (never dropped): {failures} in all.")
    lines += [f"Skipped: {reason}" for reason in
              sorted({f"{name}: {reason}" for row in rows for name, reason in row["skipped"].items()})]
    lines.append("Signatures:")
    by_signature: dict[tuple[str, str], list[str]] = {}
    for row in rows:
        for name, signature in row["signatures"].items():
            pairs = by_signature.setdefault((name, signature), [])
            if row["pair"] not in pairs:
                pairs.append(row["pair"])
    for (name, signature), pairs in sorted(by_signature.items()):
        several = sum(1 for other, _ in by_signature if other == name) > 1
        applies = f" ({', '.join(pairs)})" if several else ""
        lines.append(f"- {name}{applies}: {signature}")
    return lines


def markdown(tables: Sequence[Table], note_lines: Sequence[str], heading: str) -> str:
    """The tables as GitHub Markdown (pipe tables), the notes below them."""
    from tabulate import tabulate

    parts = [f"# {heading}", ""]
    for table in tables:
        body = [[item.text() if isinstance(item, Cell) else item for item in line] for line in table.rows]
        text = tabulate(body, headers=table.header, tablefmt="pipe", disable_numparse=True,
                        colalign=_alignment(table))
        parts += [f"**{table.caption}**", "", _markup(text, "**", "**"), ""]
    parts += [f"{line}" if line.startswith("- ") else f"{line}  " for line in note_lines]
    return "\n".join(parts).rstrip() + "\n"


def latex(tables: Sequence[Table], note_lines: Sequence[str]) -> str:
    """The tables as LaTeX ``table`` floats with booktabs rules (``\\usepackage{booktabs}``), notes as a footnote."""
    from tabulate import LATEX_ESCAPE_RULES, tabulate

    def escape(text: str) -> str:
        return "".join(LATEX_ESCAPE_RULES.get(character, character) for character in text)

    def note(line: str) -> str:
        if line.startswith("- "):  # a signature: verbatim, in typewriter type ("|" is a dash in text fonts)
            name, _, signature = line[2:].partition(": ")
            return f"{escape(name)}: \\texttt{{{escape(signature)}}};"
        return escape(line).replace("±", r"$\pm$").replace(DAGGER, r"$^\dagger$")

    footnote = " ".join(note(line) for line in note_lines).rstrip(";")
    parts = ["% Made by pretty run. Needs \\usepackage{booktabs}; the notes are the tables' footnote."]
    for table in tables:
        body = [[item.text() if isinstance(item, Cell) else item for item in line] for line in table.rows]
        text = tabulate(body, headers=table.header, tablefmt="latex_booktabs", disable_numparse=True,
                        colalign=_alignment(table))
        text = _markup(text, r"\textbf{", "}").replace(" ± ", r" $\pm$ ").replace(DAGGER, r"$^\dagger$")
        parts += [r"\begin{table}[t]", r"\centering", r"\small", f"\\caption{{{escape(table.caption)}}}", text,
                  r"\end{table}", ""]
    parts += [r"% Notes:", f"\\footnotesize{{{footnote}}}"]
    return "\n".join(parts) + "\n"


def _alignment(table: Table) -> tuple[str, ...]:
    return ("left",) * table.stub_columns + ("right",) * (len(table.header) - table.stub_columns)


def _markup(text: str, open_: str, close: str) -> str:
    return text.replace(_BOLD_OPEN, open_).replace(_BOLD_CLOSE, close)


def write_csv(experiment: Experiment, rows: Sequence[dict[str, Any]], averages: Sequence[dict[str, Any]],
              task: Task, path: Path, registry: Registry[Metric] | None = None) -> None:
    """One line per (system, pair or Avg., score column): score, 95 % half-width, p-value against the baseline."""
    layout = Layout(experiment, rows, averages, task, registry)
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["model", "system", "pair", "metric", "score", "ci95", "p_value", "baseline", "pct_sft"])
        wheres = layout.pairs + ([AVERAGE] if len(layout.pairs) > 1 else [])
        for key in layout.keys:
            for where in wheres:
                result = layout.results.get((key, where))
                if result is None:
                    continue
                for column in layout.metrics + layout.extras:
                    cell = layout.cell(key, where, column)
                    if cell.value is None:
                        continue
                    ratio = layout.pct_sft(key, [column]).value if where == wheres[-1] and column in \
                        layout.sft_metrics else None
                    writer.writerow([key[0], key[1], where, column, f"{cell.value:.4f}",
                                     "" if cell.ci is None else f"{cell.ci:.4f}",
                                     "" if cell.p is None else f"{cell.p:.4f}", result.get("baseline", ""),
                                     "" if ratio is None else f"{ratio:.2f}"])
