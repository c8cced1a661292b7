#!/bin/sh
# po-check.sh - every user-facing string (templates and C) is in the
# catalog template, and every shipped language translates all of it:
# nothing untranslated, nothing fuzzy. A new string cannot ship in English
# only.
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
"$root/scripts/po-extract" --check
status=0
for po in "$root"/po/*.po; do
	u=$(msgattrib --untranslated --no-obsolete "$po" | grep -c '^msgid ' || true)
	f=$(msgattrib --only-fuzzy --no-obsolete "$po" | grep -c '^msgid ' || true)
	# msgattrib prints the header entry (msgid "") whenever it prints anything
	[ "$u" -gt 1 ] && { echo "$po: $((u - 1)) untranslated"; status=1; }
	[ "$f" -gt 1 ] && { echo "$po: $((f - 1)) fuzzy"; status=1; }
done
[ $status -eq 0 ] && echo "translations complete"
exit $status
