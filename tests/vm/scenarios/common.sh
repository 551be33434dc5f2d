# Shared by the scenarios (sourced; `run` puts it in the guest as /scenario-common.sh).
#
# step NAME CMD...: runs CMD with no input, leaving its standard output in /out/NAME, its
# standard error in /out/NAME.err and its exit status in /out/NAME.rc.
#
# disks: one line per SCSI disk of the standard set, "LABEL SG SD", where LABEL says how
# the disk is attached (bot, uas-ss, uas-hs, virtio-4k) — /dev/sdX letters depend on probe
# order, the attachment does not.
disks() {
  for d in /sys/class/scsi_generic/*; do
    iface=$(readlink -f "$d/device/../../..")
    driver=$(basename "$(readlink "$iface/driver" 2>/dev/null)")
    model=$(cat "$d/device/model")
    case "$driver:$model" in
      usb-storage:*) label=bot ;;
      uas:UAS-SS*) label=uas-ss ;;
      uas:*) label=uas-hs ;;
      *) label=virtio-4k ;;
    esac
    echo "$label /dev/$(basename "$d") /dev/$(ls "$d/device/block")"
  done
}

step() {
  name=$1; shift
  "$@" < /dev/null > "/out/$name" 2> "/out/$name.err"
  echo $? > "/out/$name.rc"
}
