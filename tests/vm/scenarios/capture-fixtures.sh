# Captures raw responses of QEMU's devices, read through Debian's kernel with sg3_utils
# and nvme-cli, as fixtures for the cdb decoders (cdb/tests/fixtures/qemu-7.2/).
# Each file is named LABEL.WHAT.bin; LABEL says how the disk is attached.
set -u
. /scenario-common.sh
# Every capture must succeed; the commands QEMU rejects are marked as expected failures.
must() { "$@" || { echo "FAILED: $*"; exit 1; }; }
expect_fail() { if "$@"; then echo "UNEXPECTED SUCCESS: $*"; exit 1; fi; }
disks > /tmp/disks
while read -r label sg _sd; do
  echo "$sg $label"
  must sg_inq --raw --len=96 "$sg" > /out/$label.inquiry.bin
  must sg_inq --raw --len=36 "$sg" > /out/$label.inquiry36.bin
  for p in 00 80 83 86 b0 b1 b2; do
    sg_vpd --raw --page=0x$p "$sg" > /out/$label.vpd-$p.bin || rm -f /out/$label.vpd-$p.bin
  done
  must sg_readcap --raw "$sg" > /out/$label.readcap10.bin
  must sg_readcap --16 --raw "$sg" > /out/$label.readcap16.bin
  must sg_modes --raw --page=0x08 "$sg" > /out/$label.mode10-08-current.bin
  must sg_modes --raw --page=0x08 --control=1 "$sg" > /out/$label.mode10-08-changeable.bin
  must sg_modes --raw --six --page=0x08 "$sg" > /out/$label.mode6-08-current.bin
  # QEMU 7.2's scsi-hd has no control mode page (24/00).
  expect_fail sg_modes --raw --page=0x0a "$sg" > /dev/null
  must sg_modes --raw --page=0x3f "$sg" > /out/$label.mode10-3f-current.bin
  must sg_luns --raw "$sg" > /out/$label.luns.bin
  # Unsupported by scsi-hd: CHECK CONDITION, ILLEGAL REQUEST, 20/00 (sense in the log).
  echo "-- sg_opcodes"; expect_fail sg_opcodes --raw "$sg" > /dev/null
  echo "-- WRITE BUFFER mode 05h"; expect_fail sg_raw -vvv "$sg" 3b 05 00 00 00 00 00 00 00 00
  echo "-- READ BUFFER mode 03h"; expect_fail sg_raw -vvv -r 4 "$sg" 3c 03 00 00 00 00 00 00 04 00
  echo "-- SYNCHRONIZE CACHE 16"; expect_fail sg_raw -vvv "$sg" 91 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00
  echo "-- INQUIRY alloc 36, transfer 512"; must sg_raw -vvv -r 512 "$sg" 12 00 00 00 24 00
done < /tmp/disks
n=/dev/nvme0
must nvme id-ctrl $n -b > /out/nvme.id-ctrl.bin
must nvme id-ctrl $n -o json > /out/nvme.id-ctrl.json
must nvme id-ns /dev/nvme0n1 -b > /out/nvme.id-ns.bin
must nvme id-ns /dev/nvme0n1 -o json > /out/nvme.id-ns.json
must nvme smart-log $n -b > /out/nvme.smart-log.bin
must nvme smart-log $n -o json > /out/nvme.smart-log.json
must nvme fw-log $n -b > /out/nvme.fw-log.bin
must nvme fw-log $n -o json > /out/nvme.fw-log.json
must nvme error-log $n -e 4 -b > /out/nvme.error-log.bin
must nvme list-ns $n
echo "-- get-feature 6"; must nvme get-feature $n -f 6
head -c 4096 /dev/zero > /tmp/fw.bin
# QEMU 7.2's nvme does not implement firmware download or commit: 0x4001.
echo "-- fw-download"; expect_fail nvme fw-download $n --fw=/tmp/fw.bin
echo "-- fw-commit"; expect_fail nvme fw-commit $n --slot=1 --action=1
