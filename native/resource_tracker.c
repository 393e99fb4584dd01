/*
 * The resource tracker process (see src/resource-tracker/client.ts). A separate executable, not
 * a Node script: every program that starts children starts one, so it must cost next to
 * nothing. Reads "REGISTER|UNREGISTER <kind> <name>" lines on stdin until every writer has
 * exited (EOF), then unlinks the segments still registered: those of kind shared_memory with
 * a warning (a SharedMemory someone forgot), those of kind queue_chunk quietly (a queue's
 * overflow, whose contents vanish with its processes as Python's do).
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

int main(void) {
  /* Outlive the program's signals: cleaning up after it is the whole point. */
  signal(SIGINT, SIG_IGN);
  signal(SIGTERM, SIG_IGN);
  signal(SIGHUP, SIG_IGN);
  signal(SIGPIPE, SIG_IGN);

  struct entry {
    char* name;
    int quiet;
  };
  struct entry* names = NULL;
  size_t count = 0, capacity = 0;
  char line[512];
  while (fgets(line, sizeof line, stdin) != NULL) {
    char command[16], kind[32], name[300];
    if (sscanf(line, "%15s %31s %299s", command, kind, name) != 3) continue;
    int quiet = strcmp(kind, "queue_chunk") == 0;
    if ((!quiet && strcmp(kind, "shared_memory") != 0) || strchr(name, '/') != NULL) continue;
    if (strcmp(command, "REGISTER") == 0) {
      if (count == capacity) {
        capacity = capacity ? capacity * 2 : 16;
        struct entry* grown = realloc(names, capacity * sizeof *names);
        if (grown == NULL) continue;
        names = grown;
      }
      names[count].name = strdup(name);
      names[count].quiet = quiet;
      if (names[count].name != NULL) count++;
    } else if (strcmp(command, "UNREGISTER") == 0) {
      for (size_t i = 0; i < count; i++) {
        if (strcmp(names[i].name, name) == 0) {
          free(names[i].name);
          names[i] = names[--count];
          break;
        }
      }
    }
  }
  size_t reported = 0;
  for (size_t i = 0; i < count; i++) {
    char path[302];
    snprintf(path, sizeof path, "/%s", names[i].name);
    shm_unlink(path);
    if (!names[i].quiet) reported++;
  }
  if (reported == 0) return 0;
  fprintf(stderr,
          "multiprocessing-ts resource tracker: %zu shared memory segment(s) left by exited processes "
          "were not unlinked; unlinking them now: ",
          reported);
  for (size_t i = 0, shown = 0; i < count; i++) {
    if (!names[i].quiet) fprintf(stderr, "%s%s", shown++ ? ", " : "", names[i].name);
  }
  fprintf(stderr, "\n");
  return 0;
}
