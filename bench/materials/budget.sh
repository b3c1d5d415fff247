# Sourced by this folder's one-call device scripts: the GPU machine's environment (when .gpu/ came along) and a clock of
# BUDGET seconds (default DEFAULT_BUDGET, else 540) from the moment it is sourced; `left` prints the seconds remaining.
set -uo pipefail
[ -f .gpu/enter.sh ] && source .gpu/enter.sh >/dev/null
T=${BUDGET:-${DEFAULT_BUDGET:-540}}; start=$(date +%s)
left() { echo $(( T - ($(date +%s) - start) )); }
