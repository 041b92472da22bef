#!/usr/bin/env bash
# `make clean-db`: drops every database this project made (the run database
# included) and their filestores; the next make starts afresh.
. "$(dirname "$0")/lib.sh"
lock_make
prepare >/dev/null
for db in $(psql -d postgres -Atc "select datname from pg_database where datname like 'aftersales%'"); do
    say "dropping $db"; db_drop "$db"
done
rm -f "$LOCAL"/run-*.module-hash
