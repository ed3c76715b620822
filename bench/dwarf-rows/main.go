// Command dwarf-rows prints what `offsets dwarf BINARY --all --json` prints,
// using only Go's debug/elf and debug/dwarf, the way a Go tool would write it:
// one {"type","field","offset","size"} row per member of every struct, in
// entry order. bench/cli.bench.ts runs it as a whole process beside the CLI.
package main

import (
	"bufio"
	"debug/dwarf"
	"debug/elf"
	"encoding/json"
	"fmt"
	"os"
)

type row struct {
	Type   string `json:"type"`
	Field  string `json:"field"`
	Offset *int64 `json:"offset"`
	Size   *int64 `json:"size"`
}

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: dwarf-rows BINARY")
		os.Exit(2)
	}
	f, err := elf.Open(os.Args[1])
	check(err)
	d, err := f.DWARF()
	check(err)
	rows := []row{}
	r := d.Reader()
	for {
		e, err := r.Next()
		check(err)
		if e == nil {
			break
		}
		if e.Tag != dwarf.TagStructType {
			continue
		}
		t, err := d.Type(e.Offset)
		check(err)
		st := t.(*dwarf.StructType)
		// Members are read through their own entries: a member without
		// DW_AT_data_member_location has no offset (null), as the CLI prints it.
		hasLoc := memberLocations(d, e)
		for i, fl := range st.Field {
			rw := row{Type: st.StructName, Field: fl.Name}
			if i < len(hasLoc) && hasLoc[i] {
				off := fl.ByteOffset
				rw.Offset = &off
			}
			if sz := fl.Type.Size(); sz >= 0 {
				rw.Size = &sz
			}
			rows = append(rows, rw)
		}
	}
	out := bufio.NewWriterSize(os.Stdout, 1<<16)
	enc := json.NewEncoder(out)
	enc.SetEscapeHTML(false)
	check(enc.Encode(rows))
	check(out.Flush())
}

// memberLocations tells, for each DW_TAG_member child of e, whether it has DW_AT_data_member_location.
func memberLocations(d *dwarf.Data, e *dwarf.Entry) []bool {
	var out []bool
	if !e.Children {
		return out
	}
	r := d.Reader()
	r.Seek(e.Offset)
	_, err := r.Next()
	check(err)
	for {
		kid, err := r.Next()
		check(err)
		if kid == nil || kid.Tag == 0 {
			return out
		}
		if kid.Tag == dwarf.TagMember {
			out = append(out, kid.Val(dwarf.AttrDataMemberLoc) != nil)
		}
		if kid.Children {
			r.SkipChildren()
		}
	}
}

func check(err error) {
	if err != nil {
		fmt.Fprintln(os.Stderr, "dwarf-rows:", err)
		os.Exit(1)
	}
}
