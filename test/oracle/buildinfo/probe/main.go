// The fallback probe: a small net/http server (the functions the agent instruments)
// with one replaced dependency, built per toolchain and variant until the shared
// probe fixtures (test/support/probes.ts) exist.
package main

import (
	"fmt"
	"net/http"
	"os"

	"example.com/goffsets/dep"
)

func handler(w http.ResponseWriter, r *http.Request) {
	fmt.Fprintln(w, dep.Greeting(r.URL.Query().Get("name")))
}

func main() {
	if len(os.Args) > 1 && os.Args[1] == "serve" {
		http.HandleFunc("/", handler)
		_ = http.ListenAndServe("127.0.0.1:0", nil)
	}
}
