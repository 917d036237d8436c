// Package conformance replays the recorded Neutron conformance scenarios
// (shared/conformance: scenarios/*.json and golden/*.json) against a running
// `midonet serve` and reports every difference from what the upstream
// Neutron 21.0.0 server answered.
//
// The pieces follow the golden data's README:
//
//   - [LoadScenario] and [LoadGolden] read the two file kinds;
//   - [Captures] resolves `{{name}}` templates (typed for a whole string,
//     textual elsewhere);
//   - [Literals] remembers the values written in the scenario's requests;
//   - [Normalizer] rewrites an answer the way the recorder did (captures,
//     generated values by key, the seven string rules, unordered lists);
//   - [Compare] checks status, error type, key sets (with the extension
//     table), values, links and headers, under a deployment [Profile];
//   - [Runner] sends the steps in order and compares each answer.
//
// TestConformance in this package runs the core scenarios, each on a fresh
// server; see README.md for how to run it.
package conformance
