"""Database datasets: SQLite files made here and a real PostgreSQL server started on 127.0.0.1.

Every query is read-only, one SELECT/WITH statement, its parameters bound; every problem is one
located line; a password never reaches any output or the manifest."""

from __future__ import annotations

import csv
import glob
import io
import json
import os
import shutil
import socket
import sqlite3
import subprocess
import tempfile
from pathlib import Path

import pytest

PASSWORD = "Pw-7f3kq-secret"
SPEC = "specs/h.yaml"


def _spec(origin: str, query: str = "select client, bond, weight_pct from holdings where client = :client",
          params: str = "{client: Acme}", extra_sections: str = "", columns: str = "{weight_pct: number}",
          delivery: str = "") -> str:
    return f"""\
title: Holdings
date: 2026-07-15
brand: ../assets/brand.yml
checks: {{disclosures: not-research}}
data:
  sources: ../data/grid-storage/sources.yaml
  holdings:
    {origin}
    query: {query}
    params: {params}
    source: illustrative-projects
    as_of: 2026-07-01
    columns: {columns}
sections:
  - type: table
    title: Holdings
    table: holdings
{extra_sections}  - type: sources
{delivery}"""


SQLITE = "database: ../data/holdings.db"
ROWS = [("Acme", "BR 2031", 12.5), ("Acme", "MX 2029", 7.25), ("Zeta", "CO 2033", 3.1), ("Zeta", "PE 2030", 44.0)]


def _sqlite(project: Path, rows=ROWS, name: str = "holdings.db") -> Path:
    path = project / "data" / name
    path.unlink(missing_ok=True)
    with sqlite3.connect(path) as db:
        db.execute("create table holdings (client text, bond text, weight_pct)")
        db.executemany("insert into holdings values (?, ?, ?)", rows)
    db.close()
    return path


def _write(project: Path, text: str) -> None:
    (project / SPEC).write_text(text, "utf-8")


def _at(project: Path, needle: str, occurrence: int = 1) -> str:
    """``SPEC:LINE:COL`` of the start of ``needle`` in the spec."""
    text = (project / SPEC).read_text("utf-8")
    index = -1
    for _ in range(occurrence):
        index = text.index(needle, index + 1)
    line = text.count("\n", 0, index) + 1
    return f"{SPEC}:{line}:{index - (text.rfind(chr(10), 0, index) + 1) + 1}"


def _errors(result) -> list[str]:
    return [line for line in result.stderr.splitlines() if "warning:" not in line and "error(s)" not in line and line.strip()]


@pytest.fixture
def db_project(project: Path) -> Path:
    _sqlite(project)
    return project


# -- SQLite ---------------------------------------------------------------------------------------

def test_an_sqlite_query_becomes_a_table_section_and_a_chart(db_project: Path, cli):
    chart = "  - {type: chart, kind: bar, title: Weights, table: holdings, x: bond, y: weight_pct}\n"
    _write(db_project, _spec(SQLITE, extra_sections=chart))
    result = cli("build", SPEC, cwd=db_project)
    assert result.code == 0, result.stderr
    from pdfread import squash, text_of

    text = squash(text_of(db_project / "dist" / "h.pdf"))
    assert "BR 2031 12.5" in text and "MX 2029 7.25" in text
    assert "CO 2033" not in text, "the param selected Acme's rows only"
    assert "Weights" in text
    manifest = json.loads((db_project / "dist" / "h.manifest.json").read_text())
    [record] = manifest["datasets"]
    assert record["name"] == "holdings" and record["database"] == "data/holdings.db"
    assert record["params"] == {"client": "Acme"} and record["rows"] == 2 and len(record["rows_sha256"]) == 64
    assert record["query"].startswith("select client")
    sources = [r for r in manifest["datasets"] if r["name"] == "holdings"]
    assert sources


@pytest.mark.parametrize("query, said", [
    ("update holdings set weight_pct = 0", "not UPDATE: deckgen only reads"),
    ("insert into holdings values ('X', 'Y', 1)", "not INSERT: deckgen only reads"),
    ("select 1; delete from holdings", "more than one statement"),
    ("/* select */ delete from holdings", "not DELETE: deckgen only reads"),
])
def test_a_statement_that_is_not_one_select_is_refused_before_it_runs(db_project: Path, cli, query, said):
    _write(db_project, _spec(SQLITE, query=f'"{query}"', params="{}"))
    result = cli("validate", SPEC, cwd=db_project)
    assert result.code == 1
    [error] = _errors(result)
    assert error.startswith(f"{_at(db_project, chr(34) + query)}: dataset 'holdings': "), error
    assert said in error
    with sqlite3.connect(db_project / "data" / "holdings.db") as db:
        assert db.execute("select count(*), sum(weight_pct) from holdings").fetchone() == (4, 66.85)


