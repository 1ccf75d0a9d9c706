// SPDX-License-Identifier: GPL-2.0
/*
 * The interactive view (kvs_tui_view): terminal setup and restore, input,
 * pause. The screen is drawn by tui_draw.c, keys are handled by
 * tui_keys.c; all of it reads struct kvs_model only.
 *
 * There is one terminal, so the state is one static struct: close() can be
 * called any number of times, also after a failed open().
 */
#include <errno.h>
#include <langinfo.h>
#include <locale.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <term.h>
#include <termios.h>
#include <unistd.h>

#include "tui.h"
#include "errmsg.h"

static struct tui tui;

/* ---- can this terminal show us? ---- */

/*
 * 0 when the terminal can show the interactive view: stdin and stdout are
 * terminals and TERM names a terminfo entry that can address the cursor
 * (dumb, a hard-copy terminal or an unknown TERM cannot: curses would draw
 * nothing). Else -ENOTTY and the reason in why.
 */
static int tui_usable(char *why, size_t len)
{
	const char *term = getenv("TERM");
	const char *cup;
	int err = 0, hc;

	if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO)) {
		snprintf(why, len, "stdin is not a terminal, no keys can be read");
		return -ENOTTY;
	}
	if (!term || !*term) {
		snprintf(why, len, "TERM is not set");
		return -ENOTTY;
	}
	if (setupterm(NULL, STDOUT_FILENO, &err) != OK) {
		snprintf(why, len, err == 1 ? "terminal '%s' is a hard-copy terminal" : err == 0 ?
			 "terminal type '%s' is not in the terminfo database" :
			 "no terminfo database to look terminal type '%s' up in", term);
		return -ENOTTY;
	}
	cup = tigetstr("cup");
	hc = tigetflag("hc");
	(void)del_curterm(cur_term);
	cur_term = NULL;
	if (hc > 0 || !cup || cup == (char *)-1) {
		snprintf(why, len, "terminal '%s' cannot move the cursor", term);
		return -ENOTTY;
	}
	return 0;
}

const struct kvs_view_ops *kvs_tui_or_batch(const char *prog)
{
	char why[256];

	if (!tui_usable(why, sizeof(why)))
		return &kvs_tui_view;
	fprintf(stderr, "%s: %s: showing batch text instead (as with -b)\n", prog, why);
	return &kvs_text_view;
}

/* ---- the terminal back after a crash ---- */

/*
 * A crash must not leave the terminal in curses mode (alternate screen,
 * no echo): on SIGQUIT, SIGABRT, SIGSEGV, SIGBUS, SIGFPE and SIGILL the
 * handler writes the terminal's own "leave" sequences and puts the tty
 * modes of the start back, with write() and tcsetattr() only (endwin() is
 * not async-signal-safe), then lets the signal do what it did before us:
 * the old action (a core dump, or a sanitizer's report) runs as if we had
 * not been there. SIGINT, SIGTERM and SIGHUP end the run cleanly (run.c).
 */
static const int fatal_sigs[] = { SIGQUIT, SIGABRT, SIGSEGV, SIGBUS, SIGFPE, SIGILL };
#define NR_FATAL (sizeof(fatal_sigs) / sizeof(fatal_sigs[0]))
static struct sigaction fatal_old[NR_FATAL];
static bool fatal_caught[NR_FATAL];
static struct termios shell_tio;
static bool have_shell_tio;
static char *leave_seq;		/* sgr0, cnorm, rmkx, rmcup without padding */
static size_t leave_len;

static void restore_now(void)
{
	size_t off = 0;

	while (leave_seq && off < leave_len) {
		ssize_t n = write(STDOUT_FILENO, leave_seq + off, leave_len - off);

		if (n <= 0)
			break;	/* nothing else to try from a signal handler */
		off += (size_t)n;
	}
	if (have_shell_tio)
		(void)tcsetattr(STDIN_FILENO, TCSANOW, &shell_tio);
}

