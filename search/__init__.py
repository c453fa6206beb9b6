"""ELIX search: one query model, two backends (Elasticsearch/OpenSearch and the embedded database backend).

No Flask in this package: callers pass the viewer (the sharing rule's facts), plain report documents and a
SQLAlchemy engine. See DESIGN.md "Search".
"""
