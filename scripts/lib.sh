# shellcheck shell=bash
# Shared helpers for the project's scripts: paths, Odoo discovery, PostgreSQL.
# Sourced by scripts/*.sh; nothing here runs on its own.

set -euo pipefail
shopt -s inherit_errexit  # errors inside $(...) stop the script too
# Another Odoo on PYTHONPATH would shadow the one found below.
unset PYTHONPATH

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
MODULE=aftersales_service
LOCAL="$ROOT/.local"
VENV="${AFTERSALES_VENV:-$ROOT/.venv}"
PY="$VENV/bin/python"
CONF="$LOCAL/odoo.conf"
LOGDIR="$LOCAL/log"
CACHE_HOME="${XDG_CACHE_HOME:-$HOME/.cache}"
ODOO_CACHE="$CACHE_HOME/aftersales_service/odoo-18.0"
ODOO_DOWNLOAD_URL="${ODOO_DOWNLOAD_URL:-https://nightly.odoo.com/18.0/nightly/src/odoo_18.0.latest.tar.gz}"
PTH_NAME="aftersales_service_odoo.pth"

# One make at a time touches the databases and the environment of a checkout
# (fixed database names, template builds).
lock_make() {
    mkdir -p "$LOCAL"
    exec 9>"$LOCAL/make.lock"
    if ! flock -n 9; then
        say "another make is running in this checkout: waiting for it"
        flock 9
    fi
}
unlock_make() { flock -u 9 2>/dev/null || true; exec 9>&-; }

say() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }
die() { printf '\033[31merror:\033[0m %s\n' "$*" >&2; exit 1; }

as_root() {
    if [ "$(id -u)" -eq 0 ]; then "$@"
    elif command -v sudo >/dev/null; then sudo "$@"
    else die "needs root to run: $* (install it yourself, then run make again)"
    fi
}

# --------------------------------------------------------------------------
# System packages (Debian / Ubuntu)
# --------------------------------------------------------------------------
SYSTEM_PACKAGES=(
    postgresql-client libpq-dev curl ca-certificates
    build-essential python3-dev python3-venv
    libldap2-dev libsasl2-dev libxml2-dev libxslt1-dev libjpeg-dev zlib1g-dev
    wkhtmltopdf fonts-noto-cjk gettext
)

ensure_system_packages() {
    command -v dpkg-query >/dev/null || { say "not a Debian system: install ${SYSTEM_PACKAGES[*]} yourself"; return 0; }
    local missing=() pkg
    local pkgs=("${SYSTEM_PACKAGES[@]}")
    # The server only when we run our own cluster (not with PG* variables).
    pg_external || pkgs+=(postgresql)
    # Browser for the tour tests: Debian's chromium unless a Chrome is there.
    if ! command -v chromium >/dev/null && ! command -v google-chrome >/dev/null \
        && ! command -v chromium-browser >/dev/null; then
        pkgs+=(chromium)
    fi
    for pkg in "${pkgs[@]}"; do
        dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
    done
    if [ "${#missing[@]}" -gt 0 ]; then
        say "installing system packages: ${missing[*]}"
        as_root env DEBIAN_FRONTEND=noninteractive apt-get update -q
        as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}"
    fi
}

# --------------------------------------------------------------------------
# Python virtualenv
# --------------------------------------------------------------------------
find_python() {
    local cand
    for cand in "${PYTHON:-}" python3.11 python3.12 python3.10 python3; do
        [ -n "$cand" ] || continue
        command -v "$cand" >/dev/null || continue
        if "$cand" -c 'import sys; sys.exit(not ((3, 10) <= sys.version_info[:2] <= (3, 12)))'; then
            echo "$cand"; return 0
        fi
    done
    die "Odoo 18.0 needs Python 3.10 to 3.12; set PYTHON=/path/to/python3.11"
}

ensure_venv() {
    if [ ! -x "$PY" ]; then
        say "creating virtualenv $VENV"
        "$(find_python)" -m venv "$VENV"
    fi
}

site_packages() { "$PY" -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])'; }

