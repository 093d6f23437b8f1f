#!/usr/bin/env bash
# The rack: several machines on one machine, for trying and testing a multi-host fabric. Network namespaces play
# the machines, veth pairs the cables, and a Linux bridge in a namespace of its own the underlay and management
# switch. `up` starts `sdn controller` on the ctl machine and one `sdn edge` or `sdn core` per node of a topology on
# the others. docs/rack.md describes every subcommand; `rack.sh help` summarizes them.
set -Eeuo pipefail

root=$(cd "$(dirname "$(readlink -f "$0")")/.." && pwd)

prefix=${SDN_RACK_PREFIX:-sdnr-}
subnet=${SDN_RACK_NET:-10.77.0}
dir=${SDN_RACK_DIR:-/tmp/sdn-rack}
while [[ $dir == */ && $dir != / ]]; do dir=${dir%/}; done
port=${SDN_RACK_PORT:-6653}
host_prefix=${SDN_RACK_HOST_PREFIX:-sdn-}
mtu=${SDN_RACK_MTU:-9000}

# The machines, in the order `up` fills them, and each one's last address octet on the underlay.
machines=(ctl hv1 hv2 hv3 core1 core2)
hypervisors=(hv1 hv2 hv3)
core_machines=(core1 core2)
declare -A octet=([ctl]=1 [hv1]=11 [hv2]=12 [hv3]=13 [core1]=21 [core2]=22)
switch=sw      # the machine that holds the bridge; its ports are named after the machines they cable
bridge=br0
cable=uplink   # each machine's end of its cable
marker=.sdn-rack  # marks a state dir as the rack's, so `down` never removes a directory it did not make

# What to undo when this run fails: nothing; `net`, the namespaces of a half-made net; or `teardown`, everything a
# half-made `up` started.
undo=""
sdn=()
sdn_commands=""

usage() {
  cat <<EOF
usage: rack/rack.sh COMMAND [ARGS]

  net                    create the machines (namespaces) and their cables to the switch, nothing else
  up TOPOLOGY.yaml       net, then the controller on ctl and each edge and core node of TOPOLOGY on its machine
  down                   stop every process of the rack, then delete its namespaces and its state dir
  status                 which machines exist, whether their cables are up, and which processes run
  exec MACHINE CMD...    run CMD in MACHINE's namespace
  cut MACHINE            set MACHINE's cable down at the switch
  mend MACHINE           set MACHINE's cable up again
  kill [-SIGNAL] PROC    send SIGNAL (default -9) to PROC: controller or a node name
  start PROC             start PROC again with the arguments it was started with

machines: ${machines[*]} (and $switch, the switch); PROC: controller, or an edge or core node of the topology

environment (use the same values for every command on one rack):
  SDN_RACK_PREFIX  namespace prefix             (now: $prefix)
  SDN_RACK_NET     first three octets of the /24 (now: $subnet)
  SDN_RACK_DIR     state dir: tokens, logs, pids (now: $dir)
  SDN_RACK_PORT    the controller's port         (now: $port)
  SDN_RACK_HOST_PREFIX  the edges' --host-prefix, before each host's namespace name (now: $host_prefix)
  SDN_RACK_MTU     the cables' MTU               (now: $mtu)
  SDN_RACK_SDN     command that runs sdn         (default: dotnet $root/Sdn.Cli/bin/Release/net10.0/sdn.dll,
                   built through ./sdn when stale)
EOF
}

die() {
  echo "rack: $*" >&2
  exit 1
}

# A failure that no check foresaw still gets one line naming what failed.
trap 'rc=$?; echo "rack: line $LINENO: \`$BASH_COMMAND\` failed (exit $rc)" >&2' ERR

on_exit() {
  local rc=$?
  trap '' INT TERM
  [ "$rc" -ne 0 ] || return 0
  case $undo in
    net)
      echo "rack: deleting the namespaces this run created" >&2
      delete_namespaces >&2 || true
      ;;
    teardown)
      echo "rack: tearing down what this run started" >&2
      teardown >&2 || true
      ;;
  esac
}
trap on_exit EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

ns() { printf '%s%s' "$prefix" "$1"; }

