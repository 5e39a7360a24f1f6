/* lstmjam play's keys: the terminal in single-key mode while playing, and
 * what each key does (q quit, r reload, space pause, p panic, m mode, d/D
 * density, t/T temperature). */
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <time.h>
#include <unistd.h>

#include "play_session.h"

/* Only in the terminal's foreground: a background job (`lstmjam play ... &`)
 * that sets the terminal is stopped by SIGTTOU, and one that reads it by
 * SIGTTIN; it plays on without keys (q: Ctrl-C after fg, or a signal). */
void play_keys_begin(term_keys *k) {
    k->on = 0;
    if (!isatty(0) || tcgetpgrp(0) != getpgrp() || tcgetattr(0, &k->saved)) return;
    struct termios t = k->saved;
    t.c_lflag &= ~(tcflag_t)(ICANON | ECHO);
    t.c_cc[VMIN] = 0;
    t.c_cc[VTIME] = 0;
    if (!tcsetattr(0, TCSANOW, &t)) k->on = 1;
}
void play_keys_end(term_keys *k) {
    if (!k->on) return;
    /* restored from the background too (sent there after play_keys_begin): with
     * SIGTTOU blocked, tcsetattr does not stop the job */
    sigset_t ttou, old;
    sigemptyset(&ttou);
    sigaddset(&ttou, SIGTTOU);
    pthread_sigmask(SIG_BLOCK, &ttou, &old);
    tcsetattr(0, TCSANOW, &k->saved);
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    k->on = 0;
}
/* The terminal of the keys hung up (closed window, dropped ssh): poll on it
 * reports POLLHUP/POLLERR at once from then on, and read returns 0 or EIO. */
int play_keys_hung_up(const term_keys *k) {
    if (!k->on) return 0;
    struct pollfd pfd = {0, POLLIN, 0};
    return poll(&pfd, 1, 0) > 0 && (pfd.revents & (POLLHUP | POLLERR | POLLNVAL));
}

/* The keys that act on the engine; q and r are the caller's. */
static void key_to_engine(char ch, engine *eng) {
    if (ch == ' ') engine_set_paused(eng, !engine_get_paused(eng));
    if (ch == 'p') engine_request_panic(eng);
    if (ch == 'm') engine_set_mode(eng, (engine_mode)((engine_get_mode(eng) + 1) % ENGINE_MODES));
    if (ch == 'd') engine_set_density(eng, engine_get_density(eng) / 1.25);
    if (ch == 'D') engine_set_density(eng, engine_get_density(eng) * 1.25);
    if (ch == 't') engine_set_temperature(eng, engine_get_temperature(eng) - 0.1);
    if (ch == 'T') engine_set_temperature(eng, engine_get_temperature(eng) + 0.1);
}

play_key_action play_keys_wait(const term_keys *k, engine *eng) {
    struct pollfd pfd = {0, POLLIN, 0};
    /* a job sent to the background (Ctrl-Z, bg) reads no keys: SIGTTIN would stop it */
    int fg = k->on && tcgetpgrp(0) == getpgrp();
    int ready = fg ? poll(&pfd, 1, 50) : (nanosleep(&(struct timespec){0, 50000000}, NULL), 0);
    /* the terminal hung up (closed): quit as q does, not spin on it */
    if (ready > 0 && (pfd.revents & (POLLHUP | POLLERR | POLLNVAL))) return PLAY_KEY_QUIT;
    if (ready > 0 && (pfd.revents & POLLIN)) {
        char ch;
        ssize_t got = read(0, &ch, 1);
        if (got == 0 || (got < 0 && errno != EAGAIN && errno != EINTR)) return PLAY_KEY_QUIT; /* hung up */
        if (got == 1) {
            if (ch == 'q' || ch == 'Q') return PLAY_KEY_QUIT;
            if (ch == 'r') return PLAY_KEY_RELOAD;
            key_to_engine(ch, eng);
        }
    }
    return PLAY_KEY_NONE;
}
