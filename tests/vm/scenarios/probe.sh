# Lists the devices the guest sees (smoke test of the rig).
for d in /sys/class/scsi_generic/*; do
  echo "$(basename "$d") $(cat "$d/device/vendor") $(cat "$d/device/model") $(readlink -f "$d/device")"
done > /out/devices.txt
ls /dev/nvme* >> /out/devices.txt
