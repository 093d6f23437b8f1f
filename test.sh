#!/usr/bin/env bash
# Installs the Debian packages the tests need when any is missing, then runs every test.
set -euo pipefail
root=$(cd "$(dirname "$(readlink -f "$0")")" && pwd)

# chromium: the graph page's tests drive it headless.
packages=(tshark tcpdump libpcap0.8 iproute2 busybox iputils-ping iperf3 python3-grpcio python3-scapy chromium etcd-server)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
# The build fetches the graph page's library with npm; any npm will do, Debian's when there is none.
command -v npm >/dev/null || missing+=(nodejs npm)
if [ ${#missing[@]} -gt 0 ]; then
  echo "test.sh: installing ${missing[*]}" >&2
  export DEBIAN_FRONTEND=noninteractive
  # tshark asks whether non-root users may capture; answer for it.
  echo "wireshark-common wireshark-common/install-setuid boolean false" | debconf-set-selections
  sudo_cmd=()
  [ "$(id -u)" -eq 0 ] || sudo_cmd=(sudo)
  "${sudo_cmd[@]}" apt-get update -qq
  "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

export SDN_REQUIRE_KVM=1
# A hung test fails its run, naming itself, instead of holding CI until its limit.
exec dotnet test "$root/Sdn.sln" --blame-hang-timeout 8m --blame-hang-dump-type none "$@"
