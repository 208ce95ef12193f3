#!/bin/sh
# What the browser tests need from Debian: chromium (driven by Playwright's Python package,
# never a downloaded browser), its fonts, and pdftoppm for the printed worksheets.
set -eu
missing=""
command -v chromium >/dev/null 2>&1 || missing="$missing chromium fonts-dejavu-core"
command -v pdftoppm >/dev/null 2>&1 || missing="$missing poppler-utils"
[ -z "$missing" ] && exit 0

if [ "$(id -u)" = 0 ]; then
	sudo=""
elif command -v sudo >/dev/null 2>&1; then
	sudo="sudo"
else
	echo "mlpsim: the browser tests need Debian's packages$missing: install them as root ('apt-get install$missing') and run make test again" >&2
	exit 1
fi
if ! command -v apt-get >/dev/null 2>&1; then
	echo "mlpsim: the browser tests need Chromium at /usr/bin/chromium and pdftoppm (poppler); this machine has no apt-get to install them" >&2
	exit 1
fi
echo "mlpsim: installing$missing with apt-get"
$sudo apt-get update -qq
$sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $missing >/dev/null
