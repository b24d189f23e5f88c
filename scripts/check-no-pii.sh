#!/usr/bin/env bash
# Fails when a log holds an unmasked mobile number (in any of the forms the platforms send) or an
# identity-card number. Usage: scripts/check-no-pii.sh FILE...
set -euo pipefail
pattern='(^|[^0-9A-Za-z_])(\+?86[- ]?)?1[3-9][0-9]([- ]?[0-9]{4}){2}([^0-9]|$)|(^|[^0-9A-Za-z_])[0-9]{6}(19|20)[0-9]{2}[01][0-9][0-3][0-9]{4}[0-9Xx]([^0-9A-Za-z]|$)'
if grep -nE "$pattern" "$@" | head -n 5 | sed -E 's/[0-9]/#/g'; then
  echo "check-no-pii: unmasked phone or ID numbers in $* (digits shown as #)" >&2
  exit 1
fi
echo "check-no-pii: no unmasked phone or ID number in $*"
