# syntax=docker/dockerfile:1
# The regmint GitHub Action image: one static binary on distroless/static
# (CA certificates, no shell), running as root as GitHub requires of container
# actions. The post step runs the same binary through a symlink.
#
# Base images are pinned by the digest of their multi-platform index (amd64
# and arm64), the tag kept beside it for people and for Dependabot, which
# updates tag and digest together (.github/dependabot.yml).
FROM --platform=$BUILDPLATFORM golang:1.26.8-bookworm@sha256:a688600ca24f8a4d3ca77f95b0dd40704a9fc787c826660eb7ba0b641b8b175d AS build
ARG TARGETOS TARGETARCH
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY core ./core
COPY action ./action
RUN CGO_ENABLED=0 GOOS=$TARGETOS GOARCH=$TARGETARCH \
    go build -trimpath -ldflags='-s -w' -o /out/regmint-action ./action \
 && ln -s regmint-action /out/regmint-action-post

FROM gcr.io/distroless/static-debian12:latest@sha256:d75cdd72874d4790092fcb1b058493ecf6bb5bf2b2b897045b00ff01d91843f2
LABEL org.opencontainers.image.title="regmint-action" \
      org.opencontainers.image.description="Mint docker login credentials for Tencent Cloud TCR and Huawei Cloud SWR, checked against the registry" \
      org.opencontainers.image.licenses="Apache-2.0" \
      org.opencontainers.image.source="https://github.com/regmint/regmint"
COPY --from=build /out/ /
ENTRYPOINT ["/regmint-action"]
