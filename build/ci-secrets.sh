#!/usr/bin/env bash
# Release CI: hands electron-builder only the signing secrets that are set. An empty secret is
# still an (empty) environment variable, which electron-builder would take for a certificate.
set -euo pipefail
for name in "$@"; do
  value="${!name:-}"
  [ -n "$value" ] || continue
  delimiter="EOF_${RANDOM}${RANDOM}${RANDOM}${RANDOM}"
  { echo "$name<<$delimiter"; echo "$value"; echo "$delimiter"; } >> "$GITHUB_ENV"
  echo "$name is set"
done
# No certificate: skip the keychain search; the app keeps the ad-hoc signature set after the fuses.
if [ -z "${CSC_LINK:-}" ] && [ -z "${WIN_CSC_LINK:-}" ]; then
  echo "CSC_IDENTITY_AUTO_DISCOVERY=false" >> "$GITHUB_ENV"
  echo "no certificate: the installers are not code-signed"
fi
