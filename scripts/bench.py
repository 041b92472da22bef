"""`make bench`: timings of aftersales_service at scale, run by scripts/bench.sh.

    python scripts/bench.py -c ODOO_CONF -d DATABASE [--logfile FILE]

The database must have `repair` and `aftersales_service` installed and no
tickets yet; the bench fills it (scripts/bench.sh drops it afterwards).

- Flow: 1,000 tickets created, triaged and closed, and 1,000 `repair.order`
  created, confirmed (action_validate, action_repair_start) and ended
  (action_repair_end) in the same database; both and the ratio.
- P8: one create() of 100 and one of 10,000 tickets (per-record time).
- Seed, up to 100,000 open tickets: recent ones, and 10,100 received three
  weeks ago (their targets are past due).
- P8: the escalation cron over 100 due targets; P7: over 10,000 due targets
  among the 100,000 open tickets (called until it returns 0, committed after
  each call, as Odoo's cron runner does).
- P6: the breached and at-risk searches and the SLA report figures at that
  volume (time, and number of queries with the record cache cold).
- P7 proactive service (R2, R6): 100,000 active agreements with a follow-up
  plan and 100,000 maintenance plans (inserted in SQL: their creation is not
  what is measured), 10,000 of each due; the follow-up planning job and the
  preventive visit job until they return 0 (committed after each call), then
  a second run of each (it must do nothing, in a handful of queries).

Everything goes through the ORM. The table goes to stdout at the end,
progress to stderr, Odoo's log to --logfile. The BENCH_* environment
variables only serve to try the script on less data.
"""

import argparse
import os
import platform
import statistics
import sys
import threading
import time
from datetime import datetime, timedelta

import pytz
from dateutil.relativedelta import relativedelta

import odoo
from odoo.modules.registry import Registry

FLOW_N = int(os.environ.get("BENCH_FLOW_N", "1000"))
SEED_TOTAL = int(os.environ.get("BENCH_SEED_TOTAL", "100000"))
SMALL = 100
BIG = int(os.environ.get("BENCH_BIG", "10000"))
SEED_BATCH = 1000
PROACTIVE_TOTAL = int(os.environ.get("BENCH_PROACTIVE_TOTAL", "100000"))
PROACTIVE_DUE = int(os.environ.get("BENCH_PROACTIVE_DUE", "10000"))
CUSTOMERS = 200
# What the seed turns off to be fast (the timed creates keep tracking on).
SEED_CONTEXT = {"tracking_disable": True, "mail_create_nolog": True, "mail_notrack": True}

P6_BUDGET = 0.300
P7_BUDGET = 60.0
P8_BUDGET = 2.5
# P7 stops calling the cron after this many seconds (0: never) and projects
# the time for all due targets from the rate so far.
CRON_CAP = float(os.environ.get("BENCH_CRON_CAP", str(1.5 * P7_BUDGET)))

HEADER = ("measure", "n", "seconds", "per record (ms)", "queries", "value", "budget", "ok?")


def log(msg):
    """Progress, on stderr."""
    sys.stderr.write(f"[bench {time.strftime('%H:%M:%S')}] {msg}\n")
    sys.stderr.flush()


def out(text=""):
    """The result, on stdout."""
    sys.stdout.write(f"{text}\n")


def ok(condition):
    return "yes" if condition else "NO"


