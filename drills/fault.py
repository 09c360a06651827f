"""Fault drill: the production topology under a bounded load while its parts are killed.

Two gunicorn processes (2 workers each), one task worker and an SMTP catcher on a PostgreSQL
server of the drill's own. Threads play professionals granting and revoking *inzage*, new
employers requesting an account, and a beheerder downloading the *rapportage*. Meanwhile, one
after the other (each once the previous one has recovered, so none is skipped or overlaps
another however slow the machine): one app process gets ``kill -9``, stays down for a moment
and is restarted; so does the worker; then PostgreSQL stops, the worker is restarted while it
is down (a machine booting before its database), and PostgreSQL starts again. The load goes on
for a few seconds after the last recovery.

Afterwards every answered write must be in the database, every promised mail must have reached
the catcher (duplicates counted by Message-ID), no contact may hold two open grants from one
professional, the report must list exactly the professionals with a live grant, every process
must still be running, and the processes' logs (written unmasked) must hold no address, link
secret or password. A thread that fails fails the drill.
"""

from __future__ import annotations

import csv
import io
import itertools
import json
import random
import re
import threading
import time
from collections import Counter
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from drills.client import RECOVERY_CODES, Session, Tally, next_recovery_code
from drills.cluster import Cluster
from drills.stack import App, Process, manage, production_env, smtp_catcher, worker
from tests.log_scan import find_leaks, suite_passwords
from tests.smtp import free_port

# Seconds of load before the first fault, after each recovery, and after the last one.
WARM_UP, BETWEEN, TAIL = 3.0, 3.0, 4.0
DOWN = 1.5  # how long a killed process, or the database, stays down
LOAD_LIMIT = 60.0  # the load stops here whatever happens
RECOVERY_LIMIT = 30.0  # a process must be back within this
PROFESSIONALS = 24
CONTACTS = 3
REVOKE_LINK = re.compile(r"/mijn/inzage-werkgever/([0-9a-f-]{36})/intrekken/")


@dataclass
class Ledger:
    """What the clients were told, to hold against the database afterwards."""

    lock: threading.Lock = field(default_factory=threading.Lock)
    grants_confirmed: Counter[tuple[str, str]] = field(default_factory=Counter)
    grants_unanswered: Counter[tuple[str, str]] = field(default_factory=Counter)
    revokes_confirmed: set[str] = field(default_factory=set)
    accounts_confirmed: dict[str, str] = field(default_factory=dict)  # KvK → requester e-mail
    reports: int = 0

    def note(self, attribute: str, key: Any) -> None:
        with self.lock:
            target = getattr(self, attribute)
            if isinstance(target, Counter):
                target[key] += 1
            elif isinstance(target, set):
                target.add(key)
            else:
                target[key[0]] = key[1]


@dataclass
class World:
    organisation_code: str
    beheerder: str
    contacts: list[tuple[str, str]]  # (code, e-mail)
    professionals: list[str]  # usernames
    password: str


def seed() -> World:
    """A register with one authorised employer, its contacts and professionals."""
    from peregister.organisations.models import Contact
    from tests import factories

    organisation = factories.OrganisationFactory(name="Uitzendbureau Drill")
    beheerder = factories.ContactFactory(
        organisation=organisation,
        role=Contact.Role.ADMINISTRATOR,
        user=factories.UserFactory(username="drill-beheerder"),
    )
    # A beheerder must pass a second factor: an authenticator app, and recovery codes the
    # drill's sessions type (drills.client.next_recovery_code).
    from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
    from django_otp.plugins.otp_totp.models import TOTPDevice

    TOTPDevice.objects.create(user=beheerder.user, name="drill", confirmed=True)
    codes = StaticDevice.objects.create(user=beheerder.user, name="drill", confirmed=True)
    StaticToken.objects.bulk_create(
        [StaticToken(device=codes, token=code) for code in RECOVERY_CODES]
    )
    contacts = [
        factories.ContactFactory(
            organisation=organisation, user=factories.UserFactory(username=f"drill-contact-{n}")
        )
        for n in range(CONTACTS)
    ]
    usernames = []
    for n in range(PROFESSIONALS):
        user = factories.UserFactory(username=f"drill-prof-{n}")
        professional = factories.ProfessionalFactory(user=user)
        registration = factories.RegistrationFactory(professional=professional)
        factories.PePeriodFactory(registration=registration)
        usernames.append(user.username)
    return World(
        organisation_code=str(organisation.code),
        beheerder=beheerder.user.username,
        contacts=[(str(c.code), c.email) for c in contacts],
        professionals=usernames,
        password=factories.PASSWORD,
    )


