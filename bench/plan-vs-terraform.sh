#!/usr/bin/env bash
# Times "ltxform plan" against "terraform plan" on the same for_each, as
# whole processes, alternately (ltxform, terraform, ltxform, ...), and prints
# each run, the medians and the median of the per-pair ratios. BENCHMARKS.md,
# "plan against terraform", quotes it.
#
#   bench/plan-vs-terraform.sh [-n N] [-runs R] [-ltxform-only] [-dir DIR]
#   bench/plan-vs-terraform.sh -gen DIR -n N     only write the fixtures
#
#   -n N           videos (default 1000)
#   -runs R        timed runs of each command (default 9), after one warm-up
#   -ltxform-only  time ltxform alone (the 10,000-video figure)
#   -dir DIR       time ltxform on an existing manifest directory instead,
#                  such as the fixture of plan's TestWritePlanFixture
#   -bin FILE      an ltxform binary to time (default: built from this tree)
#
# Both sides get N entries of one map of distinct 200-character prompts in a
# locals block, one for_each over it, and no state: a fresh plan of N
# creates. Terraform's side is N terraform_data resources, which are built
# into terraform: init downloads nothing and works offline. The time of a
# run is the wall time from starting the process to its exit, taken with
# bash's $EPOCHREALTIME; output goes to /dev/null. Needs bash 5, go,
# terraform (unless -ltxform-only), awk, sort.
set -euo pipefail

n=1000 runs=9 only=false dir="" gen="" bin=""
while [ $# -gt 0 ]; do
	case $1 in
	-n) n=$2; shift 2 ;;
	-runs) runs=$2; shift 2 ;;
	-ltxform-only) only=true; shift ;;
	-dir) dir=$2; shift 2 ;;
	-gen) gen=$2; shift 2 ;;
	-bin) bin=$2; shift 2 ;;
	*) echo "unknown argument $1 (see the comment at the top)" >&2; exit 2 ;;
	esac
done

# gen DIR N writes DIR/ltxform/main.ltx.hcl and DIR/terraform/main.tf.
gen() {
	local out=$1 count=$2 prompts
	mkdir -p "$out/ltxform" "$out/terraform"
	prompts=$(awk -v n="$count" 'BEGIN {
		for (i = 0; i < n; i++) {
			p = sprintf("Shot %05d: a slow dolly across a rain-soaked neon street at night, reflections shimmering in puddles, ", i)
			while (length(p) < 200) p = p "cinematic, "
			printf "    k%05d = \"%s\"\n", i, substr(p, 1, 200)
		}
	}')
	cat >"$out/ltxform/main.ltx.hcl" <<HCL
locals {
  prompts = {
$prompts
  }
}

video "clip" {
  for_each   = local.prompts
  prompt     = each.value
  duration   = 8
  resolution = "1080p"
}
HCL
	cat >"$out/terraform/main.tf" <<HCL
locals {
  prompts = {
$prompts
  }
}

resource "terraform_data" "clip" {
  for_each = local.prompts
  input = {
    prompt     = each.value
    duration   = 8
    resolution = "1080p"
  }
}
HCL
}

if [ -n "$gen" ]; then
	gen "$gen" "$n"
	exit 0
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
if [ -z "$bin" ]; then
	mkdir -p "$work/bin"
	bin=$work/bin/ltxform # not $work/ltxform: that is the manifest's directory
	(cd "$(dirname "$0")/.." && go build -o "$bin" .)
fi
if [ -z "$dir" ]; then
	gen "$work" "$n"
	dir=$work/ltxform
fi
if ! $only; then
	terraform -chdir="$work/terraform" init -input=false >"$work/init.log" 2>&1 ||
		{ cat "$work/init.log" >&2; exit 1; }
fi

# seconds CMD... prints the wall time of one run; a failed run stops the
# script rather than timing an error.
seconds() {
	local t0=$EPOCHREALTIME
	"$@" >/dev/null 2>&1 || { echo "failed: $*" >&2; exit 1; }
	local t1=$EPOCHREALTIME
	awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.4f\n", b - a }'
}
median() { sort -g | awk '{ a[NR] = $1 } END { print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }

ltx=("$bin" -chdir="$dir" plan)
tf=(terraform -chdir="$work/terraform" plan -input=false)

# One warm-up each: the page cache, and terraform's first-run work.
seconds "${ltx[@]}" >/dev/null
$only || seconds "${tf[@]}" >/dev/null

rows=$work/rows
: >"$rows"
if $only; then
	printf 'run  ltxform_s\n'
else
	printf 'run  ltxform_s  terraform_s  terraform/ltxform\n'
fi
for ((i = 1; i <= runs; i++)); do
	a=$(seconds "${ltx[@]}")
	if $only; then
		printf '%3d  %9.3f\n' "$i" "$a"
		echo "$a" >>"$rows"
		continue
	fi
	b=$(seconds "${tf[@]}")
	r=$(awk -v a="$a" -v b="$b" 'BEGIN { printf "%.1f", b / a }')
	printf '%3d  %9.3f  %11.3f  %17s\n' "$i" "$a" "$b" "$r"
	echo "$a $b $r" >>"$rows"
done
if $only; then
	printf 'median %8.3f   (%s, %d runs)\n' "$(cut -d' ' -f1 "$rows" | median)" "$dir" "$runs"
else
	printf 'median %8.3f  %11.3f  %17.1f   (N=%d, %d runs; the ratio is the median of the pairs)\n' \
		"$(cut -d' ' -f1 "$rows" | median)" "$(cut -d' ' -f2 "$rows" | median)" \
		"$(cut -d' ' -f3 "$rows" | median)" "$n" "$runs"
fi
