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
	// The recording is upstream networking-l2gw (devices named by device_name, with
	// interfaces); MidoNet's L2 gateway names exactly one gateway device by device_id and
	// takes no interfaces (seed 8.2.2, networking-midonet's validator), so gw1 and gw2 are
	// never created and every later step about them answers the 404 of an unknown gateway.
	// test/integration TestL2Gateways covers what these steps would with MidoNet's shape
	// (the 501 of an update among them).
	"l2gw": {
		{From: "create l2 gateway gw1", To: "create l2 gateway gw2 with segmentation ids", Status: 400, Type: "HTTPBadRequest",
			Reason: "a MidoNet L2 gateway device is {device_id, segmentation_id}: device_name and interfaces are refused (seed 8.2.2)"},
		{From: "create l2 gateway bad segmentation id", To: "create l2 gateway mixed segmentation ids", Status: 400, Type: "HTTPBadRequest",
			Reason: "refused for its upstream device shape before any segmentation id is looked at (seed 8.2.2)"},
		{From: "show l2 gateway gw1", To: "show l2 gateway gw2", Status: 404, Type: "L2GatewayNotFound",
			Reason: "gw1 and gw2 were never created (above)"},
		{From: "list l2 gateways", To: "list l2 gateways by name", Status: 200,
			Reason: "gw1 and gw2 were never created: the lists are empty"},
		{From: "update l2 gateway name", Status: 404, Type: "L2GatewayNotFound",
			Reason: "gw1 was never created; on an existing gateway MidoNet answers 501 to any update (seed; TestL2Gateways)"},
		{From: "update l2 gateway devices", To: "update l2 gateway unknown device", Status: 400, Type: "HTTPBadRequest",
			Reason: "the body's devices have the upstream shape, refused before the gateway is looked up (seed 8.2.2)"},
		{From: "show l2 gateway gw1 after updates", Status: 404, Type: "L2GatewayNotFound",
			Reason: "gw1 was never created"},
		{From: "create connection (no switch registered)", To: "create connection ids on interface (no switch registered)", Status: 404, Type: "L2GatewayNotFound",
			Reason: "MidoNet needs no L2GW agent; the gateways were never created"},
		{From: "create connection segmentation id out of range", To: "create connection gw1 without segmentation id", Status: 404, Type: "L2GatewayNotFound",
			Reason: "the gateways were never created, so their segmentation rules are not reached (TestL2Gateways checks them)"},
		{From: "delete l2 gateway gw1", Status: 404, Type: "L2GatewayNotFound",
			Reason: "gw1 was never created"},
		{From: "delete l2 gateway gw2", Status: 404, Type: "L2GatewayNotFound",
			Reason: "gw2 was never created"},
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
