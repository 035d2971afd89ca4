.PHONY: test run conformance bench

# The test command: installs what the tests need, then vet + race tests.
test:
	bash scripts/test.sh

# The main job: translate, RAG and agent routes with their playgrounds.
run:
	go run ./examples/server

conformance:
	go run ./examples/conformance

bench:
	go test -run '^$$' -bench . -benchmem ./runnable/... ./serve/...
