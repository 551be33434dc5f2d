# Drives the USB devices of the standard set from userspace (`usb:` names, usbfs): scsitool
# detaches the kernel's usb-storage / uas driver, runs its own transport, and gives the
# interface back, after which the kernel's disk must reappear. Data written through usbfs
# is read back through the kernel (sg_raw) once the device is handed back. Each step leaves
# NAME (stdout), NAME.err (stderr) and NAME.rc (exit status) in /out; the host-side test
# (tests/tests/vm_usb.rs) asserts on them.
set -u
. /scenario-common.sh
S=/usr/bin/scsitool
# back NAME IFACE: waits (up to 20 s) for the kernel's disk on the USB interface IFACE
# (its sysfs directory) to exist again, /sys/block entry and /dev node, and records its
# name in /out/NAME ("none" when it did not come back).
back() {
  i=0
  while [ $i -lt 200 ]; do
    b=$(ls -d "$2"/host*/target*/*/block/* 2>/dev/null | head -1)
    if [ -n "$b" ] && [ -e "/sys/block/$(basename "$b")" ] && [ -b "/dev/$(basename "$b")" ]; then
      basename "$b" > "/out/$1"; return
    fi
    sleep 0.1; i=$((i + 1))
  done
  echo none > "/out/$1"
}
# cdb OPCODE N: a 10-byte READ or WRITE of N blocks at LBA 1000 x N.
cdb() {
  lba=$((1000 * $2))
  printf '%s 00 %02x %02x %02x %02x 00 00 %02x 00' "$1" \
    $((lba >> 24 & 255)) $((lba >> 16 & 255)) $((lba >> 8 & 255)) $((lba & 255)) "$2"
}
# The USB mass-storage devices: "LABEL BUS.ADDR IFACE" by the driver bound at boot and the
# speed (uas on EHCI is the high-speed one).
for dev in /sys/bus/usb/devices/*; do
  [ -f "$dev/idVendor" ] || continue
  iface=$(ls -d "$dev"/*:1.0 2>/dev/null | head -1)
  [ -n "$iface" ] && [ "$(cat "$iface/bInterfaceClass")" = 08 ] || continue
  driver=$(basename "$(readlink "$iface/driver")")
  case "$driver:$(cat "$dev/speed")" in
    usb-storage:*) label=bot ;;
    uas:480) label=uas-hs ;;
    uas:*) label=uas-ss ;;
    *) continue ;;
  esac
  echo "$label $(cat "$dev/busnum").$(cat "$dev/devnum") $iface"
done > /out/usb-devices
disks > /out/devices

while read -r l at iface; do
  U="usb:$(cat "$iface/../idVendor"):$(cat "$iface/../idProduct"),$at"
  echo "$U" > "/out/$l.name"
  # The protocol each device speaks: Bulk-Only on usb-storage, UAS on usb-uas.
  P=uas; [ "$l" = bot ] && P=bot
  back "$l.disk-before" "$iface"
  # 8 MiB at 16 MiB (LBA 32768, clear of the partition table and the round trips below)
  # get random bytes through the kernel, their SHA-256 kept, for the sequential read
  # through usbfs below to be checked against.
  dd if=/dev/urandom of="/tmp/$l.8m" bs=1M count=8 2> /dev/null
  dd if="/tmp/$l.8m" of="/dev/$(cat "/out/$l.disk-before")" bs=1M seek=16 conv=fsync \
    2> /dev/null
  sha256sum < "/tmp/$l.8m" | cut -d' ' -f1 > "/out/$l.8m.sha"
  rm -f "/tmp/$l.8m"
  step "$l.inquiry.json" $S --json inquiry "$U"
  back "$l.back-inquiry" "$iface"
  step "$l.inquiry-proto.json" $S --json --usb-proto $P inquiry "$U"
  step "$l.readcap.json" $S --json --usb-proto $P readcap "$U"
  step "$l.sync.json" $S --json --usb-proto $P sync "$U"
  step "$l.write-buffer.json" $S --json --usb-proto $P raw "$U" 3b 05 00 00 00 00 00 00 00 00
  # Round trips of 1, 8, 64 and 128 blocks, each at LBA 1000 x its length: written and
  # read back through usbfs, then read through the kernel once the device is handed back.
  for n in 1 8 64 128; do
    dd if=/dev/urandom of="/out/$l.pattern.$n" bs=512 count=$n 2> /dev/null
    step "$l.write.$n.json" $S --json --usb-proto $P raw "$U" $(cdb 2a $n) \
      --out "/out/$l.pattern.$n"
    step "$l.read.$n.json" $S --json --usb-proto $P raw "$U" $(cdb 28 $n) \
      --in $((n * 512)) --outfile "/out/$l.usbfs.$n"
  done
  # Sequential reads in the largest transfers the transport takes.
  step "$l.read-8m.json" $S --json --usb-proto $P read "$U" --lba 32768 --size 8M
  $S --usb-proto $P read "$U" --lba 32768 --size 8M --out - 2> "/out/$l.read-8m.err" \
    < /dev/null \
    | sha256sum | cut -d' ' -f1 > "/out/$l.read-8m.sha"
  back "$l.back-io" "$iface"
  sd=/dev/$(cat "/out/$l.back-io")
  step "$l.sg_inq" sg_inq "$sd"
  step "$l.sg_readcap" sg_readcap "$sd"
  for n in 1 8 64 128; do
    step "$l.kernel.$n" sg_raw -r $((n * 512)) -o "/out/$l.kernel.$n" "$sd" $(cdb 28 $n)
  done
  # Verification with eight writes in flight (queued commands over UAS), of 8 MiB at
  # 32 MiB, clear of the partition table and of the blocks read back above.
  step "$l.verify-queued.json" $S --json --usb-proto $P verify "$U" --start 65536 \
    --size 8M --queue-depth 8 --destructive "$U" --journal "/tmp/$l.journal"
  step "$l.trace" $S -v inquiry "$U"
  back "$l.back-trace" "$iface"
  # A terminating signal in the middle of a run: the interface is given back.
  for sig in INT TERM; do
    $S tur --count 1000000 "$U" > "/out/$l.sig$sig" 2> "/out/$l.sig$sig.err" < /dev/null &
    pid=$!
    sleep 3
    # Meanwhile another program finds the interface taken.
    [ "$sig" = INT ] && step "$l.busy" $S inquiry "$U"
    kill -"$sig" $pid
    wait $pid
    echo $? > "/out/$l.sig$sig.rc"
    back "$l.back-sig$sig" "$iface"
  done
  [ "$l" = bot ] || continue
  # A user without rw on the usbfs node.
  mkdir -p /etc
  echo 'nobody:x:65534:65534:nobody:/:/bin/sh' > /etc/passwd
  echo 'nogroup:x:65534:' > /etc/group
  step "$l.nobody" su -s /bin/sh nobody -c "$S inquiry $U"
  # With no kernel driver bound: a direction mismatch (READ with data out) wedges QEMU's
  # usb-storage until a port reset, so the next run recovers only through one; and no
  # driver is bound afterwards, since none was at open.
  ifname=$(basename "$iface")
  echo "$ifname" > /sys/bus/usb/drivers/usb-storage/unbind
  step "$l.mismatch" $S raw "$U" 28 00 00 00 00 00 00 00 01 00 --out "/out/$l.pattern.1" \
    --any-phase
  dmesg | grep -c 'reset .*USB device' > "/out/$l.resets-before"
  step "$l.after-mismatch.json" $S --json inquiry "$U"
  dmesg | grep -c 'reset .*USB device' > "/out/$l.resets-after"
  [ -e "$iface/driver" ] && echo bound > "/out/$l.unbound-after" || echo unbound > "/out/$l.unbound-after"
  echo "$ifname" > /sys/bus/usb/drivers/usb-storage/bind
  back "$l.back-rebind" "$iface"
done < /out/usb-devices

# The partitioned disk (uas-hs): with its partition in use as swap, detaching its driver
# is refused and the disk stays.
iface=$(awk '$1 == "uas-hs" {print $3}' /out/usb-devices)
U=$(cat /out/uas-hs.name)
part=$(ls "$iface"/host*/target*/*/block/*/ | grep -m1 '^sd[a-z]1$')
echo "$part" > /out/swap.partition
mkswap "/dev/$part" > /dev/null && swapon "/dev/$part"
step swap.inquiry $S inquiry "$U"
back swap.disk-after "$iface"
swapoff "/dev/$part"
# Names that find no device, or several.
step name.none $S inquiry usb:1234:5678
step name.several $S inquiry usb:46f4:0003
step name.bad $S inquiry usb:46f4
dmesg > /out/dmesg
exit 0
