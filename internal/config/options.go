package config

import (
	"fmt"
	"os"
)

// Group names, in their canonical (normalised) form.
const (
	GroupDatabase          = "database"
	GroupKeystoneAuthtoken = "keystone_authtoken"
	GroupMidonet           = "midonet"
	GroupML2               = "ml2"
	GroupML2TypeVXLAN      = "ml2_type_vxlan"
	GroupML2TypeVLAN       = "ml2_type_vlan"
	GroupML2TypeFlat       = "ml2_type_flat"
	GroupQuotas            = "quotas"
	GroupOsloPolicy        = "oslo_policy"
	GroupOsloMiddleware    = "oslo_middleware"
	GroupHealthcheck       = "healthcheck"
	GroupNova              = "nova"
	GroupSSL               = "ssl"
)

// DefaultRegistry returns a new registry holding every option the server
// knows, with the upstream defaults (neutron, oslo.db, oslo.policy,
// keystonemiddleware, networking-midonet) unless noted in the help.
func DefaultRegistry() *Registry {
	r := NewRegistry()
	for _, group := range [][]Option{
		defaultOptions(), databaseOptions(), keystoneOptions(), midonetOptions(),
		ml2Options(), quotaOptions(), policyOptions(), limitOptions(), healthOptions(), novaOptions(), sslOptions(),
	} {
		if err := r.Register(group...); err != nil {
			panic(err) // the tables below are wrong
		}
	}
	return r
}

func hostname() string {
	h, err := os.Hostname()
	if err != nil {
		return "localhost"
	}
	return h
}

func defaultOptions() []Option {
	d := func(name string, t Type, def, help string) Option {
		return Option{Group: DefaultGroup, Name: name, Type: t, Default: def, Help: help}
	}
	return []Option{
		d("auth_strategy", String, "keystone", "How API requests are authenticated: keystone or noauth."),
		d("bind_host", String, "127.0.0.1", "Address the API server listens on. Neutron's default is 0.0.0.0; this "+
			"server answers only on loopback until told otherwise."),
		d("bind_port", Int, "9696", "TCP port the API server listens on."),
		d("core_plugin", String, "ml2", "Core plugin: ml2 (or neutron.plugins.ml2.plugin.Ml2Plugin), the only one implemented; "+
			"another value is refused at start."),
		d("service_plugins", List, "", "Service plugins to load, by alias or class path (midonet_l3 or router, qos, "+
			"midonet_bgp, taas, …); only these are served and advertised, and a name this server does not have stops it. "+
			"Unset: every service this server has."),
		d("base_mac", String, "fa:16:3e:00:00:00", "Base MAC address for ports: the first three octets are kept, "+
			"the fourth too when it is not 00, the rest are random."),
		d("max_dns_nameservers", Int, "5", "Most DNS name servers per subnet."),
		d("dns_domain", String, "openstacklocal", "Domain of the ports' host names (dns_assignment); with the default, a port's "+
			"dns_name is kept but its addresses are named host-<address>."),
		d("max_subnet_host_routes", Int, "20", "Most host routes per subnet."),
		d("max_routes", Int, "30", "Most extra routes per router."),
		d("max_allowed_address_pair", Int, "10", "Most allowed address pairs per port."),
		d("global_physnet_mtu", Int, "1500", "MTU of the underlying physical network; overlay "+
			"networks subtract their encapsulation overhead from it."),
		d("enable_snat_by_default", Bool, "true", "Default of enable_snat when external_gateway_info omits it."),
		d("enable_ndp_proxy_by_default", Bool, "false", "Default of a router's enable_ndp_proxy when its gateway's network "+
			"supports NDP proxies (an IPv6 subnet and an IPv6 address scope) and the request omits it."),
		d("host", String, hostname(), "Name of this host as the server and agents report it."),
		d("debug", Bool, "false", "Log at debug level."),
		d("log_file", String, "", "Log to this file instead of standard error."),
		d("log_dir", String, "", "Directory that a relative log_file is taken from; alone, the log is <log_dir>/midonet-<command>.log."),
		d("use_stderr", Bool, "false", "Log to standard error as well as to log_file (without a log file the log always goes to "+
			"standard error; oslo.log would use standard output, which this binary keeps for its commands' answers)."),
		d("log_format", String, "text", "text (oslo.log's line: time, pid, level, logger, [request id, user, project], message) "+
			"or json (oslo.log's JSONFormatter document, one per line); --log-json sets json."),
		d("use_json", Bool, "false", "oslo.log's switch to the JSON form; the same as log_format = json."),
		d("notify_nova_on_port_status_changes", Bool, "true", "Send Nova network-vif-plugged when a port of a server "+
			"(device_owner compute:*) becomes ACTIVE (or ERROR) and network-vif-unplugged when it goes from ACTIVE to DOWN; "+
			"needs [nova] auth_url."),
		d("notify_nova_on_port_data_changes", Bool, "true", "Send Nova network-changed when a server's port is updated or "+
			"a floating IP is associated with it or taken from it, and network-vif-deleted when the port is deleted; needs "+
			"[nova] auth_url."),
		d("send_events_interval", Int, "2", "Seconds between two batches of Nova events: events that come in the meantime "+
			"are sent together in one request."),
		d("http_retries", Int, "3", "Times a Nova request is retried when Nova (or Keystone) cannot be reached."),
		d("graceful_shutdown_timeout", Int, "60", "Seconds a stopping server (SIGTERM, SIGINT) waits for the requests in flight "+
			"to finish after it stopped accepting new ones (oslo.service's option and default); 0 waits without a limit."),
	}
}

