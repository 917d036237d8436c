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
	// The recording ran neutron-dynamic-routing's reference driver; MidoNet configures BGP on
	// a router (seed 2.10, 8.2.1): sp1 has no router, and the external network has no router
	// port on its gateway address through which networking-midonet finds one.
	"bgp": {
		{From: "add peer pe1 to sp1", To: "add v6 peer to v4 speaker", Status: 400, Type: "ExternalNetworkUnbound",
			Reason: "binding a network (a router) to a speaker must come before its peers (seed 2.10)"},
		{From: "add gateway network ext", To: "add gateway network to 4-byte speaker", Status: 400, Type: "NoGatewayIpPortOnSubnet",
			Reason: "networking-midonet takes the speaker's router from the router port holding the network's gateway address; the recording's external network has none"},
		{From: "add second gateway network", Status: 400, Type: "NetworkTypeInvalid",
			Reason: "networking-midonet binds external networks only"},
		{From: "advertised routes sp1", To: "advertised routes 4-byte speaker (advertising off)", Status: 200,
			Reason: "without a router the speakers advertise nothing (MidoNet advertises the router's subnets and extra routes; test/integration TestBGP checks them)"},
		{From: "advertised routes sp1 without fip routes", Status: 200,
			Reason: "as above: no router, no advertised route"},
		{From: "remove gateway network ext", Status: 404, Type: "BgpSpeakerNetworkNotAssociated",
			Reason: "the network was never bound (above)"},
		{From: "remove peer pe1", Status: 404, Type: "BgpSpeakerPeerNotAssociated",
			Reason: "the peer was never added (above)"},
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
