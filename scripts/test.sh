#!/usr/bin/env bash
# `make test`: a fresh throw-away database, the module installed (with demo
# data, and once more without), the whole suite run by pytest-odoo, and every
# Odoo log checked: any WARNING or ERROR fails the run.
#
# Extra arguments go to pytest, e.g. `make test ARGS="-k agreement -x"`.
. "$(dirname "$0")/lib.sh"

lock_make
prepare

DB="${TEST_DB:-aftersales_test}"
DB_NODEMO="${DB}_nodemo"
mkdir -p "$LOGDIR"
status=0

# pytest-odoo imports odoo.tests before it turns test mode on (it must not be
# on while the registry loads, or Odoo would run every module's tests), so
# Odoo logs this one ERROR at the start of every pytest-odoo run.
#
# Debian's wkhtmltopdf (the one this project installs) is built without
# Odoo's patched Qt: it warns at every PDF that it ignores the switches only
# that Qt knows (page headers and footers, and the badge's paper format's
# --disable-smart-shrinking). The PDFs render; only that machine-level
# warning is ignored.
CHECKLOG_IGNORE=(
    -i "odoo.tests.common: Importing test framework, avoid importing from business modules"
    -i "ir_actions_report: wkhtmltopdf: The switch --(header-spacing|disable-smart-shrinking), is not support using unpatched qt"
)

checklog() {  # $1: log file, $2: what it is
    if "$VENV/bin/checklog-odoo" --no-err-if-empty "${CHECKLOG_IGNORE[@]}" "$1" >"$1.check" 2>&1; then
        say "log clean: $2"
    else
        cat "$1.check" >&2
        say "FAILED: warnings or errors in the Odoo log of $2 ($1)"
        status=1
    fi
}

install_module() {  # $1: database, $2: demo | nodemo
    local tmpl log
    tmpl="$(deps_template "$2")"  # assigned first: a failure here stops the run
    db_copy "$tmpl" "$1"
    log="$LOGDIR/install-$2.log"; rm -f "$log"
    say "installing $MODULE into $1 ($2)"
    local t0=$SECONDS
    if ! odoo -c "$CONF" -d "$1" -i "$MODULE" --stop-after-init --no-http \
        --max-cron-threads=0 --logfile="$log" --log-level=info; then
        say "FAILED: installing $MODULE ($2), see $log"; tail -30 "$log" >&2; status=1
    fi
    say "module install ($2) took $((SECONDS - t0)) s"
    checklog "$log" "install ($2)"
}

install_module "$DB_NODEMO" nodemo
db_drop "$DB_NODEMO"
install_module "$DB" demo
[ "$status" -eq 0 ] || exit "$status"

log="$LOGDIR/pytest.log"; rm -f "$log"
say "running the test suite (pytest-odoo)"
set +e
"$VENV/bin/pytest" "$ROOT/$MODULE" \
    --odoo-config="$CONF" --odoo-database="$DB" --odoo-http \
    --odoo-log-level=info --odoo-extra="logfile=$log" \
    -p no:cacheprovider -p no:warnings "$@" 2>&1 | tee -i "$LOGDIR/pytest.out"
rc=${PIPESTATUS[0]}
set -e
checklog "$log" "test run"
[ "$rc" -eq 0 ] || status=$rc
db_drop "$DB"
# pytest's summary line, last, with the verdict of the log checks.
summary="$(grep -E '(passed|failed|error|skipped|deselected|no tests ran).* in [0-9.]+s' \
    "$LOGDIR/pytest.out" | tail -1 || true)"
[ "$status" -eq 0 ] || say "FAILED (see above)"
echo "${summary:-pytest printed no summary (exit code $rc)}"
exit "$status"
