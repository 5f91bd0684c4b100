# Gongbao. `make`: install what is missing, build gen/gen, build the sample portal into
# site/. `make test`: the same, then every test. See README.md.
CC      ?= cc
PKGS    := libcmark jansson libxml-2.0 yaml-0.1 libutf8proc libcrypto
OPT     ?= -O2 -g
WARN    := -std=c11 -Wall -Wextra -Werror -D_GNU_SOURCE
# Evaluated when a recipe runs, after scripts/deps.sh has installed the packages.
PKG_CFLAGS = $(shell pkg-config --cflags $(PKGS))
PKG_LIBS   = $(shell pkg-config --libs $(PKGS)) -lcsv -lpthread -lm
SRC     := $(sort $(wildcard gen/*.c))
OBJ     := $(SRC:.c=.o)
HDR     := $(wildcard gen/*.h)
ASAN_OBJ := $(patsubst gen/%.c,gen/asan/%.o,$(SRC))
SAN     := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all

.PHONY: all deps deps-test build site test serve bench fuzz clean format check-format

all: deps
	@$(MAKE) --no-print-directory build site

deps:
	@sh scripts/deps.sh build

deps-test:
	@sh scripts/deps.sh test

build: gen/gen

gen/gen: $(OBJ)
	$(CC) $(OPT) -o $@ $(OBJ) $(PKG_LIBS)

gen/%.o: gen/%.c $(HDR)
	$(CC) $(WARN) $(OPT) $(PKG_CFLAGS) -c -o $@ $<

gen/asan/gen: $(ASAN_OBJ)
	$(CC) $(SAN) -g -o $@ $(ASAN_OBJ) $(PKG_LIBS)

gen/asan/%.o: gen/%.c $(HDR)
	@mkdir -p gen/asan
	$(CC) $(WARN) -O1 -g $(SAN) $(PKG_CFLAGS) -c -o $@ $<

site: gen/gen
	./gen/gen build

test: deps-test
	@$(MAKE) --no-print-directory gen/gen gen/asan/gen
	@sh tests/run.sh

# A benchmark, not a test: BENCH_N=100000 for the large run. See docs/PERFORMANCE.md.
bench: deps-test
	@$(MAKE) --no-print-directory build
	@sh scripts/bench.sh

# libFuzzer targets (clang): FUZZ_SECONDS each; make test runs each briefly.
FUZZ_SECONDS ?= 10
fuzz: deps-test
	@FUZZ_SECONDS=$(FUZZ_SECONDS) sh tests/fuzz/run.sh

serve: deps
	@$(MAKE) --no-print-directory build
	@/usr/bin/python3 scripts/serve.py

format:
	clang-format -i gen/*.c gen/*.h tests/unit/*.c

clean:
	rm -rf gen/*.o gen/asan gen/gen tests/out tests/bin build