# --------------------------------------------------------------------------
# Odoo 18.0 source
# --------------------------------------------------------------------------
# Prints the directory that contains the `odoo` package if it is Odoo 18.0.
odoo_version_ok() {  # $1: directory holding the odoo package
    [ -f "$1/odoo/release.py" ] || return 1
    "$PY" - "$1" <<'EOF' 2>/dev/null
import runpy, sys
info = runpy.run_path(sys.argv[1] + "/odoo/release.py")["version_info"]
sys.exit(0 if tuple(info[:2]) == (18, 0) else 1)
EOF
}

odoo_has_addons() {  # $1: source root
    [ -d "$1/odoo/addons/web" ] || [ -d "$1/addons/web" ]
}

download_odoo() {
    # Unpacked beside the cache and renamed into place only when whole.
    local tmp top
    say "downloading Odoo 18.0 source from $ODOO_DOWNLOAD_URL"
    mkdir -p "$(dirname "$ODOO_CACHE")"
    tmp="$(mktemp -d "$ODOO_CACHE.download.XXXXXX")"
    if ! curl -fL --retry 2 --connect-timeout 20 -o "$tmp/odoo.tar.gz" "$ODOO_DOWNLOAD_URL" \
        || ! mkdir -p "$tmp/x" || ! tar -xzf "$tmp/odoo.tar.gz" -C "$tmp/x"; then
        rm -rf "$tmp"; return 1
    fi
    top="$(find "$tmp/x" -mindepth 2 -maxdepth 3 -name release.py -path '*/odoo/release.py' | head -1)"
    top="${top:+$(dirname "$(dirname "$top")")}"
    if [ -z "$top" ] || ! odoo_version_ok "$top" || ! odoo_has_addons "$top"; then
        rm -rf "$tmp"; return 1
    fi
    rm -rf "$ODOO_CACHE" && mv "$top" "$ODOO_CACHE"
    rm -rf "$tmp"
}

# Sets ODOO_SRC_FOUND (directory containing the odoo package) and ODOO_HOW.
find_odoo() {
    local sp
    sp="$(site_packages)"
    # Our own link is re-decided on every run, so ODOO_SRC changes take effect.
    rm -f "$sp/$PTH_NAME"
    local imported
    if imported="$("$PY" -c 'import os, odoo.release as r; assert r.version_info[:2] == (18, 0); print(os.path.dirname(os.path.dirname(r.__file__)))' 2>/dev/null)" \
        && odoo_has_addons "$imported"; then
        ODOO_SRC_FOUND="$imported"; ODOO_HOW="already importable"; return 0
    fi
    if [ -n "${ODOO_SRC:-}" ]; then
        odoo_version_ok "$ODOO_SRC" && odoo_has_addons "$ODOO_SRC" \
            || die "ODOO_SRC=$ODOO_SRC is not an Odoo 18.0 source tree (expected odoo/release.py and the addons)"
        ODOO_SRC_FOUND="$(cd "$ODOO_SRC" && pwd)"; ODOO_HOW="ODOO_SRC"
    elif odoo_version_ok "$ODOO_CACHE" && odoo_has_addons "$ODOO_CACHE"; then
        ODOO_SRC_FOUND="$ODOO_CACHE"; ODOO_HOW="cache"
    elif command -v curl >/dev/null && download_odoo; then
        ODOO_SRC_FOUND="$ODOO_CACHE"; ODOO_HOW="downloaded"
    else
        die "Odoo 18.0 Community was not found. Provide it in one of these ways:
  - install it in $VENV (pip install -e /path/to/odoo), or
  - run with ODOO_SRC=/path/to/odoo-18.0 (a checkout of github.com/odoo/odoo branch 18.0), or
  - unpack the 18.0 source into $ODOO_CACHE, or
  - allow the download of $ODOO_DOWNLOAD_URL"
    fi
    echo "$ODOO_SRC_FOUND" > "$sp/$PTH_NAME"
}

# Prints the addons directories of the Odoo source (comma separated).
odoo_addons_path() {
    local src="$1"
    if [ -d "$src/odoo/addons/web" ]; then
        # Packaged layout (nightly/PyPI-like): every addon lives in odoo/addons.
        echo "$src/odoo/addons"
    else
        # Git layout: base in odoo/addons, the rest in addons/.
        echo "$src/addons,$src/odoo/addons"
    fi
}