class Bench:
    def __init__(self, cr):
        self.cr = cr
        # Flows and reports as the administrator (a supervisor, record rules
        # applied); the seed and the crons as the superuser, like Odoo's cron
        # runner.
        self.root = odoo.api.Environment(cr, odoo.SUPERUSER_ID, {})
        self.admin = self.root.ref("base.user_admin")
        self.env = self.root(user=self.admin.id)
        self.now = datetime.now().replace(microsecond=0)
        self.rows = []
        self.created = 0  # tickets created so far (flow excluded)

    # ------------------------------------------------------------------
    # Helpers
    # ------------------------------------------------------------------
    def row(self, measure, n=0, seconds=None, *, queries="", value="", budget="", verdict=""):
        per = f"{seconds / n * 1000:.2f}" if n and seconds is not None else ""
        self.rows.append(
            (
                measure,
                f"{n:,}" if n else "",
                "" if seconds is None else f"{seconds:.3f}",
                per,
                str(queries),
                str(value),
                budget,
                verdict,
            )
        )

    def timed(self, label, func):
        """Seconds to run `func`, flushed."""
        self.env.flush_all()
        t0 = time.perf_counter()
        func()
        self.env.flush_all()
        seconds = time.perf_counter() - t0
        log(f"{label}: {seconds:.2f} s")
        return seconds

    def commit(self):
        # A bench script, not module code: it commits like the seed and the
        # cron runner would (the database is thrown away afterwards).
        self.env.flush_all()
        self.cr.commit()  # pylint: disable=invalid-commit
        self.env.invalidate_all()

    def ticket_vals(self, n, first, step):
        """`n` tickets received at `first`, `first + step`, ..."""
        offset = self.created
        return [
            {
                "title": f"Bench ticket {offset + i}",
                "partner_id": self.customers[(offset + i) % CUSTOMERS].id,
                "product_id": self.product.id,
                "user_id": self.admin.id,
                "channel": "phone",
                "date_received": first + step * i,
            }
            for i in range(n)
        ]

    # ------------------------------------------------------------------
    # Steps
    # ------------------------------------------------------------------
    def setup(self):
        env = self.env
        if env["aftersales.ticket"].search_count([]):
            raise SystemExit("the bench needs a database without tickets")
        if not self.admin.has_group("aftersales_service.aftersales_service_group_manager"):
            raise SystemExit("the administrator is not an after-sales manager")
        env["aftersales.sla.policy"].create(
            {"name": "Bench", "response_hours": 2, "onsite_hours": 8, "resolution_hours": 16}
        )
        # Customers without e-mail: no acknowledgement is rendered per ticket.
        self.customers = env["res.partner"].create(
            [{"name": f"Bench customer {i}", "is_company": True} for i in range(CUSTOMERS)]
        )
        self.product = env["product.product"].create({"name": "Bench unit", "type": "consu"})
        self.commit()

    def flow_tickets(self, n, prefix):
        Ticket = self.env["aftersales.ticket"]
        vals = self.ticket_vals(n, self.now, timedelta(seconds=-1))
        done = {}

        def create():
            done["records"] = Ticket.create(vals)

        out = {"create": self.timed(f"{prefix}tickets create {n}", create)}
        tickets = done["records"]
        out["triage"] = self.timed(f"{prefix}tickets triage {n}", tickets.action_triage)
        out["close"] = self.timed(
            f"{prefix}tickets close {n}", lambda: tickets._action_close("Bench: done")
        )
        if set(tickets.mapped("stage_kind")) != {"closed"}:
            raise SystemExit("tickets were not closed")
        self.commit()
        return out

    def flow_repairs(self, n, prefix):
        Repair = self.env["repair.order"]
        vals = [
            {"product_id": self.product.id, "partner_id": self.customers[i % CUSTOMERS].id}
            for i in range(n)
        ]
        done = {}

        def create():
            done["records"] = Repair.create(vals)

        out = {"create": self.timed(f"{prefix}repairs create {n}", create)}
        repairs = done["records"]

        def confirm():
            for repair in repairs:  # the Confirm button: one order at a time
                repair.action_validate()

        out["confirm"] = self.timed(f"{prefix}repairs confirm {n}", confirm)
        out["start"] = self.timed(f"{prefix}repairs start {n}", repairs.action_repair_start)
        out["end"] = self.timed(f"{prefix}repairs end {n}", repairs.action_repair_end)
        if set(repairs.mapped("state")) != {"done"}:
            raise SystemExit("repair orders were not done")
        self.commit()
        return out

    def flows(self):
        log("warm-up: 10 tickets and 10 repair orders through the flow (not counted)")
        self.flow_tickets(10, "warm-up: ")
        self.flow_repairs(10, "warm-up: ")
        t = self.flow_tickets(FLOW_N, "")
        r = self.flow_repairs(FLOW_N, "")
        phases = [
            ("create", t["create"], "create", r["create"]),
            ("triage", t["triage"], "confirm + start", r["confirm"] + r["start"]),
            ("close", t["close"], "end", r["end"]),
            ("whole flow", sum(t.values()), "whole flow", sum(r.values())),
        ]
        for tlabel, tsec, rlabel, rsec in phases:
            self.row(f"flow: tickets {tlabel}", FLOW_N, tsec)
            self.row(f"flow: repair.order {rlabel}", FLOW_N, rsec)
            self.row(f"flow: ratio tickets / repair.order, {tlabel}", value=f"{tsec / rsec:.2f}")

    def p8_create(self):
        """One create() of 100, then of 10,000 tickets, as the administrator
        with tracking on (he is their supervisor: no assignment e-mail)."""
        Ticket = self.env["aftersales.ticket"]
        step = timedelta(seconds=-3)
        received = self.now - timedelta(minutes=1)
        per = {}
        for n in (SMALL, BIG):
            vals = self.ticket_vals(n, received, step)
            seconds = self.timed(
                f"P8 create {n:,} tickets in one call", lambda v=vals: Ticket.create(v)
            )
            self.commit()
            per[n] = seconds / n
            self.created += n
            received += step * n
            self.row(f"P8 create() of {n:,} tickets (tracked)", n, seconds)
        ratio = per[BIG] / per[SMALL]
        self.row(
            f"P8 create: per record {BIG:,} / {SMALL}",
            value=f"{ratio:.2f}",
            budget=f"<= {P8_BUDGET}",
            verdict=ok(ratio <= P8_BUDGET),
        )
        return received

    def old_start(self):
        """09:00 on the Monday three weeks ago, in the working hours' time
        zone, as naive UTC: the due tickets arrive then, one a second."""
        calendar = self.root.company.resource_calendar_id
        tz = pytz.timezone(calendar.tz or "UTC")
        day = (self.now - timedelta(days=21 + self.now.weekday())).date()
        local = tz.localize(datetime(day.year, day.month, day.day, 9, 0))
        return local.astimezone(pytz.utc).replace(tzinfo=None)

    def seed(self, received):
        """Up to 100,000 open tickets: recent ones over the last five days
        (some at risk or breached by now) and 10,100 received three weeks ago
        (every target past due), all supervised by the administrator, so
        that the escalation has someone to notify."""
        Ticket = self.root["aftersales.ticket"].with_context(**SEED_CONTEXT)
        old = SMALL + BIG
        recent = SEED_TOTAL - self.created - old
        plan = [
            (recent, received, -timedelta(days=5) / max(recent, 1)),
            (old, self.old_start(), timedelta(seconds=1)),
        ]
        t0 = time.perf_counter()
        done = batches = 0
        for count, first, step in plan:
            for start in range(0, count, SEED_BATCH):
                n = min(SEED_BATCH, count - start)
                Ticket.create(self.ticket_vals(n, first + step * start, step))
                self.commit()
                self.created += n
                done += n
                batches += 1
                if batches % 10 == 0 or done == recent + old:
                    log(f"seed: {done:,} of {recent + old:,} in {time.perf_counter() - t0:.0f} s")
        seconds = time.perf_counter() - t0
        self.row(f"seed: create() by {SEED_BATCH:,}, no tracking, commit each", done, seconds)
        Ticket = self.env["aftersales.ticket"]
        total = Ticket.search_count([])
        opened = Ticket.search_count([("stage_kind", "in", ("new", "progress"))])
        self.row("seed: tickets in the database (open)", value=f"{total:,} ({opened:,})")
        self.cr.execute(
            "SELECT (SELECT count(*) FROM aftersales_ticket_sla), "
            "(SELECT count(*) FROM ir_cron_trigger)"
        )
        targets, triggers = self.cr.fetchone()
        self.row("seed: SLA targets", value=f"{targets:,}")
        self.row("seed: ir.cron.trigger rows (future deadlines)", value=f"{triggers:,}")

    def due_at(self, count):
        """The instant at which the `count` next open targets are due."""
        self.cr.execute(
            "SELECT deadline FROM aftersales_ticket_sla "
            "WHERE state = 'running' AND escalated IS NOT TRUE AND deadline IS NOT NULL "
            "ORDER BY deadline, id OFFSET %s LIMIT 1",
            [count - 1],
        )
        return self.cr.fetchone()[0]

    def escalate(self, label, count, cap=0.0):
        """Call the escalation cron with `now` where `count` targets are due
        until it returns 0 (or `cap` seconds passed), committing after each
        call. Returns (due targets, due tickets, escalated, seconds, capped)."""
        Sla = self.root["aftersales.ticket.sla"]
        now = self.due_at(count)
        self.cr.execute(
            "SELECT count(*), count(DISTINCT ticket_id) FROM aftersales_ticket_sla "
            "WHERE state = 'running' AND escalated IS NOT TRUE AND deadline <= %s",
            [now],
        )
        due, tickets = self.cr.fetchone()
        log(f"{label}: {due:,} due targets on {tickets:,} tickets at {now} (UTC)")
        self.commit()
        done, capped = 0, False
        t0 = time.perf_counter()
        while True:
            n = Sla._cron_escalate(now=now, batch_size=1000, time_budget=10.0)
            self.cr.commit()  # pylint: disable=invalid-commit
            done += n
            elapsed = time.perf_counter() - t0
            if not n:
                break
            log(f"{label}: {done:,} escalated in {elapsed:.1f} s")
            if cap and elapsed > cap and done < due:
                capped = True
                break
        seconds = time.perf_counter() - t0
        self.env.invalidate_all()
        return due, tickets, done, seconds, capped

    def r4_locked(self, count=20, locked=5):
        """R4: rows locked by another transaction are skipped, and handled by
        the next run once released."""
        Sla = self.root["aftersales.ticket.sla"]
        now = self.due_at(count)
        self.cr.execute(
            "SELECT id FROM aftersales_ticket_sla "
            "WHERE state = 'running' AND escalated IS NOT TRUE AND deadline <= %s "
            "ORDER BY deadline, id",
            [now],
        )
        ids = [row[0] for row in self.cr.fetchall()]
        self.commit()
        with odoo.sql_db.db_connect(self.cr.dbname).cursor() as user_cr:
            user_cr.execute(
                "SELECT id FROM aftersales_ticket_sla WHERE id IN %s FOR UPDATE",
                [tuple(ids[:locked])],
            )
            first = Sla._cron_escalate(now=now)
            self.cr.commit()  # pylint: disable=invalid-commit
            user_cr.rollback()
        second = Sla._cron_escalate(now=now)
        self.cr.commit()  # pylint: disable=invalid-commit
        self.env.invalidate_all()
        expected = (len(ids) - locked, locked)
        self.row(
            f"R4 {locked} of {len(ids)} due targets locked by a user: escalated",
            value=f"{first} then {second}",
            budget=f"{expected[0]} then {expected[1]}",
            verdict=ok((first, second) == expected),
        )

    def crons(self):
        self.r4_locked()
        due, tickets, done_small, small, _capped = self.escalate(f"P8 cron {SMALL}", SMALL)
        self.row(
            f"P8 escalation cron, {due:,} due targets ({tickets:,} tickets)", done_small, small
        )
        due, tickets, done, big, capped = self.escalate("P7 cron", BIG, cap=CRON_CAP)
        measure = f"P7 escalation cron, {due:,} due ({tickets:,} tickets) of {SEED_TOTAL:,} open"
        budget = f"<= {P7_BUDGET:.0f} s"
        if capped:
            self.row(f"{measure}: STOPPED", done, big, budget=budget, verdict="NO")
            projected = big / done * due
            self.row(
                f"P7 projected time for all {due:,} due targets",
                value=f"{projected:.0f} s",
                budget=budget,
                verdict="NO",
            )
        else:
            verdict = ok(big <= P7_BUDGET and done >= due)
            self.row(measure, done, big, budget=budget, verdict=verdict)
        if done and done_small:
            ratio = (big / done) / (small / done_small)
            self.row(
                f"P8 cron: per record {done:,} / {done_small:,}",
                value=f"{ratio:.2f}",
                budget=f"<= {P8_BUDGET}",
                verdict=ok(ratio <= P8_BUDGET),
            )
        self.cr.execute(
            "SELECT (SELECT count(*) FROM mail_mail), (SELECT count(*) FROM mail_activity)"
        )
        mails, activities = self.cr.fetchone()
        self.row("crons: e-mails queued / activities", value=f"{mails:,} / {activities:,}")

    def p6(self):
        """Each figure: one warm-up call, then three with the record cache
        invalidated (as @warmup does): median time, queries of the last."""
        Ticket = self.env["aftersales.ticket"]
        Sla = self.env["aftersales.ticket.sla"]
        decided = ["|", ("state", "=", "reached"), ("late", "=", True)]
        aggregates = ["compliance:avg", "__count"]
        figures = [
            ("breached tickets", lambda: Ticket.search_count([("sla_status", "=", "breached")])),
            ("at-risk tickets", lambda: Ticket.search_count([("sla_status", "=", "at_risk")])),
            (
                "SLA report by target, priority",
                lambda: Sla._read_group(decided, ["target", "priority"], aggregates),
            ),
            (
                "SLA report by customer",
                lambda: Sla._read_group(decided, ["partner_id"], aggregates),
            ),
            (
                "SLA report by month received",
                lambda: Sla._read_group(decided, ["date_received:month"], aggregates),
            ),
        ]
        decided_count = Sla.search_count(decided)
        self.row(
            "P6 SLA targets decided (reached or late) / all",
            value=f"{decided_count:,} / {Sla.search_count([]):,}",
        )
        for label, func in figures:
            func()
            times = []
            for _i in range(3):
                self.env.invalidate_all()
                before = self.cr.sql_log_count
                t0 = time.perf_counter()
                result = func()
                times.append(time.perf_counter() - t0)
                queries = self.cr.sql_log_count - before
            seconds = statistics.median(times)
            value = f"{result:,}" if isinstance(result, int) else f"{len(result):,} groups"
            log(f"P6 {label}: {seconds * 1000:.0f} ms, {queries} queries, {value}")
            self.row(
                f"P6 {label}",
                seconds=seconds,
                queries=queries,
                value=value,
                budget=f"< {P6_BUDGET * 1000:.0f} ms, 1 query",
                verdict=ok(seconds < P6_BUDGET and queries == 1),
            )

    def seed_proactive(self):
        """Active agreements with a monthly follow-up plan, each with a
        half-yearly maintenance plan: PROACTIVE_DUE of each due today, the
        others later. In SQL, in one statement each."""
        today = self.now.date()
        start = today - relativedelta(months=1)
        t0 = time.perf_counter()
        self.cr.execute(
            "INSERT INTO aftersales_agreement (name, company_id, partner_id, user_id, state, "
            "active, version, followup_unit, followup_mode, followup_interval, date_start, "
            "date_end, followup_next_date, create_uid, write_uid, create_date, write_date) "
            "SELECT 'BENCH-AGR-' || g, %(company)s, (%(customers)s::int[])[1 + g %% %(n)s], "
            "%(admin)s, 'active', true, 1, 'month', 'call', 1, %(start)s, %(end)s, "
            "CASE WHEN g <= %(due)s THEN %(today)s ELSE %(later)s END, 1, 1, now(), now() "
            "FROM generate_series(1, %(total)s) g",
            {
                "company": self.root.company.id,
                "customers": self.customers.ids,
                "n": len(self.customers),
                "admin": self.admin.id,
                "start": start,
                "end": start + relativedelta(years=2),
                "today": today,
                "later": today + timedelta(days=60),
                "due": PROACTIVE_DUE,
                "total": PROACTIVE_TOTAL,
            },
        )
        self.cr.execute(
            "INSERT INTO aftersales_maintenance_plan (name, company_id, agreement_id, "
            "partner_id, active, date_start, date_end, interval_months, lead_days, next_date, "
            "create_uid, write_uid, create_date, write_date) "
            "SELECT 'Bench plan ' || a.id, a.company_id, a.id, a.partner_id, true, "
            "%(start)s, a.date_end, 6, 0, "
            "CASE WHEN a.followup_next_date = %(today)s THEN %(today)s ELSE %(later)s END, "
            "1, 1, now(), now() FROM aftersales_agreement a WHERE a.name LIKE 'BENCH-AGR-%%'",
            {
                "start": today - relativedelta(months=6),
                "today": today,
                "later": today + timedelta(days=90),
            },
        )
        self.commit()
        self.row(
            "seed (SQL): agreements with follow-up plans / maintenance plans",
            value=f"{PROACTIVE_TOTAL:,} / {PROACTIVE_TOTAL:,}",
            seconds=time.perf_counter() - t0,
        )

    def run_job(self, label, call):
        """`call()` until it returns 0, committed after each call, as the
        cron runner does; then once more, timed and counted."""
        done = 0
        t0 = time.perf_counter()
        while n := call():
            self.cr.commit()  # pylint: disable=invalid-commit
            done += n
            log(f"{label}: {done:,} in {time.perf_counter() - t0:.1f} s")
        seconds = time.perf_counter() - t0
        self.cr.commit()  # pylint: disable=invalid-commit
        self.env.invalidate_all()
        before = self.cr.sql_log_count
        t1 = time.perf_counter()
        again = call()
        again_seconds = time.perf_counter() - t1
        queries = self.cr.sql_log_count - before
        self.cr.commit()  # pylint: disable=invalid-commit
        return done, seconds, again, again_seconds, queries

    def proactive(self):
        self.seed_proactive()
        today = self.now.date()
        budget = f"<= {P7_BUDGET:.0f} s"
        for label, model, method, made in (
            ("follow-up planning job", "aftersales.followup", "_cron_plan", "follow-ups"),
            (
                "preventive visit job",
                "aftersales.maintenance.plan",
                "_cron_generate",
                "tickets + draft dispatches",
            ),
        ):
            job = getattr(self.root[model], method)
            done, seconds, again, again_seconds, queries = self.run_job(
                label, lambda job=job: job(date_ref=today)
            )
            self.row(
                f"P7 {label}, {PROACTIVE_DUE:,} due of {PROACTIVE_TOTAL:,}: {made}",
                done,
                seconds,
                budget=budget,
                verdict=ok(seconds <= P7_BUDGET and done == PROACTIVE_DUE),
            )
            self.row(
                f"R2 {label}, second run: nothing to do",
                seconds=again_seconds,
                queries=queries,
                value=again,
                budget="0, <= 5 queries",
                verdict=ok(again == 0 and queries <= 5),
            )
        self.cr.execute(
            "SELECT (SELECT count(*) FROM aftersales_followup), "
            "(SELECT count(*) FROM aftersales_ticket WHERE maintenance_plan_id IS NOT NULL), "
            "(SELECT count(*) FROM aftersales_dispatch d JOIN aftersales_ticket t "
            "ON t.id = d.ticket_id WHERE t.maintenance_plan_id IS NOT NULL)"
        )
        followups, visits, dispatches = self.cr.fetchone()
        self.row(
            "proactive: follow-ups / preventive tickets / their dispatches",
            value=f"{followups:,} / {visits:,} / {dispatches:,}",
        )

    def run(self):
        self.setup()
        self.flows()
        received = self.p8_create()
        self.seed(received)
        self.crons()
        self.p6()
        self.proactive()


