# Benchmark scenario: write-then-verify of SIZE in 64 KiB writes, `scsitool verify` against
# `fio --rw=write --verify=crc32c`, on the virtio-scsi scsi-hd through SG_IO (its sg node;
# fio --ioengine=sg) and on the NVMe namespace (fio --ioengine=psync --direct=1), three
# rounds whose order alternates. SIZE comes from /bench.env when the host put one there
# (SCSITOOL_VM_EXTRA). Leaves one line per run in /out/verify.txt:
#   TARGET TOOL ROUND START_S END_S EXIT_STATUS OUTPUT_FILE
# and each tool's output (scsitool's JSON, fio's terse line) as /out/OUTPUT_FILE.
set -u
. /scenario-common.sh
[ -f /bench.env ] && . /bench.env
SIZE=${SIZE:-32M}
: > /out/verify.txt
uptime_s() { read -r t _ < /proc/uptime; echo "$t"; }
sg=$(disks | awk '$1 == "virtio-4k" {print $2}')
echo "$sg" > /out/sg-node

scsitool_run() { # DEVICE
  rm -f /tmp/verify.journal*
  /usr/bin/scsitool --json verify "$1" --size "$SIZE" --epochs 1 --write-size 64K \
    --flush-every 64 --destructive "$1" --journal /tmp/verify.journal
}
fio_sg() {
  fio --name=verify --ioengine=sg --filename="$sg" --rw=write --bs=64k --size="$SIZE" \
    --verify=crc32c --output-format=terse
}
fio_nvme() {
  fio --name=verify --ioengine=psync --direct=1 --filename=/dev/nvme0n1 --rw=write \
    --bs=64k --size="$SIZE" --verify=crc32c --output-format=terse
}
measure() { # TARGET TOOL ROUND COMMAND...
  target=$1 tool=$2 round=$3; shift 3
  file="verify.$target.$tool.$round.out"
  start=$(uptime_s)
  "$@" < /dev/null > "/out/$file" 2> "/out/$file.err"
  rc=$?
  end=$(uptime_s)
  echo "$target $tool $round $start $end $rc $file" >> /out/verify.txt
}

for round in 1 2 3; do
  if [ $((round % 2)) -eq 1 ]; then order="scsitool fio"; else order="fio scsitool"; fi
  for tool in $order; do
    case $tool in
      scsitool) measure sg scsitool "$round" scsitool_run "$sg" ;;
      fio) measure sg fio "$round" fio_sg ;;
    esac
  done
  for tool in $order; do
    case $tool in
      scsitool) measure nvme scsitool "$round" scsitool_run /dev/nvme0n1 ;;
      fio) measure nvme fio "$round" fio_nvme ;;
    esac
  done
done
