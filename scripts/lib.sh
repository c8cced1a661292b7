# scripts/lib.sh - shared by scripts/demo and scripts/test: installs what is
# missing on a Debian 12 machine (apt packages, the npm packages of tests/),
# and builds. Sourced, not run.

LIVERY_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

# Debian packages Livery needs to build, test and run its demo.
LIVERY_APT_PACKAGES="cmake make gcc clang pkg-config gettext ca-certificates curl
  libcivetweb-dev liboauth2-dev libcjose-dev libjansson-dev libsodium-dev libsqlite3-dev
  libinih-dev libcsv-dev libclang-rt-14-dev sqlite3 nodejs npm chromium"

say() { printf '\033[1m==> %s\033[0m\n' "$*"; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }

livery_install_apt() {
	local missing=() p
	for p in $LIVERY_APT_PACKAGES; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
	done
	# A machine with a newer Node.js from elsewhere does not need Debian's.
	if command -v node >/dev/null && command -v npm >/dev/null; then
		missing=("${missing[@]/nodejs}"); missing=("${missing[@]/npm}")
	fi
	local want=()
	for p in "${missing[@]}"; do [ -n "$p" ] && want+=("$p"); done
	[ ${#want[@]} -eq 0 ] && return 0
	say "installing Debian packages: ${want[*]}"
	local sudo=""
	if [ "$(id -u)" -ne 0 ]; then
		command -v sudo >/dev/null || die "run as root, or install: ${want[*]}"
		sudo=sudo
	fi
	$sudo apt-get update -q || die "apt-get update failed"
	DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q --no-install-recommends "${want[@]}" \
		|| die "apt-get install failed"
}

# npm packages of the tests and the demo identity provider, from the lock file.
livery_install_npm() {
	local stamp="$LIVERY_ROOT/tests/node_modules/.livery-lock"
	if [ -f "$stamp" ] && cmp -s "$stamp" "$LIVERY_ROOT/tests/package-lock.json"; then
		return 0
	fi
	say "installing npm packages into tests/node_modules"
	(cd "$LIVERY_ROOT/tests" && npm ci --no-audit --no-fund --loglevel=error) || die "npm ci failed"
	cp "$LIVERY_ROOT/tests/package-lock.json" "$stamp"
}

# livery_build DIR [cmake options...]
livery_build() {
	local dir=$1; shift
	say "building in $dir ($*)"
	cmake -S "$LIVERY_ROOT" -B "$dir" "$@" >"$dir.configure.log" 2>&1 \
		|| { cat "$dir.configure.log"; die "cmake configure failed"; }
	cmake --build "$dir" -j"$(nproc)" || die "build failed"
}
