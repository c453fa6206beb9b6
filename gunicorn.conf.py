"""gunicorn settings read from the working directory (`make run`, `make serve`): each worker process
also runs a thread that works the product job queue (app.jobs.worker), a thread that moves its
reads' audit records into the chain (app.audit.journal; ELIX_AUDIT_JOURNAL=0 writes each at once),
on SQLite a thread that checkpoints the WAL (app.database.start_checkpoints) and, with the embedded
search backend, starts loading its in-memory columns in a thread. Set ELIX_JOB_THREAD=0 when
separate `flask jobs work` processes do the work."""
import os
import signal

# Threaded workers keep HTTP connections alive (sync workers close each one) and serve reads while a
# request waits for SQLite's write lock: at 8 clients they served 1.4-1.7x the requests of sync workers
# at the same or less CPU per request; the price is a longer create tail on SQLite (docs/benchmarks.md,
# "Where the time goes"). Two threads a worker on SQLite, whose work runs in the process and mostly
# holds the GIL: a worker holding 5-6 of 8 kept-alive connections answered detail reads at p95 16-18 ms
# with 2 threads, up to 22 ms with 4 (16 and 8 rounds, docs/benchmarks.md, session 7). Four on
# PostgreSQL, whose round trips they overlap: 2 threads served 360-383 reads/s there against 454-469.
# Override with GUNICORN_CMD_ARGS="--worker-class sync" or --threads N.
worker_class = "gthread"
threads = 4 if os.environ.get("DATABASE_URL", "").startswith(("postgresql", "postgres:")) else 2


def post_worker_init(worker):  # noqa: ANN001,ANN201
    _quit_once(worker)
    from app.database import start_checkpoints
    from app.extensions import db
    from app.search.services import load_in_background

    with worker.wsgi.app_context():
        start_checkpoints(db.engine)  # SQLite: checkpoints in a thread, not in a commit holding the write lock
    load_in_background(worker.wsgi)  # the embedded search index, in a thread (see there)
    if worker.wsgi.config["AUDIT_JOURNAL"]:
        from app.audit import journal

        journal.start_thread(worker.wsgi)  # reads' audit records, moved into the chain in batches
    if os.environ.get("ELIX_JOB_THREAD", "1") != "0":
        from app.jobs.worker import start_thread

        start_thread(worker.wsgi)


def worker_exit(server, worker):  # noqa: ANN001,ANN201
    if getattr(worker, "wsgi", None) is not None:
        from app.audit import journal

        journal.stop_thread(worker.wsgi)  # moves what is left, deletes the file
    if os.environ.get("ELIX_JOB_THREAD", "1") != "0" and getattr(worker, "wsgi", None) is not None:
        from app.jobs.worker import stop_thread

        stop_thread(worker.wsgi)


def _quit_once(worker) -> None:  # noqa: ANN001
    """Ctrl-C signals the master and its workers at once, and the master then signals them again. A second
    SIGINT or SIGQUIT that lands while the first one's handler holds the thread pool's lock (gthread's
    handle_quit -> ThreadPoolExecutor.shutdown) deadlocks the worker until the graceful timeout kills it,
    30 s later, without its exit hook (the audit journal is then moved only by the next start). The worker
    is leaving already: later quits are ignored."""
    leaving = []

    def handle_quit(sig, frame):  # noqa: ANN001,ANN202
        if leaving:
            return
        leaving.append(sig)
        worker.handle_quit(sig, frame)

    signal.signal(signal.SIGINT, handle_quit)
    signal.signal(signal.SIGQUIT, handle_quit)
