#!/usr/bin/env bash
# Debian's Chromium and ChromeDriver for the browser test of the search page
# (tests/test_search_browser.py drives /usr/bin/chromium through /usr/bin/chromedriver with
# Selenium; no browser is downloaded at run time). Needs root for apt-get; a no-op when installed.
set -euo pipefail
if command -v chromium >/dev/null && command -v chromedriver >/dev/null; then
  echo "browser.sh: $(chromium --version 2>/dev/null | head -1), $(chromedriver --version | head -1)" >&2
  exit 0
fi
if [ "$(id -u)" != "0" ] || ! command -v apt-get >/dev/null; then
  echo "browser.sh: chromium/chromedriver missing and cannot apt-get install them here (need root and apt-get)" >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq >&2
apt-get install -y -qq --no-install-recommends chromium chromium-driver fonts-dejavu-core >&2
echo "browser.sh: installed $(chromium --version 2>/dev/null | head -1)" >&2
