# syntax=docker/dockerfile:1
# minqing: a static binary (no cgo: SQLite is modernc.org/sqlite) on a
# distroless nonroot image. Build: docker build --build-arg VERSION=v1.0.0 .

FROM golang:1.26-bookworm AS build
WORKDIR /src
ENV CGO_ENABLED=0 GOFLAGS=-trimpath
COPY go.mod go.sum ./
RUN --mount=type=cache,target=/go/pkg/mod go mod download
COPY . .
ARG VERSION=dev
RUN --mount=type=cache,target=/go/pkg/mod --mount=type=cache,target=/root/.cache/go-build \
    go build -ldflags "-s -w -X main.version=${VERSION}" -o /out/minqing ./cmd/minqing \
 && mkdir -p /out/data

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/minqing /usr/local/bin/minqing
# The embedded default keeps its SQLite file and generated secret here;
# mount a volume to keep them. With MySQL it stays empty.
COPY --from=build --chown=65532:65532 /out/data /data
ENV MINQING_DATA_DIR=/data MINQING_HTTP_ADDR=:8080
VOLUME /data
EXPOSE 8080
USER nonroot:nonroot
# distroless has no shell or curl: the binary checks its own health.
HEALTHCHECK --interval=10s --timeout=3s --start-period=20s --retries=3 \
  CMD ["/usr/local/bin/minqing", "health"]
ENTRYPOINT ["/usr/local/bin/minqing"]
CMD ["serve"]
