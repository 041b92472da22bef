#!/usr/bin/env bash
# `make i18n`: exports the module's translation template (i18n/*.pot) from a
# throw-away database and merges new terms into the shipped .po files.
. "$(dirname "$0")/lib.sh"
lock_make
prepare >/dev/null
DB=aftersales_i18n
I18N="$ROOT/$MODULE/i18n"
template="$(deps_template nodemo)"
db_copy "$template" "$DB"
odoo -c "$CONF" -d "$DB" -i "$MODULE" --without-demo=all --stop-after-init --no-http --log-level=warn
odoo -c "$CONF" -d "$DB" --i18n-export="$I18N/$MODULE.pot" --modules="$MODULE" \
    --stop-after-init --no-http --log-level=error
db_drop "$DB"
for po in "$I18N"/*.po; do
    [ -f "$po" ] && msgmerge --quiet --update --no-fuzzy-matching --backup=none "$po" "$I18N/$MODULE.pot"
done
say "updated $I18N"
