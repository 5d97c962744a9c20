#!/usr/bin/env bash
# Build the InfluxDB 2.x server (influxd) from its Go module, including the
# Rust part of its Flux library (libflux), with no Docker and no prebuilt
# downloads. Only the Go module proxy, crates.io and Debian apt are used.
#
# Usage: infra/influxdb/build.sh
#   Prints the absolute path of the built binary as the last stdout line.
#   Everything else (progress, build logs) goes to stderr.
#
# Output: ${XI_CACHE_DIR:-$HOME/.cache/xi}/influxd/<key>/influxd, where <key>
# hashes go.mod, go.sum, main.go, this script, `go version` and `rustc -vV`.
# When that file exists the script prints its path and exits at once.
#
# Environment:
#   XI_CACHE_DIR      cache root (default $HOME/.cache/xi)
#   RUSTUP_TOOLCHAIN  Rust toolchain for libflux (default: rustup's default
#                     toolchain; Flux pins 1.72 in its rust-toolchain.toml,
#                     which is not installed and cannot be downloaded here)
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
log() { printf '[influxd-build] %s\n' "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }

# Tags from upstream's GNUmakefile (COMMON_TAGS), without "assets": the web UI
# is not embedded, the API is complete.
BUILD_TAGS="sqlite_foreign_keys,sqlite_json"
PKG_CONFIG_WRAPPER_VERSION="v0.2.7"   # github.com/influxdata/pkg-config

command -v go >/dev/null || die "go is not on PATH"
command -v rustup >/dev/null || die "rustup is not on PATH"

# The pkg-config wrapper expects libflux.a under libflux/target: a target folder set for other
# Rust builds must not redirect this one.
unset CARGO_TARGET_DIR

# Never let rustup try to fetch the toolchain pinned by Flux (1.72).
export RUSTUP_AUTO_INSTALL=0
if [[ -z "${RUSTUP_TOOLCHAIN:-}" ]]; then
  RUSTUP_TOOLCHAIN="$(rustup default 2>/dev/null | awk '{print $1; exit}' || true)"
  [[ -n "$RUSTUP_TOOLCHAIN" ]] || RUSTUP_TOOLCHAIN="$(rustup toolchain list 2>/dev/null | awk 'NR==1{print $1}' || true)"
  [[ -n "$RUSTUP_TOOLCHAIN" ]] || die "no Rust toolchain installed (rustup toolchain list is empty)"
fi
export RUSTUP_TOOLCHAIN

go_ver="$(go version)"
rustc_ver="$(rustc -vV)"

key="$(
  {
    for f in go.mod go.sum main.go build.sh; do
      printf '== %s\n' "$f"; cat "$here/$f"
    done
    printf '== go\n%s\n== rustc\n%s\n' "$go_ver" "$rustc_ver"
  } | sha256sum | cut -c1-16
)"
cache_root="${XI_CACHE_DIR:-$HOME/.cache/xi}/influxd"
out_dir="$cache_root/$key"
out="$out_dir/influxd"

if [[ -x "$out" ]]; then
  printf '%s\n' "$out"
  exit 0
fi

start=$(date +%s)
log "building influxd into $out"
log "go: $go_ver; rust toolchain: $RUSTUP_TOOLCHAIN ($(rustc --version))"

