# tiersim — one non-recursive Makefile ("Recursive Make Considered Harmful").
#
# The source lists below are the architecture: each folder is a static
# library, linked in layer order (cli -> report -> scenarios -> models -> sim),
# so a call that points up the layers fails to link.  Objects go to build/
# (build/san/ with SANITIZE=1), mirroring the tree, with -MMD -MP dependency
# files.  Libraries come from pkg-config; `deps` installs Debian's packages
# when they are missing and is the only step that touches the network.

PREFIX ?= /usr/local
DESTDIR ?=
SHARED ?= ../shared
VERSION := 0.1.0

# Debian packages the build, the tests and the plots need.
DEB_PACKAGES := libgsl-dev libcsv-dev libfyaml-dev libjansson-dev libncurses-dev \
                libcmocka-dev gnuplot-nox pkg-config nettle-dev tmux
PKG_MODULES := gsl libfyaml jansson ncursesw cmocka nettle

ifeq ($(FUZZ),1)
# `make fuzz` builds everything again with clang and libFuzzer's
# instrumentation, in a tree of its own.
BUILD := build/fuzz
CC := clang
SAN_FLAGS := -fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=all \
             -fno-omit-frame-pointer
SAN_ENV := ASAN_OPTIONS=halt_on_error=1:detect_leaks=1
else ifeq ($(SANITIZE),1)
BUILD := build/san
SAN_FLAGS := -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
SAN_ENV := ASAN_OPTIONS=halt_on_error=1:abort_on_error=0:detect_leaks=1 \
           LSAN_OPTIONS=suppressions=$(CURDIR)/tests/fuzz/lsan.supp \
           UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1
else
BUILD := build
SAN_FLAGS :=
SAN_ENV :=
endif
# `make check VALGRIND=1`: every test program, and the binary the scripts
# and golden tests run, under valgrind memcheck (slow: about 1 h 45 min
# of one core; docs/testing.md).
ifeq ($(VALGRIND),1)
RUN_TEST := sh build-aux/valgrind-run.sh
TIERSIM_UNDER_TEST = $(BUILD)/tiersim-valgrind
else
RUN_TEST :=
TIERSIM_UNDER_TEST = ./$(TIERSIM)
endif

CC ?= cc
FUZZ_PACKAGES := clang libclang-rt-14-dev
FUZZ_SECONDS ?= 60
# Optimisation.  The default build is -O3, and tiersim and the benchmarks are
# linked with link-time optimisation (the engine's hot path crosses sim/ and
# models/: calendar, stations, distributions); fat objects let the tests link
# without it, quickly.  Portable: no -march.  Measured in docs/testing.md,
# "Benchmarks".  The sanitizer and fuzzing builds keep -O2.
ifeq ($(BUILD),build)
OPT_FLAGS := -O3 -flto=auto -ffat-lto-objects
LTO_LDFLAGS := -O3 -flto=auto
else
OPT_FLAGS := -O2
LTO_LDFLAGS :=
endif
WARN := -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wmissing-prototypes
# Recursive (=) so pkg-config runs only when a recipe needs it, after `deps`.
PKG_CFLAGS = $(shell pkg-config --cflags $(PKG_MODULES) 2>/dev/null)
PKG_LIBS = $(shell pkg-config --libs gsl libfyaml jansson ncursesw nettle 2>/dev/null) -lcsv
CMOCKA_LIBS = $(shell pkg-config --libs cmocka 2>/dev/null)
# HAVE_INLINE: GSL's own inline gsl_rng_uniform, _uniform_pos and _uniform_int
# (gsl_rng.h, "Inline functions" in the GSL manual) instead of a library call
# per draw: the same draws, 1.7% fewer instructions per simulated request.
ALL_CFLAGS = -std=gnu11 $(OPT_FLAGS) -g $(WARN) -I. -pthread -DTIERSIM_VERSION='"$(VERSION)"' \
             -DHAVE_INLINE \
             $(SAN_FLAGS) $(PKG_CFLAGS) $(CFLAGS)