def print_table(rows):
    widths = [max(len(r[i]) for r in (HEADER, *rows)) for i in range(len(HEADER))]
    right = {1, 2, 3, 4, 5}

    def fmt(cells):
        return " | ".join(
            c.rjust(w) if i in right else c.ljust(w)
            for i, (c, w) in enumerate(zip(cells, widths, strict=True))
        ).rstrip()

    out(fmt(HEADER))
    out("-+-".join("-" * w for w in widths))
    for r in rows:
        out(fmt(r))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-c", "--config", required=True)
    parser.add_argument("-d", "--database", required=True)
    parser.add_argument("--logfile")
    args = parser.parse_args()
    odoo_args = ["-c", args.config, "-d", args.database, "--log-level=warn", "--no-http"]
    if args.logfile:
        odoo_args.append(f"--logfile={args.logfile}")
    odoo.tools.config.parse_config(odoo_args, setup_logging=True)
    threading.current_thread().dbname = args.database
    t0 = time.perf_counter()
    with Registry(args.database).cursor() as cr:
        bench = Bench(cr)
        bench.run()
        cr.execute("SHOW server_version")
        pg_version = cr.fetchone()[0].split()[0]
    out(
        f"\naftersales_service bench, {datetime.now():%Y-%m-%d %H:%M}, "
        f"Odoo {odoo.release.version}, PostgreSQL {pg_version}, "
        f"Python {platform.python_version()}, {os.cpu_count()} CPUs"
    )
    out(
        "One run on a shared, noisy machine (time.perf_counter(), ORM flushed inside each "
        "timing):\ncompare ratios and orders of magnitude, not the last digit."
    )
    out(
        f"Seed: ORM create() in batches of {SEED_BATCH:,} with "
        + ", ".join(f"{key}=True" for key in SEED_CONTEXT)
        + ", committed per batch;\nthe flow and P8 creates keep tracking on."
    )
    out(
        "Flow: as the administrator, after a warm-up of 10 records of each; repair.order "
        "confirm = action_validate()\nper order + action_repair_start(), end = "
        "action_repair_end(). Ratio = tickets time / repair.order time.\n"
    )
    print_table(bench.rows)
    out(f"\nbench (Python part): {time.perf_counter() - t0:.0f} s")


if __name__ == "__main__":
    main()
