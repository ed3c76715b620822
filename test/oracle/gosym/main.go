// Command gosym lists a Go binary's functions with Go's own debug/gosym, as the
// oracle for gobin/pclntab.ts. It must build with every toolchain of the matrix
// (Go 1.15 onwards: no generics, no os.ReadFile) and is run with the toolchain
// that built the binary, so its debug/gosym knows that binary's pclntab layout.
//
// Output: a first line "text 0x<addr> <source>", then "0x<entry> 0x<end> <name>" per function.
//
// With -bench N it instead reads the binary (already in memory) N times, listing
// every function each time, and prints "ns/op <ns> funcs <count>" for bench/pclntab.bench.ts.
package main

import (
	"bufio"
	"bytes"
	"debug/elf"
	"debug/gosym"
	"fmt"
	"io/ioutil"
	"os"
	"strconv"
	"time"
)

func main() {
	if len(os.Args) == 4 && os.Args[1] == "-bench" {
		bench(os.Args[3], os.Args[2])
		return
	}
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: gosym [-bench N] BINARY")
		os.Exit(2)
	}
	f, err := elf.Open(os.Args[1])
	check(err)
	list(f, bufio.NewWriter(os.Stdout))
}

// bench times what gobin's functions() does: parse the ELF, find the table, list names and ranges.
func bench(path, count string) {
	n, err := strconv.Atoi(count)
	check(err)
	data, err := ioutil.ReadFile(path)
	check(err)
	start := time.Now()
	funcs := 0
	for i := 0; i < n; i++ {
		f, err := elf.NewFile(bytes.NewReader(data))
		check(err)
		funcs = list(f, nil)
	}
	fmt.Printf("ns/op %d funcs %d\n", time.Since(start).Nanoseconds()/int64(n), funcs)
}

// list prints the function table to w (when not nil) and returns the number of functions.
func list(f *elf.File, w *bufio.Writer) int {
	var err error
	var pcln []byte
	for _, name := range []string{".gopclntab", ".data.rel.ro.gopclntab"} {
		if s := f.Section(name); s != nil {
			pcln, err = s.Data()
			check(err)
			break
		}
	}
	if pcln == nil {
		check(fmt.Errorf("%s: no .gopclntab section", os.Args[1]))
	}
	var symtab []byte
	if s := f.Section(".gosymtab"); s != nil { // removed in Go 1.26
		symtab, err = s.Data()
		check(err)
	}
	// The text start: the runtime.text symbol when the symbol table has it (right for
	// external linking too), else the .text section (internal linking puts runtime.text first).
	text, source := uint64(0), ""
	if syms, err := f.Symbols(); err == nil {
		for _, s := range syms {
			if s.Name == "runtime.text" {
				text, source = s.Value, "runtime.text symbol"
			}
		}
	}
	if source == "" {
		s := f.Section(".text")
		if s == nil {
			check(fmt.Errorf("no .text section"))
		}
		text, source = s.Addr, ".text section"
	}
	tab, err := gosym.NewTable(symtab, gosym.NewLineTable(pcln, text))
	check(err)
	// Go 1.26 headers record a zero text start; a debug/gosym that still reads the
	// header then yields text-relative entries. Rebase those, and say so.
	rebase := uint64(0)
	if len(tab.Funcs) > 0 && tab.Funcs[0].Entry < text {
		rebase, source = text, source+" (rebased)"
	}
	if w == nil {
		return len(tab.Funcs)
	}
	fmt.Fprintf(w, "text 0x%x %s\n", text, source)
	for _, fn := range tab.Funcs {
		fmt.Fprintf(w, "0x%x 0x%x %s\n", fn.Entry+rebase, fn.End+rebase, fn.Name)
	}
	check(w.Flush())
	return len(tab.Funcs)
}

func check(err error) {
	if err != nil {
		fmt.Fprintln(os.Stderr, "gosym:", err)
		os.Exit(1)
	}
}
