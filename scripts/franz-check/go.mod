module local/franz-check

go 1.25

require (
	github.com/twmb/franz-go v1.21.5
	gopkg.in/yaml.v3 v3.0.1
)
