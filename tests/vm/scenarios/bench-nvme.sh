# Benchmark scenario: Identify Controller (NVMe Base 2.0 5.17.2.1) rate on /dev/nvme0, N
# commands each by `scsitool nvme id-ctrl --count N`, by `nvme id-ctrl` in a shell loop (a
# process per command) and by nvme-identify-loop (one process, bench/src/), over five
# rounds whose order alternates so drift hits all alike. N comes from /bench.env when the
# host put one there (SCSITOOL_VM_EXTRA). Leaves one line per run in /out/nvme.txt:
#   TOOL ROUND START_S END_S COMPLETED EXIT_STATUS [TOOL_OWN_RATE]
# (START_S, END_S: /proc/uptime around the run; COMPLETED: commands the tool says it
# completed — for the shell loop, how many `nvme id-ctrl` exited 0.)
set -u
. /scenario-common.sh
[ -f /bench.env ] && . /bench.env
N=${N:-500}
dev=/dev/nvme0
: > /out/nvme.txt
uptime_s() { read -r t _ < /proc/uptime; echo "$t"; }

run_scsitool() {
  /usr/bin/scsitool --json nvme id-ctrl --count "$N" "$dev" < /dev/null > /tmp/run.out 2>> /out/scsitool.err
  rc=$?
  completed=$(sed -n 's/.*"count": *\([0-9]*\).*/\1/p' /tmp/run.out)
  own=$(sed -n 's/.*"commands_per_second": *\([0-9.]*\).*/\1/p' /tmp/run.out)
}
run_nvme_cli() {
  completed=0; rc=0; i=0
  while [ "$i" -lt "$N" ]; do
    if nvme id-ctrl "$dev" < /dev/null > /dev/null 2>> /out/nvme-cli.err; then
      completed=$((completed + 1))
    else
      rc=1
    fi
    i=$((i + 1))
  done
  own=
}
run_loop() {
  nvme-identify-loop "$dev" "$N" < /dev/null > /tmp/run.out 2>> /out/loop.err
  rc=$?
  completed=$(sed -n 's/^Completed \([0-9]*\) .*/\1/p' /tmp/run.out)
  own=$(sed -n 's/.*: \([0-9.]*\) commands\/sec.*/\1/p' /tmp/run.out)
}
measure() {
  start=$(uptime_s)
  "run_$1"
  end=$(uptime_s)
  echo "$1 $2 $start $end ${completed:-0} $rc $own" >> /out/nvme.txt
}

for round in 1 2 3 4 5; do
  if [ $((round % 2)) -eq 1 ]; then order="scsitool nvme_cli loop"; else order="loop nvme_cli scsitool"; fi
  for tool in $order; do measure "$tool" "$round"; done
done