class Load:
    def __init__(self, world: World, ports: list[int]) -> None:
        self.world = world
        self.ports = ports
        self.tally = Tally()
        self.ledger = Ledger()
        self.started = self.tally.started
        self.stop = threading.Event()

    def running(self) -> bool:
        return not self.stop.is_set() and time.monotonic() - self.started < LOAD_LIMIT

    def seconds(self) -> float:
        return time.monotonic() - self.started

    def professionals(self, usernames: list[str], seed: int) -> None:
        rng = random.Random(seed)
        sessions = []
        for username in usernames:
            session = Session(self.ports, self.tally)
            if session.login(username, self.world.password):
                sessions.append((username, session))
        add = f"/mijn/inzage-werkgever/toevoegen/{self.world.organisation_code}/"
        while self.running():
            username, session = rng.choice(sessions)
            contact, _address = rng.choice(self.world.contacts)
            answer = session.post(add, {"contact": contact, "valid_until": ""})
            if answer.status == 302:
                self.ledger.note("grants_confirmed", (username, contact))
            elif answer.status == 0 or answer.status >= 500:
                self.ledger.note("grants_unanswered", (username, contact))
            elif answer.status == 409:  # already open: revoke one of this professional's grants
                listing = session.get("/mijn/inzage-werkgever/")
                codes = REVOKE_LINK.findall(listing.text)
                if codes:
                    code = rng.choice(codes)
                    revoked = session.post(f"/mijn/inzage-werkgever/{code}/intrekken/", {})
                    if revoked.status == 302:
                        self.ledger.note("revokes_confirmed", code)

    def account_requests(self, prefix: int) -> None:
        for n in itertools.count():
            if not self.running():
                return
            session = Session(self.ports, self.tally)
            session.get("/account/aanvragen/")  # the form, and its CSRF cookie
            kvk = f"{prefix}{n:05d}"
            address = f"aanvraag-{kvk}@drill.example"
            answer = session.post(
                "/account/aanvragen/",
                {
                    "name": f"Werkgever {kvk}",
                    "kvk_number": kvk,
                    "street": "Drillstraat 1",
                    "postcode": "3511 AB",
                    "city": "Utrecht",
                    "phone": "030-1234567",
                    "email": f"info-{kvk}@drill.example",
                    "requester_name": "Drill Aanvrager",
                    "requester_email": address,
                    "username": f"drill-aanvrager-{kvk}",
                },
            )
            if answer.status == 302:
                self.ledger.note("accounts_confirmed", (kvk, address))
            time.sleep(0.3)

    def reports(self) -> None:
        session = Session(self.ports, self.tally)
        session.login(self.world.beheerder, self.world.password, recovery_code=next_recovery_code())
        while self.running():
            answer = session.download_report()
            if answer.status == 200:
                with self.ledger.lock:
                    self.ledger.reports += 1
            time.sleep(0.5)


@dataclass
class Fault:
    what: str
    start: float
    end: float


def _worker_reported(process: Process, timeout: float = RECOVERY_LIMIT) -> None:
    """Wait until the worker process writes its heartbeat (it works: the database answers)."""
    from django.db import DatabaseError, connections

    from peregister.ops.models import WorkerHeartbeat

    assert process.popen is not None
    deadline = time.monotonic() + timeout
    while True:
        try:
            if WorkerHeartbeat.objects.filter(pid=process.popen.pid).exists():
                return
        except DatabaseError:
            connections.close_all()
        if time.monotonic() > deadline or not process.alive:
            raise RuntimeError(f"the worker did not report within {timeout:.0f} s")
        time.sleep(0.2)