def test_a_write_hidden_in_a_with_statement_is_refused_by_sqlite(db_project: Path, cli):
    query = "with x as (select 1) insert into holdings select 'X', 'Y', 1 from x"
    _write(db_project, _spec(SQLITE, query=f'"{query}"', params="{}"))
    result = cli("validate", SPEC, cwd=db_project)
    assert result.code == 1
    [error] = _errors(result)
    assert error.startswith(f"{_at(db_project, chr(34) + query)}: dataset 'holdings': the database refused the query: "), error
    assert "readonly" in error.replace("-", "").replace(" ", "") or "read only" in error
    with sqlite3.connect(db_project / "data" / "holdings.db") as db:
        assert db.execute("select count(*) from holdings").fetchone() == (4,)


def test_a_missing_table_is_located_at_the_query(db_project: Path, cli):
    _write(db_project, _spec(SQLITE, query="select * from holdngs", params="{}"))
    result = cli("validate", SPEC, cwd=db_project)
    assert _errors(result) == [f"{_at(db_project, 'select * from holdngs')}: dataset 'holdings': the database refused the "
                               "query: no such table: holdngs"]
    assert "Traceback" not in result.stderr


def test_a_bad_cell_is_located_with_its_row_and_column(db_project: Path, cli):
    _sqlite(db_project, ROWS[:1] + [("Acme", "MX 2029", "abc")])
    _write(db_project, _spec(SQLITE))
    result = cli("validate", SPEC, cwd=db_project)
    assert _errors(result) == [f"{_at(db_project, 'select client')}: dataset 'holdings', row 2, column 'weight_pct': "
                               "'abc' is not a number"]


def test_params_are_bound_so_an_injection_stays_data(db_project: Path, cli):
    _write(db_project, _spec(SQLITE, params="{client: \"x' or '1'='1\"}"))
    result = cli("build", SPEC, cwd=db_project)
    # no row has that client: the table section has nothing to show (it would show every row if formatted in)
    assert result.code == 1
    assert "table 'holdings' has no rows to show" in result.stderr
    with sqlite3.connect(db_project / "data" / "holdings.db") as db:
        db.execute("insert into holdings values (?, 'ZZ 2040', 1)", ("x' or '1'='1",))
    result = cli("build", SPEC, cwd=db_project)
    assert result.code == 0, result.stderr
    from pdfread import squash, text_of

    text = squash(text_of(db_project / "dist" / "h.pdf"))
    assert "ZZ 2040" in text and "BR 2031" not in text


def test_a_query_name_without_a_param_and_an_unused_param_are_located(db_project: Path, cli):
    _write(db_project, _spec(SQLITE, params="{other: 1}"))
    result = cli("validate", SPEC, cwd=db_project)
    assert _errors(result) == [f"{_at(db_project, 'select client')}: dataset 'holdings': the query uses :client, which "
                               "params does not give; add params: {client: ...} to the dataset"]
    _write(db_project, _spec(SQLITE, params="{client: Acme, region: EU}"))
    result = cli("validate", SPEC, cwd=db_project)
    assert _errors(result) == [f"{_at(db_project, 'EU')}: dataset 'holdings': param 'region' is not used by the query; "
                               "the query's parameters: :client"]


def test_the_row_limit_is_enforced_while_fetching(db_project: Path, cli, monkeypatch):
    import deckgen.sources.database as database

    monkeypatch.setattr(database, "MAX_ROWS", 3)
    _write(db_project, _spec(SQLITE, query="select * from holdings", params="{}"))
    result = cli("validate", SPEC, cwd=db_project)
    assert _errors(result) == [f"{_at(db_project, 'select * from holdings')}: dataset 'holdings': the query returns more "
                               "than 3 rows; aggregate in the query (GROUP BY) or narrow its WHERE"]


