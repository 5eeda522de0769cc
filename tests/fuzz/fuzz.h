/* The libFuzzer entry point every harness in tests/fuzz/ defines.
 *
 * Built twice: with clang -fsanitize=fuzzer for `make fuzz` (libFuzzer
 * supplies main), and with the project's compiler against replay.c for
 * `make check`, which runs each harness over its seed corpus and every
 * crash found so far, so a fixed crash stays fixed. */
#ifndef TESTS_FUZZ_FUZZ_H
#define TESTS_FUZZ_FUZZ_H

#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Stop with a message when a harness's oracle fails: libFuzzer and the
 * replay driver both report an abort as a crash, with the input saved. */
#define FUZZ_REQUIRE(cond, what)                                                         \
	do {                                                                             \
		if (!(cond)) {                                                           \
			fprintf(stderr, "fuzz oracle failed: %s (%s:%d)\n", what, __FILE__, \
				__LINE__);                                               \
			abort();                                                         \
		}                                                                        \
	} while (0)

#endif