ALL_LDFLAGS = -pthread $(SAN_FLAGS) $(LDFLAGS)
LDLIBS_ALL = $(PKG_LIBS) -lm $(LDLIBS)

ifeq ($(V),1)
Q :=
else
Q := @
endif

# ---------------------------------------------------------------- sources
SIM_SRCS := \
	sim/diag.c \
	sim/pool.c \
	sim/calendar.c \
	sim/engine.c \
	sim/rng.c \
	sim/units.c \
	sim/dist.c \
	sim/tally.c \
	sim/timeavg.c \
	sim/histogram.c \
	sim/ci.c \
	sim/warmup.c \
	sim/station.c \
	sim/timeout.c \
	sim/replicate.c \
	sim/analytic.c \
	sim/interrupt.c

MODELS_SRCS := \
	models/tandem.c \
	models/config.c \
	models/results.c \
	models/record.c \
	models/workload.c \
	models/arch.c \
	models/events.c \
	models/lb.c \
	models/vrrp.c \
	models/lb_check.c \
	models/web.c \
	models/app.c \
	models/db.c \
	models/analytic.c \
	models/replications.c \
	models/failures.c \
	models/session.c \
	models/replication_lag.c \
	models/replication_failover.c \
	models/capacity.c \
	models/availability.c \
	models/scaling.c \
	models/limits.c
SCENARIOS_SRCS := \
	scenarios/tree.c \
	scenarios/schema.c \
	scenarios/validate.c \
	scenarios/overrides.c \
	scenarios/emit.c \
	scenarios/loader.c \
	scenarios/slo_expr.c
REPORT_SRCS := \
	report/digest.c \
	report/outfile.c \
	report/summary.c \
	report/crosscheck.c \
	report/text.c \
	report/json.c \
	report/csv.c \
	report/dash_model.c \
	report/dash_view.c \
	report/sweep_doc.c \
	report/sweep_write.c \
	report/plan.c \
	report/plot.c \
	report/plot_style.c \
	report/plot_render.c \
	report/plot_run.c \
	report/availability.c \
	report/plot_sweep.c \
	report/plot_plan.c \
	report/plot_availability.c

CLI_SRCS := \
	cli/main.c \
	cli/options.c \
	cli/run.c \
	cli/check.c \
	cli/demo.c \
	cli/dash.c \
	cli/points.c \
	cli/sweep.c \
	cli/merge.c \
	cli/plan.c \
	cli/plot.c \
	cli/availability.c

UNIT_TESTS := diag pool calendar engine rng units dist tally timeavg histogram ci \
              vrrp \
              lb_check \
              round_robin \
              warmup station timeout replicate scenario_loader bad_scenarios \
              report_summary report_text report_json report_csv report_outfile report_digest \
              session \
              dash_model \
              report_sweep \
              capacity \
              report_plot \
              availability \
              interrupt \
              report_plan
VALIDATION_TESTS := queueing model failures \
                    lb_failover \
                    app_failures \
                    replication \
                    plan \
                    availability \
                    scaling \
                    limits
GOLDEN_TESTS := golden
# libFuzzer harnesses (tests/fuzz/); `make check` replays their corpora.
FUZZ_TARGETS := scenario parsers set

BENCH_PROGS := bench_hold bench_mmc bench_scenario

# ---------------------------------------------------------------- derived
obj = $(patsubst %.c,$(BUILD)/%.o,$(1))
LIB_SIM := $(BUILD)/libsim.a
LIB_MODELS := $(BUILD)/libmodels.a
LIB_SCENARIOS := $(BUILD)/libscenarios.a
LIB_REPORT := $(BUILD)/libreport.a
LAYER_LIBS := $(LIB_REPORT) $(LIB_SCENARIOS) $(LIB_MODELS) $(LIB_SIM)