func databaseOptions() []Option {
	return []Option{
		{Group: GroupDatabase, Name: "connection", Type: String, Secret: true,
			Help: "Neutron database URL (sqlite:///path, postgresql://... or mysql+pymysql://user:pw@host/db?charset=utf8); empty means the embedded default, SQLite in the data dir. sqlite:///path?mmap_size=N lets SQLite's readers map up to N bytes of the file (fewer reads at large page walks; the mapped pages count in RSS)."},
		{Group: GroupDatabase, Name: "max_pool_size", Type: Int, Default: "5",
			Help: "PostgreSQL or MySQL connections kept open while idle (oslo.db's pool size); SQLite uses one writer and eight readers."},
		{Group: GroupDatabase, Name: "max_overflow", Type: Int, Default: "50",
			Help: "PostgreSQL or MySQL connections opened beyond max_pool_size under load (oslo.db's option and default): at most " +
				"max_pool_size + max_overflow are open at once."},
		{Group: GroupDatabase, Name: "connection_recycle_time", Type: Int, Default: "3600",
			Help: "Seconds after which a PostgreSQL or MySQL connection is closed and replaced; 0 keeps connections."},
		{Group: GroupDatabase, Name: "doc_cache_size_mb", Type: Int, Default: "128",
			Help: "MiB the API server's decoded-document cache may hold (an estimate of the decoded documents and their encoded " +
				"attributes; 128 MiB is about 25,000 ports): lists of the documents it holds skip decoding them. 0 turns it off; " +
				"/metrics shows it (midonet_doc_cache_*)."},
	}
}

func keystoneOptions() []Option {
	k := func(name string, t Type, def, help string) Option {
		return Option{Group: GroupKeystoneAuthtoken, Name: name, Type: t, Default: def, Help: help}
	}
	pw := k("password", String, "", "Password of the service user.")
	pw.Secret = true
	return []Option{
		k("www_authenticate_uri", String, "", "Public Identity endpoint; the one tokens are validated against when "+
			"auth_url is unset (it is not sent in a WWW-Authenticate header)."),
		k("auth_url", String, "", "Identity endpoint the service user authenticates against (with or without /v3)."),
		k("auth_type", String, "", "Authentication plugin of the service user; only password is supported."),
		k("username", String, "", "Service user name."),
		pw,
		k("project_name", String, "", "Project the service user's token is scoped to."),
		k("user_domain_name", String, "Default", "Domain of the service user."),
		k("project_domain_name", String, "Default", "Domain of the service user's project."),
		k("token_cache_time", Int, "300", "Seconds a validated token is trusted without asking Keystone again "+
			"(never past its expiry); -1 disables caching."),
		k("insecure", Bool, "false", "Skip TLS certificate verification towards Keystone."),
		k("cafile", String, "", "PEM file of CA certificates for verifying Keystone."),
		k("http_connect_timeout", Int, "", "Timeout in seconds for requests to Keystone; unset uses the built-in default."),
	}
}

