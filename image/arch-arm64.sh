# shellcheck shell=bash
# What image/build does differently for --arch arm64 (Raspberry Pi 3 and 4, 64-bit; README,
# "The arm64 image"). Sourced by image/build; needs qemu-user-static and binfmt
# (image/setup-build-host --arm64) because mmdebstrap and chroot run arm64 programs.
#
# The root: Debian 12's own arm64 kernel (linux-image-arm64, mainline device trees for the Pi)
# and raspi-firmware (non-free-firmware: the GPU boot firmware, bootcode.bin/start*.elf). The Pi's
# firmware reads config.txt on the FAT partition, loads vmlinuz + initrd.img + the board's .dtb
# and passes cmdline.txt to the kernel. Nothing comes from Raspberry Pi OS.

arm64_kernel_pkg=linux-image-arm64
arm64_node_arch=arm64
# Added to image/build's package list (and so to the base tarball's cache key).
arm64_packages=(raspi-firmware)
# raspi-firmware is in non-free-firmware; its kernel hook copies into /boot/firmware, which must exist.
arm64_mmdebstrap_opts=(--components=main,non-free-firmware --setup-hook='mkdir -p "$1"/boot/firmware')
# The kernel console on the Pi: the GPIO 14/15 UART (the mini UART, ttyS1, under mainline device
# trees on Pi 3 and 4) and the screen; the last one is /dev/console. scripts/test-image-arm64
# swaps these for ttyAMA0 (QEMU virt's PL011).
arm64_console='ttyS1,115200 console=tty1'

# arm64_install_app REPO ROOTFS CACHE: the arm64 hub into ROOTFS/opt/hub (image/arm64-app), then a
# smoke test of the arm64 Node and both native addons, run in the root tree under qemu-user.
arm64_install_app() {
  local repo=$1 rootfs=$2 cache=$3
  "$repo/image/arm64-app" --out "$rootfs/opt/hub" --cache "$cache" >/dev/null
  chroot "$rootfs" /opt/hub/.tools/node/bin/node -e '
    process.chdir("/opt/hub");
    const { createRequire } = require("node:module");
    const req = createRequire("/opt/hub/package.json");
    const Database = req("better-sqlite3");
    const version = new Database(":memory:").prepare("select sqlite_version() as v").get().v;
    const { ClassicLevel } = req("classic-level");
    const dir = require("node:fs").mkdtempSync("/tmp/arm64-check-");
    const db = new ClassicLevel(dir);
    db.put("k", "v")
      .then(() => db.get("k"))
      .then(async (v) => {
        await db.close();
        require("node:fs").rmSync(dir, { recursive: true });
        if (v !== "v") throw new Error("classic-level read back " + v);
        console.log(`${process.version} ${process.arch} sqlite ${version} classic-level ok`);
      });
  ' >&2
}

# arm64_stage_boot ROOTFS KVER DIR: the Pi's boot partition content into DIR (beside
# image/build's vmlinuz, initrd.img and cmdline.txt): the firmware blobs, the Pi 3/4 device trees
# and their overlays, and config.txt. Empties ROOTFS/boot/firmware: the FAT is mounted there.
arm64_stage_boot() {
  local rootfs=$1 kver=$2 dir=$3 fw=/usr/lib/raspi-firmware
  local dtbs=$rootfs/usr/lib/linux-image-$kver/broadcom
  mkdir -p "$dir"
  [ -f "$rootfs$fw/bootcode.bin" ] || { echo "arm64: no $fw/bootcode.bin (raspi-firmware)" >&2; return 1; }
  cp "$rootfs$fw"/bootcode.bin "$rootfs$fw"/start*.elf "$rootfs$fw"/fixup*.dat "$dir/"
  # The boards this image targets; the firmware picks the file by board name.
  local n=0 dtb
  for dtb in "$dtbs"/bcm2837-rpi-3-*.dtb "$dtbs"/bcm2837-rpi-cm3-*.dtb "$dtbs"/bcm2710-rpi-zero-2*.dtb \
    "$dtbs"/bcm2711-rpi-*.dtb; do
    [ -f "$dtb" ] && cp "$dtb" "$dir/" && n=$((n + 1))
  done
  ((n > 0)) || { echo "arm64: no Raspberry Pi device trees in $dtbs" >&2; return 1; }
  # upstream_kernel=1: mainline device trees (Debian's kernel), not Raspberry Pi's downstream names.
  cat >"$dir/config.txt" <<EOF
# Energy Hub (image/build --arch arm64): Debian's arm64 kernel on a Raspberry Pi 3 or 4.
arm_64bit=1
upstream_kernel=1
kernel=vmlinuz
initramfs initrd.img followkernel
# A serial console on GPIO 14/15 (cmdline.txt: console=ttyS1,115200).
enable_uart=1
# The GPU needs little memory on a headless hub.
gpu_mem=16
disable_splash=1
EOF
  rm -rf "${rootfs:?}/boot/firmware" && mkdir -p "$rootfs/boot/firmware"
}
