/* tests/support/run-tool.h - what the command-line tests share: read a
 * whole stream into a NUL-terminated heap buffer, and run a shell command
 * with its output (stdout and stderr together) captured.  Header-only so a
 * test that runs a tool needs no extra object.  Failures are cmocka
 * failures; the caller frees the buffers it gets. */
#ifndef DMP_TESTS_RUN_TOOL_H
#define DMP_TESTS_RUN_TOOL_H

#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>

#include "sim-fixture.h"

/* All of @f, up to its end, NUL-terminated; the caller frees it. */
static inline char *tool_read_all(FILE *f)
{
	size_t cap = 1 << 16, len = 0, n;
	char *buf = malloc(cap);
	assert_non_null(buf);
	while ((n = fread(buf + len, 1, cap - len - 1, f)) > 0) {
		len += n;
		if (cap - len < 4096) {
			cap *= 2;
			buf = realloc(buf, cap);
			assert_non_null(buf);
		}
	}
	buf[len] = 0;
	return buf;
}

/* The shell command @cmd (which redirects what it wants captured to its
 * stdout); *@out gets what it printed.  Returns its exit status, or -1 if
 * it did not exit. */
static inline int tool_run(const char *cmd, char **out)
{
	FILE *f = popen(cmd, "r");
	assert_non_null(f);
	*out = tool_read_all(f);
	int st = pclose(f);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

#endif