# --------------------------------------------------------------------------
# PostgreSQL
# --------------------------------------------------------------------------
# Either the server named by the PG* variables, or a project-local cluster.
PG_LOCAL_DIR="$LOCAL/pg"
PG_ROLE="${PG_ROLE:-odoo}"

# Decided once, from the caller's environment (pg_env exports PG* later).
if [ -n "${PGHOST:-}${PGPORT:-}${PGUSER:-}${PGPASSWORD:-}" ]; then PG_IS_EXTERNAL=1; else PG_IS_EXTERNAL=0; fi
pg_external() { [ "$PG_IS_EXTERNAL" = 1 ]; }

pg_bindir() {
    # The version that made the cluster, else the newest server installed.
    local d version_file
    version_file="$(pg_dir)/data/PG_VERSION"
    if [ -f "$version_file" ]; then
        d="/usr/lib/postgresql/$(cat "$version_file")/bin"
        [ -x "$d/pg_ctl" ] && { echo "$d"; return; }
        die "the cluster in $(pg_dir) needs PostgreSQL $(cat "$version_file"), not installed"
    fi
    for d in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -rV || true); do
        [ -x "$d/pg_ctl" ] && { echo "$d"; return; }
    done
    command -v pg_config >/dev/null && [ -x "$(pg_config --bindir)/pg_ctl" ] && pg_config --bindir && return
    die "PostgreSQL server binaries not found"
}

pg_os_user() {
    if [ "$(id -u)" -eq 0 ]; then echo "${PG_OS_USER:-postgres}"; else id -un; fi
}

pg_run_as() {  # run a command as the cluster's OS user
    local u
    u="$(pg_os_user)"
    if [ "$u" = "$(id -un)" ]; then "$@"; else runuser -u "$u" -- "$@"; fi
}

# Where the cluster lives: inside the project unless the OS user that runs
# PostgreSQL (when we are root) cannot reach the project directory.
# Also outside it when the socket path would be too long for the system
# (about 107 bytes).
pg_dir() {
    if { [ "$(id -u)" -eq 0 ] && ! runuser -u "$(pg_os_user)" -- test -x "$ROOT" 2>/dev/null; } \
        || [ "${#PG_LOCAL_DIR}" -gt 80 ]; then
        echo "/var/tmp/aftersales_service-pg-$(echo -n "$ROOT" | sha1sum | cut -c1-12)"
    else
        echo "$PG_LOCAL_DIR"
    fi
}

pg_env() {
    if pg_external; then
        export PGHOST="${PGHOST:-localhost}" PGPORT="${PGPORT:-5432}" PGUSER="${PGUSER:-$(id -un)}"
        DB_HOST="$PGHOST"; DB_PORT="$PGPORT"; DB_USER="$PGUSER"; DB_PASSWORD="${PGPASSWORD:-}"
    else
        local dir; dir="$(pg_dir)"
        export PGHOST="$dir/run" PGPORT=5432 PGUSER="$PG_ROLE" PGDATABASE=postgres
        export PGOPTIONS="${PGOPTIONS:--c client_min_messages=warning}"
        DB_HOST="$PGHOST"; DB_PORT="$PGPORT"; DB_USER="$PG_ROLE"; DB_PASSWORD=""
    fi
}

