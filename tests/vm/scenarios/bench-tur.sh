# Benchmark scenario: TEST UNIT READY rate of `scsitool tur --count N` against
# `sg_turs -n N -t` on the sg node and on the sd node of each SCSI device of the standard
# set, alternating tools over five rounds so drift hits both alike. N comes from
# /bench.env when the host put one there (SCSITOOL_VM_EXTRA). Leaves one line per run in
# /out/tur.txt:
#   LABEL NODE TOOL ROUND OPS_PER_SEC COMPLETED EXIT_STATUS
# (NODE: sg or sd; OPS_PER_SEC and COMPLETED as the tool itself reports them, "-" when it
# printed none.)
set -u
. /scenario-common.sh
[ -f /bench.env ] && . /bench.env
N=${N:-2000}
: > /out/tur.txt
disks > /tmp/disks
cp /tmp/disks /out/disks
run_sg_turs() { # DEVICE
  sg_turs -n "$N" -t "$1" < /dev/null > /tmp/run.out 2>&1
  rc=$?
  completed=$(sed -n 's/^Completed \([0-9]*\) Test Unit Ready.*/\1/p' /tmp/run.out)
  rate=$(sed -n 's/.*; \([0-9.]*\) operations\/sec.*/\1/p' /tmp/run.out)
}
run_scsitool() { # DEVICE
  /usr/bin/scsitool --json tur --count "$N" "$1" < /dev/null > /tmp/run.out 2>> /out/scsitool.err
  rc=$?
  completed=$(sed -n 's/.*"count": *\([0-9]*\).*/\1/p' /tmp/run.out)
  rate=$(sed -n 's/.*"commands_per_second": *\([0-9.]*\).*/\1/p' /tmp/run.out)
}
while read -r l sg sd; do
  for round in 1 2 3 4 5; do
    if [ $((round % 2)) -eq 1 ]; then order="sg_turs scsitool"; else order="scsitool sg_turs"; fi
    for node in sg sd; do
      [ "$node" = sg ] && dev=$sg || dev=$sd
      for tool in $order; do
        "run_$tool" "$dev"
        echo "$l $node $tool $round ${rate:--} ${completed:--} $rc" >> /out/tur.txt
      done
    done
  done
done < /tmp/disks
