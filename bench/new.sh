#!/bin/sh
# Times one-document commits (what `acc new` does in Git) against `git add FILE && git
# commit -q` on generated repositories of 1k, 10k and 100k documents; prints medians and
# ratios. Options are passed to bench/commitbench (-sizes, -runs, -cache).
set -eu
cd "$(dirname "$0")/.."
exec go run ./bench/commitbench "$@"
