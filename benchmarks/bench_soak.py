"""Soak: 50 simulated users for five minutes against the app as `make run` serves it (the demo data
loaded), then a check of the database that nothing was lost or duplicated.

25 officers (five in each of five administrations, so reference counters are shared but no report
is edited by two users) create reports with items and routes, edit their own drafts and submitted
reports with PATCH and the version they last read, submit them and list their organisation's reports.
25 analysts (JIO, RILO-CAR and three administrations) search with varied text, filters and facets,
read the detail of a hit, export a filtered CSV, read operation figures and now and then (one action
in twenty) request an operation summary, polling the job until the PDF is there and downloading it.
Every user waits 0.5–2 s (seeded) between actions and has its own token and keep-alive session.

Any 5xx, 4xx or connection error is an error. At the end the database is read directly: every
acknowledged create (201) is there exactly once, the soak users own no report that was not
acknowledged, references are unique and gap-free per organisation and year, and every product job
is done. ELIX_BENCH_SOAK_SECONDS shortens the run (default 300).
"""
from __future__ import annotations

import json
import os
import random
import subprocess
import sys
import threading
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone

import requests
from sqlalchemy import bindparam, create_engine, text

from benchmarks.common import Context, Row
from tests.factories import report_payload
from tests.live import BIN, ROOT

SECONDS = float(os.environ.get("ELIX_BENCH_SOAK_SECONDS", "300"))
OFFICER_ORGS = ("JM", "TT", "BB", "KN", "KY")
ANALYST_ORGS = ("JIO", "RILO-CAR", "JM", "TT", "BB")
PER_ORG = 5  # users of each kind per organisation: 25 officers, 25 analysts
THINK_SECONDS = (0.5, 2.0)
PRODUCT_WAIT_SECONDS = 300
SEED = 1
GOAL = "0 errors, 0 lost, 0 duplicated"

_SETUP = """
import json, sys
from app import create_app
from app.database import write_intent
from app.extensions import db
from app.users import services
app = create_app()
tokens = {}
with app.app_context(), write_intent():
    for email, org, role in json.loads(sys.argv[1]):
        user = services.create_user(email, org, [role], None)
        tokens[email] = services.create_token(user, "soak")[1]
    db.session.commit()
print(json.dumps(tokens))
"""

ITEMS = (
    {"category": "tobacco", "subcategory": "cigarettes", "description": "Counterfeit cigarettes", "unit": "cartons"},
    {"category": "firearms", "subcategory": "pistol", "description": "9 mm pistols in a barrel", "unit": "pieces"},
    {"category": "ammunition", "description": "9 mm rounds", "unit": "rounds"},
    {"category": "fuel", "subcategory": "diesel", "description": "Undeclared diesel", "unit": "gallons_us"},
    {"category": "drugs", "subcategory": "cocaine", "description": "Cocaine bricks", "unit": "kg"},
)
COUNTRIES = ("PA", "DO", "US", "CO", "VE", "BS", "HT", "GY", "SR", "CW")
WORDS = ("cigarettes", "pistol", "container", "diesel", "cocaine", "barrel", "courier", "vessel",
         '"risk profiling"', "ammunition OR rounds", "counterfeit -marlboro", "contain*", "kingston")
FILTERS = {"category": ("tobacco", "firearms", "ammunition", "fuel", "drugs"),
           "country": ("JM", "TT", "BB", "KN", "KY", "BS", "DO"),
           "transport_mode": ("sea", "air", "road", "postal"),
           "status": ("submitted", "validated")}


@dataclass
class Tally:
    """What one simulated user saw; merged after the run."""

    latencies: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    errors: dict[str, Counter] = field(default_factory=lambda: defaultdict(Counter))
    samples: list[str] = field(default_factory=list)
    created: dict[str, str] = field(default_factory=dict)  # id -> reference, acknowledged with 201
    jobs: list[str] = field(default_factory=list)

    def error(self, action: str, what: str, detail: str) -> None:
        self.errors[action][what] += 1
        if len(self.samples) < 5:
            self.samples.append(f"{action}: {what} {detail[:200]}")


