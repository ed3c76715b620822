module example.com/goffsets/probe

go 1.15

require example.com/goffsets/dep v1.2.3

replace example.com/goffsets/dep => ./dep
