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
	// The recording ran neutron-vpnaas's reference driver with no VPN agent: services and
	// connections stayed PENDING_CREATE, so updates were refused. networking-midonet's driver
	// makes a service ACTIVE at once (seed 2.7, test_extension_vpnaas) and updates work; a
	// connection's status follows its real IKE SA (DOWN until the agent hosting the router's
	// gateway reports it up; no agent runs here). test/integration TestVPNaaS checks the
	// values; test/agent TestIPsecTwoSites the ACTIVE state of live tunnels.
	"vpnaas": {
		{From: "create vpnservice (endpoint groups)", Status: 201, Reason: "status ACTIVE, not PENDING_CREATE (seed: the MidoNet driver activates at once)"},
		{From: "create vpnservice (legacy subnet)", Status: 201, Reason: "status ACTIVE (as above)"},
		{From: "create vpnservice subnet not on router", Status: 201, Reason: "status ACTIVE (as above)"},
		{From: "show vpnservice vs1", Status: 200, Reason: "status ACTIVE (as above)"},
		{From: "list vpnservices", Status: 200, Reason: "status ACTIVE (as above)"},
		{From: "update vpnservice", Status: 200, Reason: "an ACTIVE service can be renamed (the reference refused PENDING_CREATE)"},
		{From: "create connection (endpoint groups)", Status: 201, Reason: "status DOWN until a real IKE SA is up, not PENDING_CREATE"},
		{From: "create connection (legacy peer_cidrs)", Status: 201, Reason: "status DOWN (as above)"},
		{From: "show connection c1", To: "show connection c2", Status: 200, Reason: "status DOWN (as above)"},
		{From: "list connections", Status: 200, Reason: "status DOWN (as above)"},
		{From: "update connection", Status: 200, Reason: "a connection that is not pending can be updated (the reference refused PENDING_CREATE)"},
		{From: "show vpnservice vs1 with connection", Status: 200, Reason: "status ACTIVE, and the name and description of the update above"},
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
