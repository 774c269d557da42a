/* ps-queue.c - (stub, being written)
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"
#include "ps-private.h"
