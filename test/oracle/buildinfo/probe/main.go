// The replace probe: a small program with one dependency replaced by a local
// directory, so its build information carries a "=>" line (the shared probe fixture
// has no dependencies). Built per toolchain by ../replace-probe.ts.
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
