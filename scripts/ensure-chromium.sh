#!/usr/bin/env bash
# The browser tests and the benchmark drive Debian's Chromium (never a downloaded one).
# Installs it with apt-get when it is missing; CHROMIUM_PATH points elsewhere if you have one.
set -euo pipefail
chromium_path="${CHROMIUM_PATH:-/usr/bin/chromium}"
if [ -x "$chromium_path" ]; then exit 0; fi
sudo=""
if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
echo "Chromium not found at $chromium_path: installing Debian's chromium package (needs root or sudo)..."
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq chromium >/dev/null
if [ ! -x "$chromium_path" ]; then
  echo "Installed chromium, but $chromium_path still does not exist; set CHROMIUM_PATH to the chromium binary." >&2
  exit 1
fi