# How to run this script again on the same rack: with the SDN_RACK_* variables this run was given.
self() {
  local v
  for v in SDN_RACK_PREFIX SDN_RACK_NET SDN_RACK_DIR SDN_RACK_PORT SDN_RACK_HOST_PREFIX SDN_RACK_MTU; do
    [ -z "${!v:-}" ] || printf '%s=%q ' "$v" "${!v}"
  done
  printf '%s' "$0"
}
addr() { printf '%s.%s' "$subnet" "${octet[$1]}"; }
url() { printf 'http://%s:%s' "$(addr ctl)" "$port"; }

# Runs `ip ARGS`, turning a failure into one line that names the command and ip's message.
ipx() {
  local out
  out=$(ip "$@" 2>&1) || die "ip $*: ${out//$'\n'/ }"
}

check_config() {
  [[ $prefix =~ ^[A-Za-z0-9_.-]+$ ]] || die "SDN_RACK_PREFIX '$prefix' may hold only letters, digits, '.', '_' and '-'"
  if ! [[ $subnet =~ ^(0|[1-9][0-9]{0,2})\.(0|[1-9][0-9]{0,2})\.(0|[1-9][0-9]{0,2})$ ]] ||
    ((BASH_REMATCH[1] > 255 || BASH_REMATCH[2] > 255 || BASH_REMATCH[3] > 255)); then
    die "SDN_RACK_NET '$subnet' is not the first three octets of an IPv4 /24, such as 10.77.0"
  fi
  if ! [[ $port =~ ^[0-9]{1,5}$ ]] || ((port < 1 || port > 65535)); then
    die "SDN_RACK_PORT '$port' is not a TCP port (1-65535)"
  fi
  [[ $dir == /* && $dir != / ]] || die "SDN_RACK_DIR '$dir' must be an absolute path other than /"
  if ! [[ $mtu =~ ^[0-9]{1,5}$ ]] || ((mtu < 1280 || mtu > 65535)); then
    die "SDN_RACK_MTU '$mtu' is not an MTU the underlay can use (1280-65535, such as 1500 or 9000)"
  fi
}

need_root() {
  [ "$(id -u)" -eq 0 ] || die "$1 needs root (it creates or enters network namespaces): run it with sudo"
}

need_tools() {
  command -v ip >/dev/null || die "ip not found: install the Debian package iproute2 (apt-get install iproute2)"
  local t
  for t in "$@"; do
    case $t in
      ss) command -v ss >/dev/null || die "ss not found: install the Debian package iproute2 (apt-get install iproute2)" ;;
      python3) command -v python3 >/dev/null || die "python3 not found: install the Debian package python3 (apt-get install python3)" ;;
      setsid | nohup | nsenter) command -v "$t" >/dev/null || die "$t not found: install the Debian package coreutils/util-linux" ;;
    esac
  done
}

is_machine() {
  local m
  for m in "${machines[@]}"; do [ "$m" = "$1" ] && return 0; done
  return 1
}

need_machine() {
  is_machine "$1" || die "'$1' is not a machine of the rack (machines: ${machines[*]})"
}

# awk reads all of `ip netns list` (grep -q would not), so pipefail never sees a SIGPIPE.
ns_exists() { ip netns list | awk -v name="$1" '$1 == name { found = 1 } END { exit !found }'; }

# ---- processes ------------------------------------------------------------------------------------------------------

# True while PID runs (a zombie, which `kill -0` still finds, counts as gone).
alive() {
  local stat
  stat=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
  stat=${stat##*) }
  [ "${stat%% *}" != Z ]
}

# Every process the rack starts carries SDN_RACK_PROCESS=DIR/NAME in its environment, and so do its children: that,
# not a pid alone, says a process is the rack's, so a stale pid file or a reused pid is never signalled, and `down`
# finds processes whose pid file is lost or whose namespace someone deleted.
tag() { printf 'SDN_RACK_PROCESS=%s/%s' "$dir" "$1"; }

# The pid of the rack's process NAME while it runs; fails otherwise.
running_pid() {
  local name=$1 pid
  [ -f "$dir/$name.pid" ] || return 1
  pid=$(cat "$dir/$name.pid")
  [[ $pid =~ ^[0-9]+$ ]] && alive "$pid" || return 1
  grep -qzxF -- "$(tag "$name")" "/proc/$pid/environ" 2>/dev/null || return 1
  echo "$pid"
}

# Reads DIR/NAME.cmd, the NUL-separated role, machine and argv the process was started with.
read_cmd() {
  local fields=()
  mapfile -d '' fields <"$dir/$1.cmd"
  cmd_role=${fields[0]}
  cmd_machine=${fields[1]}
  cmd_argv=("${fields[@]:2}")
}

process_names() {
  local f
  for f in "$dir"/*.cmd; do
    [ -e "$f" ] || continue
    f=${f##*/}
    echo "${f%.cmd}"
  done
}

# Starts process NAME from DIR/NAME.cmd in its machine, detached in a session of its own, appending to DIR/NAME.log.
spawn() {
  local name=$1 log="$dir/$1.log"
  read_cmd "$name"
  ns_exists "$(ns "$cmd_machine")" || die "cannot start $name: machine $cmd_machine is not up (no namespace $(ns "$cmd_machine")); run rack.sh up"
  printf '=== rack: %s: %s %s on %s: %s\n' "$(date '+%F %T')" "$cmd_role" "$name" "$cmd_machine" "${cmd_argv[*]}" >>"$log"
  # nsenter enters the machine's network namespace only: `ip netns exec` would also give the process a mount namespace
  # of its own, and the namespaces an edge makes for its hosts would be seen from nowhere else.
  env "$(tag "$name")" setsid nohup nsenter --net="/run/netns/$(ns "$cmd_machine")" "${cmd_argv[@]}" >>"$log" 2>&1 </dev/null &
  echo "$!" >"$dir/$name.pid"
}

# Where NAME's log is, for a message; `up` prints its end instead, for its teardown removes it.
log_ref() {
  if [ "$undo" = teardown ]; then echo "its log ends as shown above"; else echo "log: $dir/$1.log"; fi
}

# Prints the last lines of NAME's log, to say why it stopped before the rack removes it.
log_tail() {
  local name=$1
  [ -s "$dir/$name.log" ] || return 0
  echo "rack: the end of $dir/$name.log:" >&2
  tail -n 15 "$dir/$name.log" | sed 's/^/  | /' >&2
}

# Waits until process NAME, PID, listens on the controller's port: 0 when it does, 1 when it exits first, 2 after
# SECONDS.
wait_listening() {
  local pid=$1 seconds=$2 i
  for ((i = 0; i < seconds * 5; i++)); do
    [ -n "$(ss -N "$(ns ctl)" -Hltn "sport = :$port" 2>/dev/null)" ] && return 0
    alive "$pid" || return 1
    sleep 0.2
  done
  return 2
}

start_controller() {
  local pid rc=0
  spawn controller
  pid=$(cat "$dir/controller.pid")
  wait_listening "$pid" 60 || rc=$?
  case $rc in
    0) ;;
    1) log_tail controller; die "sdn controller exited before serving on $(addr ctl):$port ($(log_ref controller))" ;;
    *) log_tail controller; die "sdn controller does not serve on $(addr ctl):$port after 60 s ($(log_ref controller))" ;;
  esac
}

