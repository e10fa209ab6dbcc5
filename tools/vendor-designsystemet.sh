#!/usr/bin/env bash
# Vendor Designsystemet (Digdir, the Norwegian public-sector design system) CSS into
# reuse/static/vendor/designsystemet/ so the app works with no network or JS build step at runtime.
#
# Usage:   tools/vendor-designsystemet.sh            # CSS + theme (default)
#          WITH_WEB_JS=1 tools/vendor-designsystemet.sh   # also vendor the optional behaviour JS
#
# Needs: npm (registry access at vendoring time only), tar, sha512sum/openssl, base64.
# Nothing is installed: packages are fetched with `npm pack` into a temp dir and unpacked there.
#
# Theme decision (checked against the package contents):
#   * @digdir/designsystemet-css ships its own default theme (tokens: colours, sizes, typography)
#     at dist/theme/designsystemet.css (package export "./theme"). That is what we use as theme.css.
#   * @digdir/designsystemet-theme (latest 1.11.0) says in its README "THIS PACKAGE IS DEPRECATED -
#     use @digdir/designsystemet-css/theme", and its brand files (digdir.css, altinn.css, ...) are
#     built from v1.8.0 tokens. It is therefore NOT vendored.
set -euo pipefail

# ---- pinned versions (bump deliberately; update the integrity hashes with `npm view <pkg>@<ver> dist.integrity`)
DS_CSS_PKG="@digdir/designsystemet-css"
DS_CSS_VERSION="1.22.0"
DS_CSS_INTEGRITY="sha512-f/+YOK1Gvl7ypdeRh0TDGs28eu8DkOPDAR+T8yLpnys9FxNWX05UNuhXJwYwRuzF9WUgjAhpJ5JKdodTDxWMEA=="

# Optional: framework-independent behaviour (aria wiring for ds-field, ds-pagination, popover, tooltip...).
DS_WEB_PKG="@digdir/designsystemet-web"
DS_WEB_VERSION="1.22.0"
DS_WEB_INTEGRITY="sha512-AhgkapDs7efBAR6VyvmEfMEmO+xp7q/BM6XvxTWt/Iff3dmlEs9M/wLKX8hOrBY71I3Q/SB6wTKF5u0gaSNeaQ=="
WITH_WEB_JS="${WITH_WEB_JS:-0}"

SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO_ROOT="$(cd "$SCRIPT_DIR/.." && pwd)"
DEST="$REPO_ROOT/reuse/static/vendor/designsystemet"

TMP="$(mktemp -d "${TMPDIR:-/tmp}/vendor-ds.XXXXXX")"
trap 'rm -rf "$TMP"' EXIT

log() { printf '[vendor-designsystemet] %s\n' "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }

command -v npm >/dev/null || die "npm not found"

sha512_b64() {
  if command -v openssl >/dev/null; then
    openssl dgst -sha512 -binary "$1" | base64 -w0
  else
    sha512sum "$1" | cut -d' ' -f1 | xxd -r -p | base64 -w0
  fi
}

# fetch <pkg> <version> <expected-integrity> <outdir>  -> unpacks tarball to <outdir>/package
fetch() {
  local pkg="$1" ver="$2" integrity="$3" out="$4" tgz got
  mkdir -p "$out"
  log "npm pack $pkg@$ver"
  tgz="$(cd "$out" && npm pack --silent --ignore-scripts "$pkg@$ver" | tail -n1)"
  [[ -f "$out/$tgz" ]] || die "npm pack did not produce a tarball for $pkg@$ver"
  got="sha512-$(sha512_b64 "$out/$tgz")"
  [[ "$got" == "$integrity" ]] || die "integrity mismatch for $pkg@$ver: got $got expected $integrity"
  tar -xzf "$out/$tgz" -C "$out"
  [[ -d "$out/package" ]] || die "unexpected tarball layout for $pkg@$ver"
}

# Remove @import rules that pull from a remote URL (e.g. web fonts from a CDN) and
# report any remaining url() that is not a data: URI or relative path.
check_and_strip_remote() {
  local f="$1" n
  n="$(grep -oE "@import[^;]*(https?:)?//[^;]*;" "$f" | wc -l || true)"
  if [[ "$n" -gt 0 ]]; then
    log "WARNING: stripping $n remote @import rule(s) from $(basename "$f"):"
    grep -oE "@import[^;]*(https?:)?//[^;]*;" "$f" | sed 's/^/    /' >&2
    sed -E -i 's#@import[^;]*(https?:)?//[^;]*;##g' "$f"
    MODIFIED="$MODIFIED $(basename "$f")"
  fi
  # url(...) whose first chars are not "data:" -> print them (prefix only)
  local remote
  remote="$(grep -oE "url\([[:space:]]*['\"]?[^'\"[:space:])]{0,40}" "$f" \
            | sed -E "s/^url\([[:space:]]*['\"]?//" | grep -vE '^data:' || true)"
  if [[ -n "$remote" ]]; then
    log "WARNING: non-data url() references in $(basename "$f") (check they are not remote):"
    printf '%s\n' "$remote" | sort | uniq -c | sed 's/^/    /' >&2
  fi
  if grep -qE '@font-face' "$f"; then
    log "NOTE: $(basename "$f") contains @font-face rules"
  fi
}

MODIFIED=""

# ---- fetch
fetch "$DS_CSS_PKG" "$DS_CSS_VERSION" "$DS_CSS_INTEGRITY" "$TMP/css"
CSS_PKG_DIR="$TMP/css/package"
[[ -f "$CSS_PKG_DIR/dist/src/index.css" ]] || die "dist/src/index.css missing in $DS_CSS_PKG"
[[ -f "$CSS_PKG_DIR/dist/theme/designsystemet.css" ]] || die "dist/theme/designsystemet.css missing in $DS_CSS_PKG"
[[ -f "$CSS_PKG_DIR/LICENSE" ]] || die "LICENSE missing in $DS_CSS_PKG"

if [[ "$WITH_WEB_JS" == "1" ]]; then
  fetch "$DS_WEB_PKG" "$DS_WEB_VERSION" "$DS_WEB_INTEGRITY" "$TMP/web"
  WEB_PKG_DIR="$TMP/web/package"
  [[ -f "$WEB_PKG_DIR/dist/umd/index.js" ]] || die "dist/umd/index.js missing in $DS_WEB_PKG"
fi

# ---- install into reuse/static/vendor/designsystemet (this directory is fully owned by this script)
case "$DEST" in */reuse/static/vendor/designsystemet) ;; *) die "refusing to clean unexpected DEST=$DEST";; esac
rm -rf "$DEST"
mkdir -p "$DEST"

