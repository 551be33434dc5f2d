# Captures raw responses of QEMU's devices, read through Debian's kernel with sg3_utils
# and nvme-cli, as fixtures for the cdb decoders (cdb/tests/fixtures/qemu-7.2/).
# Each file is named LABEL.WHAT.bin; LABEL says how the disk is attached.
set -u
for d in /sys/class/scsi_generic/*; do
  sg=/dev/$(basename "$d")
  iface=$(readlink -f "$d/device/../../..")
  driver=$(basename "$(readlink "$iface/driver" 2>/dev/null)")
  model=$(cat "$d/device/model")
  case "$driver:$model" in
    usb-storage:*) label=bot ;;
    uas:UAS-SS*) label=uas-ss ;;
    uas:*) label=uas-hs ;;
    *) label=virtio-4k ;;
  esac
  echo "$sg $label driver=$driver model=$model"
  sg_inq --raw --len=96 "$sg" > /out/$label.inquiry.bin
  sg_inq --raw --len=36 "$sg" > /out/$label.inquiry36.bin
  for p in 00 80 83 86 b0 b1 b2; do
    sg_vpd --raw --page=0x$p "$sg" > /out/$label.vpd-$p.bin || rm -f /out/$label.vpd-$p.bin
  done
  sg_readcap --raw "$sg" > /out/$label.readcap10.bin
  sg_readcap --16 --raw "$sg" > /out/$label.readcap16.bin
  sg_modes --raw --page=0x08 "$sg" > /out/$label.mode10-08-current.bin
  sg_modes --raw --page=0x08 --control=1 "$sg" > /out/$label.mode10-08-changeable.bin
  sg_modes --raw --six --page=0x08 "$sg" > /out/$label.mode6-08-current.bin
  sg_modes --raw --page=0x0a "$sg" > /out/$label.mode10-0a-current.bin
  sg_modes --raw --page=0x3f "$sg" > /out/$label.mode10-3f-current.bin
  sg_luns --raw "$sg" > /out/$label.luns.bin
  echo "-- sg_opcodes"; sg_opcodes --raw "$sg" > /out/$label.opcodes.bin || rm -f /out/$label.opcodes.bin
  echo "-- WRITE BUFFER mode 05h"; sg_raw -vvv "$sg" 3b 05 00 00 00 00 00 00 00 00
  echo "-- READ BUFFER mode 03h"; sg_raw -vvv -r 4 "$sg" 3c 03 00 00 00 00 00 00 04 00
  echo "-- SYNCHRONIZE CACHE 16"; sg_raw -vvv "$sg" 91 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00
  echo "-- INQUIRY alloc 36, transfer 512"; sg_raw -vvv -r 512 "$sg" 12 00 00 00 24 00
done
n=/dev/nvme0
nvme id-ctrl $n -b > /out/nvme.id-ctrl.bin
nvme id-ctrl $n -o json > /out/nvme.id-ctrl.json
nvme id-ns /dev/nvme0n1 -b > /out/nvme.id-ns.bin
nvme id-ns /dev/nvme0n1 -o json > /out/nvme.id-ns.json
nvme smart-log $n -b > /out/nvme.smart-log.bin
nvme smart-log $n -o json > /out/nvme.smart-log.json
nvme fw-log $n -b > /out/nvme.fw-log.bin
nvme fw-log $n -o json > /out/nvme.fw-log.json
nvme error-log $n -e 4 -b > /out/nvme.error-log.bin
nvme list-ns $n
echo "-- get-feature 6"; nvme get-feature $n -f 6
head -c 4096 /dev/zero > /tmp/fw.bin
echo "-- fw-download"; nvme fw-download $n --fw=/tmp/fw.bin
echo "-- fw-commit"; nvme fw-commit $n --slot=1 --action=1
true
