#!/usr/bin/env bash
# `make bench`: a throw-away database with Odoo's `repair` and the module
# (no demo data), filled and timed by scripts/bench.py: 1,000 tickets and
# 1,000 repair orders through the same flow, 100k tickets seeded, the
# escalation cron and the SLA searches and report at that volume (P6-P8).
# Prints the table on stdout; progress goes to stderr, Odoo's log to
# .local/log/bench*.log. About 10 minutes on 2 cores.
. "$(dirname "$0")/lib.sh"

lock_make
prepare

DB="${BENCH_DB:-aftersales_bench}"
mkdir -p "$LOGDIR"
t0=$SECONDS

template="$(deps_template nodemo)"  # assigned first: a failure here stops the run
db_copy "$template" "$DB"
trap 'db_drop "$DB"' EXIT

log="$LOGDIR/bench-install.log"; rm -f "$log"
say "installing repair and $MODULE into $DB (repair brings sale_management: bench database only)"
if ! odoo -c "$CONF" -d "$DB" -i "repair,$MODULE" --stop-after-init --no-http \
    --max-cron-threads=0 --logfile="$log" --log-level=warn; then
    tail -30 "$log" >&2
    die "installing repair and $MODULE failed: see $log"
fi
say "installed in $((SECONDS - t0)) s; running the bench (progress below, the table at the end)"

log="$LOGDIR/bench.log"; rm -f "$log"
"$PY" "$ROOT/scripts/bench.py" -c "$CONF" -d "$DB" --logfile="$log"

problems="$(grep -cE '^[0-9-]+ [0-9:,]+ [0-9]+ (WARNING|ERROR|CRITICAL) ' "$log" || true)"
[ "$problems" -eq 0 ] || say "the Odoo log of the bench has $problems warning(s) or error(s): $log"
echo "make bench: $((SECONDS - t0)) s in all (database copy and install included)"
