#!/bin/sh
# Runs a command inside a small QEMU virtual machine whose kernel has ALSA:
# the sequencer (/dev/snd/seq with snd-seq-dummy's Midi Through), snd-virmidi
# (virtual raw MIDI ports, also sequencer clients), snd-aloop (a PCM
# loopback card) and snd-hrtimer (the sequencer's queues on the
# high-resolution timer, as a desktop loads it, not on 4 ms jiffies), for the ALSA and PortMidi device tests on machines whose own
# kernel has no sound (containers, CI, this project's VMs: no /dev/snd).
#
#   tools/alsa-vm.sh COMMAND [ARG...]      exit status: the command's
#
# The guest sees the host's whole filesystem read-only (9p share of /), with
# tmpfs on /tmp, /run, /var/tmp and /dev/shm; the command runs as root in the
# host's current directory, with the LJ_* variables of the host's
# environment, HOME=/tmp and the host's PATH. One folder is shared writable:
# $LJ_VM_OUT, at the same path in the guest as on the host, for results the
# host needs (the command's exit status comes back through it too). Output
# comes back on the serial console (kernel messages at loglevel 3 only).
#
# The kernel is Debian 12's (apt-get download linux-image-amd64's current
# dependency, extracted with dpkg-deb: no root or install needed), kept in a
# cache folder (~70 MB downloaded, ~410 MB extracted; the first run, boot
# included, took 23 s) with the initramfs (busybox-static and the modules below, in
# modprobe's load order from depmod's modules.dep). Nothing is downloaded into
# the repository. Installs qemu-system-x86 and busybox-static where missing.
# TCG emulation, no KVM: boot and power-off take ~15 s with a warm cache,
# and programs run several times slower than on the host (a process start
# ~1 s: the host's files come over 9p).
#
# Environment:
#   LJ_ALSA_VM_CACHE    cache folder (default ~/.cache/lstmjam-alsa-vm)
#   LJ_ALSA_VM_KERNEL   kernel package (default: what linux-image-amd64 depends on)
#   LJ_ALSA_VM_MEM      guest memory in MiB (default 1536)
#   LJ_ALSA_VM_SMP      guest CPUs (default 2)
#   LJ_ALSA_VM_TIMEOUT  seconds before the VM is killed (default 900)
#   LJ_ALSA_VM_KVM=1    use /dev/kvm where it exists (default: TCG always)
#   LJ_ALSA_VM_VERBOSE=1  all kernel messages on the console
set -eu

