# Prints the container runtime whose engine answers on this host: docker first (as dstack's hosts run jobs), then
# podman; nothing when neither does. A docker client with no engine behind it does not count. Podman is asked with
# `ps`, which opens its storage and runtime like `info` without asking dpkg/rpm for every helper's version (0.7 s of CPU).
if command -v docker >/dev/null 2>&1 && docker info --format '{{.ServerVersion}}' >/dev/null 2>&1; then
  echo docker
elif command -v podman >/dev/null 2>&1 && podman ps --quiet >/dev/null 2>&1; then
  echo podman
fi
