/*
 * The input of the `offsets dwarf` warm-up run at build time (scripts/build-bundles.mjs):
 * compiled with gcc -g -gz=zlib, so that the run goes through the DWARF reader's
 * inflating, unit, abbreviation, lookup, walk and type paths, and V8's code
 * cache of the CLI holds them compiled. Its structs mean nothing.
 */
struct point {
  long x, y;
};

struct node {
  struct node *next;
  struct point at;
  char name[16];
};

struct node head;

int main(void) { return (int)head.at.x; }
