"""Demo data: a generated district modelled on Wuchang (武昌区), for `make run`, tests and benchmarks."""
