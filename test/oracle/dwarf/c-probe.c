/* C structs for the DWARF form coverage tests: gcc emits DWARF 2/4/5 with
   strx, line_strp, implicit_const, addrx, and both compression styles. */
#include <stdio.h>
typedef unsigned long ulong_t;
typedef const ulong_t culong_t;
struct point { int x, y; };
struct node {
  struct node *next;
  culong_t key;
  struct point at[4][2];
  char name[16];
  unsigned flags : 3;
  union { int i; float f; } u;
  volatile double weight;
  void (*cb)(struct node *);
};
struct empty {};
struct decl_only;
struct holder { struct decl_only *p; struct empty e; };
int main(void) {
  struct node n = {0};
  struct holder h = {0};
  printf("%p %p\n", (void *)&n, (void *)&h);
  return 0;
}
