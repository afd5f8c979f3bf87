# gatehouse — see README.md. Every target installs what it needs first.
SHELL := /bin/bash
.SHELLFLAGS := -euo pipefail -c

# The pinned Node 24 and CDK CLI from package.json come first, for the CLI and for the jsii
# runtime (which starts `node` from PATH).
export PATH := $(CURDIR)/node_modules/.bin:$(PATH)
# No CLI telemetry or notices: nothing leaves the machine during synth or test.
export CDK_DISABLE_CLI_TELEMETRY := true

ENV ?= dev
PROFILE ?=
OUTPUTS_FILE ?= cdk-outputs.json
OUT_DIR ?= .

CDK := cdk --no-notices -c env=$(ENV)

# The jsii kernel's compile cache (build/jsii-compile-cache), preloaded into the Node processes
# the app and the CDK tests start; scripts/app.sh sets the same for the CLI's synths.
JSII_COMPILE_CACHE := --require "$(CURDIR)/internal/cdkapp/compile-cache.cjs"
# jsii's kernel started directly, without its relaying launcher (internal/cdkapp/jsii-kernel.sh),
# for the app and the CDK tests; scripts/app.sh sets the same for the CLI's synths. The kernel is
# copied from the jsii-runtime-go module go.mod pins, so it is always the one the Go side expects.
JSII_KERNEL := build/jsii-runtime/lib/program.js
JSII_RUNTIME_DIRECT := exec "$(CURDIR)/internal/cdkapp/jsii-kernel.sh"

PROFILE_FLAG := $(if $(PROFILE),--profile $(PROFILE))
# The stacks of the selected environment's stage.
STACKS := '$(ENV)/*'

.DEFAULT_GOAL := help

.PHONY: help deps app build host-functions synth test test-go test-web test-calls web web-preview snapshot access-report web-config outputs cdn-key bench diff deploy destroy bootstrap pipeline bootstrap-pipeline pipeline-deploy pipeline-report sandbox sandbox-destroy fmt vet clean

# How every Lambda function is built: a static binary named bootstrap (runtime provided.al2023),
# for linux/arm64 when deployed; -trimpath keeps it (and so the asset hash) independent of where
# the repository is checked out.
FUNCTION_BUILD := CGO_ENABLED=0 go build -trimpath -buildvcs=false -tags lambda.norpc -ldflags='-s -w'

