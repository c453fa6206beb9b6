"""ELIX products: PDF operation summaries and conference reports (WeasyPrint). No Flask in this package.

Callers build a plain-dict context (see reports/context.py for its shape: never ORM objects) containing only
what the requesting user may see, and call `render_operation_summary(context)` or
`render_conference_report(context)` (reports/renderer.py), which render in a child process with time and
memory limits and a URL fetcher that serves only the package's own assets and data: URIs.
"""
