package agent

func testState() *state { return &state{objects: newCache(true)} }
