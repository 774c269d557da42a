/* ps-xlsx-writer.h - (stub, being written by the roster work) */