# Sends SIGNAL to the process group of every PID, waits up to SECONDS for them to end, and prints those that did not.
signal_and_wait() {
  local signal=$1 seconds=$2 pid i left
  shift 2
  for pid in "$@"; do kill "-$signal" -- "-$pid" 2>/dev/null || kill "-$signal" "$pid" 2>/dev/null || true; done
  for ((i = 0; i <= seconds * 5; i++)); do
    left=()
    for pid in "$@"; do alive "$pid" && left+=("$pid"); done
    [ ${#left[@]} -eq 0 ] && return 0
    [ "$i" -lt $((seconds * 5)) ] && sleep 0.2
  done
  echo "${left[*]}"
}

# This shell and its ancestors, which `down` run from inside a rack machine must not stop.
own_pids() {
  local pid=$$ stat fields
  while [ "$pid" -gt 1 ]; do
    echo "$pid"
    stat=$(cat "/proc/$pid/stat" 2>/dev/null) || break
    read -ra fields <<<"${stat##*) }"
    pid=${fields[1]}
  done
}

# Stops every process of the rack: those it started and their children (by their SDN_RACK_PROCESS), then anything
# else left in its namespaces (a stray `rack.sh exec ... &`). SIGTERM, up to 10 s, then SIGKILL.
stop_everything() {
  local pids=() pid m left own file
  own=" $(own_pids | tr '\n' ' ') "
  while read -r file; do
    pid=${file#/proc/}
    pid=${pid%/environ}
    [[ $own == *" $pid "* ]] || pids+=("$pid")
  done < <(grep -lzF -- "$(tag "")" /proc/[0-9]*/environ 2>/dev/null || true)
  for m in "${machines[@]}" "$switch"; do
    ns_exists "$(ns "$m")" || continue
    for pid in $(ip netns pids "$(ns "$m")" 2>/dev/null); do
      [[ $own == *" $pid "* ]] || pids+=("$pid")
    done
  done
  [ ${#pids[@]} -gt 0 ] || return 0
  mapfile -t pids < <(printf '%s\n' "${pids[@]}" | sort -un)
  echo "rack: stopping ${#pids[@]} process(es): SIGTERM, then SIGKILL after 10 s"
  left=$(signal_and_wait TERM 10 "${pids[@]}")
  if [ -n "$left" ]; then
    echo "rack: still running after 10 s, sending SIGKILL: $left"
    # shellcheck disable=SC2086 # one pid per word
    left=$(signal_and_wait KILL 5 $left)
    [ -z "$left" ] || { echo "rack: processes $left survive SIGKILL" >&2; return 1; }
  fi
}

delete_namespaces() {
  local m failed=()
  for m in "${machines[@]}" "$switch"; do
    ns_exists "$(ns "$m")" || continue
    ip netns del "$(ns "$m")" 2>/dev/null || failed+=("$(ns "$m")")
  done
  [ ${#failed[@]} -eq 0 ] || { echo "rack: could not delete namespace(s) ${failed[*]}" >&2; return 1; }
}

# Stops every process, deletes every namespace of the rack and its state dir. Safe to run on a rack in any state; it
# goes on past what fails, and fails when anything is left.
teardown() {
  local rc=0
  stop_everything || rc=1
  delete_namespaces || rc=1
  if [ -f "$dir/$marker" ]; then
    rm -rf -- "$dir" || rc=1
  elif [ -d "$dir" ]; then
    echo "rack: leaving $dir alone: it has no $marker, so the rack did not make it"
  fi
  return "$rc"
}

# ---- the topology ---------------------------------------------------------------------------------------------------

# Reads the edge and core node names of a topology file into `edges` and `cores`. PyYAML reads the file when it is
# installed; otherwise a small reader that knows the two lists' shapes (block or flow sequences of `name:` mappings)
# does. The names are checked as sdn checks them; `sdn validate` checks the rest.
read_topology() {
  local file=$1 out kind name
  out=$(python3 - "$file" <<'PY'
import re
import sys

path = sys.argv[1]
NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$")


def fail(message):
    print(f"rack: {path}: {message}", file=sys.stderr)
    sys.exit(1)


def with_pyyaml(text):
    doc = yaml.safe_load(text)
    if not isinstance(doc, dict):
        fail("not a topology: its top level is not a mapping")
    lists = {}
    for key in ("edges", "core"):
        items = doc.get(key) or []
        if not isinstance(items, list):
            fail(f"'{key}' is not a list")
        lists[key] = [item.get("name") if isinstance(item, dict) else item for item in items]
    return lists


def uncomment(line):
    return re.sub(r"(^|\s)#.*$", "", line).rstrip()


def item_name(item):
    item = item.strip().strip("{}").strip()
    match = re.search(r"(?:^|[\s,{])name\s*:\s*([^\s,}]+)", " " + item)
    value = match.group(1) if match else (item if ":" not in item else None)
    return value.strip("'\"") if value else None


def split_flow(text):
    inner, depth, parts, current = text.strip()[1:-1], 0, [], ""
    for ch in inner:
        depth += ch in "[{"
        depth -= ch in "]}"
        if ch == "," and depth == 0:
            parts.append(current)
            current = ""
        else:
            current += ch
    return [p for p in parts + [current] if p.strip()]


def without_pyyaml(text):
    lines = [uncomment(line) for line in text.splitlines()]
    lists = {"edges": [], "core": []}
    i = 0
    while i < len(lines):
        match = re.match(r"^(edges|core)\s*:\s*(.*)$", lines[i])
        i += 1
        if not match:
            continue
        key, rest = match.groups()
        if rest.startswith("["):
            while rest.count("[") + rest.count("{") > rest.count("]") + rest.count("}") and i < len(lines):
                rest += " " + lines[i]
                i += 1
            items = split_flow(rest)
        elif rest:
            fail(f"'{key}' is not a list")
        else:
            items, indent = [], None
            while i < len(lines) and (not lines[i].strip() or lines[i][0] in " \t-"):
                line = lines[i]
                i += 1
                if not line.strip():
                    continue
                depth = len(line) - len(line.lstrip())
                if line.lstrip().startswith("-") and (indent is None or depth == indent):
                    indent = depth
                    items.append(line.lstrip()[1:])
                elif items:
                    items[-1] += "\n" + line
        lists[key] = [item_name(item) for item in items]
    return lists


try:
    with open(path, encoding="utf-8") as f:
        text = f.read()
except OSError as e:
    fail(f"cannot read it: {e.strerror}")
try:
    import yaml
except ImportError:
    lists = without_pyyaml(text)
else:
    try:
        lists = with_pyyaml(text)
    except yaml.YAMLError as e:
        fail("not valid YAML: " + " ".join(str(e).split()))

if not lists["edges"]:
    fail("names no edges: a topology needs an 'edges:' list with at least one '- name: E'")
nodes = [("edge", name) for name in lists["edges"]] + [("core", name) for name in lists["core"]]
seen = set()
for kind, name in nodes:
    if not isinstance(name, str) or not NAME.match(name):
        fail(f"{kind} name {name!r} is not a name (letters, digits, '.', '_', '-'; up to 63)")
    if name in seen:
        fail(f"node name '{name}' is used twice")
    if name == "controller":
        fail("a node named 'controller' would clash with the rack's controller process; rename it")
    seen.add(name)
print("\n".join(f"{kind} {name}" for kind, name in nodes))
PY
  ) || exit 1
  edges=()
  cores=()
  while read -r kind name; do
    case $kind in
      edge) edges+=("$name") ;;
      core) cores+=("$name") ;;
    esac
  done <<<"$out"
}

# ---- sdn ------------------------------------------------------------------------------------------------------------

# Sets `sdn` to the command that runs sdn, and `sdn_commands` to the commands its --help lists.
resolve_sdn() {
  local help
  if [ -n "${SDN_RACK_SDN:-}" ]; then
    read -ra sdn <<<"$SDN_RACK_SDN"
  else
    [ -x "$root/sdn" ] || die "$root/sdn not found: run rack.sh from a checkout of Sdn, or set SDN_RACK_SDN"
    "$root/sdn" --version >/dev/null || die "building sdn failed: run $root/sdn --version to see why"
    sdn=(dotnet "$root/Sdn.Cli/bin/Release/net10.0/sdn.dll")
  fi
  help=$("${sdn[@]}" --help 2>&1) || die "\`${sdn[*]} --help\` failed: SDN_RACK_SDN must run sdn"
  sdn_commands=$(awk '/^Commands:/ { listing = 1; next } listing && /^  [a-z]/ { print $1 }' <<<"$help")
}

has_command() { grep -qxF -- "$1" <<<"$sdn_commands"; }

# ---- subcommands ----------------------------------------------------------------------------------------------------

cmd_net() {
  need_root net
  need_tools
  local m
  for m in "$switch" "${machines[@]}"; do
    ! ns_exists "$(ns "$m")" || die "namespace $(ns "$m") already exists: a rack with prefix '$prefix' is up; run rack.sh down first, or set SDN_RACK_PREFIX"
  done
  undo=net
  ipx netns add "$(ns "$switch")"
  ipx -n "$(ns "$switch")" link set lo up
  ipx -n "$(ns "$switch")" link add "$bridge" type bridge
  ipx -n "$(ns "$switch")" link set "$bridge" up
  # A switch forwards frames and filters none: bridged traffic skips the host's iptables (br_netfilter), where loaded.
  for family in iptables ip6tables arptables; do
    knob=/proc/sys/net/bridge/bridge-nf-call-$family
    [ ! -e "$knob" ] || ip netns exec "$(ns "$switch")" sh -c "echo 0 > $knob" || die "cannot write 0 to $knob in $(ns "$switch")"
  done
  for m in "${machines[@]}"; do
    ipx netns add "$(ns "$m")"
    ipx -n "$(ns "$m")" link set lo up
    ipx -n "$(ns "$switch")" link add "$m" mtu "$mtu" type veth peer name "$cable" mtu "$mtu" netns "$(ns "$m")"
    ipx -n "$(ns "$switch")" link set "$m" master "$bridge"
    ipx -n "$(ns "$switch")" link set "$m" up
    ipx -n "$(ns "$m")" addr add "$(addr "$m")/24" dev "$cable"
    ipx -n "$(ns "$m")" link set "$cable" up
  done
  if [ "${1:-}" != quiet ]; then
    undo=""
    echo "rack: net is up: ${#machines[@]} machines on bridge $bridge in $(ns "$switch"), $subnet.0/24, MTU $mtu"
    print_machines
  fi
}

cmd_up() {
  [ $# -eq 1 ] || die "up takes one argument, the topology file: rack.sh up TOPOLOGY.yaml"
  need_root up
  need_tools ss python3 setsid nohup nsenter
  local topology i name machine token applied
  [ -f "$1" ] || die "topology file '$1' not found"
  topology=$(readlink -f "$1")
  read_topology "$topology"
  resolve_sdn
  if [ ${#edges[@]} -gt 0 ] && ! has_command edge; then
    die "sdn edge: this build has no \`sdn edge\` command, so the rack cannot run edges yet; nothing was started"
  fi
  if [ ${#cores[@]} -gt 0 ] && ! has_command core; then
    die "sdn core: this build has no \`sdn core\` command, so the rack cannot run core nodes yet; nothing was started"
  fi
  "${sdn[@]}" validate "$topology" >/dev/null || die "sdn validate $topology: the topology is not valid (see above); nothing was started"
  if [ -e "$dir" ]; then
    [ ! -f "$dir/$marker" ] || die "$dir holds a rack already: run rack.sh down first, or set SDN_RACK_DIR"
    [ -z "$(ls -A "$dir")" ] || die "SDN_RACK_DIR $dir exists and is not empty: choose another, or remove it"
  fi

  cmd_net quiet
  undo=teardown
  mkdir -p "$dir"
  touch "$dir/$marker"
  (
    umask 077
    {
      echo "# written by rack/rack.sh up: the operator's token, then one per node"
      for name in operator "${edges[@]/#/node:}" "${cores[@]/#/node:}"; do
        if command -v openssl >/dev/null; then
          token=$(openssl rand -hex 16)
        else
          token=$(od -An -tx1 -N16 /dev/urandom | tr -d ' \n')
        fi
        echo "$name $token"
      done
    } >"$dir/tokens"
  )
  mkdir -p "$dir/controller-state"

  printf '%s\0' controller ctl "${sdn[@]}" controller --listen "$(addr ctl):$port" \
    --state-dir "$dir/controller-state" --token-file "$dir/tokens" >"$dir/controller.cmd"
  start_controller

  for i in "${!edges[@]}"; do
    machine=${hypervisors[i % ${#hypervisors[@]}]}
    # A machine's second node takes the next underlay port: two nodes cannot share one address and port.
    printf '%s\0' edge "$machine" "${sdn[@]}" edge --name "${edges[i]}" --controller "$(url)" \
      --underlay "$(addr "$machine"):$((6635 + i / ${#hypervisors[@]}))" --token-file "$dir/tokens" --host-prefix "$host_prefix" >"$dir/${edges[i]}.cmd"
    spawn "${edges[i]}"
  done
  for i in "${!cores[@]}"; do
    machine=${core_machines[i % ${#core_machines[@]}]}
    printf '%s\0' core "$machine" "${sdn[@]}" core --name "${cores[i]}" --controller "$(url)" \
      --underlay "$(addr "$machine"):$((6635 + i / ${#core_machines[@]}))" --token-file "$dir/tokens" >"$dir/${cores[i]}.cmd"
    spawn "${cores[i]}"
  done
  # A node that cannot start (a bad argument, a refused token) exits within moments; one that runs stays.
  sleep 3
  for name in "${edges[@]}" "${cores[@]}"; do
    if ! running_pid "$name" >/dev/null; then
      read_cmd "$name"
      log_tail "$name"
      die "sdn $cmd_role --name $name exited on $cmd_machine right after it started ($(log_ref "$name"))"
    fi
  done

  if has_command apply; then
    ip netns exec "$(ns ctl)" "${sdn[@]}" apply "$topology" --controller "$(url)" --token-file "$dir/tokens" ||
      die "sdn apply $topology failed (see above)"
    applied="applied $topology"
  else
    applied="not applied: this build has no \`sdn apply\`; once it has, load it with
  $(self) exec ctl ${sdn[*]} apply $topology --controller $(url) --token-file $dir/tokens"
  fi
  undo=""

  echo "rack: up: topology $topology, $applied"
  print_machines
  print_processes
  echo
  echo "state: $dir (tokens: $dir/tokens; each process's log NAME.log, pid NAME.pid, arguments NAME.cmd)"
  echo "ask the controller: $(self) exec ctl ${sdn[*]} status --controller $(url) --token-file $dir/tokens"
  echo "tear down: $(self) down"
}

cmd_down() {
  [ $# -eq 0 ] || die "down takes no arguments"
  need_root down
  need_tools
  teardown || die "down left part of the rack behind (see above); run it again"
  if [ -e "$dir" ]; then
    echo "rack: down: no namespace of the rack (prefix '$prefix') is left"
  else
    echo "rack: down: no namespace of the rack (prefix '$prefix') is left, and no state dir $dir"
  fi
}

cmd_exec() {
  [ $# -ge 2 ] || die "exec needs a machine and a command: rack.sh exec MACHINE CMD..."
  need_root exec
  need_tools
  local machine=$1
  shift
  is_machine "$machine" || [ "$machine" = "$switch" ] || die "'$machine' is not a machine of the rack (machines: ${machines[*]} $switch)"
  ns_exists "$(ns "$machine")" || die "machine $machine is not up (no namespace $(ns "$machine")): run rack.sh net or up"
  trap - EXIT ERR
  exec ip netns exec "$(ns "$machine")" "$@"
}

cmd_cable() {
  local state=$1 verb=$2
  shift 2
  [ $# -eq 1 ] || die "$verb takes one machine: rack.sh $verb MACHINE (one of ${machines[*]})"
  need_root "$verb"
  need_tools
  need_machine "$1"
  ns_exists "$(ns "$switch")" || die "the switch is not up (no namespace $(ns "$switch")): run rack.sh net or up"
  ipx -n "$(ns "$switch")" link set "$1" "$state"
  echo "rack: $1's cable is $state"
}

cmd_kill() {
  local signal=KILL name="" arg pid left signame
  for arg in "$@"; do
    case $arg in
      -*) signal=${arg#-} ;;
      *) [ -z "$name" ] || die "kill takes one process: rack.sh kill [-SIGNAL] PROCESS"; name=$arg ;;
    esac
  done
  [ -n "$name" ] || die "kill needs a process: rack.sh kill [-SIGNAL] PROCESS (controller or a node name)"
  need_root kill
  need_tools
  need_process "$name"
  pid=$(running_pid "$name") || die "$name is not running (start it with rack.sh start $name)"
  signame=${signal^^}
  signame=${signame#SIG}
  if [[ $signame =~ ^[0-9]+$ ]]; then signame=$(kill -l "$signame" 2>/dev/null) || signame=""; fi
  kill -l "$signame" >/dev/null 2>&1 || die "'-$signal' is not a signal (try -9, -TERM, -STOP)"
  case $signame in
    STOP | TSTP | CONT)
      kill "-$signame" -- "-$pid"
      echo "rack: sent SIG$signame to $name (pid $pid)"
      return
      ;;
  esac
  left=$(signal_and_wait "$signame" 10 "$pid")
  [ -z "$left" ] || die "$name (pid $pid) still runs 10 s after SIG$signame"
  rm -f "$dir/$name.pid"
  echo "rack: $name (pid $pid) ended on SIG$signame; start it again with rack.sh start $name"
}

cmd_start() {
  [ $# -eq 1 ] || die "start takes one process: rack.sh start PROCESS (controller or a node name)"
  need_root start
  need_tools ss setsid nohup nsenter
  local name=$1 pid
  need_process "$name"
  ! pid=$(running_pid "$name") || die "$name already runs (pid $pid)"
  if [ "$name" = controller ]; then
    start_controller
  else
    spawn "$name"
    sleep 2
    running_pid "$name" >/dev/null || { log_tail "$name"; die "$name exited right after it started (log: $dir/$name.log)"; }
  fi
  read_cmd "$name"
  echo "rack: started $name on $cmd_machine (pid $(cat "$dir/$name.pid")), log $dir/$name.log"
}

need_process() {
  [ -f "$dir/$marker" ] || die "no rack runs with state dir $dir: start one with rack.sh up TOPOLOGY"
  [ -f "$dir/$1.cmd" ] || die "'$1' is not a process of the rack (processes: $(process_names | paste -sd ' '))"
}

print_machines() {
  local m state
  printf '\n%-8s %-14s %-12s %s\n' MACHINE NAMESPACE ADDRESS CABLE
  for m in "${machines[@]}"; do
    if ! ns_exists "$(ns "$m")"; then
      state="(no namespace)"
    elif ip -n "$(ns "$switch")" -o link show "$m" 2>/dev/null | grep -q '[<,]UP[,>]'; then
      state=up
    elif ns_exists "$(ns "$switch")"; then
      state="down (cut)"
    else
      state="(no switch)"
    fi
    printf '%-8s %-14s %-12s %s\n' "$m" "$(ns "$m")" "$(addr "$m")" "$state"
  done
  if ns_exists "$(ns "$switch")"; then
    printf '%-8s %-14s %-12s %s\n' "$switch" "$(ns "$switch")" - "bridge $bridge"
  else
    printf '%-8s %-14s %-12s %s\n' "$switch" "$(ns "$switch")" - "(no namespace)"
  fi
}

print_processes() {
  local name pid state
  [ -f "$dir/$marker" ] || return 0
  printf '\n%-12s %-11s %-8s %-8s %-8s %s\n' PROCESS ROLE MACHINE PID STATE LOG
  while read -r name; do
    read_cmd "$name"
    if pid=$(running_pid "$name"); then state=running; else pid=-; state=stopped; fi
    printf '%-12s %-11s %-8s %-8s %-8s %s\n' "$name" "$cmd_role" "$cmd_machine" "$pid" "$state" "$dir/$name.log"
  done < <(
    process_names | grep -xF controller || true
    process_names | grep -vxF controller | sort -V || true
  )
}

cmd_status() {
  [ $# -eq 0 ] || die "status takes no arguments"
  need_root status
  need_tools
  local m any=""
  for m in "$switch" "${machines[@]}"; do ns_exists "$(ns "$m")" && any=1; done
  if [ -z "$any" ] && [ ! -f "$dir/$marker" ]; then
    echo "rack: no rack with prefix '$prefix' (no namespaces, no state dir $dir)"
    return 0
  fi
  echo "rack: prefix '$prefix', $subnet.0/24, controller $(url), state $dir"
  print_machines
  print_processes
}

main() {
  [ $# -gt 0 ] || { usage >&2; die "no command given"; }
  local command=$1
  shift
  case $command in
    help | -h | --help) usage; return ;;
  esac
  check_config
  case $command in
    net) [ $# -eq 0 ] || die "net takes no arguments"; cmd_net ;;
    up) cmd_up "$@" ;;
    down) cmd_down "$@" ;;
    status) cmd_status "$@" ;;
    exec) cmd_exec "$@" ;;
    cut) cmd_cable down cut "$@" ;;
    mend) cmd_cable up mend "$@" ;;
    kill) cmd_kill "$@" ;;
    start) cmd_start "$@" ;;
    *) die "unknown command '$command' (commands: net up down status exec cut mend kill start help)" ;;
  esac
}

main "$@"
