module example.com/goffsets/oracle/goversion

go 1.22