static void on_fatal(int sig, siginfo_t *si, void *uc)
{
	restore_now();
	for (size_t i = 0; i < NR_FATAL; i++)
		if (fatal_sigs[i] == sig)
			(void)sigaction(sig, &fatal_old[i], NULL);
	/*
	 * Sent (kill, raise, abort): send it again; it arrives under the old
	 * action when we return. A fault: returning runs the instruction
	 * again, which faults into the old action with the true context.
	 */
	if (si->si_code <= 0)
		(void)raise(sig);
}

/* Append a terminfo string capability, without its $<padding>. */
static int add_cap(char **buf, size_t *len, const char *name)
{
	const char *v = tigetstr(name);
	char *nb;

	if (!v || v == (char *)-1)
		return 0;
	nb = realloc(*buf, *len + strlen(v) + 1);
	if (!nb)
		return -ENOMEM;
	*buf = nb;
	for (const char *p = v; *p; p++) {
		if (p[0] == '$' && p[1] == '<' && strchr(p, '>')) {
			p = strchr(p, '>');
			continue;
		}
		nb[(*len)++] = *p;
	}
	nb[*len] = '\0';
	return 0;
}

static void release_fatal(void)
{
	for (size_t i = 0; i < NR_FATAL; i++) {
		if (fatal_caught[i])
			(void)sigaction(fatal_sigs[i], &fatal_old[i], NULL);
		fatal_caught[i] = false;
	}
	free(leave_seq);
	leave_seq = NULL;
	leave_len = 0;
}

/* After newterm(): what the handler needs, then the handler. */
static int catch_fatal(void)
{
	static const char *const caps[] = { "sgr0", "cnorm", "rmkx", "rmcup" };
	struct sigaction sa = { .sa_sigaction = on_fatal, .sa_flags = SA_SIGINFO };
	char *seq = NULL;
	size_t len = 0;

	for (size_t i = 0; i < sizeof(caps) / sizeof(caps[0]); i++) {
		if (add_cap(&seq, &len, caps[i])) {
			free(seq);
			return -ENOMEM;
		}
	}
	leave_seq = seq;
	leave_len = len;
	sigemptyset(&sa.sa_mask);
	for (size_t i = 0; i < NR_FATAL; i++) {
		if (sigaction(fatal_sigs[i], NULL, &fatal_old[i]))
			return -errno;
		/* Ignored at start (SIGQUIT in a background job): stays ignored. */
		if (!(fatal_old[i].sa_flags & SA_SIGINFO) && fatal_old[i].sa_handler == SIG_IGN)
			continue;
		if (sigaction(fatal_sigs[i], &sa, NULL))
			return -errno;
		fatal_caught[i] = true;
	}
	return 0;
}

/* ---- pause ---- */

/* A private copy of a top list's rows, so main's next update cannot change them. */
static int dup_rows(struct kvs_top_list *dst, const struct kvs_top_list *src)
{
	dst->e = NULL;
	if (!src->nr)
		return 0;
	dst->e = malloc(src->nr * sizeof(*dst->e));
	if (!dst->e)
		return -ENOMEM;
	memcpy(dst->e, src->e, src->nr * sizeof(*dst->e));
	return 0;
}

/* Keep what the screen shows: main goes on updating its model in place. */
int tui_freeze(struct tui *t, const struct kvs_model *m)
{
	if (!m)
		return -EINVAL;
	tui_unfreeze(t);
	t->frozen = *m;
	/* Not shown, and owned by the live model: never follow it. */
	t->frozen.debugfs_extra = NULL;
	t->frozen.nr_debugfs_extra = 0;
	t->frozen.slow_new = NULL;	/* the panel reads slow_recent, a copy already */
	t->frozen.nr_slow_new = 0;
	/* So that a failed first copy does not leave tui_unfreeze() a live pointer. */
	t->frozen.processes.e = NULL;
	t->frozen.nodes = NULL;
	/* The nodes line is drawn paused too: its array is ours, as the rows are. */
	if (dup_rows(&t->frozen.callers, &m->callers) ||
	    dup_rows(&t->frozen.processes, &m->processes) ||
	    kvs_nodes_dup(&t->frozen.nodes, m->nodes, m->nr_nodes)) {
		tui_unfreeze(t);
		return -ENOMEM;
	}
	t->paused = true;
	return 0;
}