pg_start() {
    pg_env
    if pg_external; then
        psql -d "${PGDATABASE:-postgres}" -Atc 'select 1' >/dev/null \
            || die "cannot connect to the PostgreSQL server named by PGHOST/PGPORT/PGUSER"
        return 0
    fi
    local dir bin u
    dir="$(pg_dir)"; bin="$(pg_bindir)"; u="$(pg_os_user)"
    if [ "$(id -u)" -eq 0 ] && ! id "$u" >/dev/null 2>&1; then
        die "PostgreSQL refuses to run as root and user '$u' does not exist (set PG_OS_USER)"
    fi
    if [ ! -f "$dir/data/PG_VERSION" ]; then
        say "creating a local PostgreSQL cluster in $dir"
        mkdir -p "$dir/data" "$dir/run"
        [ "$(id -u)" -eq 0 ] && chown -R "$u" "$dir"
        chmod 700 "$dir/data" "$dir/run"
        pg_run_as "$bin/initdb" -D "$dir/data" -U "$u" -E UTF8 --locale=C.UTF-8 \
            --auth-local=trust --auth-host=reject >/dev/null
        cat >> "$dir/data/postgresql.conf" <<EOF
# aftersales_service: a private development cluster, reachable only through
# the socket in $dir/run (mode 0700).
listen_addresses = ''
unix_socket_directories = '$dir/run'
unix_socket_permissions = 0700
fsync = off
synchronous_commit = off
full_page_writes = off
EOF
    fi
    if ! pg_run_as "$bin/pg_ctl" -D "$dir/data" status >/dev/null 2>&1; then
        say "starting PostgreSQL ($dir)"
        # Socket and network settings given at every start too, so that a
        # cluster whose configuration was not completed never listens on TCP.
        pg_run_as "$bin/pg_ctl" -D "$dir/data" -l "$dir/postgresql.log" -w -t 60 \
            -o "-k $dir/run -c listen_addresses=" start >/dev/null 9>&-  # not the make lock
    fi
    if ! pg_run_as psql -h "$dir/run" -U "$u" -d postgres -Atc \
        "select 1 from pg_roles where rolname = '$PG_ROLE'" | grep -q 1; then
        pg_run_as psql -h "$dir/run" -U "$u" -d postgres -qc "create role \"$PG_ROLE\" login superuser"
    fi
}

pg_stop() {
    pg_external && { say "PostgreSQL is external (PG* variables): not stopping it"; return 0; }
    local dir; dir="$(pg_dir)"
    if [ -f "$dir/data/PG_VERSION" ] && pg_run_as "$(pg_bindir)/pg_ctl" -D "$dir/data" status >/dev/null 2>&1; then
        say "stopping PostgreSQL ($dir)"
        pg_run_as "$(pg_bindir)/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null
    fi
}

db_exists() {
    local out
    out="$(psql -d postgres -Atc "select 1 from pg_database where datname = '$1'")" \
        || die "cannot ask the database server whether database $1 exists"
    [ "$out" = 1 ]
}

db_drop() {
    psql -d postgres -qc "select pg_terminate_backend(pid) from pg_stat_activity where datname = '$1'" >/dev/null
    dropdb --if-exists --force "$1" 2>/dev/null || dropdb --if-exists "$1"
    rm -rf "$LOCAL/data/filestore/$1"
}

db_copy() {  # $1 template, $2 new database; the filestore goes with it
    db_drop "$2"
    createdb -T "$1" "$2"
    if [ -d "$LOCAL/data/filestore/$1" ]; then
        mkdir -p "$LOCAL/data/filestore"
        cp -a "$LOCAL/data/filestore/$1" "$LOCAL/data/filestore/$2"
    fi
}

# --------------------------------------------------------------------------
# Odoo
# --------------------------------------------------------------------------
odoo() { "$PY" -m odoo "$@"; }

write_config() {
    mkdir -p "$LOCAL/data" "$LOGDIR"
    local addons admin_pw
    addons="$ROOT,$(odoo_addons_path "$ODOO_SRC_FOUND")"
    # The master password and the database settings are private (mode 600);
    # .local itself stays traversable for the PostgreSQL user of the cluster.
    [ -f "$LOCAL/admin_passwd" ] || (umask 077 \
        && "$PY" -c 'import secrets; print(secrets.token_urlsafe(24))' > "$LOCAL/admin_passwd")
    admin_pw="$(cat "$LOCAL/admin_passwd")"
    (umask 077 && : > "$CONF.tmp")
    cat > "$CONF.tmp" <<EOF
; Written by scripts/prepare.sh: edit the scripts, not this file.
[options]
addons_path = $addons
data_dir = $LOCAL/data
db_host = $DB_HOST
db_port = $DB_PORT
db_user = $DB_USER
db_password = $DB_PASSWORD
admin_passwd = $admin_pw
http_interface = ${ODOO_HTTP_INTERFACE:-127.0.0.1}
http_port = ${ODOO_HTTP_PORT:-8069}
proxy_mode = False
EOF
    chmod 600 "$CONF.tmp" "$LOCAL/admin_passwd"
    mv "$CONF.tmp" "$CONF"
}

