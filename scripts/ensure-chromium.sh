#!/bin/sh
# The browser tests and the map benchmarks need Debian's chromium. Install it when missing (as
# root, or with sudo); fail with a clear message otherwise, so the browser tests never silently
# skip.
set -e
if command -v chromium >/dev/null 2>&1; then exit 0; fi
echo "chromium is missing: installing Debian's chromium package for the browser tests and benchmarks" >&2
if [ "$(id -u)" = 0 ]; then
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
elif command -v sudo >/dev/null 2>&1; then
  sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
else
  echo "error: install chromium (apt-get install chromium) and run make test (or make bench) again" >&2
  exit 1
fi
command -v chromium >/dev/null 2>&1
