# dstack-jvm over SSH: checks a host and prints what it offers, in sections. Usage: bash -s (jobs under ~/.dstack-jvm/jobs)
set -u
root="$HOME/.dstack-jvm/jobs"
section() { printf '\n@@dstack %s\n' "$1"; }
section missing
for tool in setsid flock mkfifo pkill tail head; do command -v "$tool" >/dev/null 2>&1 || printf '%s ' "$tool"; done
section root
mkdir -p "$root/.exited" 2>&1 && cd "$root" && pwd
section nproc
nproc 2>/dev/null || getconf _NPROCESSORS_ONLN
section arch
uname -m
section meminfo
cat /proc/meminfo
section df
df -Pk "$root" 2>/dev/null | tail -n 1
section nvidia
command -v nvidia-smi >/dev/null 2>&1 && nvidia-smi --query-gpu=name,memory.total --format=csv,noheader,nounits 2>/dev/null
section amd
command -v amd-smi >/dev/null 2>&1 && amd-smi static --json --asic --vram 2>/dev/null
section rocm
command -v amd-smi >/dev/null 2>&1 || { command -v rocm-smi >/dev/null 2>&1 && rocm-smi --showproductname --showmeminfo vram --json 2>/dev/null; }
section runtime
# (container-runtime.sh goes here)
section end
exit 0
