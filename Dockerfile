# syntax=docker/dockerfile:1
# The regmint GitHub Action image: one static binary on distroless/static
# (CA certificates, no shell), running as root as GitHub requires of container
# actions. The post step runs the same binary through a symlink.
FROM --platform=$BUILDPLATFORM golang:1.26-bookworm AS build
ARG TARGETOS TARGETARCH
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY core ./core
COPY action ./action
RUN CGO_ENABLED=0 GOOS=$TARGETOS GOARCH=$TARGETARCH \
    go build -trimpath -ldflags='-s -w' -o /out/regmint-action ./action \
 && ln -s regmint-action /out/regmint-action-post

FROM gcr.io/distroless/static-debian12
COPY --from=build /out/ /
ENTRYPOINT ["/regmint-action"]
