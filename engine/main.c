/* main.c - stub */
#include "photosheet.h"
int main (void) { return 0; }
