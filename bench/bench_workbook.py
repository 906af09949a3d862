"""Issue 24's workbook measurements: which reader, and a workbook against the same data as a CSV.

Run by hand (not collected by pytest), from the repository root:

    python3 -m uv run python bench/bench_workbook.py                 # both parts, 5 rounds each
    python3 -m uv run python bench/bench_workbook.py --rounds 9
    python3 -m uv run python bench/bench_workbook.py --part readers  # python-calamine against openpyxl only
    python3 -m uv run python bench/bench_workbook.py --part load     # deckgen's load: .xlsx against .csv only

1. **Readers.** A 50,000-row x 10-column sheet (dates, date-times, numbers, text) written by openpyxl,
   read whole by python-calamine and by openpyxl (read-only, cached values). Each reader's dates are
   checked against the values written: a reader that does not give back the dates is disqualified.
   (``--part readers`` needs openpyxl installed; deckgen itself keeps only one reader.)
2. **deckgen's load** (the issue's goal: a 500,000-cell sheet within 1.5x the time of the same data as
   CSV): ``read_workbook`` (sheet read, cells made text, typed by ``typed_table``) against ``read_csv``
   on the same 50,000 x 10 data written as a CSV, typed the same way (declared columns).

Figures (2026-12-07, 2 shared CPUs, python-calamine 0.9.1, openpyxl 3.1.5): readers 0.85 s against
8.85 s (openpyxl 10.5x slower, and it gives a date cell as a datetime at midnight); deckgen's load
.xlsx 1.96 s against .csv 1.26 s (1.55x), then 2.29 s against 1.55 s (1.48x) with 9 rounds. python-calamine's
own read of the sheet (about 0.85 s) is most of the difference: the goal is at the edge of this reader.

Runs are in-process, paired and alternating (workbook first in odd rounds, CSV first in even ones) so
a load spike on this shared machine hits both sides; each side's median and their ratio are printed.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROWS, COLUMNS = 50_000, 10
HEADER = ["date", "stamp", "country", "rating", "yield", "spread", "duration", "price", "weight", "notional"]
COUNTRIES = ["Brazil", "Mexico", "Chile", "Peru", "Colombia", "South Africa", "Turkey", "Indonesia"]


def rows(count: int = ROWS) -> list[list]:
    generator = random.Random(24)
    start = dt.date(1990, 1, 1)
    out = []
    for index in range(count):
        day = start + dt.timedelta(days=index % 12_000)
        out.append([
            day,
            dt.datetime(day.year, day.month, day.day, 16, generator.randrange(60)),
            COUNTRIES[index % len(COUNTRIES)],
            generator.choice(["AAA", "BBB-", "BB+", "B"]),
            round(generator.uniform(1, 15), 3),
            generator.randrange(20, 900),
            round(generator.uniform(0.5, 25), 2),
            round(generator.uniform(60, 130), 4),
            round(generator.uniform(0, 1), 6),
            generator.randrange(1_000, 5_000_000) * 1000,
        ])
    return out


def write_workbook(path: Path, data: list[list]) -> None:
    import openpyxl
    from openpyxl.cell import WriteOnlyCell

    book = openpyxl.Workbook(write_only=True)
    sheet = book.create_sheet("yields")
    sheet.append(HEADER)
    for row in data:
        cells = []
        for value in row:
            cell = WriteOnlyCell(sheet, value=value)
            if isinstance(value, dt.datetime):
                cell.number_format = "yyyy-mm-dd hh:mm"
            elif isinstance(value, dt.date):
                cell.number_format = "yyyy-mm-dd"
            cells.append(cell)
        sheet.append(cells)
    book.save(path)


def write_csv(path: Path, data: list[list]) -> None:
    with path.open("w", newline="", encoding="utf-8") as file:
        writer = csv.writer(file)
        writer.writerow(HEADER)
        for row in data:
            writer.writerow([value.strftime("%Y-%m-%d %H:%M") if isinstance(value, dt.datetime)
                             else value.isoformat() if isinstance(value, dt.date) else value for value in row])


def read_calamine(path: Path) -> list[list]:
    import python_calamine

    book = python_calamine.CalamineWorkbook.from_path(str(path))
    return book.get_sheet_by_name("yields").to_python(skip_empty_area=False)


def read_openpyxl(path: Path) -> list[list]:
    import openpyxl

    book = openpyxl.load_workbook(path, read_only=True, data_only=True, keep_links=False)
    try:
        return [list(row) for row in book["yields"].iter_rows(values_only=True)]
    finally:
        book.close()


def dates_right(read: list[list], data: list[list]) -> str:
    """'yes', or what the reader gave instead of the first date and date-time."""
    for got, want in zip(read[1:], data):
        if type(got[0]) is not dt.date or got[0] != want[0] or not isinstance(got[1], dt.datetime) or got[1] != want[1]:
            return f"no: {got[0]!r} for {want[0]!r}, {got[1]!r} for {want[1]!r}"
    return "yes"


def paired(label_a: str, run_a, label_b: str, run_b, rounds: int) -> tuple[float, float]:
    run_a(), run_b()  # warm-up: imports, page cache
    times: dict[str, list[float]] = {label_a: [], label_b: []}
    for index in range(rounds):
        order = [(label_a, run_a), (label_b, run_b)]
        for label, run in order if index % 2 == 0 else order[::-1]:
            started = time.perf_counter()
            run()
            times[label].append(time.perf_counter() - started)
    a, b = statistics.median(times[label_a]), statistics.median(times[label_b])
    for label in (label_a, label_b):
        print(f"  {label:<28} median {statistics.median(times[label]):7.3f} s   runs: "
              + " ".join(f"{t:.3f}" for t in times[label]))
    return a, b


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--part", choices=("readers", "load", "both"), default="both")
    args = parser.parse_args()
    print(f"python {sys.version.split()[0]}, {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.2f}")
    data = rows()
    with tempfile.TemporaryDirectory() as folder:
        book, table = Path(folder) / "em_data.xlsx", Path(folder) / "em_data.csv"
        write_workbook(book, data)
        write_csv(table, data)
        print(f"{ROWS:,} rows x {COLUMNS} columns ({ROWS * COLUMNS:,} cells): .xlsx {book.stat().st_size / 1e6:.1f} MB, "
              f".csv {table.stat().st_size / 1e6:.1f} MB")
        if args.part in ("readers", "both"):
            print("\n1. readers, the whole sheet as Python values")
            for label, reader in (("python-calamine", read_calamine), ("openpyxl (read-only)", read_openpyxl)):
                try:
                    print(f"  {label}: dates right: {dates_right(reader(book), data)}")
                except ImportError:
                    print(f"  {label}: not installed")
            try:
                calamine, openpyxl_time = paired("python-calamine", lambda: read_calamine(book),
                                                 "openpyxl (read-only)", lambda: read_openpyxl(book), args.rounds)
                print(f"  openpyxl / calamine: {openpyxl_time / calamine:.1f}x")
            except ImportError as exc:
                print(f"  skipped: {exc}")
        if args.part in ("load", "both"):
            from deckgen.errors import Mark
            from deckgen.sources.workbook import read_workbook
            from deckgen.tables import read_csv

            columns = {"date": "date", "stamp": "text", "country": "text", "rating": "text", "yield": "number",
                       "spread": "number", "duration": "number", "price": "number", "weight": "number",
                       "notional": "number"}

            def spec_mark(loc, key=False):
                return Mark("spec.yaml", 1, 1)

            def load_book():
                result = read_workbook(book, "yields", columns, spec_mark, sheet="yields", cell_range=None, source=None, as_of=None)
                assert result.table is not None and not result.problems, result.problems[:3]
                assert len(result.table.rows) == ROWS

            def load_csv():
                result = read_csv(table, "yields", columns, spec_mark)
                assert result.table is not None and not result.problems, result.problems[:3]
                assert len(result.table.rows) == ROWS

            print(f"\n2. deckgen's dataset load, typed ({ROWS * COLUMNS:,} cells)")
            workbook_time, csv_time = paired(".xlsx (read_workbook)", load_book, ".csv (read_csv)", load_csv, args.rounds)
            print(f"  .xlsx / .csv: {workbook_time / csv_time:.2f}x (goal: at most 1.5x)")
    print(f"load average after: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
