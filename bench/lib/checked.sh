# Sourced by the bench scripts (not run by itself): runs a tool and checks from its own
# output that it did the work asked of it (bench/lib/work.py). A difference, or a non-zero
# exit status, prints `MISMATCH <label>: <what>` on standard error and sets mismatch=1; the
# script prints what it measured, then exits with $mismatch.
# shellcheck disable=SC2034 # read by the scripts that source this
mismatch=0
# The measuring command the tool runs under (/usr/bin/time, valgrind, perf stat), if any.
wrap=()

# checked DIR LABEL CHECK... -- COMMAND...: runs "${wrap[@]}" COMMAND with its standard
# output in DIR/out and standard error in DIR/stderr, then `work.py CHECK LABEL DIR/out
# ARGS...` for CHECK... = CHECK ARGS....
checked() {
  local dir=$1 label=$2 check=()
  shift 2
  while [ "$1" != -- ]; do check+=("$1"); shift; done
  shift
  local status=0
  "${wrap[@]}" "$@" > "$dir/out" 2> "$dir/stderr" || status=$?
  if [ $status -ne 0 ]; then
    echo "MISMATCH $label: exit status $status" >&2
    cat "$dir/stderr" >&2
    mismatch=1
  fi
  python3 bench/lib/work.py "${check[0]}" "$label" "$dir/out" "${check[@]:1}" || mismatch=1
}