UNIT_BINS := $(patsubst %,$(BUILD)/tests/unit/test_%,$(UNIT_TESTS))
VALIDATION_BINS := $(patsubst %,$(BUILD)/tests/validation/test_%,$(VALIDATION_TESTS))
GOLDEN_BINS := $(patsubst %,$(BUILD)/tests/golden/test_%,$(GOLDEN_TESTS))
TEST_BINS := $(UNIT_BINS) $(VALIDATION_BINS) $(GOLDEN_BINS)
VALIDATION_SUPPORT_SRCS := tests/validation/theory.c tests/validation/replicate.c
BENCH_BINS := $(patsubst %,$(BUILD)/bench/%,$(BENCH_PROGS))
FUZZ_REPLAY_BINS := $(patsubst %,$(BUILD)/tests/fuzz/replay_%,$(FUZZ_TARGETS))
FUZZ_BINS := $(patsubst %,$(BUILD)/tests/fuzz/fuzz_%,$(FUZZ_TARGETS))
# Seeds of each harness: the shipped scenarios and the bad-input catalogue
# for the loader, hand-made seeds for the others, and every crash found so
# far (saved into tests/fuzz/corpus/TARGET/ as a regression case).
FUZZ_SEEDS_scenario := scenarios tests/bad tests/fuzz/corpus/scenario
FUZZ_SEEDS_parsers := tests/fuzz/corpus/parsers
FUZZ_SEEDS_set := tests/fuzz/corpus/set

ALL_SRCS := $(SIM_SRCS) $(MODELS_SRCS) $(SCENARIOS_SRCS) $(REPORT_SRCS) $(CLI_SRCS) \
            $(VALIDATION_SUPPORT_SRCS) \
            $(patsubst %,tests/unit/test_%.c,$(UNIT_TESTS)) \
            $(patsubst %,tests/validation/test_%.c,$(VALIDATION_TESTS)) \
            $(patsubst %,tests/golden/test_%.c,$(GOLDEN_TESTS)) \
            $(patsubst %,bench/%.c,$(BENCH_PROGS)) \
            tests/fuzz/replay.c $(patsubst %,tests/fuzz/fuzz_%.c,$(FUZZ_TARGETS))

.PHONY: all run check test bench install uninstall clean deps check-layers golden fuzz fuzz-bins
.DEFAULT_GOAL := all

all: tiersim

# The binary lives at the top for the README's commands; sanitizer builds keep
# theirs in build/san/.
ifeq ($(SANITIZE),1)
TIERSIM := $(BUILD)/tiersim
tiersim: $(TIERSIM)
else
TIERSIM := tiersim
endif

# ---------------------------------------------------------------- deps
# A stamp so the check runs once per build tree; every compile waits for it.
DEPS_STAMP := $(BUILD)/.deps-ok
$(DEPS_STAMP): Makefile
	$(Q)mkdir -p $(@D)
	$(Q)DEB_PACKAGES="$(DEB_PACKAGES)" PKG_MODULES="$(PKG_MODULES)" sh build-aux/deps.sh
	$(Q)touch $@

deps:
	$(Q)DEB_PACKAGES="$(DEB_PACKAGES)" PKG_MODULES="$(PKG_MODULES)" sh build-aux/deps.sh

# ---------------------------------------------------------------- compile
$(BUILD)/%.o: %.c | $(DEPS_STAMP)
	@mkdir -p $(@D)
	@$(if $(Q),echo "  CC      $<")
	$(Q)$(CC) $(ALL_CFLAGS) -MMD -MP -c -o $@ $<

define make_lib
$(1): $(call obj,$(2))
	@mkdir -p $$(@D)
	@$$(if $$(Q),echo "  AR      $$@")
	$$(Q)rm -f $$@ && ar rcs $$@ $$^
endef
$(eval $(call make_lib,$(LIB_SIM),$(SIM_SRCS)))
$(eval $(call make_lib,$(LIB_MODELS),$(MODELS_SRCS)))
$(eval $(call make_lib,$(LIB_SCENARIOS),$(SCENARIOS_SRCS)))
$(eval $(call make_lib,$(LIB_REPORT),$(REPORT_SRCS)))

$(TIERSIM): $(call obj,$(CLI_SRCS)) $(LAYER_LIBS)
	@mkdir -p $(@D)
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) $(ALL_LDFLAGS) $(LTO_LDFLAGS) -o $@ $(call obj,$(CLI_SRCS)) $(LAYER_LIBS) $(LDLIBS_ALL)

