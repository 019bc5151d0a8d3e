# One image for every role: `run standalone` (default) or `run <role>`.
# Build: docker build -t quiver .
FROM eclipse-temurin:25-jdk AS build
WORKDIR /src
COPY . .
RUN ./mvnw -q -B -DskipTests install

FROM eclipse-temurin:25-jre
RUN useradd --system --home /var/lib/quiver quiver && mkdir -p /var/lib/quiver && chown quiver /var/lib/quiver
COPY --from=build /src/server/target/quiver-server.jar /opt/quiver/quiver-server.jar
COPY --from=build /src/server/target/lib /opt/quiver/lib
USER quiver
WORKDIR /var/lib/quiver
ENV QUIVER_HOST=0.0.0.0 QUIVER_DATA_DIR=/var/lib/quiver/data JAVA_OPTS="-XX:+UseZGC -XX:MaxRAMPercentage=75"
EXPOSE 19530 9091
HEALTHCHECK --interval=10s --timeout=3s --start-period=30s CMD wget -qO- "http://127.0.0.1:${QUIVER_METRICS_PORT:-9091}/healthz" || exit 1
ENTRYPOINT ["sh", "-c", "exec java $JAVA_OPTS --add-modules jdk.incubator.vector --enable-native-access=ALL-UNNAMED -jar /opt/quiver/quiver-server.jar \"$@\"", "quiver"]
CMD ["run", "standalone"]