# --- Debian prerequisites (only when missing) -------------------------------
# pkg-config: called by the wrapper for everything except flux.
# gcc/libc6-dev: cgo (sqlite3, libflux glue) and the `cc` crate.
need=()
for pkg in pkg-config gcc libc6-dev; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' || need+=("$pkg")
done
if ((${#need[@]})); then
  log "installing Debian packages: ${need[*]}"
  sudo_cmd=()
  [[ $(id -u) -eq 0 ]] || sudo_cmd=(sudo)
  "${sudo_cmd[@]}" apt-get update -qq >&2
  DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${need[@]}" >&2
fi

# --- influxdata/pkg-config wrapper --------------------------------------------
# Go calls $PKG_CONFIG for the cgo package github.com/influxdata/flux/libflux/go/libflux.
# For "flux" the wrapper copies the (read-only) flux module into
# $GOCACHE/pkgconfig/, runs `cargo build --release` there and emits a .pc file
# pointing at the resulting libflux.a; all other names go to the real pkg-config.
tools_dir="$cache_root/tools/pkg-config-$PKG_CONFIG_WRAPPER_VERSION"
wrapper="$tools_dir/pkg-config"
if [[ ! -x "$wrapper" ]]; then
  log "installing github.com/influxdata/pkg-config@$PKG_CONFIG_WRAPPER_VERSION"
  mkdir -p "$tools_dir"
  (cd "$here" && GOBIN="$tools_dir" GOFLAGS= go install "github.com/influxdata/pkg-config@$PKG_CONFIG_WRAPPER_VERSION") >&2
fi

# --- build ------------------------------------------------------------------
influx_ver="$(cd "$here" && go list -mod=readonly -m -f '{{.Version}}' github.com/influxdata/influxdb/v2)"
flux_ver="$(cd "$here" && go list -mod=readonly -m -f '{{.Version}}' github.com/influxdata/flux)"
log "influxdb $influx_ver, flux $flux_ver"

rustc_wrapper="$cache_root/tools/rustc-cap-lints"
mkdir -p "$cache_root/tools"
cat >"$rustc_wrapper.tmp" <<'EOF'
#!/bin/sh
# RUSTC_WRAPPER written by infra/influxdb/build.sh: compile every crate with
# --cap-lints warn (cargo already passes --cap-lints allow for registry crates).
if [ -n "${XI_INNER_RUSTC_WRAPPER:-}" ]; then set -- "$XI_INNER_RUSTC_WRAPPER" "$@"; fi
for a in "$@"; do
  case "$a" in --cap-lints|--cap-lints=*) exec "$@" ;; esac
done
exec "$@" --cap-lints warn
EOF
chmod 0755 "$rustc_wrapper.tmp"
mv -f "$rustc_wrapper.tmp" "$rustc_wrapper"
shim_dir="$cache_root/tools/pkg-config-shim"
real_pkg_config="$(PATH=/usr/local/bin:/usr/bin:/bin command -v pkg-config)" || die "pkg-config not found"
mkdir -p "$shim_dir"
ln -sfn "$real_pkg_config" "$shim_dir/pkg-config"

mkdir -p "$out_dir"
tmp="$(mktemp "$out_dir/.influxd.XXXXXX")"
trap 'rm -f "$tmp"' EXIT

log "go build (the first run compiles libflux with cargo: cold: ~30 min on 2 busy cores, quiet: less)"
(
  cd "$here"
  export CGO_ENABLED=1
  export PKG_CONFIG="$wrapper"
  # The wrapper looks up the real pkg-config on PATH (minus itself); make sure
  # it finds Debian's and not another copy of the wrapper (e.g. in $GOPATH/bin).
  export PATH="$shim_dir:$PATH"
  # Flux denies warnings (its default "strict" feature) and newer rustc warns
  # about more, so cap lints at "warn". RUSTFLAGS is not enough: the wrapper
  # runs `cargo build --target <host triple>`, and with --target cargo passes
  # neither RUSTFLAGS nor target.<triple>.rustflags to host artifacts, and
  # flux-core is also compiled for the host (flux's build script uses it).
  # A RUSTC_WRAPPER reaches every rustc call.
  export XI_INNER_RUSTC_WRAPPER="${RUSTC_WRAPPER:-}"
  export RUSTC_WRAPPER="$rustc_wrapper"
  export CARGO_TERM_COLOR=never
  go build -mod=readonly -trimpath \
    -tags "$BUILD_TAGS" \
    -ldflags "-X main.version=$influx_ver -X main.commit=gomod-$influx_ver -X main.date=$(date -u +%Y-%m-%dT%H:%M:%SZ)" \
    -o "$tmp" .
) >&2

chmod 0755 "$tmp"
mv -f "$tmp" "$out"
trap - EXIT
cat >"$out_dir/build-info.txt" <<EOF
influxdb $influx_ver
flux $flux_ver
tags $BUILD_TAGS
$go_ver
$(rustc --version) ($RUSTUP_TOOLCHAIN)
built $(date -u +%Y-%m-%dT%H:%M:%SZ) in $(( $(date +%s) - start ))s
EOF
log "done in $(( $(date +%s) - start ))s"
printf '%s\n' "$out"
