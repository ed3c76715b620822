module go-offsets/bench/dwarf-rows

go 1.15
