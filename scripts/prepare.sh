#!/usr/bin/env bash
# Prepares everything `make run` and `make test` need; idempotent, and quick
# when nothing changed: system packages, virtualenv, Odoo 18.0, PostgreSQL,
# the Odoo configuration file.
. "$(dirname "$0")/lib.sh"

prepare
