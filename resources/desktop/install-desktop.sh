#!/bin/sh
# Register Lectern with the desktop for one user (default) or system-wide (DATA_DIR=/usr/share):
# the two .desktop entries, the application/x-lectern MIME type for *.lectern with its icon,
# and the app icons; then refresh the MIME and desktop databases if their tools are there.
#   install-desktop.sh [--uninstall]
set -eu
here=$(cd "$(dirname "$0")" && pwd)
icons="$here/../icons"
data="${DATA_DIR:-${XDG_DATA_HOME:-$HOME/.local/share}}"
apps="$data/applications"
mime="$data/mime"
hicolor="$data/icons/hicolor/scalable"
if [ "${1:-}" = "--uninstall" ]; then
  rm -f "$apps/lectern-player.desktop" "$apps/lectern-studio.desktop" \
    "$mime/packages/lectern-mime.xml" "$hicolor/apps/lectern-player.svg" \
    "$hicolor/apps/lectern-studio.svg" "$hicolor/mimetypes/application-x-lectern.svg"
else
  mkdir -p "$apps" "$mime/packages" "$hicolor/apps" "$hicolor/mimetypes"
  cp "$here/lectern-player.desktop" "$here/lectern-studio.desktop" "$apps/"
  cp "$here/lectern-mime.xml" "$mime/packages/"
  cp "$icons/lectern-player.svg" "$icons/lectern-studio.svg" "$hicolor/apps/"
  cp "$icons/application-x-lectern.svg" "$hicolor/mimetypes/"
fi
if command -v update-mime-database >/dev/null 2>&1; then update-mime-database "$mime" >/dev/null 2>&1 || true; fi
if command -v update-desktop-database >/dev/null 2>&1; then update-desktop-database "$apps" >/dev/null 2>&1 || true; fi
