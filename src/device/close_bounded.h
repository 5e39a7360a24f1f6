/* Closing devices that may hang, within a time bound.
 *
 * After a device loss a driver's close may block for good (PortAudio's JACK
 * host waits on a dead server, then asserts; libjack's calls may block too),
 * while another device of the same session still works: MIDI out on ALSA when
 * the JACK audio went, whose close sends the panic that ends its notes. So
 * each device is closed on a thread of its own, all at once, and the caller
 * waits for them up to a bound: a hung close holds up neither the others'
 * panics nor the exit. A close still running at the bound is abandoned (its
 * thread and slot are left to it; the slot is freed by whichever of the two
 * lets go last), and the process is expected to _exit.
 *
 * Thread: control (the closes run on their own threads). */
#ifndef LJ_CLOSE_BOUNDED_H
#define LJ_CLOSE_BOUNDED_H

typedef void (*device_close_fn)(void *dev);

typedef struct device_to_close {
    device_close_fn close; /* called once with dev; NULL dev: skipped */
    void *dev;
    const char *what;      /* for the caller's message: "MIDI in", ... */
} device_to_close;

#define CLOSE_BOUNDED_MAX 8 /* devices per call */

/* Closes the n (<= CLOSE_BOUNDED_MAX) devices in parallel, waiting at most
 * timeout_ms for all. Returns how many closes had not finished (0: all
 * closed); hung[i] (may be NULL) says which. A thread that cannot be created
 * (or its slot allocated) closes nothing and counts as hung. */
int close_devices_bounded(const device_to_close *devs, int n, int timeout_ms, int *hung);

#endif
