/* ps-xlsx-writer.c - stub */
#include "ps-xlsx-writer.h"
