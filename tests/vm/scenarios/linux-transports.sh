# Drives every device of the standard set with scsitool's Linux transports (SG_IO on sd
# and sg nodes, NVMe pass-through on nvme, nvme-n and ng nodes) next to sg3_utils, sdparm
# and nvme-cli as oracles, and tries the inputs that must be refused. Each step leaves
# NAME (stdout), NAME.err (stderr) and NAME.rc (exit status) in /out; the host-side test
# (tests/tests/vm_linux.rs) asserts on them.
set -u
. /scenario-common.sh
S=/usr/bin/scsitool
disks > /out/devices
while read -r l sg sd; do
  d=/sys/class/scsi_generic/${sg#/dev/}
  step "$l.inquiry.json" $S --json inquiry "$sg"
  step "$l.sg_inq" sg_inq "$sg"
  step "$l.vpd80.json" $S --json inquiry --vpd 0x80 "$sg"
  step "$l.sg_vpd_sn" sg_vpd --page=sn "$sg"
  step "$l.vpd83.json" $S --json inquiry --vpd 0x83 "$sd"
  step "$l.sg_vpd_di" sg_vpd --page=di "$sd"
  step "$l.inquiry-all.json" $S --json inquiry --all "$sg"
  step "$l.sg_vpd_pages" sg_vpd --page=0 --raw "$sg"
  step "$l.readcap.json" $S --json readcap "$sd"
  step "$l.readcap16.json" $S --json readcap --16 "$sg"
  step "$l.sg_readcap" sg_readcap --16 "$sd"
  step "$l.tur.json" $S --json tur --count 50 "$sg"
  step "$l.luns.json" $S --json luns "$sg"
  step "$l.sg_luns" sg_luns "$sg"
  step "$l.wce-off.json" $S --json wce set off "$sd"
  step "$l.sdparm-off" sdparm --get=WCE "$sd"
  step "$l.wce-get-off.json" $S --json wce get "$sg"
  step "$l.wce-on.json" $S --json wce set on "$sg"
  step "$l.sdparm-on" sdparm --get=WCE "$sd"
  step "$l.sync.json" $S --json sync "$sd"
  step "$l.sync-range.json" $S --json sync --immed --lba 8 --blocks 16 "$sg"
  step "$l.sync16.json" $S --json sync --16 "$sd"
  step "$l.opcodes" $S opcodes "$sg"
  step "$l.write-buffer.json" $S --json raw "$sg" 3b 05 00 00 00 00 00 00 00 00
  step "$l.sg_raw-write-buffer" sg_raw -vvv "$sg" 3b 05 00 00 00 00 00 00 00 00
  sense=$(sed -n 's/.*"sense_bytes": *"\([0-9a-f ]*\)".*/\1/p' "/out/$l.write-buffer.json")
  step "$l.sg_decode_sense" sg_decode_sense $sense
  step "$l.raw-inquiry.json" $S --json raw "$sg" 12 00 00 00 24 00 --in 36
  step "$l.sg_inq-raw" sg_inq --raw --len=36 "$sg"
  # One block of a pattern written with FUA at LBA 100 through sd, read back through sg by
  # sg_raw.
  bs=$(cat "$d/device/block/"*/queue/logical_block_size)
  i=0; : > /tmp/pattern; while [ $i -lt $((bs / 16)) ]; do printf 'scsitool-%07d' $i >> /tmp/pattern; i=$((i + 1)); done
  step "$l.raw-write.json" $S --json raw "$sd" 2a 08 00 00 00 64 00 00 01 00 --out /tmp/pattern
  step "$l.sg_raw-read" sg_raw -r "$bs" -o "/out/$l.readback" "$sg" 28 00 00 00 00 64 00 00 01 00
  cp /tmp/pattern "/out/$l.pattern"
  # A transfer one page over the queue's limit is refused before it is sent: the limit is
  # max_hw_sectors_kb, or max_segments - 1 pages (an unaligned buffer spans one more).
  kb=$(cat "$d/device/block/"*/queue/max_hw_sectors_kb)
  segs=$(cat "$d/device/block/"*/queue/max_segments)
  max=$((kb * 1024)); [ $(((segs - 1) * 4096)) -lt $max ] && max=$(((segs - 1) * 4096))
  echo "$max" > "/out/$l.max-transfer"
  step "$l.too-long" $S raw "$sg" 28 00 00 00 00 00 00 ff ff 00 --in $((max + 4096))
  # Verification of 8 MiB through SG_IO on each attachment; the write cache switched off
  # for the run and restored on one of them.
  mode=flush; [ "$l" = virtio-4k ] && mode=cache-off
  step "$l.verify.json" $S --json verify "$sg" --size 8M --durability "$mode" \
    --destructive "$sg" --journal "/tmp/$l.journal"
  step "$l.wce-after-verify" sdparm --get=WCE "$sd"
done < /out/devices

step list.json $S --json list

# Firmware: QEMU's scsi-hd answers WRITE BUFFER with 20/00 and its nvme Firmware Image
# Download with Invalid Opcode; fwupdate must find that while planning and send nothing.
head -c 65536 /dev/urandom > /tmp/fw.img
while read -r l sg _sd; do
  step "$l.fwupdate.json" $S --json fwupdate /tmp/fw.img "$sg" --yes
done < /out/devices
step nvme.fwupdate.json $S --json fwupdate /tmp/fw.img /dev/nvme0 --yes
step nvme.fwupdate-ns.json $S --json fwupdate /tmp/fw.img /dev/nvme0n1 --yes
step nvme.verify-fua.json $S --json verify /dev/nvme0n1 --size 8M --durability fua \
  --journal /tmp/nvme-fua.journal
step nvme.verify-cache-off.json $S --json verify /dev/ng0n1 --size 8M --durability cache-off \
  --journal /tmp/nvme-off.journal
step nvme.vwc-after-verify nvme get-feature /dev/nvme0 -f 6

# The partitioned disk: a partition node is refused; with the partition in use as swap,
# destructive commands are refused on the disk and on its sg node, reads are not.
part=$(ls /sys/block/*/ | grep -m1 '^sd[a-z]1$')
disk=/dev/${part%1}
echo "$part $disk" > /out/partitioned
step part.inquiry $S inquiry "/dev/$part"
mkswap "/dev/$part" > /dev/null && swapon "/dev/$part"
step inuse.write $S raw "$disk" 2a 00 00 00 00 00 00 00 01 00 --out /tmp/pattern
for d in /sys/class/scsi_generic/*; do
  [ -e "$d/device/block/${disk#/dev/}" ] && sgnode=/dev/$(basename "$d")
done
step inuse.write-sg $S raw "$sgnode" 2a 00 00 00 00 00 00 00 01 00 --out /tmp/pattern
step inuse.format $S raw "$disk" 04 00 00 00 00 00
step inuse.read $S raw "$disk" 28 00 00 00 00 00 00 00 01 00 --in 512
swapoff "/dev/$part"
step unused.write $S raw "$disk" 2a 00 00 00 00 00 00 00 01 00 --out /tmp/pattern

# A user who may only read the node: reading commands fall back to a read-only open (the
# kernel lets INQUIRY through), changing ones are refused with the missing permission.
mkdir -p /etc
echo 'nobody:x:65534:65534:nobody:/:/bin/sh' > /etc/passwd
echo 'nogroup:x:65534:' > /etc/group
ro=$(awk '$1 == "virtio-4k" {print $3}' /out/devices)
chmod 0644 "$ro"
step ro.inquiry su -s /bin/sh nobody -c "$S inquiry $ro"
step ro.wce-set su -s /bin/sh nobody -c "$S wce set off $ro"
chmod 0600 "$ro"

# Not device nodes at all.
step bad.file $S inquiry /tmp/pattern
step bad.null $S inquiry /dev/null

# NVMe: the controller node, the namespace's block node and its generic node.
step nvme.id-ctrl.json $S --json nvme id-ctrl /dev/nvme0
step nvme.id-ctrl.nvme-cli.json nvme id-ctrl /dev/nvme0 -o json
for n in nvme0n1 ng0n1; do
  step "nvme.id-ns.$n.json" $S --json nvme id-ns "/dev/$n"
done
step nvme.id-ns.nvme-cli.json nvme id-ns /dev/nvme0n1 -o json
step nvme.smart.json $S --json nvme log --lid 2 /dev/nvme0
step nvme.smart.nvme-cli.json nvme smart-log /dev/nvme0 -o json
step nvme.fw-log.json $S --json nvme log --lid 3 /dev/nvme0n1
step nvme.vwc-off.json $S --json nvme set-feature --fid 6 --value off /dev/nvme0
step nvme.vwc-off.nvme-cli nvme get-feature /dev/nvme0 -f 6
step nvme.vwc-get.json $S --json nvme get-feature --fid 6 /dev/ng0n1
step nvme.vwc-on.json $S --json nvme set-feature --fid 6 --value on /dev/nvme0n1
step nvme.vwc-on.nvme-cli nvme get-feature /dev/nvme0 -f 6
step nvme.scsi-on-nvme $S inquiry /dev/nvme0n1
step nvme.nvme-on-scsi $S nvme id-ctrl /dev/sg0
dmesg > /out/dmesg
exit 0
