#!/bin/sh
# Create the project's virtual environment VENV with the interpreter PYTHON (`make run` and
# `make test` call this; they install into VENV, never into PYTHON itself, which Debian 12+,
# Ubuntu 23.04+, Fedora 38+ and Homebrew mark EXTERNALLY-MANAGED).
#
# usage: scripts/make_venv.sh PYTHON VENV
set -eu
python=$1
venv=$2

if ! command -v "$python" >/dev/null 2>&1; then
	echo "mlpsim: no '$python' found: install Python 3.11 or newer, or name one with 'make PYTHON=/path/to/python3 …'" >&2
	exit 1
fi
if ! "$python" -c 'import sys; sys.exit(sys.version_info < (3, 11))'; then
	echo "mlpsim: $python is Python $("$python" -c 'import sys; print(*sys.version_info[:2], sep=".")'); mlpsim needs 3.11 or newer: name one with 'make PYTHON=python3.11 …'" >&2
	exit 1
fi

# A venv that works and was made from this Python (same installation, same version) is kept.
same='import sys; print(sys.base_prefix, sys.version)'
if [ -x "$venv/bin/python" ] && "$venv/bin/python" -c 'import pip' 2>/dev/null &&
	[ "$("$venv/bin/python" -c "$same")" = "$("$python" -c "$same")" ]; then
	[ -e "$venv/.created" ] || touch "$venv/.created" # a venv made before this stamp existed
	exit 0
fi

# Debian and Ubuntu ship venv's pip bootstrap (ensurepip) apart, in python3.X-venv.
if ! "$python" -c 'import venv, ensurepip' 2>/dev/null; then
	package="python$("$python" -c 'import sys; print(*sys.version_info[:2], sep=".")')-venv"
	if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
		echo "mlpsim: installing $package (Python's venv module) with apt-get"
		apt-get update -qq
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$package" >/dev/null
	else
		echo "mlpsim: Python's venv module is missing: install it (Debian/Ubuntu: 'sudo apt install $package') and run make again" >&2
		exit 1
	fi
fi

rm -rf "$venv"
"$python" -m venv "$venv"
touch "$venv/.created"
echo "mlpsim: created the virtual environment $venv ($("$venv/bin/python" --version))"
