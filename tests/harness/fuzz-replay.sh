#!/bin/sh
# fuzz-replay.sh - make check's corpus replay: every fuzz target over its corpus.
#
# Target DIR/fuzz/fuzz_NAME replays DIR/fuzz/corpus/NAME (in the source tree).
# Prints TAP; a target that crashes or finds no corpus is a failure.
set -u
builddir=$(pwd)
srcdir=${top_srcdir:-.}
n=0
failed=0
out=$(mktemp)
trap 'rm -f "$out"' EXIT
for target in $FUZZ_TARGETS; do
	dir=$(dirname "$(dirname "$target")")
	name=$(basename "$target" | sed 's/^fuzz_//')
	corpus="$srcdir/$dir/fuzz/corpus/$name"
	if [ ! -d "$corpus" ]; then
		n=$((n + 1)); failed=1
		echo "not ok $n - $target: no corpus at $corpus"
		continue
	fi
	"$builddir/$target" "$corpus" >"$out" 2>&1
	rc=$?
	while IFS= read -r line; do
		case $line in
		"ok - "*) n=$((n + 1)); echo "ok $n - ${line#ok - }" ;;
		"not ok - "*) n=$((n + 1)); failed=1; echo "not ok $n - ${line#not ok - }" ;;
		*) echo "# $line" ;;
		esac
	done <"$out"
	if [ $rc -ne 0 ]; then
		n=$((n + 1)); failed=1
		echo "not ok $n - $target exited with status $rc (crash on the input named above)"
	fi
done
echo "1..$n"
[ $n -gt 0 ] || exit 1
exit $failed