func midonetOptions() []Option {
	m := func(name string, t Type, def, help string) Option {
		return Option{Group: GroupMidonet, Name: name, Type: t, Default: def, Help: help}
	}
	pw := m("password", String, "passw0rd", "MidoNet admin password.")
	pw.Secret = true
	return []Option{
		m("midonet_uri", String, "http://localhost:8080/midonet-api", "MidoNet API URI (client = rest): where the API "+
			"server reaches the cluster's REST endpoint. Unset in `midonet serve`, the cluster of the same process."),
		m("cluster_rest_bind_host", String, "127.0.0.1", "Address the cluster's REST endpoint (/midonet-api, client = rest) "+
			"listens on; it is never served on the Neutron API port. A non-loopback address needs a password other than "+
			"the default (or empty) one."),
		m("cluster_rest_port", Int, "8080", "Port of the cluster's REST endpoint, the port of the default midonet_uri. "+
			"Unset in `midonet serve` whose midonet_uri is unset too, a free port is chosen."),
		m("cluster_status_port", Int, "9697", "Port `midonet cluster` serves /healthcheck and /metrics on (at [DEFAULT] "+
			"bind_host) unless --bind-port is given: a cluster does not serve the Neutron API, so it stays off bind_port."),
		m("cluster_rest_token_ttl", Int, "3600", "Seconds a login token of the cluster's REST endpoint stays valid; "+
			"the REST client logs in again when its token is refused."),
		m("cluster_rest_max_tokens", Int, "1000", "Login tokens the cluster's REST endpoint keeps at most; a login beyond "+
			"that evicts the oldest token."),
		m("username", String, "admin", "MidoNet admin user name."),
		pw,
		m("project_id", String, "77777777-7777-7777-7777-777777777777", "Project the MidoNet admin user belongs to."),
		m("tunnel_protocol", String, "vxlan", "Tunnel protocol between hosts: vxlan or gre."),
		m("client", String, "midonet.neutron.client.api.MidonetApiClient", "How the plugin reaches the cluster; "+
			"the upstream class names are accepted (the API client or the task-journal client)."),
		m("availability_zones", List, "nova", "Availability zones networks and routers may name in availability_zone_hints; "+
			"MidoNet serves every network and router on every host, so they only label them."),
		m("etcd_endpoints", List, "", "etcd endpoints of the network state database; empty runs an embedded etcd."),
		m("nsdb_quota_bytes", Int, "0", "Size the embedded etcd may grow to before it raises its NOSPACE alarm and refuses "+
			"writes (0: etcd's default, 2 GiB); `midonet db-manage nsdb-compact` gives the space back."),
		m("apply_timeout", Int, "10", "Seconds an API write waits for the cluster to apply it."),
		m("host_lease_ttl", Int, "10", "Seconds a host (and the ports it plugged) stays alive after its agent stops answering."),
		m("cluster_lease_ttl", Int, "10", "Seconds a stopped or cut-off cluster keeps its leadership before a standby cluster takes over."),
		m("packet_log_dir", String, "/var/log/midolman/logging", "Where an agent with a datapath writes firewall and security-group "+
			"log lines (fw-<firewall log id>.log, sg-<log id>.log; seed 8.2.4); empty: no packet logs."),
		m("packet_log_max_bytes", Int, "10485760", "Size past which a packet log file is rotated (name.1, name.2, ...)."),
		m("packet_log_backups", Int, "5", "Rotated packet log files kept per log."),
		m("packet_log_queue", Int, "8192", "Log lines buffered between the packet path and the writer; when full, lines are dropped and counted."),
		m("tunnel_port", Int, "4789", "UDP port of the VXLAN tunnels between the datapaths of member hosts."),
		m("vxgw_sync_interval", Int, "10", "Seconds between two passes of the cluster's hardware VTEP service, which configures "+
			"every hw_vtep gateway device over OVSDB (management_ip:management_port) with the logical switches its L2 gateway "+
			"connections ask for (0: off)."),
		m("datapath", String, "none", "How an agent moves the packets of the ports bound to its host: afpacket (a packet "+
			"socket per bound interface; frames are simulated and forwarded) or none (control plane only: simulation and trace)."),
		m("reconcile_interval", Int, "300", "Seconds between comparisons of the Neutron database with the NSDB (and, with the REST client, repairs); one also runs at start."),
	}
}