void tui_unfreeze(struct tui *t)
{
	free(t->frozen.callers.e);
	free(t->frozen.processes.e);
	free(t->frozen.nodes);
	memset(&t->frozen, 0, sizeof(t->frozen));
	t->paused = false;
}

/* Colours only where the terminal has them and the user did not opt out (no-color.org). */
static void setup_attrs(struct tui *t)
{
	static const struct { short fg, bg; attr_t extra, mono; } look[TA_NR] = {
		[TA_NORMAL] = { -1, -1, 0, 0 },
		[TA_TITLE] = { COLOR_BLACK, COLOR_CYAN, 0, A_REVERSE },
		[TA_ESTIMATE] = { COLOR_BLACK, COLOR_YELLOW, A_BOLD, A_BOLD | A_UNDERLINE },
		[TA_WARN] = { COLOR_RED, -1, A_BOLD, A_BOLD },
		[TA_HEAD] = { COLOR_BLACK, COLOR_GREEN, 0, A_REVERSE },
		[TA_SORT] = { COLOR_BLACK, COLOR_CYAN, A_BOLD, A_BOLD | A_UNDERLINE },
		[TA_SPARK] = { COLOR_GREEN, -1, 0, 0 },
		[TA_MSG] = { COLOR_YELLOW, -1, A_BOLD, A_BOLD },
		[TA_PAUSED] = { COLOR_WHITE, COLOR_RED, A_BOLD, A_BOLD | A_REVERSE },
		[TA_DIM] = { -1, -1, A_DIM, A_DIM },
	};
	const char *no_color = getenv("NO_COLOR");
	bool color = has_colors() && !(no_color && *no_color) && start_color() != ERR;
	bool dflt = color && use_default_colors() != ERR;

	for (short i = 0; i < TA_NR; i++) {
		short fg = look[i].fg, bg = look[i].bg;

		t->attr[i] = look[i].mono;
		if (!color || (fg < 0 && bg < 0)) {
			if (color)
				t->attr[i] = look[i].extra;
			continue;
		}
		/* Without default colours, -1 is not a colour: fall back to white on black. */
		if (!dflt) {
			fg = fg < 0 ? COLOR_WHITE : fg;
			bg = bg < 0 ? COLOR_BLACK : bg;
		}
		if (i > 0 && i < COLOR_PAIRS && init_pair(i, fg, bg) != ERR)
			t->attr[i] = COLOR_PAIR(i) | look[i].extra;
	}
}

static void tui_close(void *state)
{
	struct tui *t = state ? state : &tui;

	if (t->open) {
		t->open = false;
		(void)curs_set(1);
		/* endwin() leaves the alternate screen and restores the tty modes. */
		(void)endwin();
		delscreen(t->scr);
		t->scr = NULL;
	}
	release_fatal();
	tui_unfreeze(t);
	free(t->top);
	t->top = NULL;
	t->top_cap = 0;
}

/* When main exit()s without close() the terminal must still come back. */
static void tui_atexit(void)
{
	tui_close(&tui);
}

