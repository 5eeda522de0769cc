/* Unit tests for Ctrl-C handling (sim/interrupt.c).
 *
 * The first signal only raises the flag (the process goes on, the exit
 * status to report is 128 + signal); the second ends the process at once with
 * that status after removing the registered temporary file.  The second
 * signal's abort runs in a forked child, so the test itself survives. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "sim/interrupt.h"

static void test_first_signal_only_raises_the_flag(void **state)
{
	(void)state;
	sim_interrupt_reset();
	assert_int_equal(sim_interrupt_install(), 0);
	assert_false(sim_interrupted());
	assert_int_equal(sim_interrupt_exit_status(), 0);
	raise(SIGTERM);
	assert_true(sim_interrupted());
	assert_int_equal(sim_interrupt_signal, SIGTERM);
	assert_int_equal(sim_interrupt_exit_status(), 143);
	sim_interrupt_reset();
	assert_false(sim_interrupted());
}

static pid_t child_with_tmpfile(const char *tmp, bool registered)
{
	pid_t pid = fork();
	if (pid == 0) {
		FILE *f = fopen(tmp, "w");
		if (!f)
			_exit(99);
		fputs("half a report", f);
		fclose(f);
		sim_interrupt_reset();
		if (sim_interrupt_install() != 0)
			_exit(98);
		if (registered)
			sim_interrupt_set_tmpfile(tmp);
		raise(SIGINT);
		raise(SIGINT); /* does not return */
		_exit(97);
	}
	return pid;
}

static void test_second_signal_aborts_and_removes_the_tmpfile(void **state)
{
	(void)state;
	char tmp[] = "/tmp/tiersim_test_interrupt.XXXXXX";
	int fd = mkstemp(tmp);
	assert_true(fd >= 0);
	close(fd);

	int status;
	pid_t pid = child_with_tmpfile(tmp, true);
	assert_true(pid > 0);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 130);
	assert_int_not_equal(access(tmp, F_OK), 0); /* removed */

	/* Nothing registered (or the file already renamed): nothing removed. */
	pid = child_with_tmpfile(tmp, false);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_int_equal(WEXITSTATUS(status), 130);
	assert_int_equal(access(tmp, F_OK), 0);
	unlink(tmp);
}

/* sim_interrupt_mkstemp registers the file it creates, and leaves the
 * signal mask as it found it: the second signal after it removes the file. */
static void test_mkstemp_registers_the_file_for_the_second_signal(void **state)
{
	(void)state;
	int fds[2];
	assert_int_equal(pipe(fds), 0);
	pid_t pid = fork();
	if (pid == 0) {
		close(fds[0]);
		sim_interrupt_reset();
		if (sim_interrupt_install() != 0)
			_exit(98);
		raise(SIGINT); /* the first: only the flag */
		char tmpl[] = "/tmp/tiersim-test-interrupt-XXXXXX";
		if (sim_interrupt_mkstemp(tmpl) < 0)
			_exit(97);
		if (write(fds[1], tmpl, sizeof tmpl) != (ssize_t)sizeof tmpl)
			_exit(96);
		raise(SIGINT); /* does not return */
		_exit(95);
	}
	close(fds[1]);
	char path[64] = "";
	ssize_t n = read(fds[0], path, sizeof path - 1);
	close(fds[0]);
	int status;
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(n > 0);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 130);
	assert_int_equal(access(path, F_OK), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_first_signal_only_raises_the_flag),
		cmocka_unit_test(test_second_signal_aborts_and_removes_the_tmpfile),
		cmocka_unit_test(test_mkstemp_registers_the_file_for_the_second_signal),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
