#!/usr/bin/env bash
# Installs everything Pretzel needs on a fresh Debian/Ubuntu machine, skipping what is already there.
# Used by `cargo xtask run|test` and by `.ci/run`. Nothing is downloaded from GitHub: apt, crates.io and npm only.
set -euo pipefail

SUDO=""
if [ "$(id -u)" != "0" ]; then SUDO="sudo"; fi

APT_PACKAGES=(
  # Tauri v2 build dependencies
  libwebkit2gtk-4.1-dev libsoup-3.0-dev libjavascriptcoregtk-4.1-dev libayatana-appindicator3-dev
  librsvg2-dev libxdo-dev libssl-dev pkg-config build-essential file libgtk-3-dev
  # running and testing the desktop app and the wasm UI
  xvfb webkit2gtk-driver chromium chromium-driver imagemagick xauth dbus-x11 curl ca-certificates
  # Korean and Chinese glyphs for the UI (and its screenshots)
  fonts-noto-cjk
  # the OS keychain (Secret Service) for session tokens
  libdbus-1-dev
  # a JavaScript runtime for the Tauri CLI and binaryen
  nodejs npm
)

missing=()
for p in "${APT_PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done
# Node may come from elsewhere (nvm, the image): only ask apt for it when no node is on PATH.
if command -v node >/dev/null 2>&1; then
  tmp=(); for p in "${missing[@]}"; do case "$p" in nodejs|npm) ;; *) tmp+=("$p");; esac; done; missing=("${tmp[@]}")
fi
if [ "${#missing[@]}" -gt 0 ]; then
  echo "==> apt: installing ${missing[*]}"
  $SUDO apt-get -o DPkg::Lock::Timeout=900 update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get -o DPkg::Lock::Timeout=900 install -y -qq --no-install-recommends "${missing[@]}"
fi

if ! rustup target list --installed | grep -q '^wasm32-unknown-unknown$'; then
  echo "==> rustup: adding wasm32-unknown-unknown"
  rustup target add wasm32-unknown-unknown
fi

CARGO_BIN="${CARGO_HOME:-$HOME/.cargo}/bin"
export PATH="$CARGO_BIN:$PATH"

# trunk's newest releases need a newer rustc than the pinned 1.95.
if ! trunk --version 2>/dev/null | grep -q '0.21.14'; then
  echo "==> cargo install trunk 0.21.14"
  cargo install trunk --version 0.21.14 --locked
fi

if ! command -v tauri-driver >/dev/null 2>&1; then
  echo "==> cargo install tauri-driver"
  cargo install tauri-driver --locked
fi

# wasm-bindgen-cli must match the wasm-bindgen crate in Cargo.lock exactly.
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
WB_VERSION="$(awk '/^name = "wasm-bindgen"$/{getline; gsub(/version = |"/, ""); print; exit}' "$ROOT/Cargo.lock" 2>/dev/null || true)"
if [ -n "$WB_VERSION" ] && ! wasm-bindgen --version 2>/dev/null | grep -q " $WB_VERSION\$"; then
  echo "==> cargo install wasm-bindgen-cli $WB_VERSION"
  # no --locked: its lock file pins a crate version the registry lacks
  cargo install wasm-bindgen-cli --version "$WB_VERSION" --force
fi

# The Tauri CLI and a wasm-opt that works (Debian's binaryen 108 emits broken tables) come from npm,
# pinned by package.json / package-lock.json at the root.
if [ ! -x "$ROOT/node_modules/.bin/tauri" ] || [ ! -x "$ROOT/node_modules/.bin/wasm-opt" ] \
   || [ "$ROOT/package-lock.json" -nt "$ROOT/node_modules/.package-lock.json" ]; then
  echo "==> npm ci: the Tauri CLI and binaryen"
  (cd "$ROOT" && npm ci --no-audit --no-fund --silent)
fi
echo "==> dependencies ready"
