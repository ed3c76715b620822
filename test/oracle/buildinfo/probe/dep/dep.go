// Package dep is a local module the probe requires through a replace directive, so that
// its build information carries a dependency with a "=>" replacement line.
package dep

// Greeting is what the probe's handler writes.
func Greeting(name string) string { return "hello, " + name }
