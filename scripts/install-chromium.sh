#!/bin/sh
# install-chromium.sh installs Debian's Chromium for the playground browser
# tests (playground/browser_test.go). It is idempotent: when the package is
# already installed it does nothing, and it refreshes the apt lists only when
# the package is missing, because `apt-get update` is the slow, networked part.
set -eu

if dpkg-query -W -f='${Status}' chromium 2>/dev/null | grep -q 'install ok installed'; then
	echo "chromium already installed: $(dpkg-query -W -f='${Version}' chromium)"
	exit 0
fi

if [ "$(id -u)" -ne 0 ]; then
	SUDO=sudo
else
	SUDO=
fi

export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update
$SUDO apt-get install -y --no-install-recommends chromium
echo "chromium installed: $(dpkg-query -W -f='${Version}' chromium)"
