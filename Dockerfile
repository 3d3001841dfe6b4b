# The dstack server image, built from the CLI distribution (the shaded jar `./mvnw package` writes):
#
#   ./mvnw -B -ntp -DskipTests package
#   docker build -t dstack-jvm-server .
#   docker run -p 3000:3000 -v ~/.dstack/server:/root/.dstack/server dstack-jvm-server
#
# Litestream (used when LITESTREAM_REPLICA_URL is set) is installed unless built with
# `--build-arg LITESTREAM_VERSION=`. See deploy/README.md for the settings and an AWS deployment.
FROM eclipse-temurin:17-jre

# dstack's own image ships Litestream v0.5.9.
ARG LITESTREAM_VERSION=0.5.9
# The jar the build produces; DeploymentFilesIT fails the build if this path stops matching it.
ARG DSTACK_JAR=dstack-cli/target/dstack-cli-0.1.0-SNAPSHOT-all.jar

RUN set -eux; \
    apt-get update; \
    apt-get install -y --no-install-recommends ca-certificates curl tini; \
    if [ -n "$LITESTREAM_VERSION" ]; then \
      case "$(dpkg --print-architecture)" in arm64) arch=arm64 ;; *) arch=x86_64 ;; esac; \
      curl -fsSL -o /tmp/litestream.deb \
        "https://github.com/benbjohnson/litestream/releases/download/v${LITESTREAM_VERSION}/litestream-${LITESTREAM_VERSION}-linux-${arch}.deb"; \
      dpkg -i /tmp/litestream.deb; \
      rm /tmp/litestream.deb; \
    fi; \
    rm -rf /var/lib/apt/lists/*

COPY ${DSTACK_JAR} /opt/dstack/dstack.jar

# Listen on every interface inside the container. The server directory is /root/.dstack/server: mount it to keep
# the SQLite database, config.yml and file logs across restarts.
ENV DSTACK_SERVER_HOST=0.0.0.0 \
    DSTACK_SERVER_PORT=3000
WORKDIR /root
EXPOSE 3000

# tini forwards SIGTERM (the server, and Litestream with it, stop cleanly) and reaps job processes.
ENTRYPOINT ["/usr/bin/tini", "--", "java", "-XX:MaxRAMPercentage=75", "-jar", "/opt/dstack/dstack.jar", "server"]