class SimulatedUser:
    def __init__(self, ctx: Context, email: str, token: str, org: str, seed: int, deadline: float) -> None:
        self.url, self.email, self.org, self.deadline = ctx.url, email, org, deadline
        self.session = ctx.session(token)
        self.rng = random.Random(seed)
        self.tally = Tally()

    def call(self, action: str, method: str, path: str, expect: int = 200, **kwargs) -> requests.Response | None:
        started = time.perf_counter()
        try:
            response = self.session.request(method, self.url + path, timeout=120, **kwargs)
        except requests.RequestException as exc:
            self.tally.error(action, type(exc).__name__, str(exc))
            return None
        self.tally.latencies[action].append((time.perf_counter() - started) * 1000)
        if response.status_code != expect:
            self.tally.error(action, str(response.status_code), response.text)
            return None
        return response

    def run(self) -> None:
        try:
            while time.monotonic() < self.deadline:
                self.step()
                time.sleep(self.rng.uniform(*THINK_SECONDS))
        except Exception as exc:  # noqa: BLE001 - a broken user is an error of the run, not a crash of it
            self.tally.error("user", type(exc).__name__, repr(exc))
        finally:
            self.session.close()


class Officer(SimulatedUser):
    def __init__(self, *args, **kwargs) -> None:  # noqa: ANN002,ANN003
        super().__init__(*args, **kwargs)
        self.reports: list[str] = []  # own reports, never edited by anyone else
        self.drafts: list[str] = []

    def step(self) -> None:
        roll = self.rng.random()
        if not self.reports or roll < 0.35:
            self.create()
        elif roll < 0.75:
            self.edit(self.rng.choice(self.reports))
        elif roll < 0.9 and self.drafts:
            report_id = self.drafts.pop(self.rng.randrange(len(self.drafts)))
            self.call("POST /seizures/<id>/submit", "POST", f"/api/v1/seizures/{report_id}/submit")
        else:
            self.call("GET /seizures (own organisation)", "GET", "/api/v1/seizures",
                      params={"organisation": self.org, "per_page": 20})

    def payload(self) -> dict:
        rng = self.rng
        items = [dict(item, quantity=rng.randint(1, 400)) for item in rng.sample(ITEMS, rng.randint(1, 3))]
        seized = datetime.now(timezone.utc) - timedelta(days=rng.randint(1, 300), minutes=rng.randint(0, 1440))
        route = [{"role": "departure", "country": rng.choice(COUNTRIES)},
                 {"role": "transit", "country": rng.choice(COUNTRIES)},
                 {"role": "destination", "country": self.org}]
        return report_payload(seized_at=seized.isoformat(timespec="seconds"), items=items, route=route,
                              transport_mode=rng.choice(("sea", "air", "road")),
                              narrative=f"Soak report by {self.email}: {rng.choice(WORDS).strip(chr(34))} found.")

    def create(self) -> None:
        submit = self.rng.random() < 0.3
        response = self.call("POST /seizures", "POST", "/api/v1/seizures", expect=201,
                             json={**self.payload(), "submit": submit})
        if response is not None:
            body = response.json()
            self.tally.created[body["id"]] = body["reference"]
            self.reports.append(body["id"])
            if not submit:
                self.drafts.append(body["id"])

    def edit(self, report_id: str) -> None:
        response = self.call("GET /seizures/<id>", "GET", f"/api/v1/seizures/{report_id}")
        if response is None:
            return
        report = response.json()
        change = {"version": report["version"], "narrative": (report["narrative"] or "")[:900] + " Updated."}
        if self.rng.random() < 0.5:
            change["items"] = [dict(item, quantity=item["quantity"] + 1) for item in report["items"]]
            for item in change["items"]:
                item.pop("normalised", None)
        self.call("PATCH /seizures/<id>", "PATCH", f"/api/v1/seizures/{report_id}", json=change)


