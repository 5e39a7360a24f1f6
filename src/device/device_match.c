/* device_match: see device_match.h. */
#include "device_match.h"

#include <ctype.h>
#include <portmidi.h>
#include <stdlib.h>
#include <string.h>

int device_name_contains(const char *hay, const char *needle) {
    size_t n = strlen(needle);
    for (const char *p = hay; *p; p++) {
        size_t k = 0;
        while (k < n && p[k] && tolower((unsigned char)p[k]) == tolower((unsigned char)needle[k])) k++;
        if (k == n) return 1;
    }
    return n == 0; /* the empty name is part of every name, "" too */
}

int device_portmidi_find(const char *spec, int want_output, int *count) {
    int n = Pm_CountDevices(), found = -1;
    char *end;
    long idx = strtol(spec, &end, 10);
    *count = 0;
    for (int i = 0; i < n; i++) {
        const PmDeviceInfo *d = Pm_GetDeviceInfo(i);
        if (!d || !(want_output ? d->output : d->input)) continue;
        ++*count;
        if (found < 0 && ((*spec && !*end && idx == i) || (*end && device_name_contains(d->name, spec)))) found = i;
    }
    return found;
}

static int portmidi_users; /* control thread only */

PmError device_portmidi_acquire(void) {
    if (portmidi_users == 0) {
        PmError pe = Pm_Initialize();
        if (pe != pmNoError) return pe;
    }
    portmidi_users++;
    return pmNoError;
}

void device_portmidi_release(void) {
    if (portmidi_users > 0 && --portmidi_users == 0) Pm_Terminate();
}