def _faults(load: Load, app: App, task_worker: Process, cluster: Cluster) -> list[Fault]:
    """The three faults, each after the previous one has recovered; then the load's tail."""
    faults: list[Fault] = []

    def fault(what: str, break_it: Any, recover: Any) -> None:
        time.sleep(BETWEEN if faults else WARM_UP)
        began = load.seconds()
        break_it()
        time.sleep(DOWN)
        recover()
        faults.append(Fault(what, began, load.seconds()))

    def kill_app() -> None:
        app.kill9()
        assert not app.alive

    def restart_app() -> None:
        app.start()
        app.wait_ready(timeout=RECOVERY_LIMIT)

    def kill_worker() -> None:
        task_worker.kill9()
        assert not task_worker.alive

    def restart_worker() -> None:
        task_worker.start()
        _worker_reported(task_worker)

    def stop_database_and_restart_worker() -> None:
        cluster.stop()
        task_worker.stop()
        task_worker.start()  # it finds no database and must wait for it

    def start_database() -> None:
        cluster.start()
        _worker_reported(task_worker)

    fault(f"kill -9 {app.name} (gunicorn master and workers), restarted", kill_app, restart_app)
    fault("kill -9 task worker, restarted", kill_worker, restart_worker)
    fault(
        "PostgreSQL stopped; the worker restarted while it was down; PostgreSQL started",
        stop_database_and_restart_worker,
        start_database,
    )
    time.sleep(TAIL)
    return faults


def _wait_for_outbox(timeout: float) -> dict[str, int]:
    from peregister.notifications.models import OutboxMessage

    deadline = time.monotonic() + timeout
    while True:
        states = Counter(OutboxMessage.objects.values_list("state", flat=True))
        if not states.get("pending") or time.monotonic() > deadline:
            return dict(states)
        time.sleep(0.5)


def _report_rows(world: World, ports: list[int]) -> set[str]:
    session = Session(ports, Tally())
    session.login(world.beheerder, world.password, recovery_code=next_recovery_code())
    answer = session.download_report()
    assert answer.status == 200, answer.status
    rows = list(csv.reader(io.StringIO(answer.text.lstrip("\ufeff")), delimiter=";"))
    return {row[1] for row in rows[1:]}


def run(cluster: Cluster, logs: Path) -> tuple[bool, list[str]]:
    """Run the fault drill; returns (passed, printed lines)."""
    cluster.createdb("fault")
    smtp_port = free_port()
    env = production_env(cluster.url("fault"), smtp_port, logs)
    for command in (("migrate", "--no-input"), ("collectstatic", "--no-input", "-v", "0")):
        done = manage(env, *command)
        assert done.returncode == 0, done.stderr[-2000:]
    _setup_django(env)
    world = seed()

    catcher = smtp_catcher(smtp_port, logs)
    apps = [App("app-1", env, logs), App("app-2", env, logs)]
    task_worker = worker(env, logs)
    processes = [catcher, *apps, task_worker]
    try:
        for process in processes:
            process.start()
        for app in apps:
            app.wait_ready()
        _worker_reported(task_worker)
        load, faults = _under_load(world, [app.port for app in apps], apps[0], task_worker, cluster)

        from django.db import connections

        connections.close_all()  # the restart cut the drill's own connection too
        states = _wait_for_outbox(timeout=45)
        report = _report_rows(world, [app.port for app in apps])
        lines, ok = _verify(world, load.ledger, states, report, logs)
        alive = [process.name for process in processes if process.alive]
        lines.append(
            f"{'PASS' if len(alive) == len(processes) else 'FAIL'} processes running at the end: "
            f"{', '.join(alive) or 'none'} ({len(alive)} of {len(processes)})"
        )
        ok &= len(alive) == len(processes)
    finally:
        for process in reversed(processes):
            process.stop()
    leaks = [
        line
        for name in ("app-1", "app-2", "worker")
        for line in find_leaks((logs / f"{name}.log").read_text().splitlines(), suite_passwords())
    ]
    lines.append(
        f"{'PASS' if not leaks else 'FAIL'} unmasked log lines with personal data or secrets "
        f"(apps, worker): {len(leaks)}"
    )
    lines.extend(f"     {line[:300]}" for line in leaks[:5])
    ok &= not leaks
    carried = _request_ids_carried(logs)
    lines.append(f"mails whose worker log line carries the request's id: {carried}")
    ok &= carried > 0
    tally = load.tally.counts
    answered = sum(n for kind, n in tally.items() if kind.endswith("xx") or kind == "no answer")
    errors = load.tally.server_errors
    # A 5xx is allowed only while a fault is on (and a second after: requests in flight).
    outside = [t for t in errors if not any(f.start <= t <= f.end + 1 for f in faults)]
    # Each fault happened under load: requests were answered (or refused) while it was on.
    during = [sum(f.start <= t <= f.end for t in load.tally.answered) for f in faults]
    header = [
        f"load: {load.seconds():.1f} s, {answered} requests: "
        + ", ".join(f"{kind} {n}" for kind, n in sorted(tally.items())),
        *(f"fault {f.start:4.1f}–{f.end:4.1f} s: {f.what}" for f in faults),
        f"{'PASS' if len(faults) == 3 and all(during) else 'FAIL'} faults: {len(faults)} of 3, "
        f"requests during each: {', '.join(map(str, during))}",
        f"{'PASS' if not outside else 'FAIL'} 5xx: {len(errors)}"
        + (f", between {min(errors):.1f} and {max(errors):.1f} s" if errors else "")
        + f"; outside the faults: {len(outside)}",
    ]
    ok &= len(faults) == 3 and all(during) and not outside
    return ok, header + lines


