module go-offsets/oracle/dwarf

go 1.15
