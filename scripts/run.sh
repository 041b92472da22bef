#!/usr/bin/env bash
# `make run`: the database `aftersales` (created once, with the module and its
# demo data), kept up to date with the module's source, served by Odoo on
# http://localhost:8069. Ctrl-C stops Odoo; `make stop` stops PostgreSQL.
. "$(dirname "$0")/lib.sh"

lock_make  # released when Odoo starts serving
prepare
DB="${RUN_DB:-aftersales}"
stamp="$LOCAL/run-$DB.module-hash"
module_hash() {
    (cd "$ROOT" && find "$MODULE" -type f -not -path '*/__pycache__/*' -print0 | sort -z \
        | xargs -0 sha1sum | sha1sum | cut -d' ' -f1)
}
module_installed() {
    [ "$(psql -d "$DB" -Atc "select state from ir_module_module where name = '$MODULE'" 2>/dev/null)" = installed ]
}
if ! db_exists "$DB"; then
    say "creating database $DB with $MODULE and its demo data"
    template="$(deps_template demo)"
    db_copy "$template" "$DB"
fi
if ! module_installed; then
    # A new database, or a first install that was interrupted.
    odoo -c "$CONF" -d "$DB" -i "$MODULE" --stop-after-init --no-http --max-cron-threads=0
    module_hash > "$stamp"
elif [ "$(cat "$stamp" 2>/dev/null)" != "$(module_hash)" ]; then
    say "the module's source changed: updating it in $DB"
    odoo -c "$CONF" -d "$DB" -u "$MODULE" --stop-after-init --no-http --max-cron-threads=0
    module_hash > "$stamp"
fi
unlock_make
port="${ODOO_HTTP_PORT:-8069}"
say "Odoo 18.0 with $MODULE: http://localhost:$port  (login: admin / password: admin)  Ctrl-C stops it"
exec "$PY" -m odoo -c "$CONF" -d "$DB" --db-filter="^$DB\$"
