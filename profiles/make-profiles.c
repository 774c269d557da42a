/* make-profiles.c - (stub, being written) */
#include <stdio.h>
int main (int argc, char **argv) { (void) argc; (void) argv; return 1; }
