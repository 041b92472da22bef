#!/usr/bin/env bash
# `make run`: the database `aftersales` (created once, with the module and its
# demo data), kept up to date with the module's source, served by Odoo on
# http://localhost:8069. Ctrl-C stops Odoo; `make stop` stops PostgreSQL.
. "$(dirname "$0")/lib.sh"

prepare
DB="${RUN_DB:-aftersales}"
stamp="$LOCAL/run-$DB.module-hash"
module_hash() {
    (cd "$ROOT" && find "$MODULE" -type f -not -path '*/__pycache__/*' -print0 | sort -z \
        | xargs -0 sha1sum | sha1sum | cut -d' ' -f1)
}
args=()
if ! db_exists "$DB"; then
    say "creating database $DB with $MODULE and its demo data"
    db_copy "$(deps_template demo)" "$DB"
    odoo -c "$CONF" -d "$DB" -i "$MODULE" --stop-after-init --no-http --max-cron-threads=0
    module_hash > "$stamp"
elif [ "$(cat "$stamp" 2>/dev/null)" != "$(module_hash)" ]; then
    say "the module's source changed: updating it in $DB"
    args+=(-u "$MODULE")
    module_hash > "$stamp"
fi
port="${ODOO_HTTP_PORT:-8069}"
say "Odoo 18.0 with $MODULE: http://localhost:$port  (login: admin / password: admin)  Ctrl-C stops it"
exec "$PY" -m odoo -c "$CONF" -d "$DB" --db-filter="^$DB\$" "${args[@]}"