func ml2Options() []Option {
	o := func(group, name string, t Type, def, help string) Option {
		return Option{Group: group, Name: name, Type: t, Default: def, Help: help}
	}
	return []Option{
		// The [ml2] defaults are this product's (MidoNet only), not neutron's.
		o(GroupML2, "type_drivers", List, "midonet,uplink,vxlan,vlan,flat", "Network type drivers to load: midonet and uplink "+
			"(MidoNet's), vxlan, vlan and flat (Neutron's, carried as MidoNet overlay bridges: internal/plugin/segments/README.md)."),
		o(GroupML2, "tenant_network_types", List, "midonet", "Network types for project networks, in order of preference."),
		o(GroupML2, "mechanism_drivers", List, "midonet", "Mechanism drivers; the list must hold midonet, the only one "+
			"implemented (others are refused at start)."),
		o(GroupML2, "external_network_type", String, "", "Type of external networks created without provider "+
			"attributes; empty means the first tenant network type."),
		o(GroupML2, "path_mtu", Int, "0", "MTU of the underlay's path between hosts for overlay (midonet, vxlan) networks; "+
			"0 means global_physnet_mtu."),
		o(GroupML2, "physical_network_mtus", List, "", "MTUs of physical networks that differ from global_physnet_mtu, "+
			"as <physical_network>:<mtu>, for vlan and flat networks."),
		o(GroupML2, "overlay_ip_version", Int, "4", "IP version of the VXLAN overlay's outer header (4: 50 bytes of "+
			"overhead, 6: 70)."),
		o(GroupML2TypeVXLAN, "vni_ranges", List, "", "VXLAN network identifiers project networks get, as <vni_min>:<vni_max> "+
			"(the default network segment ranges)."),
		o(GroupML2TypeVLAN, "network_vlan_ranges", List, "", "Physical networks for vlan networks, as "+
			"<physical_network>[:<vlan_min>:<vlan_max>]; with a range, project networks get VLAN ids from it."),
		o(GroupML2TypeFlat, "flat_networks", List, "*", "Physical networks flat networks may use; * means any, empty none."),
	}
}

func quotaOptions() []Option {
	q := func(name, def, what string) Option {
		return Option{Group: GroupQuotas, Name: name, Type: Int, Default: def,
			Help: fmt.Sprintf("Number of %s a project may have; negative means unlimited.", what)}
	}
	return []Option{
		q("default_quota", "-1", "resources of a kind without its own quota option"),
		q("quota_network", "100", "networks"),
		q("quota_subnet", "100", "subnets"),
		q("quota_port", "500", "ports"),
		q("quota_router", "10", "routers"),
		q("quota_floatingip", "50", "floating IPs"),
		q("quota_security_group", "10", "security groups"),
		q("quota_security_group_rule", "100", "security group rules"),
		q("quota_rbac_policy", "10", "RBAC policies"),
		q("quota_firewall_group", "10", "FWaaS v2 firewall groups"),
		q("quota_firewall_policy", "10", "FWaaS v2 firewall policies"),
		q("quota_firewall_rule", "100", "FWaaS v2 firewall rules"),
		q("quota_firewall", "10", "FWaaS v1 firewalls"),
		q("quota_firewall_policy_v1", "10", "FWaaS v1 firewall policies"),
		q("quota_firewall_rule_v1", "100", "FWaaS v1 firewall rules"),
		q("quota_firewall_log", "10", "firewall logs (logging-resource)"),
		q("quota_logging_resource", "10", "logging resources (logging-resource)"),
		q("quota_log", "10", "network logs (Neutron's logging API)"),
	}
}

func policyOptions() []Option {
	p := func(name string, t Type, def, help string) Option {
		return Option{Group: GroupOsloPolicy, Name: name, Type: t, Default: def, Help: help}
	}
	return []Option{
		p("policy_file", String, "policy.yaml", "Policy file (YAML or JSON) overriding the default rules."),
	}
}

