#include "score_io.h"

#include <string.h>

#include "files.h"
#include "kern.h"
#include "midi.h"

void score_read_opts_default(score_read_opts *o) {
    memset(o, 0, sizeof *o);
    abc_opts_default(&o->abc);
    o->jsb.split = NULL;
    o->jsb.step_ticks = 0; /* auto */
    o->jsb.merge_held = 1;
}

score_format score_format_of_path(const char *path) {
    char ext[16];
    lj_file_ext(path, ext, sizeof ext);
    if (!strcmp(ext, "mid") || !strcmp(ext, "midi") || !strcmp(ext, "smf")) return SCORE_FORMAT_MIDI;
    if (!strcmp(ext, "abc")) return SCORE_FORMAT_ABC;
    if (!strcmp(ext, "krn")) return SCORE_FORMAT_KERN;
    if (!strcmp(ext, "json")) return SCORE_FORMAT_JSB;
    return SCORE_FORMAT_UNKNOWN;
}

const char *score_format_name(score_format f) {
    switch (f) {
    case SCORE_FORMAT_MIDI: return "MIDI";
    case SCORE_FORMAT_ABC: return "ABC";
    case SCORE_FORMAT_KERN: return "kern";
    case SCORE_FORMAT_JSB: return "JSB JSON";
    default: return "unknown";
    }
}

static const char *grid_name(int ticks) {
    return ticks == SCORE_PPQ ? "quarter" : ticks == SCORE_PPQ / 2 ? "8th" : ticks == SCORE_PPQ / 4 ? "16th" : "other";
}

int score_read_file(const char *path, const score_read_opts *o, score_book *out, char *err,
                    size_t errlen) {
    score_read_opts def;
    if (!o) {
        score_read_opts_default(&def);
        o = &def;
    }
    switch (score_format_of_path(path)) {
    case SCORE_FORMAT_MIDI: {
        score *s = NULL;
        midi_read_opts mo = {o->warn, o->warn_user};
        int rc = midi_read_file_opts(path, &mo, &s, err, errlen);
        return rc ? rc : score_book_push(out, s);
    }
    case SCORE_FORMAT_ABC: {
        abc_opts a = o->abc;
        if (!a.warn) {
            a.warn = o->warn;
            a.warn_user = o->warn_user;
        }
        return abc_read_file(path, &a, out, err, errlen);
    }
    case SCORE_FORMAT_KERN: {
        kern_opts k = {o->warn, o->warn_user};
        score *s = NULL;
        int rc = kern_read_file(path, &k, &s, NULL, err, errlen);
        return rc ? rc : score_book_push(out, s);
    }
    case SCORE_FORMAT_JSB: {
        jsb_opts j = o->jsb;
        int named = jsb_grid_of_name(path);
        if (!j.step_ticks) {
            j.step_ticks = named ? named : o->jsb_fallback_ticks ? o->jsb_fallback_ticks : SCORE_PPQ / 4;
        } else if (named && named != j.step_ticks) {
            return lj_fail(err, errlen, LJ_ERR_ARG,
                           "%s: the file's name says its steps are %s notes, but it was to be read on a %s grid "
                           "(--grid, --jsb-grid or read: jsb_grid): give the %s file, or leave the grid out to "
                           "read it as its name says",
                           path, grid_name(named), grid_name(j.step_ticks), grid_name(j.step_ticks));
        }
        return jsb_read_file(path, &j, out, err, errlen);
    }
    default:
        return lj_fail(err, errlen, LJ_ERR_UNSUPPORTED,
                       "%s: unknown file type (expected .mid, .midi, .abc, .krn or .json)", path);
    }
}
