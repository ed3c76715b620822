module example.com/goffsets/oracle/gosym

go 1.15
