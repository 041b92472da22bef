#!/usr/bin/env bash
# `make stop`: stops the project-local PostgreSQL server started by make.
. "$(dirname "$0")/lib.sh"
pg_stop