# Changes when the Odoo source changes (a git pull, a new download): the
# path, the commit when it is a git tree, and every addon manifest's mtime.
odoo_source_key() {
    echo "$ODOO_SRC_FOUND"
    git -C "$ODOO_SRC_FOUND" rev-parse HEAD 2>/dev/null || true
    local addons
    for addons in $(odoo_addons_path "$ODOO_SRC_FOUND" | tr ',' ' '); do
        find "$addons" -maxdepth 2 -name __manifest__.py -printf '%p %T@\n' | sort
    done | sha1sum
}

# Dependencies of the module, read from its manifest (comma separated).
module_depends() {
    "$PY" -c 'import ast, sys; print(",".join(ast.literal_eval(open(sys.argv[1]).read())["depends"]))' \
        "$ROOT/$MODULE/__manifest__.py"
}

# A database with the module's dependencies installed, kept as a template so
# that each test run only installs the module itself. Keyed by the Odoo
# source, the dependencies and whether demo data is loaded.
deps_template() {  # $1: demo | nodemo ; prints the template name
    local mode="$1" key name log
    key="$(odoo_source_key; module_depends; echo "$mode")"
    key="$(echo "$key" | sha1sum | cut -c1-10)"
    name="aftersales_tmpl_${mode}_$key"
    if ! db_exists "$name"; then
        # Old templates of other keys are dropped.
        for old in $(psql -d postgres -Atc "select datname from pg_database where datname like 'aftersales_tmpl_${mode}_%'"); do
            db_drop "$old"
        done
        say "creating template database $name (dependencies, $mode): once per Odoo source"
        log="$LOGDIR/$name.log"; rm -f "$log"
        db_drop "$name.tmp"
        local demo_opt=()
        [ "$mode" = nodemo ] && demo_opt=(--without-demo=all)
        if ! odoo -c "$CONF" -d "$name.tmp" -i "$(module_depends)" "${demo_opt[@]}" \
            --stop-after-init --no-http --max-cron-threads=0 --logfile="$log" --log-level=warn; then
            db_drop "$name.tmp"; die "installing the dependencies failed: see $log"
        fi
        psql -d postgres -qc "alter database \"$name.tmp\" rename to \"$name\""
        [ -d "$LOCAL/data/filestore/$name.tmp" ] && mv "$LOCAL/data/filestore/$name.tmp" "$LOCAL/data/filestore/$name"
    fi
    echo "$name"
}

# --------------------------------------------------------------------------
# Everything make needs, in order (idempotent)
# --------------------------------------------------------------------------
prepare() {
    ensure_system_packages
    ensure_venv
    find_odoo
    say "Odoo 18.0: $ODOO_SRC_FOUND ($ODOO_HOW)"

    # Python requirements: Odoo's own and the pinned development tools.
    local stamp want constraints
    stamp="$VENV/.aftersales-requirements"
    want="$( { "$PY" --version; cat "$ODOO_SRC_FOUND/requirements.txt" 2>/dev/null; cat "$ROOT/requirements-dev.txt"; } | sha1sum | cut -d' ' -f1)"
    if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
        say "installing Python requirements into $VENV"
        # cbor2's old setup.py imports pkg_resources, gone from setuptools 81.
        constraints="$(mktemp)"; echo 'setuptools<81' > "$constraints"
        export PIP_BUILD_CONSTRAINT="$constraints" PIP_DISABLE_PIP_VERSION_CHECK=1
        "$PY" -m pip install -q 'pip==26.3' wheel 'setuptools<81'
        if [ -f "$ODOO_SRC_FOUND/requirements.txt" ]; then
            "$PY" -m pip install -q -r "$ODOO_SRC_FOUND/requirements.txt"
        fi
        "$PY" -m pip install -q -r "$ROOT/requirements-dev.txt"
        rm -f "$constraints"
        echo "$want" > "$stamp"
    fi
    "$PY" -c 'import sys, odoo.release as r; sys.exit(r.version_info[:2] != (18, 0))' \
        || die "the odoo that $VENV imports is not Odoo 18.0"

    pg_start
    write_config
    say "ready: config $CONF, database server $PGHOST"
}
