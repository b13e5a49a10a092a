// CNCurses: the system ncursesw (wide-character build), plus typed accessors for what Swift
// cannot import: attribute and mouse macros, and setcchar with an extended colour pair.
// See ../../shared/NOTES-swift-linux.md (pkgConfig drops the flags that enable the wide API,
// so the defines below come first).
#ifndef TRADLYTE_CNCURSES_SHIM_H
#define TRADLYTE_CNCURSES_SHIM_H

#define NCURSES_WIDECHAR 1
#define _XOPEN_SOURCE_EXTENDED 1
#include <ncursesw/curses.h>
#include <locale.h>
#include <langinfo.h>
#include <wchar.h>

// A_* attributes are macros over NCURSES_BITS: invisible to Swift.
static inline attr_t tradlyte_attr_bold(void) { return A_BOLD; }
static inline attr_t tradlyte_attr_dim(void) { return A_DIM; }
static inline attr_t tradlyte_attr_underline(void) { return A_UNDERLINE; }
static inline attr_t tradlyte_attr_reverse(void) { return A_REVERSE; }

// Mouse masks are macros too.
static inline mmask_t tradlyte_mouse_mask_all(void) { return ALL_MOUSE_EVENTS | REPORT_MOUSE_POSITION; }
static inline mmask_t tradlyte_button1_pressed(void) { return BUTTON1_PRESSED | BUTTON1_CLICKED; }
static inline mmask_t tradlyte_button4_pressed(void) { return BUTTON4_PRESSED; }
#ifdef BUTTON5_PRESSED
static inline mmask_t tradlyte_button5_pressed(void) { return BUTTON5_PRESSED; }
#else
static inline mmask_t tradlyte_button5_pressed(void) { return 0; }
#endif

// Draws one grapheme (up to 7 wide chars: base plus combining marks) with attributes and an
// extended colour pair. setcchar takes pairs above 32767 only through its opts pointer.
// The bottom-right cell reports ERR but is drawn: callers ignore the result there.
static inline int tradlyte_put_cell(WINDOW *win, int y, int x, const wchar_t *text, attr_t attrs, int pair) {
    cchar_t cell;
    if (setcchar(&cell, text, attrs, 0, &pair) != OK) return ERR;
    return mvwadd_wch(win, y, x, &cell);
}

// COLORS and COLOR_PAIRS are C globals Swift 6 rejects (not concurrency-safe): accessors.
static inline int tradlyte_colors(void) { return COLORS; }
static inline int tradlyte_color_pairs(void) { return COLOR_PAIRS; }

// The codeset name of the current locale ("UTF-8" when glyphs can be drawn).
static inline const char *tradlyte_codeset(void) { return nl_langinfo(CODESET); }

#endif