$(UNIT_BINS) $(GOLDEN_BINS): %: %.o $(LAYER_LIBS)
	@mkdir -p $(@D)
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) $(ALL_LDFLAGS) -o $@ $< $(LAYER_LIBS) $(CMOCKA_LIBS) $(LDLIBS_ALL)

$(VALIDATION_BINS): %: %.o $(call obj,$(VALIDATION_SUPPORT_SRCS)) $(LAYER_LIBS)
	@mkdir -p $(@D)
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) $(ALL_LDFLAGS) -o $@ $< $(call obj,$(VALIDATION_SUPPORT_SRCS)) $(LAYER_LIBS) \
		$(CMOCKA_LIBS) $(LDLIBS_ALL)

$(BENCH_BINS): %: %.o $(LAYER_LIBS)
	@mkdir -p $(@D)
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) $(ALL_LDFLAGS) $(LTO_LDFLAGS) -o $@ $< $(LAYER_LIBS) $(LDLIBS_ALL)

# ---------------------------------------------------------------- run, check, bench
# tiersim exits 1 when an SLO is missed, for pipelines that gate on it.
# Here the verdict is part of the report the job prints, not a failure of
# the job: the baseline's schedule ramps past the app tier's saturation
# (README), so it misses its p99 and make should not call that an error.
run: $(TIERSIM)
	@./$(TIERSIM) run scenarios/baseline.yaml; status=$$?; \
	if [ $$status -eq 1 ]; then \
		echo "make run: the run succeeded; the baseline misses an SLO (the verdict above; tiersim exit status 1)"; \
		exit 0; \
	fi; \
	exit $$status

# Every test binary runs even if one fails; the exit status says whether all passed.
check: $(TEST_BINS) $(FUZZ_REPLAY_BINS) $(TIERSIM) check-layers $(if $(RUN_TEST),$(TIERSIM_UNDER_TEST))
	$(Q)fail=0; for t in $(TEST_BINS); do \
		echo "== $$t"; $(SAN_ENV) TIERSIM=$(TIERSIM_UNDER_TEST) $(RUN_TEST) ./$$t || fail=1; \
	done; \
	$(foreach t,$(FUZZ_TARGETS),echo "== fuzz corpus $(t)"; \
		$(SAN_ENV) $(RUN_TEST) $(BUILD)/tests/fuzz/replay_$(t) $(FUZZ_SEEDS_$(t)) || fail=1;) \
	for e in tests/e2e/check_bad.sh tests/e2e/run_cli.sh tests/e2e/dash_tmux.sh \
		tests/e2e/sweep_cli.sh tests/e2e/plot_cli.sh tests/e2e/availability_cli.sh tests/e2e/interrupt_cli.sh tests/e2e/numbers_cli.sh \
		tests/e2e/limits_cli.sh; do \
		echo "== $$e"; $(SAN_ENV) TIERSIM=$(TIERSIM_UNDER_TEST) sh $$e || fail=1; \
	done; \
	if [ $$fail -ne 0 ]; then echo "make check: some tests FAILED"; exit 1; fi; \
	echo "make check: all test programs passed"

test: check

# The binary as the scripts see it under VALGRIND=1: valgrind in front,
# named by absolute paths so that it runs under a test's restricted PATH.
$(BUILD)/tiersim-valgrind: $(TIERSIM) build-aux/valgrind-run.sh
	@mkdir -p $(@D)
	$(Q)printf '#!/bin/sh\nexport VALGRIND_PROGRAM="%s"\nexec /bin/sh "%s/build-aux/valgrind-run.sh" "%s/$(TIERSIM)" "$$@"\n' \
		"$$(command -v valgrind)" "$(CURDIR)" "$(CURDIR)" > $@ && chmod +x $@