static int tui_open(const struct kvs_options *opts, void **state, char *err, size_t errlen)
{
	static bool atexit_done;
	struct tui *t = &tui;
	const char *term = getenv("TERM");

	*state = NULL;
	if (t->open)
		return kvs_err(err, errlen, -EBUSY, "the terminal view is already open");
	if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO))
		return kvs_err(err, errlen, -ENOTTY,
			       "stdin and stdout must be a terminal (use -b for text)");
	memset(t, 0, sizeof(*t));
	t->sort = opts->sort;
	t->by = opts->by;
	t->rows = opts->rows;
	t->slow_set = opts->slow_set;
	t->self_stats = opts->self_stats;
	t->slow_ns = opts->slow_ns;
	t->replay = opts->replay;
	t->interval_s = t->new_interval_s = opts->interval_s > 0 ? opts->interval_s : 1;
	t->cursor_y = -1;

	/* Only LC_CTYPE: numbers in JSON and the prompt keep the C locale's '.'. */
	if (!setlocale(LC_CTYPE, ""))
		(void)setlocale(LC_CTYPE, "C");
	t->utf8 = !strcmp(nl_langinfo(CODESET), "UTF-8");

	if (!atexit_done && !atexit(tui_atexit))
		atexit_done = true;
	/* The modes to give back if we crash; endwin() restores its own copy. */
	have_shell_tio = !tcgetattr(STDIN_FILENO, &shell_tio);
	/* newterm(), unlike initscr(), returns NULL instead of exiting. */
	t->scr = newterm(NULL, stdout, stdin);
	if (!t->scr)
		return kvs_err(err, errlen, -ENOTTY, "cannot use terminal type '%s' (use -b for text)",
			       term ? term : "(TERM unset)");
	t->open = true;
	if (catch_fatal()) {
		tui_close(t);
		return kvs_err(err, errlen, -EIO, "cannot catch crash signals to restore the terminal");
	}
	if (cbreak() == ERR || noecho() == ERR || keypad(stdscr, TRUE) == ERR ||
	    nodelay(stdscr, TRUE) == ERR) {
		tui_close(t);
		return kvs_err(err, errlen, -EIO, "cannot set terminal modes");
	}
	(void)nonl();
	(void)intrflush(stdscr, FALSE);
	/* Esc cancels the prompt: do not wait the default second for a sequence. */
	(void)set_escdelay(25);
	(void)curs_set(0);
	setup_attrs(t);
	*state = t;
	return tui_render(t, NULL) ? -EIO : 0;
}

/* SIGWINCH interrupts main's poll(); catch the new size before drawing. */
static bool follow_size(void)
{
	struct winsize ws;

	if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) || !ws.ws_row || !ws.ws_col)
		return false;
	if (ws.ws_row == LINES && ws.ws_col == COLS)
		return false;
	return resizeterm(ws.ws_row, ws.ws_col) != ERR;
}

static int tui_update(void *state, const struct kvs_model *m, char *err, size_t errlen)
{
	struct tui *t = state;
	int ret;

	if (!t || !t->open)
		return -EBADF;
	follow_size();
	ret = tui_render(t, m);
	if (ret)
		errno = -ret;
	return ret;
}

static int tui_input_fd(void *state)
{
	struct tui *t = state;

	return t && t->open ? STDIN_FILENO : -1;
}

/*
 * All keys that are waiting, then one redraw. Keys return CONTINUE, QUIT
 * or SET_INTERVAL (the view redraws itself); QUIT wins at once.
 */
static enum kvs_view_action tui_input(void *state, const struct kvs_model *m)
{
	enum kvs_view_action ret = KVS_VIEW_CONTINUE;
	struct tui *t = state;
	bool seen = false;
	int key;

	if (!t || !t->open)
		return KVS_VIEW_CONTINUE;
	while ((key = getch()) != ERR) {
		enum kvs_view_action a = tui_key(t, key, m);

		seen = true;
		if (a == KVS_VIEW_QUIT)
			return a;
		if (a != KVS_VIEW_CONTINUE)
			ret = a;
	}
	/* main calls us also when poll() only timed out or was interrupted. */
	if (!seen && !follow_size())
		return ret;
	/* A screen that cannot be drawn: main's update() will fail the run. */
	if (tui_render(t, m))
		return KVS_VIEW_REDRAW;
	return ret;
}

static double tui_interval(void *state)
{
	struct tui *t = state;

	return t ? t->new_interval_s : 0;
}

static bool tui_self_stats(void *state)
{
	struct tui *t = state;

	return t && t->self_stats;
}

const struct kvs_view_ops kvs_tui_view = {
	.name = "tui",
	.interactive = true,
	.open = tui_open,
	.update = tui_update,
	.input_fd = tui_input_fd,
	.input = tui_input,
	.close = tui_close,
	.interval = tui_interval,
	.self_stats = tui_self_stats,
};
