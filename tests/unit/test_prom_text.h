/* SPDX-License-Identifier: GPL-2.0 */
/* For the Prometheus unit tests: look for lines in a rendered file. */
#ifndef KVSHADOW_TEST_PROM_TEXT_H
#define KVSHADOW_TEST_PROM_TEXT_H

/* The file under test; include after <cmocka.h>. */
static char text[1 << 16];

static void assert_has(const char *needle)
{
	if (!strstr(text, needle))
		fail_msg("missing \"%s\" in:\n%s", needle, text);
}

static void assert_lacks(const char *needle)
{
	if (strstr(text, needle))
		fail_msg("unexpected \"%s\" in:\n%s", needle, text);
}

#endif