# Fuzzing (docs/testing.md): each harness for FUZZ_SECONDS, its corpus kept
# in build/fuzz/corpus-TARGET, crashes written as build/fuzz/crash-TARGET-*.
fuzz:
	$(Q)DEB_PACKAGES="$(FUZZ_PACKAGES)" PKG_MODULES="" sh build-aux/deps.sh
	$(Q)$(MAKE) --no-print-directory FUZZ=1 fuzz-bins
	$(Q)for t in $(FUZZ_TARGETS); do \
		mkdir -p build/fuzz/corpus-$$t; \
		seeds=$$(case $$t in scenario) echo "$(FUZZ_SEEDS_scenario)";; \
			parsers) echo "$(FUZZ_SEEDS_parsers)";; set) echo "$(FUZZ_SEEDS_set)";; esac); \
		echo "== fuzz $$t for $(FUZZ_SECONDS) s"; \
		ASAN_OPTIONS=detect_leaks=1 LSAN_OPTIONS=suppressions=tests/fuzz/lsan.supp \
			build/fuzz/tests/fuzz/fuzz_$$t \
			-max_total_time=$(FUZZ_SECONDS) -timeout=10 -print_final_stats=1 -max_len=65536 \
			-artifact_prefix=build/fuzz/crash-$$t- build/fuzz/corpus-$$t $$seeds \
			2>&1 | grep -E "^(stat::number_of_executed_units|stat::peak_rss_mb|==|SUMMARY|.*ERROR)" \
			|| true; \
		if ls build/fuzz/crash-$$t-* >/dev/null 2>&1; then echo "fuzz $$t: CRASH found"; exit 1; fi; \
	done

fuzz-bins: $(FUZZ_BINS)

$(FUZZ_BINS): $(BUILD)/tests/fuzz/fuzz_%: $(BUILD)/tests/fuzz/fuzz_%.o $(LAYER_LIBS)
	@mkdir -p $(@D)
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) $(ALL_LDFLAGS) -fsanitize=fuzzer -o $@ $< $(LAYER_LIBS) $(LDLIBS_ALL)

$(FUZZ_REPLAY_BINS): $(BUILD)/tests/fuzz/replay_%: $(BUILD)/tests/fuzz/fuzz_%.o \
		$(BUILD)/tests/fuzz/replay.o $(LAYER_LIBS)
	@mkdir -p $(@D)
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) $(ALL_LDFLAGS) -o $@ $< $(BUILD)/tests/fuzz/replay.o $(LAYER_LIBS) $(LDLIBS_ALL)

# Regenerate tests/golden/*.json after an intended change of the numbers.
golden: $(GOLDEN_BINS) $(TIERSIM)
	TIERSIM_GOLDEN_UPDATE=1 TIERSIM=./$(TIERSIM) ./$(GOLDEN_BINS)

# Includes point down the layers only (DESIGN.md §1); the linker enforces calls.
check-layers:
	$(Q)sh build-aux/check-layers.sh

bench: $(BENCH_BINS) $(BUILD)/bench/limit_mmc $(BUILD)/bench/limit_tandem $(TIERSIM)
	$(Q)TIERSIM=./$(TIERSIM) sh bench/run.sh $(BUILD)

# The reference programs, built as their README says.
$(BUILD)/bench/limit_%: $(SHARED)/bench/limit_%.c $(SHARED)/bench/limit_common.h
	@mkdir -p $(@D)
	$(Q)$(CC) -O2 -o $@ $< -lm

# ---------------------------------------------------------------- install
install: $(TIERSIM)
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/tiersim/scenarios
	install -m 0755 $(TIERSIM) $(DESTDIR)$(PREFIX)/bin/tiersim
	for f in scenarios/*.yaml; do [ -e "$$f" ] || continue; \
		install -m 0644 "$$f" $(DESTDIR)$(PREFIX)/share/tiersim/scenarios/; done

uninstall:
	rm -f $(DESTDIR)$(PREFIX)/bin/tiersim
	rm -rf $(DESTDIR)$(PREFIX)/share/tiersim

clean:
	rm -rf build tiersim

-include $(patsubst %.c,$(BUILD)/%.d,$(ALL_SRCS))
