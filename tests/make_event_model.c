/* make_event_model OUT.lstm [HIDDEN [SEED]]: writes the random-weight `event`
 * model of engine_fixture.h, for the script tests of render --model and play. */
#include <stdio.h>
#include <stdlib.h>

#include "engine_fixture.h"

int main(int argc, char **argv) {
    if (argc < 2) {
        fprintf(stderr, "usage: make_event_model OUT.lstm [HIDDEN [SEED]]\n");
        return 2;
    }
    int hidden = argc > 2 ? atoi(argv[2]) : 64;
    unsigned long long seed = argc > 3 ? strtoull(argv[3], NULL, 10) : 7;
    return fixture_write_event_model(argv[1], hidden, seed) ? 1 : 0;
}
