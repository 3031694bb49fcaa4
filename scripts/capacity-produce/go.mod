module local/capacity-produce

go 1.25

require github.com/twmb/franz-go v1.21.5
