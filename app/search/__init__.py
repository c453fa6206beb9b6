"""The app's side of search: backend choice, source records from the ORM, the outbox, CLI, pages and API glue."""
