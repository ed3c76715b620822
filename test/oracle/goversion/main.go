// Command goversion answers for Go's own go/version: for each input line
// "x y" it prints "IsValid(x) IsValid(y) Compare(x, y) Lang(x)", Lang "-" when empty.
package main

import (
	"bufio"
	"fmt"
	"go/version"
	"os"
	"strings"
)

func main() {
	in := bufio.NewScanner(os.Stdin)
	out := bufio.NewWriter(os.Stdout)
	defer out.Flush()
	for in.Scan() {
		x, y, _ := strings.Cut(in.Text(), " ")
		lang := version.Lang(x)
		if lang == "" {
			lang = "-"
		}
		fmt.Fprintf(out, "%t %t %d %s\n", version.IsValid(x), version.IsValid(y), version.Compare(x, y), lang)
	}
}