die() { echo "alsa-vm: $*" >&2; exit 125; }
[ $# -ge 1 ] || { sed -n '2,/^set -eu/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 2; }

PATH=$PATH:/sbin:/usr/sbin
# QEMU and a static busybox (for the initramfs), installed as
# tools/install-deps.sh installs the rest
missing=
for p in qemu-system-x86 busybox-static kmod; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing="$missing $p"
done
if [ -n "$missing" ]; then
    echo "alsa-vm: installing:$missing" >&2
    sudo=
    [ "$(id -u)" = 0 ] || sudo=sudo
    { $sudo apt-get update -qq && DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq \
        --no-install-recommends $missing >/dev/null; } || die "cannot install:$missing"
fi
for t in qemu-system-x86_64 busybox apt-get dpkg-deb depmod modprobe gzip; do
    command -v $t >/dev/null 2>&1 || die "$t not found"
done
busybox 2>/dev/null | grep -q "cpio" || die "busybox has no cpio applet (busybox-static)"
cache=${LJ_ALSA_VM_CACHE:-$HOME/.cache/lstmjam-alsa-vm}
mkdir -p "$cache"

# The kernel package: Debian 12's current one unless one is named.
pkg=${LJ_ALSA_VM_KERNEL:-}
if [ -z "$pkg" ]; then
    pkg=$(apt-cache depends linux-image-amd64 2>/dev/null | awk '/Depends: linux-image-[0-9]/ {print $2; exit}')
    [ -n "$pkg" ] || die "apt-cache depends linux-image-amd64 names no kernel (apt-get update?)"
fi
kver=${pkg#linux-image-}
kdir=$cache/$pkg
if [ ! -f "$kdir/boot/vmlinuz-$kver" ]; then
    echo "alsa-vm: downloading $pkg into $cache" >&2
    rm -rf "$kdir" "$cache/dl"
    mkdir -p "$cache/dl"
    # apt's _apt user may not be able to write in the cache: it warns and
    # downloads as root, which is fine here
    (cd "$cache/dl" && apt-get download "$pkg" >/dev/null 2>"$cache/dl/apt.err") \
        || { cat "$cache/dl/apt.err" >&2; die "apt-get download $pkg failed"; }
    dpkg-deb -x "$cache"/dl/"$pkg"_*.deb "$kdir.part" || die "dpkg-deb -x failed"
    depmod -b "$kdir.part" "$kver" || die "depmod failed"
    mv "$kdir.part" "$kdir"
    rm -rf "$cache/dl"
fi

# The initramfs: busybox, the modules, and an init that mounts the host's /
# and runs the command. Rebuilt when this script changes.
modules="virtio_pci 9pnet_virtio 9p snd-hrtimer snd-aloop snd-seq-dummy snd-seq-midi snd-virmidi"
stamp=$(cat "$0" | cksum | cut -d' ' -f1)
initrd=$cache/initrd-$kver-$stamp.gz
if [ ! -f "$initrd" ]; then
    root=$cache/initrd.root
    rm -rf "$root"
    mkdir -p "$root/bin" "$root/lib/modules" "$root/proc" "$root/sys" "$root/dev" "$root/newroot"
    cp "$(command -v busybox)" "$root/bin/busybox"
    file "$root/bin/busybox" 2>/dev/null | grep -q "dynamically" && die "busybox is not static (busybox-static)"
    : >"$root/modules.order"
    for m in $modules; do
        modprobe -d "$kdir" -S "$kver" --show-depends "$m" || die "no module $m in $pkg"
    done | awk '$1 == "insmod" && !seen[$2]++ {print $2}' | while read -r ko; do
        cp "$ko" "$root/lib/modules/"
        echo "${ko##*/}" >>"$root/modules.order"
    done
    cat >"$root/init" <<'EOF'
#!/bin/busybox sh
/bin/busybox --install -s /bin
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev
for ko in $(cat /modules.order); do
    insmod /lib/modules/$ko || echo "alsa-vm: insmod $ko failed"
done
set -- $(cat /proc/cmdline)
for a; do case $a in lj_out=*) out=${a#lj_out=};; esac; done
mount -t 9p -o trans=virtio,version=9p2000.L,ro,msize=262144,cache=loose hostroot /newroot \
    || { echo "alsa-vm: cannot mount the host's /"; poweroff -f; }
for d in tmp run var/tmp; do mount -t tmpfs -o mode=1777 tmpfs /newroot/$d; done
mount --move /dev /newroot/dev
mkdir -p /newroot/dev/pts /newroot/dev/shm
mount -t devpts devpts /newroot/dev/pts
mount -t tmpfs -o mode=1777 tmpfs /newroot/dev/shm
mount --move /proc /newroot/proc
mount --move /sys /newroot/sys
mkdir -p "/newroot$out"
mount -t 9p -o trans=virtio,version=9p2000.L,msize=262144 lj_out "/newroot$out" \
    || { echo "alsa-vm: cannot mount the shared folder"; poweroff -f; }
chroot /newroot /bin/sh "$out/run.sh" </dev/console >/dev/console 2>&1
echo $? >"/newroot$out/status"
sync
umount "/newroot$out"
poweroff -f
EOF
    chmod +x "$root/init"
    (cd "$root" && find . | busybox cpio -o -H newc 2>/dev/null | gzip -1) >"$initrd.part" \
        || die "cannot pack the initramfs"
    mv "$initrd.part" "$initrd"
    rm -rf "$root"
fi

# The command, in the host's folder and LJ_* environment.
LJ_VM_OUT=$(mktemp -d /tmp/alsa-vm.XXXXXX)
export LJ_VM_OUT
trap 'rm -rf "$LJ_VM_OUT"' EXIT
q() { printf "'%s'" "$(printf '%s' "$1" | sed "s/'/'\\\\''/g")"; }
{
    echo "export HOME=/tmp PATH=$(q "$PATH") TERM=dumb LANG=C.UTF-8"
    env | grep '^LJ_[A-Za-z0-9_]*=' | while IFS= read -r kv; do
        echo "export ${kv%%=*}=$(q "${kv#*=}")"
    done
    echo "cd $(q "$PWD") || exit 125"
    printf 'exec'
    for a; do printf ' %s' "$(q "$a")"; done
    echo
} >"$LJ_VM_OUT/run.sh"

accel=tcg
[ "${LJ_ALSA_VM_KVM:-0}" = 1 ] && [ -w /dev/kvm ] && accel=kvm
loglevel=3
[ "${LJ_ALSA_VM_VERBOSE:-0}" = 1 ] && loglevel=7
set +e
timeout -k 5 "${LJ_ALSA_VM_TIMEOUT:-900}" qemu-system-x86_64 \
    -machine q35,accel=$accel -cpu max -smp "${LJ_ALSA_VM_SMP:-2}" -m "${LJ_ALSA_VM_MEM:-1536}" \
    -kernel "$kdir/boot/vmlinuz-$kver" -initrd "$initrd" \
    -append "console=ttyS0 loglevel=$loglevel panic=-1 lj_out=$LJ_VM_OUT" \
    -fsdev local,id=hostroot,path=/,security_model=none,readonly=on,multidevs=remap \
    -device virtio-9p-pci,fsdev=hostroot,mount_tag=hostroot \
    -fsdev local,id=lj_out,path="$LJ_VM_OUT",security_model=none \
    -device virtio-9p-pci,fsdev=lj_out,mount_tag=lj_out \
    -display none -serial stdio -monitor none -no-reboot -nodefaults </dev/null
qrc=$?
set -e
[ -f "$LJ_VM_OUT/status" ] || die "the VM ended (qemu exit $qrc) without the command's exit status"
exit "$(cat "$LJ_VM_OUT/status")"
