/* lstmjam devices: the audio outputs PortAudio sees, the MIDI inputs and
 * outputs PortMidi sees, and whether a JACK server runs (for --midi-in jack)
 * with its MIDI ports (the PORT of --midi-in jack:PORT / --midi-out jack:PORT). */
#include <jack/jack.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "device/audio_out.h"
#include "device/midi_in.h"

static const char *help =
    "usage: lstmjam devices\n"
    "\n"
    "Lists the audio outputs (for play --device, by index or name) and the MIDI\n"
    "inputs and outputs (for play --midi-in), and whether a JACK server runs,\n"
    "with its MIDI ports (for --midi-in jack:PORT and --midi-out jack:PORT).\n";

/* The JACK MIDI ports with `flags` (JackPortIsOutput: ports that send MIDI). */
static void list_jack_midi(jack_client_t *j, unsigned long flags, const char *title) {
    const char **ports = jack_get_ports(j, NULL, JACK_DEFAULT_MIDI_TYPE, flags);
    printf("  %s:\n", title);
    if (!ports || !ports[0]) printf("    (none)\n");
    for (size_t i = 0; ports && ports[i]; i++) printf("    %s\n", ports[i]);
    if (ports) jack_free(ports);
}

int cmd_devices(int argc, char **argv) {
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
            fputs(help, stdout);
            return LJ_EXIT_OK;
        }
        cli_error("unexpected argument '%s' (see lstmjam devices --help)", argv[i]);
        return LJ_EXIT_BAD_INPUT;
    }
    char err[512] = "";
    printf("audio outputs (PortAudio):\n");
    fflush(stdout);
    int n = audio_out_list(stdout, err, sizeof err);
    if (n < 0) printf("  (none: %s)\n", err);
    else if (n == 0) printf("  (none found)\n");
    printf("MIDI devices (PortMidi):\n");
    int m = midi_in_list_portmidi(stdout, err, sizeof err);
    if (m < 0) printf("  (none: %s)\n", err);
    else if (m == 0) printf("  (none found: no ALSA sequencer?)\n");
    audio_out_quiet_libs();
    jack_status_t status;
    jack_client_t *j = jack_client_open("lstmjam-devices", JackNoStartServer, &status);
    if (j) {
        printf("JACK: server running at %u Hz, period %u frames (play --midi-in jack, --midi-out jack)\n",
               (unsigned)jack_get_sample_rate(j), (unsigned)jack_get_buffer_size(j));
        list_jack_midi(j, JackPortIsOutput, "MIDI sources (--midi-in jack:PORT)");
        list_jack_midi(j, JackPortIsInput, "MIDI destinations (--midi-out jack:PORT)");
        jack_client_close(j);
    } else {
        printf("JACK: no server running\n");
    }
    return LJ_EXIT_OK;
}
