# Call C: the ladder with 4-bit full-resolution codes from 8 bits up and the new twins, --psnr 40 and defaults.
source .gpu/enter.sh >/dev/null 2>&1
T0=$(date +%s); END=$((T0 + ${TOTAL:-480}))
step() { local left=$((END - $(date +%s))); (( left < 25 )) && { echo "skip $1: time"; return; }
  SETS="$2" ABLATE="$1" ABLATE_LIMIT=$3 BUDGET=$left bash bench/materials-h200.sh; }
step "psnr40:--psnr,40" "re-pk-panels re-jojo-concrete re-pk-wall" 80
step "default:" "re-pk-wall re-jojo-concrete re-pk-panels re-mp-bricks" 40
step "psnr40:--psnr,40" "nx-cretewall re-torley-marble re-un-grate npm-pm-normal-pair" 80
step "default:" "nx-cretewall re-un-metal re-pk-floor nx-bigplate nx-metalplate nx-simplines" 40
step "psnr40:--psnr,40" "re-un-metal re-pk-floor nx-bigplate" 80
echo "all $(( $(date +%s) - T0 )) s"
