// Command dwarf-oracle prints every DW_TAG_structure_type of an ELF binary
// as JSON, using only Go's debug/elf and debug/dwarf: the independent oracle
// the TypeScript reader (gobin/dwarf) is tested against. It must build with
// every toolchain of the test matrix, down to Go 1.15 (no generics, no io.ReadAll).
//
//	dwarf-oracle BINARY                 all structs, members included
//	dwarf-oracle -bench N BINARY SEL    time N fresh opens + lookups of pkg.Type.field, and N full reads
package main

import (
	"debug/dwarf"
	"debug/elf"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"strings"
	"time"
)

type member struct {
	Name     string `json:"name"`
	Offset   *int64 `json:"offset"`
	Size     *int64 `json:"size"`
	TypeName string `json:"typeName"`
	Embedded bool   `json:"embedded"`
}

type structType struct {
	Name    string   `json:"name"`
	Size    int64    `json:"size"`
	Members []member `json:"members"`
}

// Go's DW_AT_go_embedded_field (cmd/internal/dwarf).
const attrGoEmbeddedField = dwarf.Attr(0x2903)

func main() {
	bench := flag.Int("bench", 0, "iterations of the lookup and full-read benchmark")
	flag.Parse()
	if flag.NArg() < 1 {
		fmt.Fprintln(os.Stderr, "usage: dwarf-oracle [-bench N] BINARY [pkg.Type.field]")
		os.Exit(2)
	}
	if *bench > 0 {
		runBench(*bench, flag.Arg(0), flag.Arg(1))
		return
	}
	d := open(flag.Arg(0))
	all, err := structs(d)
	check(err)
	out, err := json.Marshal(all)
	check(err)
	os.Stdout.Write(out)
	os.Stdout.Write([]byte("\n"))
}

func open(path string) *dwarf.Data {
	f, err := elf.Open(path)
	check(err)
	d, err := f.DWARF()
	check(err)
	return d
}

// structs walks every entry; for each struct it reads the type through
// d.Type (offsets, sizes) and the raw member entries (presence of
// DW_AT_data_member_location, the member type's own DW_AT_name, Go's
// embedded-field flag), which debug/dwarf's Type does not expose.
func structs(d *dwarf.Data) ([]structType, error) {
	all := []structType{}
	r := d.Reader()
	for {
		e, err := r.Next()
		if err != nil {
			return nil, err
		}
		if e == nil {
			break
		}
		if e.Tag != dwarf.TagStructType {
			continue
		}
		s, err := structAt(d, e)
		if err != nil {
			return nil, err
		}
		all = append(all, s)
	}
	return all, nil
}

func structAt(d *dwarf.Data, e *dwarf.Entry) (structType, error) {
	t, err := d.Type(e.Offset)
	if err != nil {
		return structType{}, err
	}
	st, ok := t.(*dwarf.StructType)
	if !ok {
		return structType{}, fmt.Errorf("0x%x: not a struct type", e.Offset)
	}
	raw, err := rawMembers(d, e)
	if err != nil {
		return structType{}, err
	}
	if len(raw) != len(st.Field) {
		return structType{}, fmt.Errorf("0x%x: %d raw members, %d fields", e.Offset, len(raw), len(st.Field))
	}
	size := st.ByteSize
	if size < 0 {
		size = 0 // a declaration without DW_AT_byte_size
	}
	s := structType{Name: st.StructName, Size: size, Members: []member{}}
	for i, f := range st.Field {
		m := member{Name: f.Name, Embedded: false}
		if v, ok := raw[i].Val(attrGoEmbeddedField).(bool); ok {
			m.Embedded = v
		}
		if raw[i].Val(dwarf.AttrDataMemberLoc) != nil {
			off := f.ByteOffset
			m.Offset = &off
		}
		if sz := f.Type.Size(); sz >= 0 {
			m.Size = &sz
		}
		if ref, ok := raw[i].Val(dwarf.AttrType).(dwarf.Offset); ok {
			m.TypeName, err = nameAt(d, ref)
			if err != nil {
				return structType{}, err
			}
		}
		s.Members = append(s.Members, m)
	}
	return s, nil
}

// rawMembers returns the direct DW_TAG_member children of the struct entry e.
func rawMembers(d *dwarf.Data, e *dwarf.Entry) ([]*dwarf.Entry, error) {
	var out []*dwarf.Entry
	if !e.Children {
		return out, nil
	}
	r := d.Reader()
	r.Seek(e.Offset)
	if _, err := r.Next(); err != nil {
		return nil, err
	}
	for {
		kid, err := r.Next()
		if err != nil {
			return nil, err
		}
		if kid == nil || kid.Tag == 0 {
			return out, nil
		}
		if kid.Tag == dwarf.TagMember {
			out = append(out, kid)
		}
		if kid.Children {
			r.SkipChildren()
		}
	}
}

func nameAt(d *dwarf.Data, off dwarf.Offset) (string, error) {
	r := d.Reader()
	r.Seek(off)
	e, err := r.Next()
	if err != nil || e == nil {
		return "", fmt.Errorf("no type entry at 0x%x: %v", off, err)
	}
	name, _ := e.Val(dwarf.AttrName).(string)
	return name, nil
}

// lookup finds pkg.Type.field the way a Go tool would: walk the entries for
// the struct's name, then read its type.
func lookup(d *dwarf.Data, selector string) (int64, error) {
	dot := strings.LastIndex(selector, ".")
	typ, field := selector[:dot], selector[dot+1:]
	r := d.Reader()
	for {
		e, err := r.Next()
		if err != nil {
			return 0, err
		}
		if e == nil {
			return -1, nil
		}
		if e.Tag == dwarf.TagStructType {
			if name, _ := e.Val(dwarf.AttrName).(string); name == typ {
				t, err := d.Type(e.Offset)
				if err != nil {
					return 0, err
				}
				for _, f := range t.(*dwarf.StructType).Field {
					if f.Name == field {
						return f.ByteOffset, nil
					}
				}
				return -1, nil
			}
		}
		if e.Children && e.Tag != dwarf.TagCompileUnit {
			r.SkipChildren()
		}
	}
}

func runBench(n int, path, selector string) {
	var lookupNs, allNs int64
	var offset int64
	count := 0
	for i := 0; i < n; i++ {
		start := time.Now()
		off, err := lookup(open(path), selector)
		check(err)
		lookupNs += time.Since(start).Nanoseconds()
		offset = off

		start = time.Now()
		all, err := structs(open(path))
		check(err)
		allNs += time.Since(start).Nanoseconds()
		count = len(all)
	}
	out, err := json.Marshal(map[string]interface{}{
		"lookupMs": float64(lookupNs) / float64(n) / 1e6,
		"allMs":    float64(allNs) / float64(n) / 1e6,
		"offset":   offset,
		"structs":  count,
	})
	check(err)
	os.Stdout.Write(out)
	os.Stdout.Write([]byte("\n"))
}

func check(err error) {
	if err != nil {
		fmt.Fprintln(os.Stderr, "dwarf-oracle:", err)
		os.Exit(1)
	}
}
