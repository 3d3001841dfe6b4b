#!/usr/bin/env bash
# Builds a class-data sharing archive for the CLI's fat jar (run by the build after the shade step):
#   cds-archive.sh JAVA JAR ARCHIVE
# The JVM then maps the classes the CLI needs at start-up (JDK and ours, already parsed and verified) instead of
# reading them out of the jar: `dstack --help` and `dstack ps` take about half the CPU time. bin/dstack uses ARCHIVE
# when it is newer than JAR; the JVM itself refuses an archive made for another JVM or another jar and then starts
# as it would without one, silently. Never fails the build: an archive is an optimisation.
set -uo pipefail
java="$1" archive="$3"
# The archive records the jar's path: the absolute, physical one, as bin/dstack names it.
jar="$(cd -P "$(dirname "$2")" && pwd)/$(basename "$2")"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
# Training: the commands people start most, each in its own JVM writing the classes it loaded. `ps` talks to a
# closed port on loopback (the HTTP client, JSON and the error path load; nothing leaves the machine). A scratch
# HOME keeps the user's ~/.dstack out of it.
train() {
  HOME="$work" DSTACK_SERVER_URL=http://127.0.0.1:9 DSTACK_TOKEN=training DSTACK_PROJECT=main \
    "$java" -Xshare:off -XX:DumpLoadedClassList="$work/classes-$1" -jar "$jar" "${@:2}" >/dev/null 2>&1
}
train help --help
train ps ps
train apply apply --help
train logs logs --help
cat "$work"/classes-* | sort -u > "$work/classes"
if "$java" -Xshare:dump -XX:SharedClassListFile="$work/classes" -XX:SharedArchiveFile="$work/archive.jsa" \
    -cp "$jar" > "$work/dump.log" 2>&1 && [[ -s "$work/archive.jsa" ]]; then
  mv -f "$work/archive.jsa" "$archive"
  echo "CDS archive for the CLI: $archive ($(wc -l < "$work/classes") classes)"
else
  rm -f "$archive"
  echo "warning: no CDS archive for the CLI (bin/dstack starts without one): $(tail -n 3 "$work/dump.log")" >&2
fi
exit 0
