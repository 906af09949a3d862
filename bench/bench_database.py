"""Issue 24's goal for databases: a 200,000-row query loads (typed, whole dataset) within 1.5x the time
of the same data as a CSV.

Run by hand (not collected by pytest), from the repository root:

    python3 -m uv run python bench/bench_database.py              # 7 paired rounds
    python3 -m uv run python bench/bench_database.py --rounds 11 --rows 200000

The same rows (a date, a client, a bond, two numbers, a rating) are written to an SQLite file and to a
CSV in a temporary folder. Each round loads both through deckgen's readers, as a spec's dataset would
be loaded (``read_database`` with ``select *``; ``read_csv``): every cell typed, every limit checked.
Rounds alternate the order (CSV first, then the query first), so a load spike on this shared machine
hits both sides; the table gives each side's median and their ratio.
"""

from __future__ import annotations

import argparse
import csv
import gc
import random
import sqlite3
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "src"))

from deckgen.errors import Mark  # noqa: E402
from deckgen.sources.database import read_database  # noqa: E402
from deckgen.spec import Dataset  # noqa: E402
from deckgen.tables import read_csv  # noqa: E402


def make(folder: Path, rows: int) -> tuple[Path, Path]:
    rng = random.Random(24)
    data = [(f"2026-{1 + i % 12:02d}-{1 + i % 28:02d}", f"Client {i % 50}", f"BOND {i % 997} 20{30 + i % 9}",
             round(rng.uniform(0, 100), 2), rng.randint(1, 10_000_000), rng.choice(["AAA", "AA", "A", "BBB"]))
            for i in range(rows)]
    header = ["day", "client", "bond", "weight_pct", "notional", "rating"]
    path_csv, path_db = folder / "holdings.csv", folder / "holdings.db"
    with open(path_csv, "w", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(data)
    with sqlite3.connect(path_db) as db:
        db.execute("create table holdings (day text, client text, bond text, weight_pct real, notional integer, rating text)")
        db.executemany("insert into holdings values (?, ?, ?, ?, ?, ?)", data)
    db.close()
    return path_csv, path_db


class _Loaded:
    def __init__(self, folder: Path):
        self.folder = folder

    def resolve_path(self, path):
        return (self.folder / path).resolve()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--rows", type=int, default=200_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="deckgen-bench-db-") as tmp:
        folder = Path(tmp)
        path_csv, path_db = make(folder, args.rows)
        mark = lambda loc, key=False: Mark("bench.yaml", 1, 1)  # noqa: E731
        dataset = Dataset(database=Path("holdings.db"), query="select * from holdings")
        loaded = _Loaded(folder)

        def load_csv():
            result = read_csv(path_csv, "holdings", {}, mark)
            assert result.table is not None and len(result.table.rows) == args.rows, result.problems[:3]
            return result.table

        def load_query():
            result, _ = read_database(loaded, "holdings", dataset, folder, mark)
            assert result.table is not None and len(result.table.rows) == args.rows, result.problems[:3]
            return result.table

        a, b = load_csv(), load_query()  # warm-up, and the same table both ways
        assert [c.kind for c in a.columns] == [c.kind for c in b.columns], (a.columns, b.columns)
        assert a.rows == b.rows, "the query and the CSV read the same values"
        times = {"csv": [], "query": []}
        for round_ in range(args.rounds):
            order = [("csv", load_csv), ("query", load_query)]
            for name, load in (order if round_ % 2 == 0 else order[::-1]):
                gc.collect()
                started = time.perf_counter()
                load()
                times[name].append(time.perf_counter() - started)
        csv_median, query_median = statistics.median(times["csv"]), statistics.median(times["query"])
        print(f"{args.rows:,} rows x 6 columns, {args.rounds} paired rounds (alternating order), whole dataset typed")
        print(f"  CSV   (read_csv):      median {csv_median:.3f} s  ({', '.join(f'{t:.2f}' for t in times['csv'])})")
        print(f"  query (read_database): median {query_median:.3f} s  ({', '.join(f'{t:.2f}' for t in times['query'])})")
        ratio = query_median / csv_median
        print(f"  ratio query/CSV: {ratio:.2f}x (goal <= 1.5x): {'met' if ratio <= 1.5 else 'NOT met'}")


if __name__ == "__main__":
    main()