def test_a_long_query_is_stopped_by_the_timeout(db_project: Path, cli, monkeypatch):
    import deckgen.sources.database as database

    monkeypatch.setattr(database, "TIMEOUT_SECONDS", 0.5)
    slow = ("with recursive n(i) as (select 1 union all select i + 1 from n where i < 100000000) "
            "select count(*) as c from n")
    _write(db_project, _spec(SQLITE, query=f'"{slow}"', params="{}", columns="{}"))
    result = cli("validate", SPEC, cwd=db_project)
    assert _errors(result) == [f"{_at(db_project, chr(34) + slow)}: dataset 'holdings': the query ran longer than 0.5 s and was "
                               "stopped; make it cheaper (an index, a narrower WHERE) or aggregate ahead of time"]


def test_a_file_that_is_not_sqlite_or_is_missing_or_outside(db_project: Path, cli, tmp_path_factory):
    (db_project / "data" / "fake.db").write_text("name,value\n")
    _write(db_project, _spec("database: ../data/fake.db"))
    result = cli("validate", SPEC, cwd=db_project)
    assert _errors(result) == [f"{_at(db_project, '../data/fake.db')}: dataset 'holdings': data/fake.db is not an SQLite "
                               "database; database: is for an SQLite file; for another database use url_env:"]
    _write(db_project, _spec("database: ../data/nothing.db"))
    assert _errors(cli("validate", SPEC, cwd=db_project)) == [
        f"{_at(db_project, '../data/nothing.db')}: dataset 'holdings': database file not found: ../data/nothing.db"]
    elsewhere = tmp_path_factory.mktemp("elsewhere")
    shutil.copy(db_project / "data" / "holdings.db", elsewhere / "h.db")
    _write(db_project, _spec(f"database: {elsewhere / 'h.db'}"))
    [error] = _errors(cli("validate", SPEC, cwd=db_project))
    assert "dataset 'holdings': the database points outside the project" in error


def test_if_changed_rebuilds_after_a_database_change_only(db_project: Path, cli):
    _write(db_project, _spec(SQLITE))
    assert cli("build", SPEC, cwd=db_project).code == 0
    result = cli("build", SPEC, "--if-changed", cwd=db_project)
    assert result.code == 0 and "unchanged" in result.stdout + result.stderr
    with sqlite3.connect(db_project / "data" / "holdings.db") as db:  # a row the query does not read: same rows
        db.execute("update holdings set weight_pct = 5 where client = 'Zeta'")
    result = cli("build", SPEC, "--if-changed", cwd=db_project)
    assert "unchanged" in result.stdout + result.stderr
    with sqlite3.connect(db_project / "data" / "holdings.db") as db:
        db.execute("update holdings set weight_pct = 13.5 where bond = 'BR 2031'")
    result = cli("build", SPEC, "--if-changed", cwd=db_project)
    assert result.code == 0 and "unchanged" not in result.stdout + result.stderr
    from pdfread import squash, text_of

    assert "BR 2031 13.5" in squash(text_of(db_project / "dist" / "h.pdf"))
    assert "unchanged" in (lambda r: r.stdout + r.stderr)(cli("build", SPEC, "--if-changed", cwd=db_project))


def test_snapshot_writes_what_each_dataset_read_and_never_over_a_foreign_file(db_project: Path, cli):
    (db_project / "data" / "extra.csv").write_text("when,level\n2026-06-30,1.50\n2026-07-01,2\n")
    text = _spec(SQLITE).replace("sections:", "  extra:\n    path: ../data/extra.csv\n    source: illustrative-capacity\n"
                                              "    as_of: 2026-07-01\nsections:")
    text = text.replace("  - type: sources", "  - {type: table, title: Extra, table: extra}\n  - type: sources")
    _write(db_project, text)
    result = cli("build", SPEC, "--snapshot", cwd=db_project)
    assert result.code == 0, result.stderr
    folder = db_project / "dist" / "h.snapshot"
    with open(folder / "holdings.csv", newline="") as handle:
        assert list(csv.reader(handle)) == [["client", "bond", "weight_pct"], ["Acme", "BR 2031", "12.5"], ["Acme", "MX 2029", "7.25"]]
    assert (folder / "extra.csv").read_text() == "when,level\n2026-06-30,1.50\n2026-07-01,2\n"
    assert cli("build", SPEC, "--snapshot", cwd=db_project).code == 0, "its own files are replaced"
    (folder / "holdings.csv").write_text("someone else's file\n")
    result = cli("build", SPEC, "--snapshot", cwd=db_project)
    assert result.code == 1
    assert "--snapshot: dist/h.snapshot/holdings.csv exists and was not written by deckgen" in result.stderr
    assert (folder / "holdings.csv").read_text() == "someone else's file\n"


