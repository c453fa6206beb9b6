"""The embedded backend's own tables: derived data, rebuilt from the reports at any time.

They live outside the app's models (search/ has no Flask) and are created by the migration
0002_search: `search_documents` (one row per report: filter columns and the hit's display data),
`search_items` (canonical quantities for totals and the quantity filter), `search_batches` (a change
stamp per indexing batch, so each process knows when its in-memory columns are stale), and the text
index: the FTS5 table `search_fts` on SQLite, `search_text` with a GIN-indexed tsvector on PostgreSQL.
"""
from __future__ import annotations

from sqlalchemy import (BigInteger, Boolean, Column, DateTime, Float, ForeignKey, Index, Integer, MetaData, String,
                        Table, Text)
from sqlalchemy.dialects.postgresql import TSVECTOR

metadata = MetaData()

documents = Table(
    "search_documents", metadata,
    Column("doc_no", Integer, primary_key=True),
    Column("id", String(36), nullable=False, unique=True),
    Column("version", Integer, nullable=False),
    Column("seq", Integer, nullable=False, index=True),
    Column("live", Boolean, nullable=False),
    Column("organisation_id", Integer, nullable=False),
    Column("organisation", String(16), nullable=False),
    Column("status", String(16), nullable=False),
    Column("validation", String(16)),  # added by migration 0006_validation
    Column("distribution", String(16), nullable=False),
    Column("country", String(2), nullable=False),
    Column("transport_mode", String(16)),
    Column("seized_ts", BigInteger, nullable=False),
    Column("month", String(7), nullable=False),
    # Multi-valued facets, space separated (codes never contain spaces).
    Column("categories", Text, nullable=False),
    Column("subcategories", Text, nullable=False),
    Column("route_countries", Text, nullable=False),
    Column("detection_methods", Text, nullable=False),
    Column("concealment_methods", Text, nullable=False),
    Column("operations", Text, nullable=False),
    Column("operation_ids", Text, nullable=False),
    Column("max_quantity", Float, nullable=False),
    Column("display", Text, nullable=False),  # JSON: what a hit shows and highlights (never persons)
)

items = Table(
    "search_items", metadata,
    Column("id", Integer, primary_key=True),
    Column("doc_no", Integer, ForeignKey("search_documents.doc_no", ondelete="CASCADE"), nullable=False),
    Column("category", String(16), nullable=False),
    Column("subcategory", String(24)),
    Column("unit", String(20), nullable=False),
    Column("quantity", Float, nullable=False),
    Index("ix_search_items_doc_no", "doc_no"),
)

batches = Table(
    "search_batches", metadata,
    Column("seq", Integer, primary_key=True),
    Column("stamp", String(32), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
)

# PostgreSQL only (SQLite uses the FTS5 table below instead).
pg_text = Table(
    "search_text", metadata,
    Column("doc_no", Integer, ForeignKey("search_documents.doc_no", ondelete="CASCADE"), primary_key=True),
    Column("tsv", TSVECTOR, nullable=False),
    Index("ix_search_text_tsv", "tsv", postgresql_using="gin"),
)

FTS_TABLE = "search_fts"
CREATE_FTS = (f"CREATE VIRTUAL TABLE {FTS_TABLE} USING fts5(stems, raw, persons, "
              "tokenize='unicode61 remove_diacritics 2')")


def owns_table(name: str) -> bool:
    """Tables of the embedded backend (FTS5 shadow tables included): not app models, so a
    models-vs-migrations drift check must leave them out."""
    return name.startswith("search_") and name != "search_outbox"
