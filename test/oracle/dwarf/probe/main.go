// A probe for the DWARF reader tests: net/http pulls in a few thousand
// struct types; the local types cover embedded fields and arrays.
package main

import (
	"fmt"
	"net/http"
	"os"
)

type Inner struct {
	A int32
	B [3]uint16
}

type Outer struct {
	Inner
	*http.Request
	Name  string
	grid  [2][3]int8
	Funcs []func() error
}

func main() {
	o := Outer{Name: os.Args[0]}
	fmt.Println(o, generic(), http.DefaultClient)
}