def _under_load(
    world: World, ports: list[int], app: App, task_worker: Process, cluster: Cluster
) -> tuple[Load, list[Fault]]:
    """The load in threads while this thread brings the faults; a thread's exception is
    raised here (after the others have stopped)."""
    load = Load(world, ports)
    chunks = [world.professionals[i::3] for i in range(3)]
    with ThreadPoolExecutor(max_workers=5, thread_name_prefix="load") as pool:
        futures: list[Future[None]] = [
            *(pool.submit(load.professionals, chunk, n) for n, chunk in enumerate(chunks)),
            pool.submit(load.account_requests, 700),
            pool.submit(load.reports),
        ]
        try:
            faults = _faults(load, app, task_worker, cluster)
        finally:
            load.stop.set()
        for future in futures:
            future.result()
    return load, faults


def _setup_django(env: dict[str, str]) -> None:
    import os

    import django

    os.environ.update(env)
    django.setup()


def _verify(
    world: World, ledger: Ledger, states: dict[str, int], report: set[str], logs: Path
) -> tuple[list[str], bool]:
    from django.db.models import Count, Q

    from peregister.access.models import AccessGrant
    from peregister.core import clock
    from peregister.notifications.models import OutboxMessage
    from peregister.organisations.models import Organisation

    ok = True
    lines: list[str] = []

    def check(passed: bool, text: str) -> None:
        nonlocal ok
        ok &= passed
        lines.append(f"{'PASS' if passed else 'FAIL'} {text}")

    # Every answered write is in the database.
    rows = Counter(
        (username, str(code))
        for username, code in AccessGrant.objects.values_list(
            "professional__user__username", "contact__code"
        )
    )
    missing = [pair for pair, n in ledger.grants_confirmed.items() if rows[pair] < n]
    unexplained = [
        pair
        for pair, n in rows.items()
        if n > ledger.grants_confirmed[pair] + ledger.grants_unanswered[pair]
    ]
    # Each count must be above zero: a drill whose load did nothing proves nothing.
    check(
        not missing and not unexplained and sum(ledger.grants_confirmed.values()) > 0,
        f"grants: {sum(ledger.grants_confirmed.values())} confirmed, {sum(rows.values())} in the "
        f"database ({sum(ledger.grants_unanswered.values())} requests without an answer); "
        f"missing {len(missing)}, unexplained {len(unexplained)}",
    )
    revoked = set(
        str(code)
        for code in AccessGrant.objects.filter(
            code__in=ledger.revokes_confirmed, revoked_at__isnull=False
        ).values_list("code", flat=True)
    )
    check(
        revoked == ledger.revokes_confirmed and len(revoked) > 0,
        f"revocations: {len(ledger.revokes_confirmed)} confirmed, {len(revoked)} revoked in the "
        "database",
    )
    stored = set(
        Organisation.objects.filter(kvk_number__in=ledger.accounts_confirmed).values_list(
            "kvk_number", flat=True
        )
    )
    check(
        stored == set(ledger.accounts_confirmed) and len(stored) > 0,
        f"account requests: {len(ledger.accounts_confirmed)} confirmed, {len(stored)} in the "
        "database",
    )
    doubled = (
        AccessGrant.objects.filter(revoked_at__isnull=True)
        .values("professional", "contact")
        .annotate(n=Count("id"))
        .filter(n__gt=1)
        .count()
    )
    check(doubled == 0, f"duplicate open grants: {doubled}")

    # Every promised mail arrived; duplicates counted by Message-ID.
    arrived = [json.loads(line) for line in (logs / "smtp.jsonl").read_text().splitlines()]
    by_id = Counter(entry["message_id"] for entry in arrived)
    outbox = dict(OutboxMessage.objects.values_list("message_id", "state"))
    promised_grants = sum(ledger.grants_confirmed.values())
    promised_accounts = len(ledger.accounts_confirmed)
    grant_mails = OutboxMessage.objects.filter(template="grant_created").count()
    account_mails = set(
        address
        for recipients in OutboxMessage.objects.filter(template="account_created").values_list(
            "recipients", flat=True
        )
        for address in recipients
    )
    undelivered = [mid for mid in outbox if mid not in by_id]
    duplicates = sum(n - 1 for n in by_id.values())
    check(
        grant_mails >= promised_grants
        and account_mails >= set(ledger.accounts_confirmed.values())
        and not undelivered
        and len(by_id) > 0
        and set(states) <= {"sent"},
        f"mails: {promised_grants + promised_accounts} promised to clients "
        f"({promised_grants} grant, {promised_accounts} account), {len(outbox)} in the outbox, "
        f"{len(by_id)} distinct delivered, {len(undelivered)} undelivered, outbox states {states}",
    )
    # A mail may arrive twice only when an attempt was cut off between the server's acceptance
    # and the sent mark (worker killed, database gone): then the row shows a later attempt.
    attempts = dict(OutboxMessage.objects.values_list("message_id", "attempts"))
    unexplained_twice = [mid for mid, n in by_id.items() if n > 1 and attempts.get(mid, 0) < 2]
    check(
        not unexplained_twice,
        f"duplicate deliveries (same Message-ID): {duplicates}, each of a mail whose attempt "
        f"was cut off after the server accepted it; otherwise: {len(unexplained_twice)}",
    )

    live = set(
        AccessGrant.objects.filter(
            Q(valid_until__isnull=True) | Q(valid_until__gte=clock.today()),
            contact__organisation__code=world.organisation_code,
            contact__active=True,
            revoked_at__isnull=True,
        ).values_list("professional__registration_number", flat=True)
    )
    check(
        report == live and ledger.reports > 0,
        f"report: {len(report)} professionals, {len(live)} with a live grant in the database; "
        f"{ledger.reports} downloads during the load",
    )
    return lines, ok


def _request_ids_carried(logs: Path) -> int:
    """Mails delivered by the worker under the id of the request that queued them."""
    app_ids = set()
    for name in ("app-1", "app-2"):
        for line in (logs / f"{name}.log").read_text().splitlines():
            if line.startswith("{"):
                entry = json.loads(line)
                if entry.get("route") and entry.get("request_id"):
                    app_ids.add(entry["request_id"])
    carried = 0
    for line in (logs / "worker.log").read_text().splitlines():
        if line.startswith("{"):
            entry = json.loads(line)
            if entry.get("message") == "mail delivered" and entry.get("request_id") in app_ids:
                carried += 1
    return carried
