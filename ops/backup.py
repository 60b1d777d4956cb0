"""`make backup` and `make restore`: the database named by DATABASE_URL, to and from one file.

    ops/backup.py backup [--dir backups]     # PostgreSQL: pg_dump custom format (.dump); SQLite: .sqlite3
    ops/backup.py restore FILE               # into DATABASE_URL's database, which must be empty or absent

PostgreSQL is dumped with `pg_dump --format=custom` (compressed, restorable table by table, in parallel with
pg_restore --jobs) while the application keeps running: pg_dump reads one consistent snapshot. SQLite is
copied with SQLite's online backup API, page by page, consistent while other connections write. A restore
never overwrites data: it refuses a database that holds tables, so a restore goes into a fresh database
that the deployment is then pointed at.
"""

import argparse
import os
import sqlite3
import subprocess
import sys
from contextlib import closing
from datetime import UTC, datetime
from pathlib import Path

import environ

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_URL = f"sqlite:///{ROOT / 'db.sqlite3'}"


class Refused(Exception):
    """A backup or restore that must not go ahead; the message says why and what to do."""


def database_config(url: str) -> dict:
    config = environ.Env.db_url_config(url)
    if config["ENGINE"] not in ("django.db.backends.postgresql", "django.db.backends.sqlite3"):
        raise Refused(f"DATABASE_URL names a {config['ENGINE']} database; only PostgreSQL and SQLite are backed up.")
    return config


def pg_env(config: dict) -> dict:
    env = dict(os.environ)
    for variable, key in (("PGHOST", "HOST"), ("PGPORT", "PORT"), ("PGUSER", "USER"), ("PGPASSWORD", "PASSWORD")):
        if config.get(key):
            env[variable] = str(config[key])
    return env


def backup(url: str, folder: Path) -> Path:
    config = database_config(url)
    folder.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    name = Path(config["NAME"]).stem
    if config["ENGINE"].endswith("sqlite3"):
        source_path = Path(config["NAME"])
        if not source_path.exists():
            raise Refused(f"There is no SQLite database at {source_path}.")
        target = folder / f"{name}-{stamp}.sqlite3"
        # Written under a temporary name and renamed: a half-written backup never looks like a whole one.
        partial = target.with_suffix(".partial")
        with (
            closing(sqlite3.connect(f"file:{source_path}?mode=ro", uri=True)) as source,
            closing(sqlite3.connect(partial)) as copy,
        ):
            source.backup(copy)
        partial.rename(target)
        return target
    target = folder / f"{name}-{stamp}.dump"
    partial = target.with_suffix(".partial")
    command = ["pg_dump", "--format=custom", "--no-owner", "--no-privileges", f"--file={partial}", config["NAME"]]
    result = subprocess.run(command, env=pg_env(config), capture_output=True, text=True)
    if result.returncode != 0:
        partial.unlink(missing_ok=True)
        raise Refused(f"pg_dump failed: {result.stderr.strip()}")
    partial.rename(target)
    return target


def restore(url: str, file: Path) -> None:
    config = database_config(url)
    if not file.is_file():
        raise Refused(f"There is no backup file at {file}.")
    if config["ENGINE"].endswith("sqlite3"):
        restore_sqlite(Path(config["NAME"]), file)
    else:
        restore_postgres(config, file)


def restore_sqlite(target: Path, file: Path) -> None:
    with closing(sqlite3.connect(f"file:{file}?mode=ro", uri=True)) as source:
        try:
            source.execute("SELECT count(*) FROM django_migrations").fetchone()
        except sqlite3.DatabaseError as error:
            raise Refused(f"{file} is not a SAT Workbench SQLite backup ({error}).") from None
        if target.exists() and target.stat().st_size:
            with closing(sqlite3.connect(target)) as existing:
                tables = existing.execute("SELECT count(*) FROM sqlite_master WHERE type = 'table'").fetchone()[0]
            if tables:
                raise Refused(
                    f"{target} holds {tables} tables; a restore never overwrites a database. "
                    f"Restore into a new file (DATABASE_URL=sqlite:///path/new.sqlite3) and point the deployment at it."
                )
        with closing(sqlite3.connect(target)) as copy:
            source.backup(copy)


def restore_postgres(config: dict, file: Path) -> None:
    env = pg_env(config)
    name = config["NAME"]
    listing = subprocess.run(["pg_restore", "--list", str(file)], env=env, capture_output=True, text=True)
    if listing.returncode != 0:
        raise Refused(f"{file} is not a pg_dump custom-format backup: {listing.stderr.strip()}")
    exists = subprocess.run(
        ["psql", "-d", "postgres", "-tAc", f"SELECT 1 FROM pg_database WHERE datname = '{name}'"],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    if exists:
        tables = subprocess.run(
            ["psql", "-d", name, "-tAc", "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'"],
            env=env,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        if tables != "0":
            raise Refused(
                f"The database {name} holds {tables} tables; a restore never overwrites a database. "
                f"Restore into a new one (DATABASE_URL=postgres://…/new_name) and point the deployment at it."
            )
    else:
        subprocess.run(["createdb", name], env=env, capture_output=True, text=True, check=True)
    command = ["pg_restore", "--no-owner", "--no-privileges", "--exit-on-error", "--dbname", name, str(file)]
    result = subprocess.run(command, env=env, capture_output=True, text=True)
    if result.returncode != 0:
        raise Refused(f"pg_restore failed: {result.stderr.strip()}")


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    make = commands.add_parser("backup")
    make.add_argument("--dir", default=os.environ.get("BACKUP_DIR", str(ROOT / "backups")))
    take = commands.add_parser("restore")
    take.add_argument("file")
    args = parser.parse_args(argv)
    url = os.environ.get("DATABASE_URL") or DEFAULT_URL
    try:
        if args.command == "backup":
            print(backup(url, Path(args.dir)))
        else:
            restore(url, Path(args.file))
            print(f"restored {args.file} into {database_config(url)['NAME']}")
    except Refused as refusal:
        print(refusal, file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
