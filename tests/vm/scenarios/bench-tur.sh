# Benchmark scenario: TEST UNIT READY rate of `scsitool tur --count N` against
# `sg_turs -n N -t` on each SCSI device of the standard set, alternating tools over five
# rounds so drift hits both alike. Leaves one line per run in /out/tur.txt:
#   LABEL TOOL ROUND OPS_PER_SEC
set -u
. /scenario-common.sh
N=${N:-2000}
: > /out/tur.txt
disks > /tmp/disks
while read -r l sg _sd; do
  for round in 1 2 3 4 5; do
    rate=$(sg_turs -n "$N" -t "$sg" 2>&1 < /dev/null | sed -n 's/.*; \([0-9.]*\) operations\/sec.*/\1/p')
    echo "$l sg_turs $round $rate" >> /out/tur.txt
    rate=$(/usr/bin/scsitool --json tur --count "$N" "$sg" < /dev/null | sed -n 's/.*"commands_per_second": *\([0-9.]*\).*/\1/p')
    echo "$l scsitool $round $rate" >> /out/tur.txt
  done
done < /tmp/disks