def test_set_overrides_a_param(db_project: Path, cli):
    _write(db_project, _spec(SQLITE))
    result = cli("build", SPEC, "--set", "data.holdings.params.client=Zeta", cwd=db_project)
    assert result.code == 0, result.stderr
    from pdfread import squash, text_of

    text = squash(text_of(db_project / "dist" / "h.pdf"))
    assert "CO 2033 3.1" in text and "BR 2031" not in text


def test_validate_and_help_do_not_import_the_heavy_parts(db_project: Path):
    import sys

    _write(db_project, _spec(SQLITE))
    code = ("import sys\nfrom typer.testing import CliRunner\nfrom deckgen.cli import app\n"
            "r = CliRunner().invoke(app, ['validate', 'specs/h.yaml'])\nassert r.exit_code == 0, r.output\n"
            "print(sorted(m for m in ('matplotlib', 'reportlab', 'sqlalchemy') if m in sys.modules))\n"
            "r = CliRunner().invoke(app, ['--help'])\n")
    done = subprocess.run([sys.executable, "-c", code], cwd=db_project, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "['sqlalchemy']"
    done = subprocess.run([sys.executable, "-c", "import sys\nimport deckgen.cli\n"
                           "print([m for m in ('sqlalchemy', 'matplotlib', 'reportlab') if m in sys.modules])"],
                          capture_output=True, text=True, timeout=60)
    assert done.stdout.strip() == "[]", done.stderr


# -- per-recipient params through send -----------------------------------------------------------

DELIVERY = """\
delivery:
  subject: "{{ title }}"
  body: |
    Dear {{ name }},

    Your holdings are attached.
  recipients:
    - {email: desk@example.com, name: Desk}
"""


def test_each_recipient_gets_their_own_holdings_and_one_without_rows_is_not_sent(db_project: Path, cli, smtp):
    _write(db_project, _spec(SQLITE, delivery=DELIVERY))
    (db_project / "clients.csv").write_text("email,name,data.holdings.params.client\nann@example.com,Ann,Acme\n"
                                            "zed@example.com,Zed,Zeta\nnix@example.com,Nix,Nobody\n")
    result = cli("send", SPEC, "--recipients", "clients.csv", cwd=db_project)
    reported = result.stdout + result.stderr
    assert result.code == 4, reported
    from pdfread import squash, text_of

    texts = {}
    for received in smtp.received:
        [address] = received.rcpt_tos
        [pdf] = [part.get_content() for part in received.message.iter_attachments()]
        path = db_project / f"{address}.pdf"
        path.write_bytes(pdf)
        texts[address] = squash(text_of(path))
    assert sorted(texts) == ["ann@example.com", "zed@example.com"]
    assert "BR 2031 12.5" in texts["ann@example.com"] and "CO 2033" not in texts["ann@example.com"]
    assert "CO 2033 3.1" in texts["zed@example.com"] and "BR 2031" not in texts["zed@example.com"]
    assert "nix@example.com" in reported and "table 'holdings' has no rows to show" in reported


# -- PostgreSQL -----------------------------------------------------------------------------------

def _pg_bin() -> Path | None:
    found = shutil.which("pg_ctl")
    if found and shutil.which("initdb", path=str(Path(found).parent)):
        return Path(found).parent
    for folder in sorted(glob.glob("/usr/lib/postgresql/*/bin"), key=lambda f: int(f.split("/")[-2]) if f.split("/")[-2].isdigit() else 0, reverse=True):
        if os.access(Path(folder) / "pg_ctl", os.X_OK) and os.access(Path(folder) / "initdb", os.X_OK):
            return Path(folder)
    return None


@pytest.fixture(scope="module")
def postgres():
    """A PostgreSQL server of its own on 127.0.0.1 (trust auth; the test user has a password, which the URL
    carries so that its masking is tested), with a holdings table; stopped at the end."""
    binaries = _pg_bin()
    if binaries is None:
        reason = ("PostgreSQL server binaries (initdb, pg_ctl) not found on PATH or in /usr/lib/postgresql/*/bin: "
                  "install Debian's postgresql package (.ci/run does)")
        if os.environ.get("CI") == "true":
            pytest.fail(reason)
        pytest.skip(reason)
    import psycopg

    folder = Path(tempfile.mkdtemp(prefix="deckgen-pg-"))
    prefix: list[str] = []
    if os.geteuid() == 0:  # the server refuses to run as root: run it as an unprivileged user
        import pwd

        user = next((name for name in ("postgres", "nobody") if _has_user(name)), None)
        entry = pwd.getpwnam(user)
        os.chown(folder, entry.pw_uid, entry.pw_gid)
        prefix = ["runuser", "-u", user, "--"] if shutil.which("runuser") else ["setpriv", f"--reuid={entry.pw_uid}",
                                                                                 f"--regid={entry.pw_gid}", "--clear-groups"]
    data = folder / "data"
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    subprocess.run([*prefix, str(binaries / "initdb"), "-D", str(data), "-U", "admin", "--auth=trust", "-E", "UTF8",
                    "--locale=C"], check=True, capture_output=True, timeout=120)
    subprocess.run([*prefix, str(binaries / "pg_ctl"), "-D", str(data), "-l", str(folder / "log"), "-w", "-t", "60",
                    "-o", f"-p {port} -k {folder} -c listen_addresses=127.0.0.1 -c fsync=off", "start"],
                   check=True, capture_output=True, timeout=120)
    try:
        with psycopg.connect(host="127.0.0.1", port=port, user="admin", dbname="postgres", autocommit=True) as admin:
            admin.execute(f"create role reader login password '{PASSWORD}'")
            admin.execute("create database desk owner reader")
        with psycopg.connect(host="127.0.0.1", port=port, user="reader", dbname="desk", autocommit=True) as db:
            db.execute("create table holdings (client text, bond text, weight_pct numeric, settled timestamptz)")
            for client, bond, weight in ROWS:
                db.execute("insert into holdings values (%s, %s, %s, '2026-06-30 16:00+00')", (client, bond, weight))
        yield f"postgresql+psycopg://reader:{PASSWORD}@127.0.0.1:{port}/desk", port
    finally:
        subprocess.run([*prefix, str(binaries / "pg_ctl"), "-D", str(data), "-m", "fast", "-w", "stop"],
                       capture_output=True, timeout=120)
        shutil.rmtree(folder, ignore_errors=True)


def _has_user(name: str) -> bool:
    import pwd

    try:
        pwd.getpwnam(name)
        return True
    except KeyError:
        return False


PG = "url_env: DESK_DB_URL"


def _everything(project: Path, result) -> str:
    shown = result.stdout + result.stderr
    for path in (project / "dist").rglob("*"):
        if path.is_file() and path.suffix in (".json", ".csv"):
            shown += path.read_text("utf-8", "replace")
    return shown


def test_postgres_through_url_env_builds_and_records_the_masked_url(project: Path, cli, postgres, monkeypatch):
    url, port = postgres
    monkeypatch.setenv("DESK_DB_URL", url)
    _write(project, _spec(PG, query="select bond, weight_pct, settled from holdings where client = :client order by bond",
                          columns="{weight_pct: number, settled: datetime}"))
    result = cli("build", SPEC, "--snapshot", cwd=project)
    assert result.code == 0, result.stderr
    from pdfread import squash, text_of

    text = squash(text_of(project / "dist" / "h.pdf"))
    assert "BR 2031 12.5" in text and "MX 2029 7.25" in text and "CO 2033" not in text
    manifest = json.loads((project / "dist" / "h.manifest.json").read_text())
    [record] = manifest["datasets"]
    assert record["url"] == f"postgresql+psycopg://reader:***@127.0.0.1:{port}/desk"
    assert record["url_env"] == "DESK_DB_URL" and record["rows"] == 2
    assert PASSWORD not in _everything(project, result)


@pytest.mark.parametrize("query, said", [
    ("select * from nowhere", 'the database refused the query: relation "nowhere" does not exist'),
    ("with gone as (delete from holdings returning *) select * from gone",
     "the database refused the query: cannot execute SELECT in a read-only transaction"),
    ("select pg_sleep(5)", "the query ran longer than 0.5 s and was stopped"),
    # a backslash escape PostgreSQL reads inside E'...' would hide a ';' (and a COMMIT) from the scan
    ("select bond from holdings where client = E'\\\\'' or true; commit; delete from holdings; --'",
     "the query holds a backslash: give values as params (:name), not as escaped strings in the query"),
])
def test_postgres_refusals_are_located_at_the_query(project: Path, cli, postgres, monkeypatch, query, said):
    import deckgen.sources.database as database

    monkeypatch.setattr(database, "TIMEOUT_SECONDS", 0.5)
    url, port = postgres
    monkeypatch.setenv("DESK_DB_URL", url)
    _write(project, _spec(PG, query=f'"{query}"', params="{}", columns="{}"))
    result = cli("validate", SPEC, cwd=project)
    [error] = _errors(result)
    assert error.startswith(f"{_at(project, chr(34) + query)}: dataset 'holdings': {said}"), error
    assert PASSWORD not in result.stdout + result.stderr
    import psycopg

    with psycopg.connect(host="127.0.0.1", port=port, user="reader", dbname="desk") as db:
        assert db.execute("select count(*) from holdings").fetchone() == (4,)


def test_a_missing_or_bad_url_and_a_refused_connection_are_located_at_url_env(project: Path, cli, postgres, monkeypatch):
    url, port = postgres
    _write(project, _spec(PG))
    monkeypatch.delenv("DESK_DB_URL", raising=False)
    where = _at(project, "DESK_DB_URL")
    assert _errors(cli("validate", SPEC, cwd=project)) == [
        f"{where}: dataset 'holdings': environment variable DESK_DB_URL is not set; set DESK_DB_URL to the database's "
        "SQLAlchemy URL, e.g. postgresql+psycopg://user@host/db"]
    monkeypatch.setenv("DESK_DB_URL", f"not a url {PASSWORD}")
    result = cli("validate", SPEC, cwd=project)
    assert _errors(result) == [f"{where}: dataset 'holdings': environment variable DESK_DB_URL does not hold a database "
                               "URL; use a SQLAlchemy URL: dialect+driver://user:password@host:port/database"]
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed = probe.getsockname()[1]
    monkeypatch.setenv("DESK_DB_URL", url.replace(f":{port}/", f":{closed}/"))
    result = cli("validate", SPEC, cwd=project)
    [error] = _errors(result)
    assert error.startswith(f"{where}: dataset 'holdings': cannot connect to postgresql+psycopg://reader:***@127.0.0.1:"
                            f"{closed}/desk: "), error
    assert PASSWORD not in result.stdout + result.stderr and "Traceback" not in result.stderr


def test_a_postgres_session_is_read_only_even_after_a_commit(postgres):
    """Whatever reached the server, its session cannot write: read-only is the session's default, not
    only the first transaction's."""
    import sqlalchemy
    from sqlalchemy.pool import NullPool

    from deckgen.sources.database import _connect_args

    url, port = postgres
    engine = sqlalchemy.create_engine(url, poolclass=NullPool, **_connect_args(sqlalchemy.engine.make_url(url)))
    with engine.connect() as connection:
        connection.commit()
        with pytest.raises(sqlalchemy.exc.DBAPIError, match="read-only transaction"):
            connection.execute(sqlalchemy.text("delete from holdings"))
    engine.dispose()


def test_a_text_param_set_per_edition_stays_the_text_typed(project: Path, cli):
    """Client 00123 is not client 123: a param the spec gives as text keeps its leading zeros."""
    _sqlite(project, rows=[("00123", "BR 2031", 12.5), ("123", "MX 2029", 7.25)])
    _write(project, _spec(SQLITE))
    result = cli("build", SPEC, "--set", "data.holdings.params.client=00123", cwd=project)
    assert result.code == 0, result.stderr
    from pdfread import squash, text_of

    text = squash(text_of(project / "dist" / "h.pdf"))
    assert "BR 2031 12.5" in text and "MX 2029" not in text
    [record] = json.loads((project / "dist" / "h.manifest.json").read_text())["datasets"]
    assert record["params"] == {"client": "00123"}


def test_a_dataset_name_is_a_name_never_a_path(project: Path, cli):
    _sqlite(project)
    _write(project, _spec(SQLITE).replace("  holdings:\n", "  ../../escaped:\n", 1).replace("table: holdings", "table: ../../escaped"))
    result = cli("build", SPEC, "--snapshot", cwd=project)
    assert result.code == 1
    assert "data: dataset name '../../escaped' must start with a letter or _ and use only letters, digits, _ and -" in result.stderr
    assert not (project.parent / "escaped.csv").exists()


def test_a_colon_in_a_string_literal_or_a_comment_is_text_not_a_param(db_project: Path, cli):
    query = "\"select client, bond, weight_pct from holdings where client = :client and bond != 'XX :nope' -- :neither\""
    _write(db_project, _spec(SQLITE, query=query))
    result = cli("build", SPEC, cwd=db_project)
    assert result.code == 0, result.stderr
    from pdfread import squash, text_of

    assert "BR 2031 12.5" in squash(text_of(db_project / "dist" / "h.pdf"))