cp "$CSS_PKG_DIR/dist/src/index.css"              "$DEST/designsystemet.css"
cp "$CSS_PKG_DIR/dist/theme/designsystemet.css"   "$DEST/theme.css"
cp "$CSS_PKG_DIR/LICENSE"                          "$DEST/LICENSE-designsystemet-css"

check_and_strip_remote "$DEST/designsystemet.css"
check_and_strip_remote "$DEST/theme.css"

if [[ "$WITH_WEB_JS" == "1" ]]; then
  cp "$WEB_PKG_DIR/dist/umd/index.js" "$DEST/designsystemet-web.js"
  cp "$WEB_PKG_DIR/LICENSE"           "$DEST/LICENSE-designsystemet-web"
  if grep -qoE 'https?://[a-zA-Z0-9.-]+' "$DEST/designsystemet-web.js"; then
    log "NOTE: URLs found in designsystemet-web.js:"
    grep -oE 'https?://[a-zA-Z0-9./_-]+' "$DEST/designsystemet-web.js" | sort -u | sed 's/^/    /' >&2
  fi
fi

{
  echo "Vendored by tools/vendor-designsystemet.sh -- do not edit by hand; re-run the script."
  echo
  echo "$DS_CSS_PKG@$DS_CSS_VERSION  (MIT, $DS_CSS_INTEGRITY)"
  echo "  designsystemet.css  <- dist/src/index.css            (components, @layer ds.base/ds.components)"
  echo "  theme.css           <- dist/theme/designsystemet.css (default theme tokens, export \"./theme\")"
  echo "  LICENSE-designsystemet-css <- LICENSE"
  if [[ "$WITH_WEB_JS" == "1" ]]; then
    echo
    echo "$DS_WEB_PKG@$DS_WEB_VERSION  (MIT, $DS_WEB_INTEGRITY)"
    echo "  designsystemet-web.js <- dist/umd/index.js (bundles MIT deps: @floating-ui/dom, @u-elements/*)"
    echo "  LICENSE-designsystemet-web <- LICENSE"
  fi
  echo
  echo "Not vendored: @digdir/designsystemet-theme (deprecated upstream in favour of $DS_CSS_PKG/theme)."
  if [[ -z "$MODIFIED" ]]; then
    echo "Files are byte-identical to the npm tarballs (no remote @import found at vendoring time)."
  else
    echo "Remote @import rules were stripped from:$MODIFIED (everything else byte-identical)."
  fi
  echo "Font: theme.css sets --ds-font-family:Inter (no @font-face, nothing downloaded); the app must"
  echo "apply it itself, e.g. body{font-family:var(--ds-font-family),system-ui,sans-serif}."
} > "$DEST/VERSIONS"

log "done -> $DEST"
(cd "$DEST" && ls -l | awk 'NR>1 {printf "    %8d  %s\n", $5, $9}') >&2
