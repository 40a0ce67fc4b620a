#!/usr/bin/env bash
# Puts the PDF documents' fonts into .venv/share/billing-fonts/ (see
# billing_site/documents/fonts.py): DejaVu Sans (Latin, Greek, Cyrillic, Arabic)
# and Droid Sans Fallback (Chinese, Japanese, Korean). Copied from the system's
# fonts when installed there, else unpacked from Debian's packages, downloaded
# without installing them. Does nothing when they are already in place.
set -euo pipefail
cd "$(dirname "$0")/.."

DEST=.venv/share/billing-fonts
# file, the package that ships it, its folder on a Debian system
FONTS=(
  "DejaVuSans.ttf fonts-dejavu-core /usr/share/fonts/truetype/dejavu"
  "DejaVuSans-Bold.ttf fonts-dejavu-core /usr/share/fonts/truetype/dejavu"
  "DroidSansFallbackFull.ttf fonts-droid-fallback /usr/share/fonts/truetype/droid"
)

mkdir -p "$DEST"
wanted=()
for entry in "${FONTS[@]}"; do
  read -r file package folder <<<"$entry"
  [ -s "$DEST/$file" ] && continue
  if [ -s "$folder/$file" ]; then
    cp "$folder/$file" "$DEST/$file"
  else
    wanted+=("$file $package")
  fi
done
[ ${#wanted[@]} -eq 0 ] && exit 0

mapfile -t packages < <(printf '%s\n' "${wanted[@]}" | cut -d' ' -f2 | sort -u)
download() { (cd "$1" && apt-get download -qq "${packages[@]}") >/dev/null 2>&1; }
if command -v apt-get >/dev/null 2>&1 && command -v dpkg-deb >/dev/null 2>&1; then
  work=$(mktemp -d)
  trap 'rm -rf "$work"' EXIT
  # A fresh machine may have no package lists yet; only root can fetch them.
  if download "$work" || { [ "$(id -u)" = 0 ] && apt-get update -qq && download "$work"; }; then
    for deb in "$work"/*.deb; do dpkg-deb -x "$deb" "$work/root"; done
    for entry in "${wanted[@]}"; do
      file=${entry%% *}
      found=$(find "$work/root" -name "$file" -print -quit)
      [ -n "$found" ] && cp "$found" "$DEST/$file"
    done
  fi
fi

missing=()
for entry in "${wanted[@]}"; do
  file=${entry%% *}
  [ -s "$DEST/$file" ] || missing+=("$file")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "PDF fonts missing: put ${missing[*]} into $PWD/$DEST (Debian packages:" \
    "${packages[*]}); until then PDFs print Helvetica and STSong-Light, without Arabic." >&2
fi
