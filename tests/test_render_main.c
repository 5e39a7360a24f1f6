/* A stand-in for `lstmjam render` until main.c dispatches to it: runs
 * cmd_render with this program's arguments, so the script tests exercise the
 * real command-line code. Usage: test_render_main [render options...] */
int cmd_render(int argc, char **argv);

int main(int argc, char **argv) { return cmd_render(argc, argv); }
