# Benchmark scenario: sequential 1 MiB reads of each USB disk of the standard set, through
# the kernel (fio, direct I/O, one request at a time on /dev/sdX; on UAS also four at a
# time, libaio) and through scsitool's (`--queue-depth` 1 and 4)
# userspace transport (`scsitool read usb:...`, Bulk-Only on the usb-storage disk, UAS on
# the usb-uas ones), after one untimed pass that warms the host's cache, over three rounds
# that alternate which side goes first, so drift and caching hit both alike. scsitool
# detaches the kernel driver for its run and gives it back, so the disk's sd node is
# looked up again (by how it is attached) before every kernel round. Leaves one line per
# run in /out/usb.txt, with what the tool says it moved and its errors (fio's error
# field; scsitool's exit status):
#   LABEL TOOL ROUND MIB_PER_SEC BYTES ERRORS
# and the exact commands in /out/commands.
set -u
. /scenario-common.sh
SIZE=${SIZE:-48}
: > /out/usb.txt
# The sd node of the disk attached as LABEL, waiting up to 30 s for it to come back.
node() {
  i=0
  while [ $i -lt 60 ]; do
    sd=$(disks | awk -v l="$1" '$1 == l {print $3}')
    [ -n "$sd" ] && [ -b "$sd" ] && { echo "$sd"; return; }
    sleep 0.5; i=$((i + 1))
  done
}
# usb:VID:PID,BUS.DEV of the USB device behind the sd node $1.
usb_name() {
  dev=$(readlink -f "/sys/class/block/${1#/dev/}/device/../../../..")
  printf 'usb:%s:%s,%d.%d' "$(cat "$dev/idVendor")" "$(cat "$dev/idProduct")" \
    "$(cat "$dev/busnum")" "$(cat "$dev/devnum")"
}
# One timed read through the kernel, and one through scsitool, of device $l in ROUND ($1)
# with up to $depth commands in flight, recorded under $label.
kernel() {
  sd=$(node "$l")
  engine="--ioengine=psync"
  [ "$depth" -gt 1 ] && engine="--ioengine=libaio --iodepth=$depth"
  cmd="fio --name=k --filename=$sd --rw=read --bs=1M --size=${SIZE}M --direct=1 $engine --output-format=terse"
  echo "$label baseline $cmd" >> /out/commands
  # Terse fields 5, 6, 7: error, read KiB, read KiB/s.
  t=$($cmd < /dev/null 2>> /out/fio.err | cut -d';' -f5,6,7)
  echo "${t:-1;0;0}" | awk -F';' -v l="$label" -v r="$1" \
    '{printf "%s kernel %s %.2f %d %s\n", l, r, $3 / 1024, $2 * 1024, $1}' >> /out/usb.txt
}
ours() {
  cmd="/usr/bin/scsitool --json --usb-proto $proto read $name --size ${SIZE}M --queue-depth $depth"
  echo "$label ours $cmd" >> /out/commands
  json=$($cmd < /dev/null 2>> /out/scsitool.err); rc=$?
  rate=$(echo "$json" | sed -n 's/.*"mib_per_second": *\([0-9.]*\).*/\1/p')
  bytes=$(echo "$json" | sed -n 's/.*"bytes": *\([0-9]*\).*/\1/p')
  echo "$label scsitool $1 ${rate:-0} ${bytes:-0} $rc" >> /out/usb.txt
}
disks > /tmp/disks
for l in bot uas-ss uas-hs; do
  sd=$(node "$l")
  name=$(usb_name "$sd")
  proto=uas; [ "$l" = bot ] && proto=bot
  echo "$l $sd $name $proto" >> /out/devices
  # An untimed pass first, so that neither side pays for the host's cold cache.
  dd if="$sd" of=/dev/null bs=1M count="$SIZE" 2> /dev/null
  # One command at a time; and, where the protocol queues (UAS), four in flight.
  depths=1; [ "$proto" = uas ] && depths="1 4"
  for depth in $depths; do
    label=$l; [ "$depth" -gt 1 ] && label=$l-qd$depth
    # Alternating which side goes first, round by round.
    for round in 1 2 3; do
      if [ $((round % 2)) = 1 ]; then
        kernel "$round"; ours "$round"
      else
        ours "$round"; kernel "$round"
      fi
    done
  done
done
