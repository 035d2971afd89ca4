# The main job (examples/server) as a small, non-root container.
#   docker build -t langserve-go .
#   docker run -p 8000:8000 -e OPENAI_API_KEY=… langserve-go
# Without a provider in the environment it answers with the built-in local
# model; DATABASE_URL switches RAG from the in-memory store to pgvector.
FROM golang:1.26-bookworm AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
RUN CGO_ENABLED=0 go build -trimpath -ldflags="-s -w" -o /out/server ./examples/server

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/server /server
EXPOSE 8000
USER nonroot:nonroot
# Kubernetes: probe GET /health; the server drains in-flight requests on SIGTERM.
ENTRYPOINT ["/server", "-addr", "0.0.0.0:8000"]
