//go:build go1.18
// +build go1.18

package main

// Pair instantiates as main.Pair[int,string] in DWARF.
type Pair[K comparable, V any] struct {
	Key K
	Val V
}

func generic() interface{} { return Pair[int, string]{1, "a"} }
