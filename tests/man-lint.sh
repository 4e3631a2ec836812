#!/bin/sh
# man-lint.sh - every man page renders without a mandoc warning.
set -u
. "${top_srcdir:-.}/tests/harness/tap.sh"
for page in $MAN_PAGES; do
	out=$(mandoc -Tlint -Wwarning "${top_srcdir:-.}/$page" 2>&1)
	tap_is "$out" "" "$page: mandoc -Tlint reports nothing"
done
tap_done
