# aftersales_service: the two commands are `make run` and `make test`.
# Everything else is prepared by them (see README.md).
.PHONY: run test bench stop lint prepare clean-db i18n help

help:
	@echo "make run     prepare, create the 'aftersales' database once, serve Odoo on :8069"
	@echo "make test    prepare, install into a fresh database, run the suite (pytest-odoo)"
	@echo "make bench   timings at scale (100k tickets, crons, SLA report) and vs repair.order (~10 min)"
	@echo "make stop    stop the project-local PostgreSQL server"
	@echo "make lint    run every lint hook (pre-commit) on the whole tree"
	@echo "make prepare only prepare (packages, venv, Odoo, PostgreSQL, config)"
	@echo "make i18n    export the translation template and merge it into the .po files"
	@echo "make clean-db drop the databases made by make (run database included)"

run:
	@scripts/run.sh

test:
	@scripts/test.sh $(ARGS)

bench:
	@scripts/bench.sh

stop:
	@scripts/stop.sh

lint:
	@scripts/lint.sh

prepare:
	@scripts/prepare.sh

clean-db:
	@scripts/clean_db.sh

i18n:
	@scripts/i18n.sh
