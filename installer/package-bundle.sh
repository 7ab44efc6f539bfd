#!/bin/sh
# Package the PyInstaller bundle (dist/lectern/) for Linux users:
#   OUT/lectern-VERSION-linux-x86_64.tar.gz   the bundle + install.sh (per user or system-wide)
#   OUT/lectern_VERSION_amd64.deb             the bundle in /opt/lectern, commands in /usr/bin,
#                                             desktop entries, MIME type and icons in /usr/share
#   package-bundle.sh DIST_DIR OUT_DIR
set -eu
dist=$(cd "$1" && pwd)
out=$2
resources=$(cd "$(dirname "$0")/../resources" && pwd)
here="$resources/desktop"
version=$(sed -n 's/^lectern //p' "$dist/VERSION")
[ -n "$version" ] || { echo "package-bundle.sh: $dist/VERSION names no version" >&2; exit 1; }
mkdir -p "$out"
out=$(cd "$out" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# ---------------------------------------------------------------- tar.gz + install.sh
name="lectern-$version-linux-x86_64"
mkdir -p "$work/$name/share"
cp -a "$dist" "$work/$name/lectern"
mkdir -p "$work/$name/share/desktop" "$work/$name/share/icons"
cp "$here"/lectern-*.desktop "$here/lectern-mime.xml" "$here/install-desktop.sh" "$work/$name/share/desktop/"
cp "$resources"/icons/*.svg "$work/$name/share/icons/"
cat > "$work/$name/install.sh" <<'EOF'
#!/bin/sh
# Install Lectern from this folder: per user into ~/.local (default), or for everyone
# with PREFIX=/opt/lectern BIN_DIR=/usr/local/bin DATA_DIR=/usr/share (as root).
#   ./install.sh [--uninstall]
set -eu
here=$(cd "$(dirname "$0")" && pwd)
prefix="${PREFIX:-${XDG_DATA_HOME:-$HOME/.local/share}/lectern}"
bin="${BIN_DIR:-$HOME/.local/bin}"
if [ "${1:-}" = "--uninstall" ]; then
  rm -f "$bin/lectern-studio" "$bin/lectern-player"
  rm -rf "$prefix"
  sh "$here/share/desktop/install-desktop.sh" --uninstall
  echo "Lectern removed."
  exit 0
fi
mkdir -p "$prefix" "$bin"
rm -rf "$prefix/app"
cp -a "$here/lectern" "$prefix/app"
ln -sf "$prefix/app/lectern-studio" "$bin/lectern-studio"
ln -sf "$prefix/app/lectern-player" "$bin/lectern-player"
sh "$here/share/desktop/install-desktop.sh"
echo "Lectern installed in $prefix; commands in $bin."
EOF
chmod +x "$work/$name/install.sh" "$work/$name/share/desktop/install-desktop.sh"
# (install-desktop.sh finds the icons in ../icons, beside its own folder, as in resources/.)
tar -C "$work" -czf "$out/$name.tar.gz" "$name"

# ---------------------------------------------------------------- .deb
deb="$work/deb"
mkdir -p "$deb/DEBIAN" "$deb/opt" "$deb/usr/bin" "$deb/usr/share/applications" \
  "$deb/usr/share/mime/packages" "$deb/usr/share/icons/hicolor/scalable/apps" \
  "$deb/usr/share/icons/hicolor/scalable/mimetypes"
cp -a "$dist" "$deb/opt/lectern"
ln -s /opt/lectern/lectern-studio "$deb/usr/bin/lectern-studio"
ln -s /opt/lectern/lectern-player "$deb/usr/bin/lectern-player"
cp "$here"/lectern-*.desktop "$deb/usr/share/applications/"
cp "$here/lectern-mime.xml" "$deb/usr/share/mime/packages/"
cp "$resources/icons/lectern-player.svg" "$resources/icons/lectern-studio.svg" \
  "$deb/usr/share/icons/hicolor/scalable/apps/"
cp "$resources/icons/application-x-lectern.svg" "$deb/usr/share/icons/hicolor/scalable/mimetypes/"
size=$(du -sk "$deb" | cut -f1)
cat > "$deb/DEBIAN/control" <<EOF
Package: lectern
Version: $version
Section: education
Priority: optional
Architecture: amd64
Installed-Size: $size
Maintainer: Lectern developers <lectern@invalid>
Description: record, transcribe, package and study lectures, all offline
 Lectern Studio turns lecture videos into verified course packages (.lectern) and
 exports them for the web and for learning platforms (SCORM, cmi5); Lectern Player
 plays them with chapters, captions and a searchable transcript. Self-contained:
 Python, Qt, FFmpeg and the Whisper model are inside /opt/lectern.
EOF
for script in postinst postrm; do
  cat > "$deb/DEBIAN/$script" <<'EOF'
#!/bin/sh
set -e
# DPKG_ROOT: dpkg's install root (empty for a normal install).
root="${DPKG_ROOT:-}"
if command -v update-mime-database >/dev/null 2>&1; then update-mime-database "$root/usr/share/mime" >/dev/null 2>&1 || true; fi
if command -v update-desktop-database >/dev/null 2>&1; then update-desktop-database "$root/usr/share/applications" || true; fi
if command -v gtk-update-icon-cache >/dev/null 2>&1; then gtk-update-icon-cache -q "$root/usr/share/icons/hicolor" || true; fi
EOF
  chmod 755 "$deb/DEBIAN/$script"
done
# gzip at level 1: the media libraries inside are compressed already.
dpkg-deb --root-owner-group -Zgzip -z1 --build "$deb" "$out/lectern_${version}_amd64.deb" >/dev/null
echo "$out/$name.tar.gz"
echo "$out/lectern_${version}_amd64.deb"
