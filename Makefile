# callbackline: make demo (see it work), make test (what CI runs), make bench.
GO        ?= go
BIN       ?= bin/callbackline
VERSION   ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
LDFLAGS   := -s -w -X github.com/callbackline/callbackline.Version=$(VERSION)
# Debian packages the tests and the demo use: SIP test phones, speech, audio checks.
DEB_PKGS  ?= baresip-core espeak-ng sox chromium

.PHONY: build run demo test bench deps fuzz clean

build:
	CGO_ENABLED=0 $(GO) build -trimpath -ldflags '$(LDFLAGS)' -o $(BIN) ./cmd/callbackline

run: build
	./$(BIN) serve

demo: deps build
	./$(BIN) demo

# deps installs the Debian packages that are missing (needs root or sudo).
deps:
	@missing=""; for p in $(DEB_PKGS); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
		echo "installing Debian packages:$$missing"; \
		SUDO=""; [ "$$(id -u)" -ne 0 ] && SUDO=sudo; \
		$$SUDO apt-get update && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y $$missing; \
	fi

test: deps
	$(GO) test -race -count=1 -timeout 25m ./...

bench: deps build
	$(GO) test -run '^$$' -bench . -benchtime 1x ./... | tee bench.out

fuzz:
	$(GO) test -run '^$$' -fuzz FuzzDecodeForm -fuzztime 30s ./bitrix24

clean:
	rm -rf bin bench.out
