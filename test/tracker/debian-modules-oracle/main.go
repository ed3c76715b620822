// Command debian-modules-oracle reads struct member offsets from an ELF's DWARF
// with Go's own debug/dwarf: the independent oracle of the Debian module tests.
//
//	debian-modules-oracle BINARY pkg/path.Type.field...
//
// prints one JSON object: selector -> offset, or null when the struct or the
// member is not in the DWARF. The member name #size stands for the struct's size.
package main

import (
	"debug/dwarf"
	"debug/elf"
	"encoding/json"
	"fmt"
	"os"
	"strings"
)

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: debian-modules-oracle BINARY SELECTOR...")
		os.Exit(2)
	}
	f, err := elf.Open(os.Args[1])
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	d, err := f.DWARF()
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	wanted := map[string]bool{}
	for _, sel := range os.Args[2:] {
		wanted[sel[:strings.LastIndex(sel, ".")]] = true
	}
	structs := map[string]map[string]int64{}
	r := d.Reader()
	for {
		e, err := r.Next()
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		if e == nil {
			break
		}
		if e.Tag != dwarf.TagStructType {
			continue
		}
		name, _ := e.Val(dwarf.AttrName).(string)
		if !wanted[name] || structs[name] != nil {
			continue
		}
		t, err := d.Type(e.Offset)
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		members := map[string]int64{"#size": t.Size()}
		for _, m := range t.(*dwarf.StructType).Field {
			members[m.Name] = m.ByteOffset
		}
		structs[name] = members
	}
	out := map[string]interface{}{}
	for _, sel := range os.Args[2:] {
		dot := strings.LastIndex(sel, ".")
		if off, ok := structs[sel[:dot]][sel[dot+1:]]; ok {
			out[sel] = off
		} else {
			out[sel] = nil
		}
	}
	json.NewEncoder(os.Stdout).Encode(out)
}
