/* ps-text-private.h - Unicode hygiene of imported values (one rule, used by roster, mask, field).
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Not installed.  What a value from a school's table may carry that nobody
 * sees: bidi controls (U+202D before a 学号), zero-width spaces and joiners,
 * BOMs and soft hyphens inside cells, decomposed accents, full-width digits
 * typed with a Chinese input method, spaces padding a two-character name to
 * the width of three (王　李).  _ps_text_clean() removes or folds them; the
 * roster module turns each change into a warning.
 */
#ifndef PS_TEXT_PRIVATE_H
#define PS_TEXT_PRIVATE_H

#include <glib.h>
#include <stdbool.h>
#include <stddef.h>

G_BEGIN_DECLS

typedef enum {
  PS_TEXT_PLAIN,        /* remove invisibles, NFC, trim */
  PS_TEXT_NAME,         /* PLAIN, then a CJK name loses every interior space,
                         * any other name keeps single spaces */
  PS_TEXT_IDENTIFIER,   /* PLAIN, then full-width ASCII letters, digits, '-', '*'
                         * folded to ASCII (学号, 采集码, 院校代码, 时间戳) */
  PS_TEXT_ID_NUMBER,    /* IDENTIFIER, and interior spaces removed (证件号码,
                         * often typed in groups: 110105 19491231 002X) */
} PsTextKind;

/* What _ps_text_clean() changed; all zero when nothing. */
typedef struct {
  size_t   n_removed;     /* invisible characters removed (see _ps_text_is_invisible) */
  gunichar first_removed; /* the first of them */
  bool     nfc;           /* NFC composed or reordered something */
  bool     width;         /* full-width characters folded to ASCII */
  bool     spaces;        /* interior spaces removed or collapsed */
} PsTextChanges;

/* Format characters (category Cf: bidi controls U+200E/F, U+202A-E,
 * U+2066-9, ZWSP U+200B, ZWNJ/ZWJ, U+2060, BOM U+FEFF, soft hyphen
 * U+00AD...), control characters other than TAB, LF and CR, and the Hangul
 * fillers (U+115F, U+1160, U+3164, U+FFA0) that render as nothing. */
bool _ps_text_is_invisible (gunichar c);

/* A combining mark (Mn, Mc, Me) or a variation selector (U+FE00-FE0F,
 * U+E0100-E01EF, which are Mn too). */
bool _ps_text_is_mark (gunichar c);

/* The first combining mark or variation selector of @text, or 0. */
gunichar _ps_text_find_mark (const char *text);

/* True if @text is a Chinese name: Han characters (any CJK block, Extension
 * B and beyond included), the middle dots of transliterated names (U+00B7,
 * U+30FB, U+2027), '*' of a masked name, and white space; at least one Han
 * character. */
bool _ps_text_is_cjk_name (const char *text);

/* Cleans @len bytes of valid UTF-8 at @text (not NUL-terminated) as @kind
 * says.  *@changes (nullable) tells what changed.
 * Returns: (transfer full): the clean text, maybe "".  It may hold a full
 * name: free it with _ps_text_wipe_free(). */
char *_ps_text_clean (const char *text, size_t len, PsTextKind kind, PsTextChanges *changes);

/* Zeroes a NUL-terminated string, then frees it; NULL is fine. */
void _ps_text_wipe_free (char *text);

G_END_DECLS

#endif /* PS_TEXT_PRIVATE_H */
