module example.com/goffsets/dep

go 1.15
