"""ELIX products: PDF operation summaries and conference reports (WeasyPrint). No Flask in this package.

Callers build a plain-dict context (see reports/context.py for its shape: never ORM objects) containing only
what the requesting user may see, and call `render_operation_summary(context)` or
`render_conference_report(context)` (reports/renderer.py), which render in a child process with time and
memory limits and a URL fetcher that serves only the package's own assets and data: URIs. A failed render
raises `reports.renderer.RenderError` with a message; `progress=callable(fraction, stage)` reports stages.

    renderer.py    the parent side: child processes from the fork server, limits, RenderError
    worker.py      the child side: memory limit, running the job, messages back to the parent
    assembly.py    WeasyPrint: body and annex parts (a helper process on multi-core machines), page numbers
    templating.py  Jinja (autoescaped, StrictUndefined) and the page CSS (marking, running titles)
    fetcher.py     the URL fetcher: `elix-asset:<name>` from assets/ and data: URIs, nothing else
    charts.py      SVG bar and column charts          map.py   the Caribbean map (assets/caribbean.json)
    formatting.py  how numbers, dates and markings are printed
    samples.py     synthetic contexts for tests, benchmarks and previews
    tools/build_map.py  rebuilds assets/caribbean.json from Natural Earth (world-atlas)
"""
