"""Extensions, created unbound here and bound to the app in app.create_app."""

import sqlite3
from contextvars import ContextVar
from datetime import UTC, datetime

from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect
from sqlalchemy import ARRAY, ColumnElement, DateTime, MetaData, String, any_, bindparam, event, func, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import DeclarativeBase
from sqlalchemy.types import TypeDecorator

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


db = SQLAlchemy(model_class=Base)
migrate = Migrate()
login_manager = LoginManager()
csrf = CSRFProtect()
limiter = Limiter(key_func=get_remote_address)


def utcnow() -> datetime:
    return datetime.now(UTC)


def on_postgresql() -> bool:
    return db.session.get_bind().dialect.name == "postgresql"


def made_on_this_database(object_, name, type_, reflected, compare_to) -> bool:
    """Alembic's filter, for autogenerate and the models' check: a model's index made on one kind of database only
    (`Index(...).ddl_if(dialect=...)`, which Alembic does not read) is not looked for on another."""
    made_only_on = getattr(getattr(object_, "_ddl_if", None), "dialect", None)
    return made_only_on is None or made_only_on == db.engine.dialect.name


def one_of(column, values) -> ColumnElement[bool]:
    """column IN values. On PostgreSQL the values go as one array parameter (= ANY): a name search's few hundred
    victims, each its own bound parameter, took longer to bind and send than the statement took to run."""
    if on_postgresql():
        return column == any_(bindparam(None, list(values), type_=ARRAY(column.type)))
    return column.in_(values)


def one_of_few(column, values) -> ColumnElement[bool]:
    """one_of for values known to be few (a name search's victims, a few hundred at most), to be looked up one by one
    through the column's index. On PostgreSQL as IN (SELECT unnest(array)): with = ANY the planner guessed from
    the values how many rows they match and, to fill a page sorted by another column, walked that column's index
    over the whole table instead (a name search whose victims' cases were old read nearly every case)."""
    if on_postgresql():
        return column.in_(select(func.unnest(bindparam(None, list(values), type_=ARRAY(column.type)))))
    return column.in_(values)


class UTCDateTime(TypeDecorator):
    """Stores naive UTC, returns aware UTC, so SQLite and PostgreSQL compare the same way."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("Datetimes stored in the database must be timezone-aware.")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value, dialect):
        return None if value is None else value.replace(tzinfo=UTC)


@event.listens_for(Engine, "connect")
def configure_sqlite_connection(dbapi_connection, connection_record):
    if not isinstance(dbapi_connection, sqlite3.Connection):
        return
    # Let SQLAlchemy's "begin" event issue BEGIN instead of pysqlite's own implicit one.
    dbapi_connection.isolation_level = None
    for pragma in (
        "PRAGMA journal_mode=WAL",
        "PRAGMA foreign_keys=ON",
        "PRAGMA busy_timeout=5000",
        "PRAGMA synchronous=FULL",
        "PRAGMA recursive_triggers=ON",  # so INSERT OR REPLACE cannot bypass the audit delete trigger
    ):
        dbapi_connection.execute(pragma)


# Set by transactions.reading_only: the transactions begun meanwhile may only read.
READING_ONLY = ContextVar("reading_only", default=False)


@event.listens_for(Engine, "begin")
def begin_transaction(connection):
    reading = READING_ONLY.get()
    if connection.dialect.name == "sqlite":
        begin_sqlite(connection, reading)
    elif reading:
        connection.exec_driver_sql("SET TRANSACTION READ ONLY")


def begin_sqlite(connection, reading: bool) -> None:
    # Nearly every request writes (session registry, audit trail). A deferred transaction that
    # reads and then writes gets SQLITE_BUSY at once in WAL mode, ignoring busy_timeout; so every
    # transaction takes the write lock at its start, except one that may only read: in WAL mode that
    # takes no lock at all, and query_only makes SQLite refuse any write in it. The pragma belongs to
    # the pooled connection, so it is set only when it changes.
    if connection.info.get("query_only", False) != reading:
        connection.exec_driver_sql(f"PRAGMA query_only = {int(reading)}")
        connection.info["query_only"] = reading
    connection.exec_driver_sql("BEGIN" if reading else "BEGIN IMMEDIATE")


class StrEnumType(TypeDecorator):
    """Stores a StrEnum as its value in a plain string column and loads it back as the enum."""

    impl = String
    cache_ok = True

    def __init__(self, enum_class, length: int = 40):
        super().__init__(length)
        self.enum_class = enum_class

    def process_bind_param(self, value, dialect):
        return None if value is None else self.enum_class(value).value

    def process_result_value(self, value, dialect):
        return None if value is None else self.enum_class(value)


# What kind of data each column holds (SECURITY D1), from most to least protected. The words are a contract
# the data inventory, retention and subject access read: special category (Art 9, incl. risk answers about
# abuse), criminal offence (Art 10), restricted (where she can be found or safely contacted), personal, and
# operational (ids, times, states, keys, hashes). Where a column could be two, it takes the more protective.
DATA_CLASSES = ("special", "criminal", "restricted", "personal", "operational")


def data_class(name: str) -> dict:
    """A column's `info`: `mapped_column(..., info=data_class("personal"))`; `column.info["class"]` holds it."""
    if name not in DATA_CLASSES:
        raise ValueError(f"{name!r} is not a data class: use one of {', '.join(DATA_CLASSES)}")
    return {"class": name}


def retention(kind: str) -> dict:
    """A table's retention kind, for `__table_args__`: one of the kinds in access/data/retention.json."""
    return {"info": {"retention": kind}}