class Analyst(SimulatedUser):
    def __init__(self, *args, **kwargs) -> None:  # noqa: ANN002,ANN003
        super().__init__(*args, **kwargs)
        self.hits: list[str] = []
        self.operations: list[str] | None = None

    def step(self) -> None:
        roll = self.rng.random()
        if roll < 0.5 or (roll < 0.7 and not self.hits):
            self.search()
        elif roll < 0.7:
            self.call("GET /seizures/<id>", "GET", f"/api/v1/seizures/{self.rng.choice(self.hits)}")
        elif roll < 0.8:
            self.call("GET /search/export.csv", "GET", "/api/v1/search/export.csv",
                      params={"country": self.rng.choice(FILTERS["country"]),
                              "category": self.rng.choice(FILTERS["category"])})
        elif roll < 0.95:
            self.call("GET /operations/<code>/figures", "GET", f"/api/v1/operations/{self.operation()}/figures")
        else:
            self.product(self.operation())

    def search(self) -> None:
        params: dict[str, object] = {"q": self.rng.choice(WORDS) if self.rng.random() < 0.7 else ""}
        for name in self.rng.sample(sorted(FILTERS), self.rng.randint(0, 2)):
            params[name] = self.rng.sample(FILTERS[name], self.rng.randint(1, 2))
        if self.rng.random() < 0.3:
            params["sort"] = "date_desc"
            params["page"] = self.rng.randint(1, 5)
        response = self.call("GET /search", "GET", "/api/v1/search", params=params)
        if response is not None:
            self.hits = [hit["id"] for hit in response.json()["hits"]] or self.hits

    def operation(self) -> str:
        if self.operations is None:
            response = self.call("GET /operations", "GET", "/api/v1/operations")
            self.operations = [op["code"] for op in response.json()["results"]] if response is not None else []
        if not self.operations:
            raise RuntimeError(f"{self.email} sees no operation")
        return self.rng.choice(self.operations)

    def product(self, code: str) -> None:
        """Request the summary, poll the job once a second until it is done, download the PDF."""
        started = time.perf_counter()
        response = self.call("POST /operations/<code>/summary", "POST", f"/api/v1/operations/{code}/summary",
                             expect=202)
        if response is None:
            return
        job = response.json()["job"]
        self.tally.jobs.append(job["id"])
        give_up = time.monotonic() + PRODUCT_WAIT_SECONDS
        while job["status"] in ("queued", "running") and time.monotonic() < give_up:
            time.sleep(1.0)
            response = self.call("GET /jobs/<id> (poll)", "GET", f"/api/v1/jobs/{job['id']}")
            if response is None:
                return
            job = response.json()["job"]
        if job["status"] != "done":
            self.tally.error("operation summary: request → PDF", job["status"], job.get("message", ""))
            return
        response = self.call("GET /jobs/<id>/file", "GET", f"/api/v1/jobs/{job['id']}/file")
        if response is not None and not response.content.startswith(b"%PDF-"):
            self.tally.error("GET /jobs/<id>/file", "not a PDF", response.content[:40].decode(errors="replace"))
        elif response is not None:
            self.tally.latencies["operation summary: request → PDF"].append((time.perf_counter() - started) * 1000)