// limitOptions bound what one caller can make the server hold: request bodies, the time a
// request may take to arrive, and the disk space writes may use.
func limitOptions() []Option {
	d := func(name string, t Type, def, help string) Option {
		return Option{Group: DefaultGroup, Name: name, Type: t, Default: def, Help: help}
	}
	return []Option{
		{Group: GroupOsloMiddleware, Name: "max_request_body_size", Type: Int, Default: "1048576",
			Help: "Largest request body in bytes; a larger one is answered 413 before it is read. " +
				"oslo.middleware's default is 114688, but Neutron's pipeline does not load that " +
				"middleware; 1 MiB takes a bulk create of about 4,000 ports."},
		d("max_request_body_memory", Int, "67108864", "Bytes of request bodies the API server holds at once, "+
			"over all requests; a body that would go past it is refused with 503 instead of being buffered."),
		d("request_header_timeout", Int, "30", "Seconds a client has to send a request's headers; 0 means no limit."),
		d("request_read_timeout", Int, "60", "Seconds a client has to send a whole request, headers and body; "+
			"a slower upload is cut off (408); 0 means no limit."),
		d("min_free_disk_mb", Int, "128", "MiB of free disk space kept under the embedded databases (the SQLite file's "+
			"directory and the embedded etcd's): below it, writes are refused with 503 until space is freed, "+
			"since etcd stops the process when a commit fails on a full disk. etcd preallocates its log in 64 MB "+
			"segments; 0 turns the guard off."),
		d("client_socket_timeout", Int, "900", "Seconds an idle keep-alive client connection stays open "+
			"(oslo.service's option and default)."),
	}
}

// healthOptions configure /healthcheck (oslo.middleware's [healthcheck] group).
func healthOptions() []Option {
	return []Option{
		{Group: GroupHealthcheck, Name: "detailed", Type: Bool, Default: "false",
			Help: "Show each check, its time and the error of a failed one in /healthcheck's JSON answer " +
				"(Accept: application/json); errors may name internal addresses."},
	}
}

// novaOptions are neutron.conf's [nova] options: the keystoneauth password plugin of the
// user events are sent as, and where Nova is found in the catalog.
func novaOptions() []Option {
	n := func(name string, t Type, def, help string) Option {
		return Option{Group: GroupNova, Name: name, Type: t, Default: def, Help: help}
	}
	pw := n("password", String, "", "Password of the user Nova events are sent as.")
	pw.Secret = true
	return []Option{
		n("auth_url", String, "", "Identity endpoint (with or without /v3) of the user Nova events are sent as; unset, Nova is not notified."),
		n("auth_type", String, "password", "Authentication plugin; only password is supported."),
		n("username", String, "", "User Nova events are sent as (Nova's policy wants a service or admin user)."),
		pw,
		n("project_name", String, "", "Project the user's token is scoped to."),
		n("user_domain_name", String, "Default", "Domain of the user."),
		n("project_domain_name", String, "Default", "Domain of the user's project."),
		n("region_name", String, "", "Region of the compute endpoint in the catalog (any region when unset)."),
		n("endpoint_type", String, "public", "Interface of the compute endpoint in the catalog: public, internal or admin."),
		n("endpoint_override", String, "", "Nova's URL (http://nova:8774/v2.1) instead of the catalog's compute endpoint."),
		n("timeout", Int, "30", "Seconds a request to Nova or Keystone may take."),
		n("cafile", String, "", "PEM file of CA certificates for verifying Nova and Keystone."),
		n("insecure", Bool, "false", "Skip TLS certificate verification towards Nova and Keystone."),
	}
}

// sslOptions are oslo.service's [ssl] options: TLS on the API listener.
func sslOptions() []Option {
	s := func(name string, t Type, def, help string) Option {
		return Option{Group: GroupSSL, Name: name, Type: t, Default: def, Help: help}
	}
	return []Option{
		s("cert_file", String, "", "PEM certificate (chain) the API serves over TLS; with key_file, the API answers HTTPS only."),
		s("key_file", String, "", "PEM private key of cert_file."),
		s("ca_file", String, "", "PEM CA certificates client certificates must chain to; set, every client must present one."),
		s("version", String, "", "Lowest TLS version accepted: TLSv1_2 (the default) or TLSv1_3."),
		s("ciphers", String, "", "OpenSSL-style list of TLS 1.2 cipher suites to allow (names as Go spells them, colon- or "+
			"comma-separated); unset, Go's secure defaults."),
	}
}
