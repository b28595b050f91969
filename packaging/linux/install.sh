#!/usr/bin/env bash
# Install the built one-folder Docket for the current user on Linux:
# the program in ~/.local/opt/docket, `docket` on the PATH, the menu entry, the AppStream
# metadata and the icons. Run after `python packaging/build.py`.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
prefix=${PREFIX:-$HOME/.local}
[ -x "$root/dist/docket/docket" ] || { echo "build first: python packaging/build.py" >&2; exit 1; }
mkdir -p "$prefix/opt" "$prefix/bin" "$prefix/share/applications" "$prefix/share/metainfo"
rm -rf "$prefix/opt/docket"
cp -a "$root/dist/docket" "$prefix/opt/docket"
ln -sf "$prefix/opt/docket/docket" "$prefix/bin/docket"
install -m 644 "$here/io.github.docket.Docket.desktop" "$prefix/share/applications/"
install -m 644 "$here/io.github.docket.Docket.metainfo.xml" "$prefix/share/metainfo/"
install -D -m 644 "$root/resources/icons/docket.svg" "$prefix/share/icons/hicolor/scalable/apps/io.github.docket.Docket.svg"
for png in "$root"/packaging/build/icons/docket-*.png; do
  size=$(basename "$png" .png); size=${size#docket-}
  install -D -m 644 "$png" "$prefix/share/icons/hicolor/${size}x${size}/apps/io.github.docket.Docket.png"
done
command -v update-desktop-database >/dev/null && update-desktop-database "$prefix/share/applications" || true
echo "Docket installed: run 'docket' or find it in your applications menu."