def run(ctx: Context) -> list[Row]:
    print("  loading the demo data (as make run does)…", file=sys.stderr, flush=True)
    ctx.flask("demo", "load")
    specs = [(f"soak.officer{i}@{org.lower()}.example", org, "officer") for org in OFFICER_ORGS for i in range(PER_ORG)]
    specs += [(f"soak.analyst{i}@{org.lower()}.example", org, "analyst") for org in ANALYST_ORGS for i in range(PER_ORG)]
    tokens = _create_users(ctx, specs)

    print(f"  {len(specs)} users for {SECONDS:.0f} s…", file=sys.stderr, flush=True)
    deadline = time.monotonic() + SECONDS
    users = [(Officer if role == "officer" else Analyst)(ctx, email, tokens[email], org, SEED * 1000 + k, deadline)
             for k, (email, org, role) in enumerate(specs)]
    threads = [threading.Thread(target=u.run, name=u.email, daemon=True) for u in users]
    server_cpu, client_cpu, started = ctx.server.cpu_seconds(), time.process_time(), time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    seconds = time.perf_counter() - started
    server_cpu, client_cpu = ctx.server.cpu_seconds() - server_cpu, time.process_time() - client_cpu

    latencies: dict[str, list[float]] = defaultdict(list)
    errors: dict[str, Counter] = defaultdict(Counter)
    created: dict[str, str] = {}
    jobs: list[str] = []
    for user in users:
        for action, values in user.tally.latencies.items():
            latencies[action] += values
        for action, counts in user.tally.errors.items():
            errors[action].update(counts)
        created.update(user.tally.created)
        jobs += user.tally.jobs
        for sample in user.tally.samples:
            print(f"  error: {user.email}: {sample}", file=sys.stderr)
    check = _check_database(ctx, created, jobs)

    requests_total = sum(len(v) for action, v in latencies.items() if not action.startswith("operation summary"))
    rows = []
    for action in sorted(set(latencies) | set(errors)):
        failed = sum(errors[action].values())
        name = f"soak: {action}" + (f" ({_describe(errors[action])})" if failed else "")
        row = Row(benchmark=name, clients=len(users), requests=len(latencies[action]), seconds=seconds,
                  latencies_ms=latencies[action], goal="0 errors", met=failed == 0)
        rows.append(row)
    failed = sum(sum(c.values()) for c in errors.values())
    summary = (f"soak: all requests, {SECONDS:.0f} s ({failed} errors, {check['lost']} lost, "
               f"{check['duplicated']} duplicated, {len(created)} reports created, "
               f"{check['jobs_done']}/{len(jobs)} product jobs done{check['problems']})")
    everything = [x for action, v in latencies.items() if not action.startswith("operation summary") for x in v]
    rows.append(Row(benchmark=summary, clients=len(users), requests=requests_total, seconds=seconds,
                    latencies_ms=everything, server_cpu_ms=server_cpu * 1000 / max(requests_total, 1),
                    client_cpu_ms=client_cpu * 1000 / max(requests_total, 1), goal=GOAL,
                    met=failed == 0 and check["ok"]))
    return rows


def _describe(counts: Counter) -> str:
    return ", ".join(f"{n}× {what}" for what, n in counts.most_common())


def _create_users(ctx: Context, specs: list[tuple[str, str, str]]) -> dict[str, str]:
    """The users and their tokens in one process (a `flask` command each would take minutes here)."""
    done = subprocess.run([str(BIN / "python"), "-c", _SETUP, json.dumps(specs)], cwd=ROOT, env=ctx.server.env,
                          capture_output=True, text=True, timeout=600)
    if done.returncode != 0:
        raise RuntimeError(f"creating the soak users failed:\n{done.stderr}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def _check_database(ctx: Context, created: dict[str, str], jobs: list[str]) -> dict:
    """Read the database directly: acknowledged creates there exactly once, nothing else by the soak users,
    references gap-free, the product jobs done."""
    from app.config import database_url

    engine = create_engine(database_url(ctx.server.database_url))
    try:
        with engine.connect() as conn:
            owned = conn.execute(text(
                "SELECT r.id, r.reference FROM seizure_reports r JOIN users u ON u.id = r.created_by_id "
                "WHERE u.email LIKE 'soak.%'")).all()
            references = [row[0] for row in conn.execute(text("SELECT reference FROM seizure_reports"))]
            statuses = Counter(row[0] for row in conn.execute(
                text("SELECT status FROM jobs WHERE id IN :ids").bindparams(bindparam("ids", expanding=True)),
                {"ids": jobs or ["-"]}))
    finally:
        engine.dispose()
    in_db = {row[0]: row[1] for row in owned}
    lost = [i for i in created if i not in in_db or in_db[i] != created[i]]
    duplicated = [i for i in in_db if i not in created] + [r for r, n in Counter(references).items() if n > 1]
    problems = []
    if gaps := _gaps(references):
        problems.append(f"reference gaps: {', '.join(gaps[:5])}")
    return {"lost": len(lost), "duplicated": len(duplicated), "jobs_done": statuses.get("done", 0),
            "problems": "; " + "; ".join(problems) if problems else "",
            "ok": not lost and not duplicated and not problems and statuses.get("done", 0) == len(jobs)}


def _gaps(references: list[str]) -> list[str]:
    """Organisation-year prefixes whose sequence numbers are not exactly 1..n."""
    numbers: dict[str, list[int]] = defaultdict(list)
    for reference in references:
        prefix, _, number = reference.rpartition("-")
        numbers[prefix].append(int(number))
    return [prefix for prefix, seen in sorted(numbers.items()) if sorted(seen) != list(range(1, len(seen) + 1))]
