/* A stand-in for `lstmjam render` until main.c dispatches to it: called as
 * `test_render_main render [options...]`, it hands argv from "render" on to
 * cmd_render exactly as main.c does, so the script tests run the real
 * command-line code. */
#include <stdio.h>
#include <string.h>

int cmd_render(int argc, char **argv);

int main(int argc, char **argv) {
    if (argc < 2 || strcmp(argv[1], "render")) {
        fprintf(stderr, "usage: test_render_main render [options]\n");
        return 2;
    }
    return cmd_render(argc - 1, argv + 1);
}
