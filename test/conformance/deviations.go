package conformance

// Where the seed (networking-midonet's documentation) and the recording disagree, the seed
// wins: such steps are sent but not compared with the golden answer, and when the seed says
// what the answer must be, the test checks that instead. Every deviation names its reason.

// Deviation is one step (or a run of steps, From..To by name) the seed changes.
type Deviation struct {
	From, To string // step names; To "" = From alone
	Status   int    // what we must answer (0: not checked, the step only follows an earlier one)
	Type     string // the NeutronError type we must answer ("" = not checked)
	Reason   string
}

// SeedDeviations are the deviations of each scenario.
var SeedDeviations = map[string][]Deviation{
	"qos": {
		{From: "create network qn1", Status: 409, Type: "QosRuleNotSupportedByNetwork",
			Reason: "p1 holds an ingress bandwidth limit, and MidoNet enforces egress limits and DSCP marks only (seed 2.12; the recording's server had no QoS driver)"},
		{From: "create subnet qs1", To: "delete policy p1",
			Reason: "these steps use network qn1 and its ports, which the seed refuses (above); test/integration TestQoS binds policies MidoNet can enforce instead"},
	},
}

// applyDeviations marks the deviating steps of s so that they are sent but not compared,
// and returns the checks the seed asks for, by step index.
func applyDeviations(s *Scenario) map[int]Deviation {
	checks := map[int]Deviation{}
	for _, d := range SeedDeviations[s.Name] {
		in := false
		for i := range s.Steps {
			st := &s.Steps[i]
			if st.Name == d.From {
				in = true
			}
			if in {
				st.Deployment = "seed"
				checks[i] = d
			}
			if in && (d.To == "" || st.Name == d.To) {
				break
			}
		}
	}
	return checks
}