# What the functions share: start-up, the identity check, list cursors, payload keys (functions/internal/*), limits.
SHARED_SOURCES = $(wildcard functions/internal/start/*.go functions/internal/identity/*.go functions/internal/cursor/*.go functions/internal/payload/*.go limits/*.go)

# The items function. Rebuilt only when its sources or the module change.
ITEMS_BOOTSTRAP := build/functions/items/bootstrap
$(ITEMS_BOOTSTRAP): $(wildcard functions/items/*.go functions/internal/items/*.go) $(SHARED_SOURCES) go.mod go.sum
	GOOS=linux GOARCH=arm64 $(FUNCTION_BUILD) -o $@ ./functions/items

help: ## List the targets.
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F ':.*## ' '{printf "  make %-14s %s\n", $$1, $$2}'

node_modules/.package-lock.json: package.json package-lock.json
	npm ci --no-audit --no-fund
	@touch $@

deps: node_modules/.package-lock.json ## Install the pinned CLI and Node (npm ci) and the Go modules.
	go mod download

# The CDK app itself, prebuilt: cdk.json runs `make build/gatehouse && build/gatehouse`, so a
# synth relinks only after a change and skips `go run`'s staleness check (make bench).
# Its sources: app/ but the commands (app/cmd), and the library it links.
APP_SOURCES := $(shell find app accessrules apitokens constructs internal limits -path app/cmd -prune -o -name '*.go' ! -name '*_test.go' -print 2>/dev/null) go.mod go.sum
build/gatehouse: $(APP_SOURCES)
	go build -o $@ ./app

# The signer function (the image delivery's asset function), built the same way.
SIGNER_BOOTSTRAP := build/functions/signer/bootstrap
$(SIGNER_BOOTSTRAP): $(wildcard functions/signer/*.go) $(SHARED_SOURCES) go.mod go.sum
	GOOS=linux GOARCH=arm64 $(FUNCTION_BUILD) -o $@ ./functions/signer

# The token API's functions: its authorizer, token service and handler, built the same way.
API_BOOTSTRAPS := build/functions/authorizer/bootstrap build/functions/tokens/bootstrap build/functions/api/bootstrap
build/functions/authorizer/bootstrap: $(wildcard functions/authorizer/*.go apitokens/*.go) $(SHARED_SOURCES) go.mod go.sum
build/functions/tokens/bootstrap: $(wildcard functions/tokens/*.go apitokens/*.go) $(SHARED_SOURCES) go.mod go.sum
build/functions/api/bootstrap: $(wildcard functions/api/*.go functions/internal/items/*.go apitokens/*.go) $(SHARED_SOURCES) go.mod go.sum
$(API_BOOTSTRAPS):
	GOOS=linux GOARCH=arm64 $(FUNCTION_BUILD) -o $@ ./functions/$(notdir $(@D))

# Every asset function built the same way but for this machine, into HOST_FUNCTIONS_DIR (each
# as its functions/ directory's name), with the AWS Lambda Runtime Interface Emulator
# (aws-lambda-rie, go.mod's tool) that runs them there: make test-calls runs them. One go build,
# and only when a source changed (make's timestamps: Go's own staleness check costs ~1 s of CPU).
HOST_FUNCTIONS_DIR ?= build/host-functions
FUNCTION_NAMES := items tokens authorizer api signer
HOST_FUNCTIONS := $(addprefix $(HOST_FUNCTIONS_DIR)/,$(FUNCTION_NAMES) aws-lambda-rie)
$(HOST_FUNCTIONS) &: $(wildcard functions/*/*.go functions/internal/*/*.go apitokens/*.go) $(SHARED_SOURCES) go.mod go.sum
	$(FUNCTION_BUILD) -o $(HOST_FUNCTIONS_DIR)/ $(addprefix ./functions/,$(FUNCTION_NAMES)) github.com/aws/aws-lambda-runtime-interface-emulator/cmd/aws-lambda-rie
	@touch $(HOST_FUNCTIONS)
host-functions: $(HOST_FUNCTIONS) ## Build every asset function for this machine, with the Lambda Runtime Interface Emulator (make test-calls runs them).

# What cdk.json's app command builds before every CLI run (cdk synth, ls, diff, deploy): the
# functions and the app, each only when stale. No npm step: the CLI running it is installed.
app: $(ITEMS_BOOTSTRAP) $(SIGNER_BOOTSTRAP) $(API_BOOTSTRAPS) build/gatehouse $(JSII_KERNEL)

$(JSII_KERNEL): go.mod go.sum
	@mkdir -p $(@D)
	@src="$$(go list -m -f '{{.Dir}}' github.com/aws/jsii-runtime-go)/internal/embedded/resources/lib"; \
	  cp "$$src/program.js" "$$src/runtime-index-worker.js" $(@D)/ && chmod 644 $(@D)/*.js && touch $@

build: deps app ## Build the Lambda functions (linux/arm64) and the app into build/.

synth: build ## Synthesize every stack of ENV into cdk.out (no AWS account needed); fails on any finding, keeping the previous cdk.out; lists the stacks.
	@rm -rf cdk.out.new
	@# Into cdk.out.new, which replaces cdk.out only when the synth succeeds. The CLI's closing
	@# lines are dropped: "Supply a stack id" (the list of stacks below says what was made) and,
	@# on failure, the app command "exited with error 1" (the app's own lines above say why).
	$(CDK) synth --quiet --strict -o cdk.out.new 2>&1 | sed -e '/^Supply a stack id/d' -e '/: Subprocess exited with error 1$$/d' || { rm -rf cdk.out.new; exit 1; }
	@rm -rf cdk.out && mv cdk.out.new cdk.out
	@go run ./app/cmd/stacks -assembly cdk.out -env $(ENV)

# Every test binary (the CDK tests' ~100 MB one among them) in one go test -c, whose links Go
# caches (go test would relink them on every run, ~1 s, although nothing changed); and only when
# a Go source, go.mod or go.sum changed (Go's own staleness check of them all costs ~0.4 s).
GO_SOURCES := $(shell find . \( -name node_modules -o -name build -o -name .next \) -prune -o -name '*.go' -print 2>/dev/null) go.mod go.sum
build/tests/.built: $(GO_SOURCES) test/unit-tests.sh
	test/unit-tests.sh build
	@touch $@

test: test-go test-web test-calls ## Run all tests: the Go tests (test-go), the web app's (test-web), then the AWS calls against the roles (test-calls).

test-go: build build/tests/.built ## The Go tests: one synth of every environment, cdk-nag, the validator, snapshots, the access matrix.
	@# Beside the CDK tests: the other packages' tests (test/unit-tests.sh run; its build, a
	@# prerequisite, also vets the construct packages' godoc examples; the rest is vetted by make
	@# vet and .ci/run). The CDK tests' passing tests are counted, not listed; their verbose log
	@# is build/cdk-test.log.
	@nice -n 10 test/unit-tests.sh run > build/go-test.log 2>&1 & others=$$!; \
	  cd test && { CDK_VALIDATION=false NODE_OPTIONS='$(JSII_COMPILE_CACHE)' JSII_RUNTIME='$(JSII_RUNTIME_DIRECT)' ../build/tests/test.test -test.v > ../build/cdk-test.log 2>&1 && status=0 || status=$$?; }; \
	  wait $$others && others=0 || others=$$?; \
	  cat ../build/go-test.log; \
	  grep -v -e '^=== ' -e '^ *--- PASS' -e '^PASS$$' ../build/cdk-test.log || true; \
	  echo "test: $$(grep -c '^--- PASS' ../build/cdk-test.log) passed, $$(grep -c '^--- FAIL' ../build/cdk-test.log) failed"; \
	  [ $$status -eq 0 ] && [ $$others -eq 0 ]

# The reference web app's own packages (web/package-lock.json), installed when its lock changes.
web/node_modules/.package-lock.json: web/package.json web/package-lock.json node_modules/.package-lock.json
	cd web && npm ci --no-audit --no-fund
	@touch $@

# Without a deploy's configuration, the web app is checked against the deploy-shaped fixture's:
# written when missing, and again when the fixture or what writes it changed; a deployment's
# configuration (make web-config) is never replaced.
WEB_FIXTURE := test/testdata/cdk-outputs.json
WEB_FIXTURE_SOURCES := $(WEB_FIXTURE) $(wildcard app/cmd/web-config/*.go app/webconfig/*.go app/contract/*.go accessrules/*.go limits/*.go)
web/amplify_outputs.json: $(WEB_FIXTURE_SOURCES)
	@if [ -s $@ ] && [ -s web/.env.local ] && ! grep -q '^# Generated .* from $(WEB_FIXTURE) ' web/.env.local; then exit 0; fi; \
	echo "web/amplify_outputs.json: writing the deploy-shaped fixture's (after a deploy: make web-config OUT_DIR=web)"; \
	go run ./app/cmd/web-config -env dev -outputs-file $(WEB_FIXTURE) -out-dir web

web: ## Run the web app locally (next dev on :3000) against ENV's deployment: make web-config ENV=... OUT_DIR=web first.
	@# The configuration first: nothing is installed for a run that cannot start.
	@test -s web/.env.local && test -s web/amplify_outputs.json || { echo "web/.env.local or web/amplify_outputs.json is missing: deploy (make deploy ENV=$(ENV)), then make web-config ENV=$(ENV) OUT_DIR=web (to look at the app without a deploy: make web-preview)"; exit 1; }
	@! grep -q '^# Generated .* from $(WEB_FIXTURE) ' web/.env.local || { echo "web/.env.local is the test fixture's configuration (make test writes it when there is none), not a deployment's: make web-preview runs the app on it as a preview (sign-in and AWS calls cannot work there); for a deployment, make web-config ENV=$(ENV) OUT_DIR=web after make deploy ENV=$(ENV)"; exit 1; }
	@grep -q '^# Generated .* (environment $(ENV))\.' web/.env.local || { echo "web/.env.local is not environment $(ENV)'s ($$(head -1 web/.env.local)): make web-config ENV=$(ENV) OUT_DIR=web"; exit 1; }
	@$(MAKE) --no-print-directory web/node_modules/.package-lock.json
	cd web && NEXT_TELEMETRY_DISABLED=1 npx next dev -p 3000

# make web-preview: the app built and started (next start, not next dev: what a deployment
# serves — the build's policy without eval, no dev overlay — and the build make test-web checks)
# on the deploy-shaped fixture's configuration, with GATEHOUSE_PREVIEW set: the server then puts
# a banner on every page saying so (web/lib/preview.ts); no deployment sets it. next build runs
# only when a file of the app changed since the last build (make test-web's too).
WEB_APP_FILES := $(shell find web \( -name node_modules -o -name .next -o -name test -o -name test-results \) -prune -o -type f ! -name next-env.d.ts ! -name tsconfig.tsbuildinfo -print 2>/dev/null)
web/.next/BUILD_ID: web/node_modules/.package-lock.json $(WEB_APP_FILES)
	cd web && NEXT_TELEMETRY_DISABLED=1 npx next build || { rm -f .next/BUILD_ID; exit 1; }

web-preview: web/amplify_outputs.json ## See the web app without a deploy: next build + next start on :3000 on the test fixture's configuration, a banner on every page (sign-in and AWS calls cannot work).
	@{ test -s web/.env.local && grep -q '^# Generated .* from $(WEB_FIXTURE) ' web/.env.local; } || { echo "web/.env.local is not the test fixture's configuration ($$(head -1 web/.env.local 2>/dev/null || echo missing)): a deployment's runs with make web ENV=...; to preview the app on the fixture, move web/.env.local and web/amplify_outputs.json aside (make web-preview then writes the fixture's)"; exit 1; }
	@$(MAKE) --no-print-directory web/.next/BUILD_ID
	@echo "The preview, on the test fixture's configuration: http://localhost:3000 (Ctrl-C stops it)"
	cd web && GATEHOUSE_PREVIEW=fixture NEXT_TELEMETRY_DISABLED=1 npx next start -p 3000

# The browser test's Chromium: Debian's (Playwright's and Puppeteer's downloads do not work here).
CHROMIUM ?= /usr/bin/chromium

test-web: web/node_modules/.package-lock.json web/amplify_outputs.json ## The web app: strict type check, lint, unit tests, next build, and the Chromium test (screenshots in web/test-results).
	CHROMIUM=$(CHROMIUM) web/test/check.sh

# make test-calls: dev synthesized once into CALLS_ASSEMBLY (when the app, a function or cdk.json
# changes) by the prebuilt app as the CLI runs it, but with the distribution trusting the test
# signing key (CALLS_KEY; its private half is the tests') instead of delivery.publicKeys, assets
# not copied (the harness finds each function's code by its asset's source directory), and no
# validator (make synth and make test-go validate dev).
CALLS_ASSEMBLY := build/calls-assembly
CALLS_KEY := test/testdata/cdn-keys/calls.pem
$(CALLS_ASSEMBLY)/manifest.json: build/gatehouse $(JSII_KERNEL) $(ITEMS_BOOTSTRAP) $(SIGNER_BOOTSTRAP) $(API_BOOTSTRAPS) cdk.json $(CALLS_KEY) node_modules/.package-lock.json
	rm -rf $(CALLS_ASSEMBLY)
	CDK_OUTDIR=$(CALLS_ASSEMBLY) CDK_VALIDATION=false GATEHOUSE_VALIDATOR=off NODE_OPTIONS='--max-semi-space-size=4 $(JSII_COMPILE_CACHE)' JSII_RUNTIME='$(JSII_RUNTIME_DIRECT)' \
	  CDK_CONTEXT_JSON="$$(node -e 'const c = require("./cdk.json").context; c.env = "dev"; \
	    Object.assign(c, {"aws:cdk:enable-path-metadata": true, "aws:cdk:disable-asset-staging": true}); \
	    c.environments.dev.delivery.publicKeys = [process.argv[1]]; process.stdout.write(JSON.stringify(c))' $(CALLS_KEY))" \
	  build/gatehouse > build/calls-synth.log 2>&1 || { cat build/calls-synth.log; exit 1; }

# The harness's test binary (test/calls, no jsii), linked only when a Go source changed.
build/tests/calls.test: $(GO_SOURCES)
	go test -c -vet=off -o $@ ./test/calls

# What the web app's unit tests record of the AWS calls the server sends (vitest, in web/): made
# by make test-web, or here when the web app changed since.
WEB_CALLS := web/test-results/aws-calls.json
WEB_SOURCES := $(shell find web \( -name node_modules -o -name .next -o -name test-results -o -name next-env.d.ts \) -prune -o -type f \( -name '*.ts' -o -name '*.tsx' -o -name '*.mjs' -o -name '*.json' \) -print 2>/dev/null)
$(WEB_CALLS): $(WEB_SOURCES) web/node_modules/.package-lock.json web/amplify_outputs.json
	cd web && npx vitest run
	@test -s $@ || { echo "the web app's unit tests did not write $@: they record every AWS SDK command they send there"; exit 1; }

test-calls: deps $(CALLS_ASSEMBLY)/manifest.json $(HOST_FUNCTIONS) build/tests/calls.test $(WEB_CALLS) ## Every asset function's real code against local stand-ins, every AWS call (and the web server's) checked against its role, every grant used or reasoned.
	@rm -f build/calls-summary.md; status=0; \
	  (cd test/calls && CALLS_SUMMARY_DIR=../../build exec ../../build/tests/calls.test -test.v) > build/calls-test.log 2>&1 || status=$$?; \
	  grep -v -e '^=== ' -e '^ *--- PASS' -e '^PASS$$' -e '^ok ' build/calls-test.log || true; \
	  cat build/calls-summary.md 2>/dev/null || true; \
	  echo "test-calls: $$(grep -c -e '^ *--- PASS' build/calls-test.log) passed, $$(grep -c -e '^ *--- FAIL' build/calls-test.log) failed (log: build/calls-test.log)"; \
	  [ $$status -eq 0 ]

snapshot: build ## Rewrite the golden templates in test/golden on purpose; read the diff before committing.
	CDK_VALIDATION=false UPDATE_SNAPSHOTS=1 go test ./test -run 'TestSnapshots' -count=1
	git --no-pager diff --stat -- test/golden

access-report: synth ## Print who can do what in ENV: every access-matrix request, its decision and deciding statement; the picture into docs/diagrams/access-ENV.md.
	@mkdir -p docs/diagrams
	go run ./proof/cmd/access-report -env $(ENV) -assembly cdk.out -diagram docs/diagrams/access-$(ENV).md

pipeline-report: pipeline ## Print the access matrix of ENV as the pipeline deploys it, with the deploy path's rows: the bootstrap's execution role, every role of the pipeline.
	go run ./proof/cmd/access-report -env $(ENV) -assembly cdk.out -pipeline

web-config: ## Write the web app's configuration (amplify_outputs.json and .env.local) into OUT_DIR from OUTPUTS_FILE (what make deploy wrote).
	go run ./app/cmd/web-config -env $(ENV) -outputs-file $(OUTPUTS_FILE) -out-dir $(OUT_DIR)

# make web-config's old name ("outputs" now means only CloudFormation's stack outputs), kept for
# deploy notes written before the rename.
outputs: web-config

cdn-key: ## Make ENV's CloudFront signing key pair (public key where delivery.publicKeys[0] points, private beside it, git-ignored) and print how to store it (FORCE=1 replaces a private key).
	go run ./app/cmd/cdnkey -env $(ENV) $(if $(FORCE),-force) $(if $(PROFILE),-profile $(PROFILE))

bench: build ## Measure cdk synth against the bare floor app (proof/bench/floor) when nothing changed, one stack changed and every template is new; test and memory ratios, one synth's parts, each optional stack's cost, make test-web and make test-calls (COLD=false skips the cold run; ONLY=cases or ONLY=test measures only those).
	go run ./proof/bench -cold=$(if $(COLD),$(COLD),true)$(if $(ONLY), -only=$(ONLY))

# Before anything that reaches AWS: the AWS CLI is there and PROFILE's credentials work (an
# expired SSO session says how to renew it).
PREFLIGHT = scripts/preflight.sh "$(PROFILE)"

diff: build ## Compare ENV's stacks with what is deployed (needs credentials: PROFILE; refuses cdk.json's placeholders).
	@$(PREFLIGHT)
	$(CDK) -c gatehouse:deploying=true diff $(PROFILE_FLAG) $(STACKS)

deploy: build ## Deploy ENV's stacks with PROFILE (refuses cdk.json's placeholders); writes OUTPUTS_FILE for the web app's configuration.
	@$(PREFLIGHT)
	$(CDK) -c gatehouse:deploying=true deploy $(PROFILE_FLAG) --require-approval broadening --outputs-file $(OUTPUTS_FILE) $(STACKS)

destroy: deps ## Delete ENV's stacks; retained resources (user pool, identity pool, buckets, tables, KMS key, secret, log groups) stay.
	@$(PREFLIGHT)
	$(CDK) destroy $(PROFILE_FLAG) $(STACKS)

bootstrap: build ## Bootstrap ENV's accounts and regions (PROFILE, an administrator): the guardrails stack (permissions boundary, execution policy), then cdk bootstrap with gatehouse's execution policy, trusting the pipeline's account when ENV is one it deploys.
	@$(PREFLIGHT)
	@$(MAKE) --no-print-directory synth ENV=$(ENV)
	scripts/bootstrap.sh cdk.out "$(PROFILE)" "$$(node -e 'const c = require("./cdk.json").context; const p = c.pipeline; if (p && (p.environments || []).includes(process.argv[1])) process.stdout.write(p.account || "")' $(ENV))"

# A developer's sandbox: a copy of ENV (default dev) whose stacks are gatehouse-sandbox-NAME-*,
# deployed with the developer's credentials, never by the pipeline. DESTROY_DATA=true (at every
# deploy of it) lets its data go with its stacks: no other environment may.
SANDBOX_CDK = $(CDK) -c sandbox=$(NAME) $(if $(filter true,$(DESTROY_DATA)),-c sandbox:destroyData=true)

sandbox: build ## Deploy NAME's sandbox of ENV (stacks gatehouse-sandbox-NAME-*; PROFILE; DESTROY_DATA=true to let its data go with it); writes OUTPUTS_FILE.
	@test -n "$(NAME)" || { echo "NAME is missing: make sandbox NAME=<your name> (lower-case letters and digits)"; exit 1; }
	@$(PREFLIGHT)
	$(SANDBOX_CDK) -c gatehouse:deploying=true deploy $(PROFILE_FLAG) --require-approval broadening --outputs-file $(OUTPUTS_FILE) 'sandbox-$(NAME)/*'

sandbox-destroy: deps ## Delete NAME's sandbox; its data goes too only if it was deployed with DESTROY_DATA=true (buckets must be emptied first).
	@test -n "$(NAME)" || { echo "NAME is missing: make sandbox-destroy NAME=<your name>"; exit 1; }
	@$(PREFLIGHT)
	$(SANDBOX_CDK) destroy $(PROFILE_FLAG) 'sandbox-$(NAME)/*'

# The pipeline (CDK Pipelines): its stack, its stages (pipeline.environments of cdk.json) and
# the guardrails of its account. make pipeline synthesizes it (no account needed); the others
# reach AWS and refuse cdk.json's placeholders.
PIPELINE_CDK := cdk --no-notices -c gatehouse:pipeline=true

pipeline: build ## Synthesize the delivery pipeline (cdk.json's pipeline section) into cdk.out, as make synth does for an environment.
	@rm -rf cdk.out.new
	$(PIPELINE_CDK) synth --quiet --strict -o cdk.out.new 2>&1 | sed -e '/^Supply a stack id/d' -e '/: Subprocess exited with error 1$$/d' || { rm -rf cdk.out.new; exit 1; }
	@rm -rf cdk.out && mv cdk.out.new cdk.out
	@go run ./app/cmd/stacks -assembly cdk.out

bootstrap-pipeline: build ## Bootstrap the pipeline's account (PROFILE, an administrator of it): its guardrails, then cdk bootstrap of its region and us-east-1.
	@$(PREFLIGHT)
	@rm -rf cdk.out.new
	$(PIPELINE_CDK) -c gatehouse:deploying=true synth --quiet --strict -o cdk.out.new 2>&1 | sed -e '/^Supply a stack id/d' -e '/: Subprocess exited with error 1$$/d' || { rm -rf cdk.out.new; exit 1; }
	@rm -rf cdk.out && mv cdk.out.new cdk.out
	@# Only the pipeline account's own stacks: its stages' are bootstrapped by make bootstrap ENV=...
	scripts/bootstrap.sh cdk.out "$(PROFILE)" ""

pipeline-deploy: build ## Deploy the pipeline stack once (PROFILE of the pipeline's account); from then on it updates itself from the branch.
	@$(PREFLIGHT)
	$(PIPELINE_CDK) -c gatehouse:deploying=true deploy $(PROFILE_FLAG) --require-approval broadening --exclusively Pipeline 'cross-region-stack-*'

fmt: ## Format the Go code.
	gofmt -w $$(git ls-files '*.go')

vet: deps ## Run go vet.
	go vet ./...

clean: ## Remove cdk.out and build/ (the functions, the app, jsii's kernel, the test binaries, the synth, validation and compile caches and the validator's engine snapshot: the next target rebuilds them).
	@echo "removing cdk.out and build/ (the built functions, app and test binaries, the synth and validation caches; the next make rebuilds them)"
	rm -rf cdk.out build
