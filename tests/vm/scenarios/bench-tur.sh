# Benchmark scenario: TEST UNIT READY rate of `scsitool tur --count N` against
# `sg_turs -n N -t` on each SCSI device of the standard set, alternating tools over five
# rounds so drift hits both alike. Leaves one line per run in /out/tur.txt:
#   LABEL TOOL ROUND OPS_PER_SEC
set -u
N=${N:-2000}
: > /out/tur.txt
for d in /sys/class/scsi_generic/*; do
  sg=/dev/$(basename "$d")
  iface=$(readlink -f "$d/device/../../..")
  driver=$(basename "$(readlink "$iface/driver" 2>/dev/null)")
  model=$(cat "$d/device/model")
  case "$driver:$model" in
    usb-storage:*) l=bot ;;
    uas:UAS-SS*) l=uas-ss ;;
    uas:*) l=uas-hs ;;
    *) l=virtio-4k ;;
  esac
  for round in 1 2 3 4 5; do
    rate=$(sg_turs -n "$N" -t "$sg" 2>&1 | sed -n 's/.*; \([0-9.]*\) operations\/sec.*/\1/p')
    echo "$l sg_turs $round $rate" >> /out/tur.txt
    rate=$(/usr/bin/scsitool --json tur --count "$N" "$sg" | sed -n 's/.*"commands_per_second": *\([0-9.]*\).*/\1/p')
    echo "$l scsitool $round $rate" >> /out/tur.txt
  done
done
